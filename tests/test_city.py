"""The store: loading (dtypes, metric view checked against geodesic distances), a read-only shared city, round trip,
atomic writes, and writing layers (new, merge, replace; validated before anything changes)."""

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
from shapely.geometry import Point, shape

from facilities import ALL_LAYERS, LAYERS, store
from facilities.city_config import local_metric_crs
from facilities.store.folder import save_layer
from tests.conftest import MINI_TOML

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
    city = store.load(mini_city)
    t = city["toilets"]
    assert str(t["female_stalls"].dtype) == "Int64" and t["female_stalls"].isna().tolist() == [False, True]
    assert str(t["family_room"].dtype) == "boolean"
    assert str(t["updated"].dtype).startswith("datetime64")
    assert t.crs.to_epsg() == 4326
    assert set(city.layers) == set(ALL_LAYERS)


def test_metric_view_is_cached_and_in_metres(mini_city):
    _write(mini_city, "toilets", [_toilet(1, 112.1, 32.0), _toilet(2, 112.11, 32.0)])
    city = store.load(mini_city)
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
    city = store.load(mini_city)
    out = tmp_path / "copy"
    store.save_city(city, out)
    again = store.load(out)
    for name in ALL_LAYERS:
        assert_geodataframe_equal(city[name], again[name], check_like=False)


def test_save_layer_writes_nothing_partial_on_failure(tmp_path, mini_city):
    _write(mini_city, "toilets", [_toilet(1, 112.1, 32.0)])
    target = mini_city / "toilets.geojson"
    before = target.read_bytes()
    city = store.load(mini_city)
    bad = city["toilets"].copy()
    bad["notes"] = [object()]  # not JSON-serialisable: the write must fail before touching the file
    with pytest.raises(TypeError):
        save_layer(bad, target)
    assert target.read_bytes() == before
    assert [p.name for p in mini_city.iterdir() if p.name.endswith(".tmp")] == []


def test_write_atomic_replaces_whole_file(tmp_path):
    path = tmp_path / "a.txt"
    store.write_atomic(path, "old")
    store.write_atomic(path, "new")
    assert path.read_text() == "new" and len(list(tmp_path.iterdir())) == 1


def test_demo_city_loads_and_round_trips(tmp_path):
    from tests.helpers import DEMO

    city = store.load(DEMO)
    assert city.report.ok and not city.report.warnings
    assert len(city["lamps"]) >= 8000 and len(city["roads"]) >= 300
    for name, spec in ALL_LAYERS.items():
        assert list(city[name].columns[: len(spec.fields)]) == list(spec.field_names), name
    store.save_city(city, tmp_path / "copy")
    again = store.load(tmp_path / "copy")
    for name in ALL_LAYERS:
        assert_geodataframe_equal(city[name], again[name])


# --------------------------------------------------------------------------- a shared city is read-only


def test_a_city_is_read_only_and_its_metric_views_its_own(mini_city):
    import dataclasses

    _write(mini_city, "toilets", [_toilet(1, 112.1, 32.0), _toilet(2, 112.11, 32.0)])
    city = store.load(mini_city)
    with pytest.raises(TypeError):
        city.layers["toilets"] = city["toilets"].iloc[:0]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        city.config = None  # type: ignore[misc]
    with pytest.raises(KeyError, match=r"unknown layer 'toilet'; known layers: .*toilets"):
        city["toilet"]
    m = city.metric("toilets")
    one = city.with_layers({"toilets": city["toilets"].iloc[:1]})
    assert len(one["toilets"]) == 1 and len(one.metric("toilets")) == 1 and city.metric("toilets") is m
    assert one["lamps"] is city["lamps"] and one.config is city.config and city.name == "小城"
    derived = city["toilets"][city["toilets"]["id"] == "T1"]
    derived["name"] = "改"  # a derived frame: copy-on-write keeps the city's as it was
    assert city["toilets"]["name"].tolist() == ["厕所1", "厕所2"]


# --------------------------------------------------------------------------- writing layers through the store


def _frame(features: list[dict]) -> gpd.GeoDataFrame:
    return store.features_frame([f["properties"] for f in features], [shape(f["geometry"]) for f in features], LAYERS["toilets"])


def _ids(folder: Path) -> list[str]:
    return [f["properties"]["id"] for f in json.loads((folder / "toilets.geojson").read_text(encoding="utf-8"))["features"]]


def test_write_layers_new_merge_replace(mini_city):
    from facilities.errors import StoreError

    first = store.write_layers(mini_city, {"toilets": _frame([_toilet(1, 112.1, 32.0), _toilet(2, 112.11, 32.0)])})
    t = first.layers["toilets"]
    assert first.written and not first.problems and (t.action, t.added, t.backup) == ("new", 2, None)
    with pytest.raises(StoreError, match=r"toilets\.geojson already exist"):
        store.write_layers(mini_city, {"toilets": _frame([_toilet(3, 112.1, 32.0)])})
    update = _frame([_toilet(2, 112.12, 32.0, grade="A"), _toilet(3, 112.1, 32.01)])
    merged = store.write_layers(mini_city, {"toilets": update}, mode="merge")
    t = merged.layers["toilets"]
    assert (t.action, t.added, t.updated, t.kept, t.written) == ("merged", 1, 1, 1, 3) and t.backup is not None
    assert _ids(mini_city) == ["T1", "T2", "T3"] and store.load(mini_city)["toilets"]["grade"].tolist() == ["AA", "A", "AA"]
    replaced = store.write_layers(mini_city, {"toilets": _frame([_toilet(9, 112.1, 32.0)])}, mode="replace")
    assert replaced.layers["toilets"].action == "replaced" and _ids(mini_city) == ["T9"]
    assert len(list(mini_city.glob("toilets.geojson.bak-*"))) == 2 and store.validate(mini_city).ok
    with pytest.raises(StoreError, match="mode 'append'"):
        store.write_layers(mini_city, {"toilets": _frame([_toilet(1, 112.1, 32.0)])}, mode="append")


def test_write_layers_validates_before_anything_changes(mini_city):
    store.write_layers(mini_city, {"toilets": _frame([_toilet(1, 112.1, 32.0)])})
    before = {p.name: p.read_bytes() for p in mini_city.iterdir()}
    far = _frame([_toilet(2, 100.0, 20.0)])  # outside the city's bounds
    result = store.write_layers(mini_city, {"toilets": far}, mode="replace")
    assert not result.written and result.layers["toilets"].action == "" and {p.code for p in result.errors} == {"out_of_bounds"}
    dry = store.write_layers(mini_city, {"toilets": _frame([_toilet(3, 112.1, 32.0)])}, mode="merge", dry_run=True)
    assert dry.written and dry.dry_run and dry.layers["toilets"].added == 1
    (mini_city / "toilets.geojson").write_text('{"type": "FeatureCollection", "features": [{"type": "Feature"}]}', encoding="utf-8")
    before["toilets.geojson"] = (mini_city / "toilets.geojson").read_bytes()
    broken = store.write_layers(mini_city, {"toilets": _frame([_toilet(4, 112.1, 32.0)])}, mode="merge")
    assert not broken.written and "merge" in {p.code for p in broken.errors}
    assert {p.name: p.read_bytes() for p in mini_city.iterdir()} == before
    assert not (mini_city.parent / ".facilities-staging").exists()


def test_write_layers_makes_a_new_city_with_its_rules(tmp_path):
    out = tmp_path / "data" / "new"
    seen = []

    def rules(city):
        seen.append((city.name, len(city["toilets"])))
        return "# rules\n"

    result = store.write_layers(out, {"toilets": _frame([_toilet(1, 112.1, 32.0)])}, city_toml=MINI_TOML, rules=rules)
    assert result.written and result.city_toml and result.rules == "written" and seen == [("小城", 1)]
    assert sorted(p.name for p in out.iterdir()) == ["city.toml", "rules.toml", "toilets.geojson"]
    assert sorted(p.name for p in out.parent.iterdir()) == ["new"] and store.load(out).name == "小城"
    again = store.write_layers(out, {"lamps": store.empty_layer(LAYERS["lamps"])}, rules=rules)
    assert not again.written and not again.layers  # nothing to write
    info = store.describe(out)
    assert info.has_config and info.layers == {"toilets"} and info.config.name == "小城"
