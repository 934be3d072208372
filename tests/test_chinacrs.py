"""GCJ-02 / BD-09 conversions against published reference values (within 1 m, both ways)."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod

from facilities import chinacrs
from tests.helpers import WGS_GCJ

GEOD = Geod(ellps="WGS84")

# (from lon, from lat, to lon, to lat): wandergis/coordtransform's README values
BD_TO_GCJ = [(116.404, 39.915, 116.39762729119315, 39.90865673957631)]
GCJ_TO_BD = [(116.404, 39.915, 116.41036949371029, 39.92133699351021)]


def metres(lon1, lat1, lon2, lat2) -> float:
    return GEOD.inv(float(lon1), float(lat1), lon2, lat2)[2]


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), WGS_GCJ)
def test_wgs84_gcj02_both_ways(wlat, wlon, glat, glon):
    assert metres(*chinacrs.wgs84_to_gcj02(wlon, wlat), glon, glat) < 1.0
    assert metres(*chinacrs.gcj02_to_wgs84(glon, glat), wlon, wlat) < 1.0
    # the offset is real (hundreds of metres), so a skipped conversion cannot pass
    assert metres(wlon, wlat, glon, glat) > 100


@pytest.mark.parametrize(("lon", "lat", "tlon", "tlat"), BD_TO_GCJ)
def test_bd09_to_gcj02(lon, lat, tlon, tlat):
    assert metres(*chinacrs.bd09_to_gcj02(lon, lat), tlon, tlat) < 1.0
    assert metres(*chinacrs.gcj02_to_bd09(tlon, tlat), lon, lat) < 1.0


@pytest.mark.parametrize(("lon", "lat", "tlon", "tlat"), GCJ_TO_BD)
def test_gcj02_to_bd09(lon, lat, tlon, tlat):
    assert metres(*chinacrs.gcj02_to_bd09(lon, lat), tlon, tlat) < 1.0
    assert metres(*chinacrs.bd09_to_gcj02(tlon, tlat), lon, lat) < 1.0


def test_round_trips_and_outside_china():
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(75, 135, 500), rng.uniform(18, 53, 500)
    back = chinacrs.gcj02_to_wgs84(*chinacrs.wgs84_to_gcj02(lon, lat))
    assert np.max(np.abs(back[0] - lon)) < 1e-8 and np.max(np.abs(back[1] - lat)) < 1e-8
    # the published BD-09 inverse is itself approximate: round trips agree to ~0.1 m
    back = chinacrs.bd09_to_wgs84(*chinacrs.wgs84_to_bd09(lon, lat))
    assert np.max(np.abs(back[0] - lon)) < 2e-6 and np.max(np.abs(back[1] - lat)) < 2e-6
    paris = chinacrs.wgs84_to_gcj02(2.35, 48.85)
    assert (float(paris[0]), float(paris[1])) == (2.35, 48.85)
