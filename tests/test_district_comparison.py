"""The district comparison (facilities.stats.district_comparison): a hand-made city whose figures are worked
out by hand, the demo city against plain loops over its GeoJSON files and areas measured here, and figures
that cannot be computed (no lamps in the city, no sign in a district) missing, never 0."""

from __future__ import annotations

import json
import math
import tomllib
from collections import Counter

import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Geod
from shapely import Point, box
from shapely.geometry import shape

from facilities import stats
from facilities.store import load as load_city
from facilities.words import COLUMNS
from tests.helpers import DEMO, district_zone, make_city

CITY, NONE = stats.CITY, stats.UNSPECIFIED


def row(table: pd.DataFrame, district: str) -> pd.Series:
    """The row of ``district``."""
    found = table[table["district"] == district]
    assert len(found) == 1, f"{district}: {len(found)} rows"
    return found.iloc[0]


def point(layer: str, i: int, district: str | None, x: float, y: float = 500, status: str = "existing", **extra) -> tuple[dict, Point]:
    """A point feature of ``layer`` at (x, y) metres."""
    p = {"id": f"{layer[0].upper()}{i}", "status": status, **extra}
    if district is not None:
        p["district"] = district
    return p, Point(x, y)


# --------------------------------------------------------------------------- a hand-made city

#: 甲区 2 km × 1 km = 2 km²; 乙区 1 km²; 丙区 two zones of 0.5 km² each (merged: 1 km²), with no sign
ZONES = [
    district_zone(1, "甲区", box(0, 0, 2000, 1000)),
    district_zone(2, "乙区", box(2000, 0, 3000, 1000)),
    district_zone(3, "丙区", box(3000, 0, 4000, 500)),
    district_zone(4, "丙区", box(3000, 500, 4000, 1000)),
    ({"id": "Z9", "status": "existing", "zone_type": "commercial", "name": "商圈", "district": "甲区"}, box(0, 0, 500, 500)),
]


def toilet(i, district, grade, x, status="existing"):
    """A toilet of ``grade`` at x metres."""
    return point("toilets", i, district, x, status=status, grade=grade)


def layers_hand(lamps: bool = True) -> dict:
    """The hand-made city's layers (its lamps only when ``lamps``; no docks)."""
    layers = {
        "zones": ZONES,
        "toilets": [
            toilet(1, "甲区", "AAA", 100),
            toilet(2, "甲区", "AAA", 200),
            toilet(3, "甲区", "A", 300),
            toilet(4, "甲区", "AAA", 400, "planned"),  # not in use
            toilet(5, "乙区", "AA", 2100),
            toilet(6, "乙区", "none", 2200, "closed"),  # not in use
            toilet(7, "丙区", "none", 3100, "renovated"),
            toilet(8, None, "A", 3900),  # no district
        ],
        "signs": [
            point("signs", 1, "甲区", 100, sign_type="direction", text_zh="路", text_en="Road"),
            point("signs", 2, "甲区", 200, sign_type="direction", text_zh="路", text_en="  "),  # blank: not bilingual
            point("signs", 3, "甲区", 300, sign_type="direction", text_zh="路"),
            point("signs", 4, "甲区", 400, sign_type="direction", text_zh="路", text_en="Road", status="planned"),
            point("signs", 5, "乙区", 2100, sign_type="direction", text_zh="街", text_en="Street"),
        ],
        "stops": [point("stops", i, "乙区", 2000 + 100 * i, stop_type="bus") for i in (1, 2, 3)]
        + [point("stops", 4, "甲区", 500, stop_type="taxi", status="planned")],
        "billboards": [point("billboards", 1, "丙区", 3500, kind="publicity")],
        "reports": [
            point("reports", 1, "甲区", 100, status="open", kind="litter", reported_on="2026-11-01"),
            point("reports", 2, "甲区", 200, status="assigned", kind="litter", reported_on="2026-11-02"),
            point("reports", 3, "甲区", 300, status="fixed", kind="litter", reported_on="2026-11-03"),
            point("reports", 4, "乙区", 2100, status="fixed", kind="other", reported_on="2026-11-04"),
        ],
        # no docks at all
    }
    if lamps:
        layers["lamps"] = [
            point("lamps", 1, "甲区", 100, lamp_type="street", working=True),
            point("lamps", 2, "甲区", 200, lamp_type="street", working=True),
            point("lamps", 3, "甲区", 300, lamp_type="street", working=False),
            point("lamps", 4, "乙区", 2100, lamp_type="street"),  # state unknown: in use, not working
        ]
    return layers


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    """The hand-made city's comparison."""
    folder = make_city(tmp_path_factory.mktemp("hand") / "hand", layers_hand())
    return stats.district_comparison(load_city(folder))


def test_rows_are_the_districts_in_zone_order_then_the_unspecified_then_the_city(hand):
    assert list(hand["district"]) == ["甲区", "乙区", "丙区", NONE, CITY]


def test_areas_are_the_district_zones_merged_in_km2(hand):
    assert row(hand, "甲区")["area_km2"] == pytest.approx(2.0, rel=1e-6)  # the commercial zone inside does not count
    assert row(hand, "乙区")["area_km2"] == pytest.approx(1.0, rel=1e-6)
    assert row(hand, "丙区")["area_km2"] == pytest.approx(1.0, rel=1e-6)  # two zones of one district: merged
    assert row(hand, CITY)["area_km2"] == pytest.approx(4.0, rel=1e-6)
    assert math.isnan(row(hand, NONE)["area_km2"])  # no zone: no area


def test_toilets_by_grade_count_and_per_km2_by_hand(hand):
    a = row(hand, "甲区")  # 2 AAA + 1 A in use (a planned AAA not counted) in 2 km²
    assert (a["toilets"], a["toilets_AAA"], a["toilets_AA"], a["toilets_A"], a["toilets_none"]) == (3, 2, 0, 1, 0)
    assert a["toilets_AAA_per_km2"] == pytest.approx(1.0, rel=1e-6)  # 2 AAA in 2 km² = 1 per km²
    assert a["toilets_A_per_km2"] == pytest.approx(0.5, rel=1e-6)
    assert a["toilets_AA_per_km2"] == 0.0  # none in a district with an area: a true zero
    assert a["toilets_per_km2"] == pytest.approx(1.5, rel=1e-6)
    b = row(hand, "乙区")  # 1 AA in use (the closed ungraded one not counted) in 1 km²
    assert (b["toilets"], b["toilets_AA"], b["toilets_none"]) == (1, 1, 0)
    assert b["toilets_per_km2"] == pytest.approx(1.0, rel=1e-6)
    c = row(hand, "丙区")
    assert (c["toilets"], c["toilets_none"]) == (1, 1)
    assert c["toilets_none_per_km2"] == pytest.approx(1.0, rel=1e-6)
    u = row(hand, NONE)  # a toilet with no district: counted, but no area to divide by
    assert (u["toilets"], u["toilets_A"]) == (1, 1)
    assert pd.isna(u["toilets_per_km2"]) and pd.isna(u["toilets_A_per_km2"])
    city = row(hand, CITY)  # 6 in use over the 4 km² of the district zones
    assert (city["toilets"], city["toilets_AAA"], city["toilets_AA"], city["toilets_A"], city["toilets_none"]) == (6, 2, 1, 2, 1)
    assert city["toilets_per_km2"] == pytest.approx(1.5, rel=1e-6)
    assert city["toilets_AAA_per_km2"] == pytest.approx(0.5, rel=1e-6)


def test_signs_bilingual_share_and_a_district_with_no_sign_has_none(hand):
    a = row(hand, "甲区")  # 3 signs in use, 1 with English text
    assert (a["signs"], a["bilingual"]) == (3, 1)
    assert a["bilingual_share"] == pytest.approx(1 / 3)
    assert row(hand, "乙区")["bilingual_share"] == 1.0
    c = row(hand, "丙区")
    assert c["signs"] == 0  # a true count
    assert pd.isna(c["bilingual_share"])  # a share of nothing: missing, never 0 %
    assert row(hand, CITY)["bilingual_share"] == pytest.approx(2 / 4)


def test_lamps_working_share_stops_billboards_and_reports_by_hand(hand):
    a, b, c = row(hand, "甲区"), row(hand, "乙区"), row(hand, "丙区")
    assert (a["lamps"], a["working"], a["working_share"]) == (3, 2, pytest.approx(2 / 3))
    assert (b["lamps"], b["working"], b["working_share"]) == (1, 0, 0.0)  # an unknown state is not lit
    assert c["lamps"] == 0 and pd.isna(c["working_share"])
    assert (a["stops"], b["stops"], row(hand, CITY)["stops"]) == (0, 3, 3)  # the planned stop not counted
    assert b["stops_per_km2"] == pytest.approx(3.0, rel=1e-6)
    assert row(hand, CITY)["stops_per_km2"] == pytest.approx(0.75, rel=1e-6)
    assert (a["billboards"], c["billboards"]) == (0, 1)
    assert (a["reports_open"], b["reports_open"], row(hand, CITY)["reports_open"]) == (2, 0, 2)  # open + assigned


def test_a_layer_with_no_record_has_no_figure_not_zeros(hand):
    # no docks recorded at all: every docks figure missing, in every row, the city's too
    assert hand["docks"].isna().all()


def test_a_city_with_no_lamps_has_no_lamp_figure(tmp_path):
    table = stats.district_comparison(load_city(make_city(tmp_path / "dark", layers_hand(lamps=False))))
    for col in ("lamps", "working", "working_share"):
        assert table[col].isna().all(), f"{col}: {table[col].tolist()}"
    assert row(table, "甲区")["toilets_AAA"] == 2  # the rest is unchanged


def test_columns_are_declared_labelled_and_typed(hand):
    columns = [c for cols in stats.COMPARISON_LAYERS.values() for c in cols]
    assert list(hand.columns) == ["district", "area_km2", *columns]
    assert not [c for c in hand.columns if c not in COLUMNS], "every column has a heading in words.COLUMNS"
    assert str(hand["toilets"].dtype) == "Int64" and hand["toilets_per_km2"].dtype == "float64"
    assert stats.toilet_grades() == ["AAA", "AA", "A", "none"]


# --------------------------------------------------------------------------- the demo city, by plain loops


def _features(layer: str) -> list[dict]:
    """The features of a demo layer file, read with json (no project code)."""
    path = DEMO / f"{layer}.geojson"
    return json.loads(path.read_text(encoding="utf-8"))["features"] if path.exists() else []


def _in_use(feature: dict) -> bool:
    """Whether a feature is in use (not planned or closed)."""
    return feature["properties"].get("status") not in ("planned", "closed")


def _district(feature: dict) -> str:
    """A feature's district, or the unspecified one."""
    d = feature["properties"].get("district")
    return d if isinstance(d, str) and d.strip() else NONE


@pytest.fixture(scope="module")
def demo():
    """The demo city's comparison."""
    return stats.district_comparison(load_city(DEMO))


def _demo_areas() -> dict[str, float]:
    """Each district's area in km², measured here: an equal-area projection centred on the city (geopandas) and,
    as a check of that, the area on the WGS84 ellipsoid (pyproj's Geod)."""
    config = tomllib.loads((DEMO / "city.toml").read_text(encoding="utf-8"))
    lon, lat = config["center"]["lon"], config["center"]["lat"]
    zones = [f for f in _features("zones") if f["properties"]["zone_type"] == "district"]
    frame = gpd.GeoDataFrame(
        {"district": [f["properties"].get("district") or f["properties"]["name"] for f in zones]},
        geometry=[shape(f["geometry"]) for f in zones],
        crs="EPSG:4326",
    )
    laea = f"+proj=laea +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m +no_defs"
    merged = frame.dissolve("district")
    areas = (merged.to_crs(laea).area / 1e6).to_dict()
    geod = Geod(ellps="WGS84")
    for name, geom in merged.geometry.items():
        assert abs(geod.geometry_area_perimeter(geom)[0]) / 1e6 == pytest.approx(areas[name], rel=1e-4)
    areas[CITY] = float(gpd.GeoSeries([frame.union_all()], crs=4326).to_crs(laea).area.iloc[0]) / 1e6
    return areas


def test_demo_areas_against_an_equal_area_projection(demo):
    areas = _demo_areas()
    assert set(areas) - {CITY} == set(demo["district"]) - {CITY}
    for district, area in areas.items():
        assert row(demo, district)["area_km2"] == pytest.approx(area, rel=1e-3), district


def test_demo_counts_and_shares_against_plain_loops(demo):
    count: Counter = Counter()
    for layer in ("toilets", "signs", "lamps", "stops", "docks", "billboards"):
        for f in _features(layer):
            if not _in_use(f):
                continue
            p, d = f["properties"], _district(f)
            count[(layer, d)] += 1
            if layer == "toilets":
                count[(f"toilets_{p['grade']}", d)] += 1
            if layer == "signs" and (p.get("text_en") or "").strip():
                count[("bilingual", d)] += 1
            if layer == "lamps" and p.get("working") is True:
                count[("working", d)] += 1
    for f in _features("reports"):
        if f["properties"]["status"] in ("open", "assigned"):
            count[("reports_open", _district(f))] += 1
    areas = _demo_areas()
    districts = [d for d in demo["district"] if d != CITY]
    assert len(districts) == 4
    for d in [*districts, CITY]:
        r = row(demo, d)
        for col in ("toilets", "toilets_AAA", "toilets_AA", "toilets_A", "toilets_none", "signs", "bilingual", "lamps", "working"):
            want = sum(v for (c, dd), v in count.items() if c == col and (dd == d or d == CITY))
            assert r[col] == want, (d, col)
        for col in ("stops", "docks", "billboards", "reports_open"):
            assert r[col] == sum(v for (c, dd), v in count.items() if c == col and (dd == d or d == CITY)), (d, col)
        n = {
            c: sum(v for (cc, dd), v in count.items() if cc == c and (dd == d or d == CITY))
            for c in ("signs", "bilingual", "lamps", "working")
        }
        assert r["bilingual_share"] == pytest.approx(n["bilingual"] / n["signs"])
        assert r["working_share"] == pytest.approx(n["working"] / n["lamps"])
        for col in ("toilets", "toilets_AAA", "stops"):
            assert r[f"{col}_per_km2"] == pytest.approx(r[col] / areas[d], rel=1e-3), (d, col)


def test_demo_figures_for_two_districts(demo):
    # as read off the demo by the loops above (kept here so a change of the demo data shows up in review)
    a, b = row(demo, "襄城区"), row(demo, "樊城区")
    assert (a["toilets"], a["toilets_AAA"], a["signs"], a["lamps"], a["stops"]) == (24, 5, 215, 2935, 24)
    assert (b["toilets"], b["toilets_AAA"], b["signs"], b["lamps"], b["stops"]) == (34, 1, 153, 3629, 16)
