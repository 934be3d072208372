"""Loading: dtypes, metric view (checked against geodesic distances), round trip, atomic writes."""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import pytest
from geopandas.testing import assert_geodataframe_equal
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import Point

from facilities import ALL_LAYERS, load_city, save_city, save_layer
from facilities.city import write_atomic
from facilities.city_config import local_metric_crs

GEOD = Geod(ellps="WGS84")


def _toilet(i: int, lon: float, lat: float, **props) -> dict:
    return {
        "type": "Feature",
        "properties": {"id": f"T{i}", "status": "existing", "grade": "AA", "name": f"厕所{i}", **props},
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
    }


def _write(folder: Path, layer: str, features: list[dict]) -> None:
    (folder / f"{layer}.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))


def test_layers_have_declared_dtypes(mini_city):
    _write(
        mini_city,
        "toilets",
        [
            _toilet(1, 112.1, 32.0, female_stalls=6, male_stalls=4, family_room=True, updated="2026-03-01"),
            _toilet(2, 112.11, 32.0),
        ],
    )
    city = load_city(mini_city)
    t = city["toilets"]
    assert str(t["female_stalls"].dtype) == "Int64" and t["female_stalls"].isna().tolist() == [False, True]
    assert str(t["family_room"].dtype) == "boolean"
    assert str(t["updated"].dtype).startswith("datetime64")
    assert t.crs.to_epsg() == 4326
    assert set(city.layers) == set(ALL_LAYERS)


def test_metric_view_is_cached_and_in_metres(mini_city):
    _write(mini_city, "toilets", [_toilet(1, 112.1, 32.0), _toilet(2, 112.11, 32.0)])
    city = load_city(mini_city)
    m = city.metric("toilets")
    assert m is city.metric("toilets")
    d = m.geometry.iloc[0].distance(m.geometry.iloc[1])
    expected = GEOD.inv(112.1, 32.0, 112.11, 32.0)[2]
    assert d == pytest.approx(expected, rel=1e-4)


@settings(max_examples=200, deadline=None)
@given(
    lon0=st.floats(-179.0, 179.0),
    lat0=st.floats(-70.0, 70.0),
    dx=st.floats(-0.4, 0.4),
    dy=st.floats(-0.4, 0.4),
    ex=st.floats(-0.4, 0.4),
    ey=st.floats(-0.4, 0.4),
)
def test_local_metric_crs_matches_geodesic_distance_anywhere(lon0, lat0, dx, dy, ex, ey):
    """Oracle: WGS84 geodesic distance. Anywhere on Earth (UTM zone edges, 70°), within ~45 km of the centre."""
    crs = local_metric_crs(lon0, lat0)
    a = (lon0 + dx / max(math.cos(math.radians(lat0)), 0.35), lat0 + dy)
    b = (lon0 + ex / max(math.cos(math.radians(lat0)), 0.35), lat0 + ey)
    pts = gpd.GeoSeries([Point(a), Point(b)], crs=4326).to_crs(crs)
    planar = pts.iloc[0].distance(pts.iloc[1])
    geodesic = GEOD.inv(a[0], a[1], b[0], b[1])[2]
    assert planar == pytest.approx(geodesic, rel=2e-4, abs=0.01)


def test_round_trip(mini_city, tmp_path):
    _write(
        mini_city,
        "toilets",
        [
            _toilet(1, 112.1, 32.0, female_stalls=6, family_room=False, updated="2026-03-01", 备注="保留"),
            _toilet(2, 112.11, 32.01, notes='引号 " and <b>'),
        ],
    )
    _write(
        mini_city,
        "roads",
        [
            {
                "type": "Feature",
                "properties": {"id": "R1", "status": "existing", "road_class": "arterial", "name": "长虹路", "lit": True},
                "geometry": {"type": "LineString", "coordinates": [[112.1, 32.0], [112.12, 32.01], [112.13, 32.0]]},
            }
        ],
    )
    city = load_city(mini_city)
    out = tmp_path / "copy"
    save_city(city, out)
    again = load_city(out)
    for name in ALL_LAYERS:
        assert_geodataframe_equal(city[name], again[name], check_like=False)


def test_save_layer_writes_nothing_partial_on_failure(tmp_path, mini_city):
    _write(mini_city, "toilets", [_toilet(1, 112.1, 32.0)])
    target = mini_city / "toilets.geojson"
    before = target.read_bytes()
    city = load_city(mini_city)
    bad = city["toilets"].copy()
    bad["notes"] = [object()]  # not JSON-serialisable: the write must fail before touching the file
    with pytest.raises(TypeError):
        save_layer(bad, target)
    assert target.read_bytes() == before
    assert [p.name for p in mini_city.iterdir() if p.name.endswith(".tmp")] == []


def test_write_atomic_replaces_whole_file(tmp_path):
    path = tmp_path / "a.txt"
    write_atomic(path, "old")
    write_atomic(path, "new")
    assert path.read_text() == "new" and len(list(tmp_path.iterdir())) == 1


def test_demo_city_loads_and_round_trips(tmp_path):
    from tests.helpers import DEMO

    city = load_city(DEMO)
    assert city.report.ok and not city.report.warnings
    assert len(city["lamps"]) >= 8000 and len(city["roads"]) >= 300
    for name, spec in ALL_LAYERS.items():
        assert list(city[name].columns[: len(spec.fields)]) == list(spec.field_names), name
    save_city(city, tmp_path / "copy")
    again = load_city(tmp_path / "copy")
    for name in ALL_LAYERS:
        assert_geodataframe_equal(city[name], again[name])
