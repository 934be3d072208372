"""check() end to end on small hand-made cities laid out in metres around a centre."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import geopandas as gpd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString, Point, box
from shapely.geometry import mapping

from facilities.check import GAP_COLUMNS, SUMMARY_COLUMNS, check
from facilities.city_config import local_metric_crs
from facilities.rules import load_rules
from facilities.store import load as load_city

TODAY = dt.date(2026, 11, 29)


def make_city(folder: Path, layers: dict[str, list[tuple[dict, object]]], lon=112.1, lat=32.0, rules: str = "") -> Path:
    """Write a city whose geometries are given in metres east/north of (lon, lat)."""
    folder.mkdir(parents=True, exist_ok=True)
    crs = local_metric_crs(lon, lat)
    (folder / "city.toml").write_text(
        f'name = "测"\nname_en = "T"\n[center]\nlon = {lon}\nlat = {lat}\n'
        f"[bounds]\nwest = {lon - 0.3}\nsouth = {lat - 0.3}\neast = {lon + 0.3}\nnorth = {lat + 0.3}\n"
    )
    for layer, feats in layers.items():
        gs = gpd.GeoSeries([g for _, g in feats], crs=crs).to_crs(4326)
        fc = {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": p, "geometry": mapping(g)} for (p, _), g in zip(feats, gs, strict=True)],
        }
        (folder / f"{layer}.geojson").write_text(json.dumps(fc, ensure_ascii=False))
    (folder / "rules.toml").write_text(rules)
    return folder


def T(i, **kw):
    return {"id": f"T{i}", "status": "existing", "grade": "A", **kw}


def A(i, **kw):
    return {"id": f"A{i}", "status": "existing", "kind": "scenic_spot", "name": f"景点{i}", "district": "襄城区", "unit": "文旅局", **kw}


def R(i, name, cls="arterial", **kw):
    return {"id": f"R{i}", "status": "existing", "road_class": cls, "name": name, "lit": True, **kw}


def L(i, working=True):
    return {"id": f"L{i}", "status": "existing", "lamp_type": "street", "working": working}


RULES = """
total = 1000
pass_mark = 850
[[rule]]
id = "reach"
title_zh = "厕所"
title_en = "Toilet reach"
kind = "reach"
weight = 400
source = "test"
target = { layer = "attractions" }
facility = { layer = "toilets", where = { grade = ["A", "AA", "AAA"], status = { not_in = ["planned"] } } }
distance_m = 500

[[rule]]
id = "dark"
title_zh = "暗区"
title_en = "Dark stretches"
kind = "along"
weight = 300
source = "test"
roads = { where = { lit = true } }
facility = { layer = "lamps", where = { working = true } }
snap_m = 20
max_gap_m = 40

[[rule]]
id = "signs"
title_zh = "路名牌"
title_en = "Road-name signs"
kind = "intersections"
weight = 200
source = "test"
roads = { where = { road_class = ["arterial", "secondary"] } }
facility = { layer = "signs", where = { sign_type = "road_name" } }
distance_m = 30

[[rule]]
id = "docks"
title_zh = "码头"
title_en = "Docks"
kind = "reach"
weight = 100
source = "test"
target = { layer = "docks" }
facility = { layer = "toilets" }
distance_m = 200
"""


@pytest.fixture
def city(tmp_path):
    layers = {
        "attractions": [
            (A(1), Point(0, 0)),  # toilet T1 at 499 m: covered
            (A(2), Point(3000, 0)),  # nearest qualifying toilet 600 m away: a gap
            (A(3), box(5000, 5000, 6000, 6000)),  # polygon containing a toilet: distance 0
            (A(4), Point(-3000, 0)),  # only a planned toilet nearby: a gap
        ],
        "toilets": [
            (T(1), Point(499, 0)),
            (T(2), Point(3600, 0)),
            (T(3), Point(5500, 5500)),
            (T(4, status="planned"), Point(-3000, 10)),
        ],
        "roads": [
            # one road in three segments (one reversed), 0 → 300 m along y = 0
            (R(1, "长虹路"), LineString([(0, 0), (100, 0)])),
            (R(2, "长虹路"), LineString([(200, 0), (100, 0)])),
            (R(3, "长虹路"), LineString([(200, 0), (300, 0)])),
            (R(4, "人民路", "secondary"), LineString([(150, -100), (150, 100)])),
            (R(5, "小巷", "branch", lit=False), LineString([(0, 50), (300, 50)])),
        ],
        "lamps": [(L(i), Point(x, 5)) for i, x in enumerate([0, 39, 78, 117, 156, 250, 285, 300])]
        + [(L(99, working=False), Point(205, 5))],
        "signs": [({"id": "S1", "status": "existing", "sign_type": "road_name"}, Point(160, 10))],
    }
    folder = make_city(tmp_path / "c", layers, rules=RULES)
    return load_city(folder), load_rules(folder / "rules.toml")


def test_hand_made_city(city):
    c, rules = city
    result = check(c, rules, as_of=TODAY)
    s = result.summary.set_index("rule")
    assert list(result.summary.columns) == SUMMARY_COLUMNS
    assert list(result.gaps.columns) == GAP_COLUMNS and result.gaps.crs.to_epsg() == 4326

    reach = result.gaps[result.gaps.rule == "reach"].sort_values("feature_id")
    assert reach["feature_id"].tolist() == ["A2", "A4"]
    # A2: nearest qualifying toilet T2 600 m away; A4: the planned T4 does not count, T1 is 3499 m away
    assert reach["measure"].round(2).tolist() == [600.0, 3499.0]
    assert reach.iloc[0]["name"] == "景点2" and reach.iloc[0]["district"] == "襄城区" and reach.iloc[0]["unit"] == "文旅局"
    assert (s.loc["reach", "checked"], s.loc["reach", "compliant"]) == (4, 2)

    dark = result.gaps[result.gaps.rule == "dark"]
    # 长虹路 (3 segments merged, 300 m): lamps every 39 m to 156, then 250 (the one at 205 is out): gap 156 → 250.
    # 人民路 (200 m, crossing at 150): only the lamp at 156 is within 20 m, 105 m along it: gaps 0 → 105 and 105 → 200.
    got = sorted(zip(dark["feature_id"], dark["measure"].round(2), strict=True))
    assert got == [("人民路", 95.0), ("人民路", 105.0), ("长虹路", 94.0)]
    assert s.loc["dark", "checked"] == pytest.approx(500, abs=1e-3)
    assert s.loc["dark", "share"] == pytest.approx(206 / 500, abs=1e-4)

    # one intersection (长虹路 × 人民路 at (150, 0)); a road-name sign 14 m away
    assert s.loc["signs", "checked"] == 1 and bool(s.loc["signs", "passed"])

    # no docks at all: not applicable, the total is pro-rated over the other 900 points
    assert pd_na(s.loc["docks", "passed"]) and "not applicable" in s.loc["docks", "note"]
    expected = (400 * 0.5 + 300 * (206 / 500) + 200) * 1000 / 900
    assert result.total == pytest.approx(expected, abs=0.1)
    assert not result.passed


def pd_na(v) -> bool:
    import pandas as pd

    return v is pd.NA or pd.isna(v)


def test_adding_a_toilet_closes_the_gap(tmp_path, city):
    c, rules = city
    before = check(c, rules, as_of=TODAY)
    folder = c.folder
    fc = json.loads((folder / "toilets.geojson").read_text())
    new = gpd.GeoSeries([Point(3000, 100)], crs=local_metric_crs(112.1, 32.0)).to_crs(4326).iloc[0]
    fc["features"].append({"type": "Feature", "properties": T(9), "geometry": mapping(new)})
    (folder / "toilets.geojson").write_text(json.dumps(fc))
    after = check(load_city(folder), rules, as_of=TODAY)
    assert set(after.gaps["feature_id"]) < set(before.gaps["feature_id"])
    assert "A2" not in set(after.gaps["feature_id"]) and after.total > before.total


@pytest.mark.parametrize(("lon", "lat"), [(112.1, 32.0), (116.999, 39.9), (-0.0001, 51.5), (25.0, 69.5), (-70.0, -45.0)])
def test_same_city_anywhere_gives_the_same_gaps(tmp_path, lon, lat):
    """Shifting every layer (centre included) changes nothing: near UTM zone edges (117°E, 0°), far north and south."""
    layers = {
        "attractions": [(A(1), Point(0, 0)), (A(2), Point(2000, 0))],
        "toilets": [(T(1), Point(450, 0)), (T(2), Point(2000, 520))],
        "roads": [(R(1, "甲路"), LineString([(0, 0), (1000, 0)]))],
        "lamps": [(L(i), Point(x, 3)) for i, x in enumerate(range(0, 1001, 35)) if not 300 < x < 500],
    }
    result = check(load_city(make_city(tmp_path / f"c{lon}", layers, lon, lat, RULES)), load_rules_text(tmp_path, RULES), as_of=TODAY)
    gaps = sorted(zip(result.gaps["rule"], result.gaps["feature_id"], result.gaps["measure"].round(1), strict=True))
    assert gaps == [("dark", "甲路", 245.0), ("reach", "A2", 520.0)]  # lamps at 280 and 525


def load_rules_text(tmp_path, text):
    path = tmp_path / "r.toml"
    path.write_text(text)
    return load_rules(path)


def test_share_and_density_rules(tmp_path):
    rules = """
[[rule]]
id = "late"
title_zh = "整改"
title_en = "Fixed in time"
kind = "share"
weight = 500
source = "test"
target = { layer = "reports" }
days = { start = "reported_on", end = "fixed_on", max = 7 }
min_share = 0.5

[[rule]]
id = "dens"
title_zh = "密度"
title_en = "Density"
kind = "density"
weight = 500
source = "test"
zones = { where = { zone_type = "commercial" } }
facility = { layer = "toilets" }
min_per_km2 = 4
"""

    def rep(i, on, fixed=None):
        p = {"id": f"P{i}", "status": "fixed" if fixed else "open", "kind": "litter", "reported_on": on}
        if fixed:
            p["fixed_on"] = fixed
        return p, Point(i * 10, 0)

    layers = {
        "reports": [rep(1, "2026-11-01", "2026-11-05"), rep(2, "2026-11-01", "2026-11-20"), rep(3, "2026-11-25"), rep(4, "2026-10-01")],
        "zones": [
            ({"id": "Z1", "status": "existing", "zone_type": "commercial"}, box(0, 0, 1000, 1000)),  # 1 km², 4 toilets
            ({"id": "Z2", "status": "existing", "zone_type": "commercial"}, box(2000, 0, 3000, 1000)),  # 1 km², 1 toilet
            ({"id": "Z3", "status": "existing", "zone_type": "residential"}, box(4000, 0, 5000, 1000)),
        ],
        "toilets": [(T(i), Point(100 + i * 100, 500)) for i in range(4)] + [(T(9), Point(2500, 500))],
    }
    result = check(load_city(make_city(tmp_path / "c", layers, rules=rules)), load_rules_text(tmp_path, rules), as_of=TODAY)
    late = result.gaps[result.gaps.rule == "late"].sort_values("feature_id")
    assert late["feature_id"].tolist() == ["P2", "P4"]  # 19 days; open for 59 days. P3 open 4 days: fine
    assert late["measure"].tolist() == [19.0, 59.0]
    dens = result.gaps[result.gaps.rule == "dens"]
    assert dens["feature_id"].tolist() == ["Z2"] and dens["measure"].iloc[0] == pytest.approx(1.0, rel=1e-3)


def _in_memory_city(layers: dict[str, gpd.GeoDataFrame]):
    """A City built in memory (no files), for property tests of whole rules."""
    from facilities.city import City
    from facilities.city_config import Bounds, CityConfig
    from facilities.problems import ValidationReport
    from facilities.schema import ALL_LAYERS
    from facilities.store import coerce_layer, empty_layer

    config = CityConfig("测", "T", 112.1, 32.0, 13, Bounds(111.8, 31.7, 112.4, 32.3))
    full = {name: coerce_layer(layers[name].copy(), spec) if name in layers else empty_layer(spec) for name, spec in ALL_LAYERS.items()}
    return City(Path("."), config, full, ValidationReport(Path(".")))


SHARE_RULE = """
[[rule]]
id = "acc"
title_zh = "无障碍"
title_en = "Accessible"
kind = "share"
weight = 100
source = "test"
target = { layer = "toilets", where = { status = { not_in = ["planned", "closed"] } } }
condition = { accessible_stalls = { ">=" = 1 }, family_room = true }
min_share = 0.75
"""

toilet_rows = st.lists(
    st.tuples(
        st.sampled_from(["existing", "new", "planned", "closed"]),
        st.one_of(st.none(), st.integers(0, 3)),
        st.one_of(st.none(), st.booleans()),
    ),
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(rows=toilet_rows)
def test_share_rule_matches_oracle(tmp_path_factory, rows):
    rules = load_rules_text(tmp_path_factory.mktemp("r"), SHARE_RULE)
    gdf = gpd.GeoDataFrame(
        {
            "id": [f"T{i}" for i in range(len(rows))],
            "status": [r[0] for r in rows],
            "grade": ["A"] * len(rows),
            "accessible_stalls": [r[1] for r in rows],
            "family_room": [r[2] for r in rows],
        },
        geometry=[Point(112.1 + i * 1e-4, 32.0) for i in range(len(rows))],
        crs=4326,
    )
    result = check(_in_memory_city({"toilets": gdf}), rules, as_of=TODAY)
    in_use = [i for i, r in enumerate(rows) if r[0] not in ("planned", "closed")]
    failing = {f"T{i}" for i in in_use if not (rows[i][1] is not None and rows[i][1] >= 1 and rows[i][2] is True)}
    assert set(result.gaps["feature_id"]) == failing
    row = result.summary.iloc[0]
    assert row["checked"] == len(in_use) and row["compliant"] == len(in_use) - len(failing)
    if in_use:
        share = (len(in_use) - len(failing)) / len(in_use)
        assert bool(row["passed"]) == (share >= 0.75)
        assert row["points"] == pytest.approx(100 if share >= 0.75 else 100 * share / 0.75, abs=0.01)
    else:
        assert pd_na(row["passed"])


def test_nearest_feature_prefers_points_over_the_area_around_them(tmp_path):
    from facilities.query import nearest_feature

    folder = make_city(
        tmp_path / "q",
        {
            "attractions": [(A(1), box(-500, -500, 500, 500))],
            "toilets": [(T(1), Point(30, 0)), (T(2), Point(200, 0))],
        },
    )
    city = load_city(folder)
    lon, lat = gpd.GeoSeries([Point(0, 0)], crs=local_metric_crs(112.1, 32.0)).to_crs(4326).iloc[0].coords[0]
    layer, row = nearest_feature(city, lon, lat, ["attractions", "toilets"])
    assert (layer, row["id"]) == ("toilets", "T1")  # 30 m away, though the click is inside the scenic area
    layer, row = nearest_feature(city, lon, lat, ["attractions", "toilets"], max_m=20)
    assert (layer, row["id"]) == ("attractions", "A1")  # no point within 20 m: the area
    assert nearest_feature(city, lon + 1, lat, ["toilets"]) is None
