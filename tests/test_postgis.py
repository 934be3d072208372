"""The engine against a real spatial database: PostGIS ST_DWithin on the same random points."""

from __future__ import annotations

import numpy as np
import pytest

from facilities import coverage
from tests.helpers import TempPostGIS, postgis_available

REASON = postgis_available()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"no PostGIS here: {REASON}; .ci/run installs it")


@pytest.fixture(scope="module")
def pg():
    with TempPostGIS() as server, server.connect() as conn:
        yield server, conn


@pytest.mark.parametrize("distance", [0.0, 3.0, 20.0, 150.0])
def test_exists_within_matches_postgis(pg, distance):
    server, conn = pg
    rng = np.random.default_rng(int(distance * 10) + 1)
    T = np.round(rng.uniform(0, 2000, (4000, 2)), 1)  # 0.1 m grid: exact ties happen
    F = np.round(rng.uniform(0, 2000, (1500 if distance < 100 else 40, 2)), 1)
    server.load_points(conn, "t", T)
    server.load_points(conn, "f", F)
    want = np.zeros(len(T), dtype=bool)
    want[server.exists_within(conn, "t", "f", distance)] = True
    got = coverage.exists_within_xy(T, F, distance)
    assert got.tolist() == want.tolist()
    assert 0 < want.sum() < len(T) or distance == 0.0
