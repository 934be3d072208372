"""Key figures (facilities.stats) on hand-made cities with known answers, and on the demo city against
plain loops over its rows and against the check."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import pandas as pd
import pytest
from shapely import Point, box

from facilities import stats
from facilities.check import check
from facilities.rules import load_rules
from facilities.store import load as load_city
from tests.helpers import DEMO, RULES_B, district_zone, layers_b, make_city

TODAY = dt.date(2026, 11, 29)
CITY, NONE = stats.CITY, stats.UNSPECIFIED


def records(df: pd.DataFrame) -> list[tuple]:
    """Rows as tuples, floats rounded (NaN kept as the string 'nan' so rows compare)."""
    out = []
    for row in df.itertuples(index=False, name=None):
        out.append(tuple("nan" if isinstance(v, float) and math.isnan(v) else round(v, 6) if isinstance(v, float) else v for v in row))
    return out


# --------------------------------------------------------------------------- city A: lamps and signs

DISTRICTS_A = [
    district_zone(1, "甲区", box(0, 0, 1000, 1000)),
    district_zone(2, "乙区", box(1000, 0, 2000, 1000)),
    district_zone(3, "丁区", box(2000, 0, 3000, 1000)),  # nothing in it: a row of zeros
    ({"id": "Z9", "status": "existing", "zone_type": "commercial", "name": "商圈", "district": "甲区"}, box(0, 0, 100, 100)),
]


def lamp(i, district, working, status="existing"):
    p = {"id": f"L{i}", "status": status, "lamp_type": "street"}
    if district is not None:
        p["district"] = district
    if working is not None:
        p["working"] = working
    return p, Point(10 * i, 500)


def sign(i, district, text_en, condition, status="existing"):
    p = {"id": f"S{i}", "status": status, "sign_type": "direction", "text_zh": "路"}
    for k, v in (("district", district), ("text_en", text_en), ("condition", condition)):
        if v is not None:
            p[k] = v
    return p, Point(10 * i, 600)


@pytest.fixture(scope="module")
def city_a(tmp_path_factory):
    layers = {
        "zones": DISTRICTS_A,
        "lamps": [
            lamp(1, "甲区", True),
            lamp(2, "甲区", True),
            lamp(3, "甲区", False),
            lamp(4, "甲区", None),  # state unknown: in use, not counted as working
            lamp(5, "甲区", True, "planned"),  # not in use
            lamp(6, "甲区", False, "closed"),  # not in use
            lamp(7, "乙区", True, "new"),
            lamp(8, "丙区", False, "renovated"),  # a district that is no zone: after the zones
            lamp(9, None, True),  # no district
        ],
        "signs": [
            sign(1, "甲区", "Road", "good"),
            sign(2, "甲区", "", "damaged"),  # empty English text: not bilingual
            sign(3, "甲区", "   ", "missing"),  # blank English text: not bilingual
            sign(4, "甲区", None, "good"),
            sign(5, "甲区", "Planned", "good", "planned"),  # not in use
            sign(6, "乙区", "Street", "damaged", "new"),
            sign(7, None, "Lane", None),  # no district, no condition
        ],
    }
    return load_city(make_city(tmp_path_factory.mktemp("a") / "a", layers))


def test_district_names_follow_the_district_zones(city_a):
    assert stats.district_names(city_a) == ["甲区", "乙区", "丁区"]


def test_lamp_figures_hand_made(city_a):
    t = stats.lamp_figures(city_a)
    assert list(t.columns) == ["district", "lamps", "working", "not_working", "unknown", "working_share"]
    assert records(t) == [
        ("甲区", 4, 2, 1, 1, 0.5),
        ("乙区", 1, 1, 0, 0, 1.0),
        ("丁区", 0, 0, 0, 0, "nan"),
        ("丙区", 1, 0, 1, 0, 0.0),
        (NONE, 1, 1, 0, 0, 1.0),
        (CITY, 7, 4, 2, 1, round(4 / 7, 6)),
    ]


def test_sign_figures_hand_made(city_a):
    t = stats.sign_figures(city_a)
    assert list(t.columns) == ["district", "signs", "bilingual", "bilingual_share", "damaged", "missing"]
    assert records(t) == [
        ("甲区", 4, 1, 0.25, 1, 1),
        ("乙区", 1, 1, 1.0, 1, 0),
        ("丁区", 0, 0, "nan", 0, 0),
        (NONE, 1, 1, 1.0, 0, 0),
        (CITY, 6, 3, 0.5, 2, 1),
    ]


def test_empty_layers_give_zero_rows(tmp_path):
    city = load_city(make_city(tmp_path / "e", {"zones": DISTRICTS_A[:1]}))
    assert records(stats.lamp_figures(city)) == [("甲区", 0, 0, 0, 0, "nan"), (CITY, 0, 0, 0, 0, "nan")]
    assert records(stats.sign_figures(city)) == [("甲区", 0, 0, "nan", 0, 0), (CITY, 0, 0, "nan", 0, 0)]


# --------------------------------------------------------------------------- city B: dark roads, rules, gaps


@pytest.fixture(scope="module")
def city_b(tmp_path_factory):
    folder = make_city(tmp_path_factory.mktemp("b") / "b", layers_b(), RULES_B)
    city = load_city(folder)
    return city, check(city, load_rules(folder / "rules.toml"), as_of=TODAY)


def test_city_b_check_is_as_designed(city_b):
    _, result = city_b
    s = result.summary.set_index("rule")
    assert s.loc["dark_main", "checked"] == pytest.approx(2000, abs=1e-3)
    assert s.loc["dark_main", "share"] == pytest.approx(0.75, abs=1e-6)
    assert s.loc["dark_branch", "checked"] == pytest.approx(300, abs=1e-3) and s.loc["dark_branch", "share"] == 0
    assert sorted(result.gaps["rule"]) == ["dark_branch", "dark_main", "road_signs", "toilets_near", "toilets_near"]
    assert result.total == pytest.approx((75 + 0 + 100 / 3 + 0) * 1000 / 400, abs=0.1)


def test_dark_road_km_hand_made(city_b):
    city, result = city_b
    t = stats.dark_road_km(result, city)
    assert list(t.columns) == ["district", "road_class", "km", "checked_km", "dark_share"]
    # the 500 m stretch runs from 800 m (甲区, 200 m of it) to 1300 m (乙区, 300 m): shared out by segment
    assert records(t) == [
        ("甲区", "arterial", 0.2, 1.0, 0.2),
        ("甲区", "branch", 0.3, 0.3, 1.0),
        ("乙区", "arterial", 0.3, 1.0, 0.3),
        (CITY, "arterial", 0.5, 2.0, 0.25),
        (CITY, "branch", 0.3, 0.3, 1.0),
        (CITY, stats.ALL_CLASSES, 0.8, 2.3, round(0.8 / 2.3, 6)),
    ]


def test_dark_road_km_needs_the_rules(city_b):
    from dataclasses import replace

    city, result = city_b
    with pytest.raises(ValueError, match="no rules"):
        stats.dark_road_km(replace(result, rules=None), city)


def test_rules_to_improve_hand_made(city_b):
    _, result = city_b
    t = stats.rules_to_improve(result)
    # missing points: dark_branch 100, road_signs 100 (tie: file order), toilets_near 66.67, dark_main 25; docks n/a last
    assert t["rule"].tolist() == ["dark_branch", "road_signs", "toilets_near", "dark_main", "docks"]
    assert t["points_missing"].iloc[:4].tolist() == [100.0, 100.0, 66.67, 25.0] and math.isnan(t["points_missing"].iloc[4])
    # the total would rise by missing × 1000 / 400 (the applicable weights)
    assert t["gain"].iloc[:4].tolist() == [250.0, 250.0, 166.68, 62.5]
    assert t["gaps"].tolist() == [1, 1, 2, 1, 0]


def test_gap_counts_by_district_hand_made(city_b):
    city, result = city_b
    t = stats.gap_counts(result, by="district", city=city)
    assert list(t.columns) == ["rule", "title_zh", "title_en", "甲区", "乙区", NONE, "total"]
    # road_signs: the intersection has no district of its own; it lies in the 乙区 zone. A3 lies in no zone.
    assert [(r[0], *r[3:]) for r in records(t)] == [
        ("dark_main", 1, 0, 0, 1),
        ("dark_branch", 1, 0, 0, 1),
        ("toilets_near", 0, 1, 1, 2),
        ("road_signs", 0, 1, 0, 1),
        ("docks", 0, 0, 0, 0),
        (CITY, 2, 2, 1, 5),
    ]
    # without the city: only the districts the check gave, sorted by name
    bare = stats.gap_counts(result, by="district")
    assert list(bare.columns) == ["rule", "title_zh", "title_en", "乙区", "甲区", NONE, "total"]
    assert bare.iloc[-1][["乙区", "甲区", NONE, "total"]].tolist() == [1, 2, 2, 5]


def test_gap_counts_by_unit_hand_made(city_b):
    _, result = city_b
    t = stats.gap_counts(result, by="unit")
    assert records(t) == [
        (NONE, 2, "toilets_near 1, road_signs 1"),
        ("照明处", 2, "dark_main 1, dark_branch 1"),
        ("文旅局", 1, "toilets_near 1"),
        (CITY, 5, ""),
    ]
    with pytest.raises(ValueError, match="district' or 'unit"):
        stats.gap_counts(result, by="road")


# --------------------------------------------------------------------------- the demo city


@pytest.fixture(scope="module")
def demo():
    city = load_city(DEMO)
    return city, check(city, load_rules(DEMO / "rules.toml"), as_of=TODAY)


def _blank(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def test_demo_lamp_figures(demo):
    city, result = demo
    expected: dict[str, list[int]] = {}
    for row in city["lamps"].itertuples():
        if row.status in ("planned", "closed"):
            continue
        d = NONE if _blank(row.district) else row.district
        c = expected.setdefault(d, [0, 0, 0])
        c[0] += 1
        if _blank(row.working):
            continue  # state unknown
        if row.working:
            c[1] += 1
        else:
            c[2] += 1
    t = stats.lamp_figures(city).set_index("district")
    for d, (n, on, off) in expected.items():
        assert t.loc[d, ["lamps", "working", "not_working"]].tolist() == [n, on, off]
        assert t.loc[d, "working_share"] == pytest.approx(on / n)
    assert t.loc[CITY, "lamps"] == sum(c[0] for c in expected.values()) == len(city["lamps"])
    # the same as the 亮灯率 rule
    rule = result.summary.set_index("rule").loc["lamps_working"]
    assert (t.loc[CITY, "lamps"], t.loc[CITY, "working"]) == (rule["checked"], rule["compliant"])
    assert t.loc[CITY, "working_share"] == pytest.approx(rule["share"])


def test_demo_sign_figures(demo):
    city, result = demo
    expected: dict[str, list[int]] = {}
    for row in city["signs"].itertuples():
        if row.status in ("planned", "closed"):
            continue
        d = NONE if _blank(row.district) else row.district
        c = expected.setdefault(d, [0, 0, 0, 0])
        c[0] += 1
        c[1] += 0 if _blank(row.text_en) else 1
        c[2] += row.condition == "damaged"
        c[3] += row.condition == "missing"
    t = stats.sign_figures(city).set_index("district")
    for d, counts in expected.items():
        assert t.loc[d, ["signs", "bilingual", "damaged", "missing"]].tolist() == counts
    total = [sum(c[i] for c in expected.values()) for i in range(4)]
    assert t.loc[CITY, ["signs", "bilingual", "damaged", "missing"]].tolist() == total
    s = result.summary.set_index("rule")
    assert (total[0], total[1]) == (s.loc["signs_bilingual", "checked"], s.loc["signs_bilingual", "compliant"])
    # every demo sign has a condition: good = in use − damaged − missing
    assert total[0] - total[2] - total[3] == s.loc["signs_condition", "compliant"]


def test_demo_dark_road_km(demo):
    city, result = demo
    lamp_rules = {r.id for r in result.rules if r.kind == "along" and r.selections["facility"].layer == "lamps"}
    assert lamp_rules == {"lamp_gap_arterial", "lamp_gap_secondary", "lamp_gap_branch", "lamp_gap_pedestrian"}
    road_class = {}
    for row in city["roads"].itertuples():
        road_class.setdefault(row.name, row.road_class)  # every demo road has one class along its name
    by_class: dict[str, float] = {}
    by_cell: dict[tuple[str, str], float] = {}
    for row in result.gaps.itertuples():
        if row.rule in lamp_rules:
            cls = road_class[row.feature_id]
            by_class[cls] = by_class.get(cls, 0.0) + row.measure / 1000
            by_cell[(row.district, cls)] = by_cell.get((row.district, cls), 0.0) + row.measure / 1000
    t = stats.dark_road_km(result, city)
    total = t[(t.district == CITY) & (t.road_class == stats.ALL_CLASSES)].iloc[0]
    assert total["km"] == pytest.approx(sum(by_class.values()), abs=1e-9)
    assert total["km"] == pytest.approx(5.5225, abs=1e-4)
    for cls, km in t[(t.district == CITY) & (t.road_class != stats.ALL_CLASSES)][["road_class", "km"]].itertuples(index=False):
        assert km == pytest.approx(by_class.get(cls, 0.0), abs=1e-9)
    # no demo dark stretch crosses a district border, so each lies wholly in its road's recorded district
    cells = t[t.district != CITY]
    for d, cls, km in cells[["district", "road_class", "km"]].itertuples(index=False):
        assert km == pytest.approx(by_cell.get((d, cls), 0.0), abs=1e-9)
    assert set(by_cell) <= set(zip(cells.district, cells.road_class, strict=True))
    # checked length: the rules' checked metres, shared out by class (the arterial rule also checks expressways)
    s = result.summary.set_index("rule")["checked"] / 1000
    city_rows = t[t.district == CITY].set_index("road_class")["checked_km"]
    assert city_rows["arterial"] + city_rows["expressway"] == pytest.approx(s["lamp_gap_arterial"], abs=1e-6)
    for cls in ("secondary", "branch", "pedestrian"):
        assert city_rows[cls] == pytest.approx(s[f"lamp_gap_{cls}"], abs=1e-6)
    assert city_rows[stats.ALL_CLASSES] == pytest.approx(sum(s[r] for r in lamp_rules), abs=1e-6)
    assert cells["checked_km"].sum() == pytest.approx(city_rows[stats.ALL_CLASSES], abs=1e-6)


def test_demo_rules_to_improve(demo):
    _, result = demo
    t = stats.rules_to_improve(result)
    assert sorted(t["rule"]) == sorted(result.summary["rule"])
    missing = {}
    for row in result.summary.itertuples():
        missing[row.rule] = row.weight - row.points
    gaps = {}
    for rule in result.gaps["rule"]:
        gaps[rule] = gaps.get(rule, 0) + 1
    for row in t.itertuples():
        assert row.points_missing == pytest.approx(missing[row.rule], abs=0.01)
        assert row.gaps == gaps.get(row.rule, 0)
    values = t["points_missing"].tolist()
    assert all(a >= b for a, b in itertools.pairwise(values))
    assert t["rule"].iloc[0] == max(missing, key=missing.get) == "toilet_reach"  # 150 − 150 × 8/14 on foot
    # fixing every rule would bring the total to the maximum
    assert result.total + t["gain"].sum() == pytest.approx(result.max_points, abs=0.2)


def test_demo_gap_counts(demo):
    city, result = demo
    by_rule_district: dict[tuple[str, str], int] = {}
    by_unit: dict[str, int] = {}
    for row in result.gaps.itertuples():
        if not _blank(row.district):
            by_rule_district[(row.rule, row.district)] = by_rule_district.get((row.rule, row.district), 0) + 1
        unit = NONE if _blank(row.unit) else row.unit
        by_unit[unit] = by_unit.get(unit, 0) + 1
    t = stats.gap_counts(result, by="district", city=city).set_index("rule")
    # the scored rules' 404 (the 400 of 2026-11-29, three more on foot, the island's stop) + the 56 roads the weight-0
    # illuminance estimate finds short (checked against a brute-force sum in tests/test_illuminance.py)
    assert t.loc[CITY, "total"] == len(result.gaps) == 404 + 56
    assert (result.gaps["rule"] != "lighting_cjj45").sum() == 404
    for (rule, d), n in by_rule_district.items():
        assert t.loc[rule, d] == n
    # the only demo gaps with no district are intersections; each is placed in the district zone around it
    assert NONE not in t.columns
    assert t.loc["road_name_signs", "total"] == sum(1 for r in result.gaps["rule"] if r == "road_name_signs")
    u = stats.gap_counts(result, by="unit").set_index("unit")
    assert u.loc[CITY, "gaps"] == 404 + 56
    assert {k: v for k, v in u["gaps"].items() if k != CITY} == by_unit
    # the lighting office keeps its 112 (its lamps, two reports) and heads the table: the estimate's roads go to the
    # roads' units (32 of them to the roads' keeper)
    assert u.loc["市城市照明管理处", "gaps"] == 112 and u.index[0] == "市城市照明管理处"
    assert (result.gaps[result.gaps["rule"] == "lighting_cjj45"]["unit"] == "市住房和城乡建设局").sum() == 32
