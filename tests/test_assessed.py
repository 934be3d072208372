"""A score that says how much it knows: the assessed share of the checklist's weight, the incomplete
verdict, "no data" rules (nothing recorded in the layer a rule measures against) distinct from a real 0 %,
the one rule for missing values in filters, and no ``-0.0`` in any figure shown.

Every expected figure is worked out by hand in the comments, never read from the code's output.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
import re

import numpy as np
import pandas as pd
import pytest
from shapely import LineString, Point, box

from cli.inventory import scorecard_table
from documents.scorecard import scorecard_html
from facilities.check import NOTHING, check, score
from facilities.filters import Clause, Filter, parse_filter
from facilities.rules import RulesError, load_rules, parse_rules
from facilities.schema import LAYERS
from facilities.store import load as load_city
from facilities.words import number, percent
from tests.helpers import make_city, output_of, run_cli

TODAY = dt.date(2026, 11, 29)


def _rule(rid: str, kind: str, weight: int, body: str) -> str:
    head = f'[[rule]]\nid = "{rid}"\ntitle_zh = "{rid} 规则"\ntitle_en = "{rid} rule"\nkind = "{kind}"\n'
    return head + f'weight = {weight}\nsource = "test"\n{body}\n'


DARK = 'roads = { where = { lit = true } }\nfacility = { layer = "lamps", where = { working = true } }\nsnap_m = 20\nmax_gap_m = 40'


RULES = (
    "total = 1000\npass_mark = 850\nHEAD\n"
    + _rule("toilet_reach", "reach", 500, 'target = { layer = "attractions" }\nfacility = { layer = "toilets" }\ndistance_m = 500')
    + _rule("dark", "along", 300, DARK)
    + _rule("docks", "reach", 100, 'target = { layer = "docks" }\nfacility = { layer = "toilets" }\ndistance_m = 200')
    + _rule("bilingual", "share", 100, 'target = { layer = "signs" }\ncondition = { text_en = { null = false } }')
)


def _layers(good: bool = False, lamps: list | None = None) -> dict:
    """Two scenic spots (A2 3 km from the only toilet unless ``good``), one lit road of 300 m, two signs (S2
    without English unless ``good``), no docks, and the lamps given (none by default)."""
    layers = {
        "attractions": [
            ({"id": "A1", "status": "existing", "kind": "park"}, Point(0, 0)),
            ({"id": "A2", "status": "existing", "kind": "park"}, Point(200 if good else 3000, 0)),
        ],
        "toilets": [({"id": "T1", "status": "existing", "grade": "A"}, Point(100, 0))],
        "roads": [
            ({"id": "R1", "status": "existing", "road_class": "arterial", "name": "长街", "lit": True}, LineString([(0, 0), (300, 0)]))
        ],
        "signs": [
            ({"id": "S1", "status": "existing", "sign_type": "road_name", "text_en": "Long St"}, Point(0, 10)),
            ({"id": "S2", "status": "existing", "sign_type": "road_name", **({"text_en": "Long St"} if good else {})}, Point(300, 10)),
        ],
    }
    if lamps is not None:
        layers["lamps"] = lamps
    return layers


def _check(tmp_path, name="c", head="", **kw):
    folder = make_city(tmp_path / name, _layers(**kw), RULES.replace("HEAD", head))
    city = load_city(folder)
    return city, check(city, load_rules(folder / "rules.toml"), as_of=TODAY)


def test_assessed_share_and_total_by_hand(tmp_path):
    _, result = _check(tmp_path)
    s = result.summary.set_index("rule")
    # toilet_reach: A1 covered, A2 not: 1/2 → 500 × 0.5 = 250; bilingual: S1 of S1, S2: 1/2 → 100 × 0.5 = 50;
    # dark: a road to check but no lamp recorded: no data; docks: nothing to check: not applicable
    assert list(s["assessment"]) == ["failed", "no_data", "not_applicable", "failed"]
    assert (s.loc["toilet_reach", "points"], s.loc["bilingual", "points"]) == (250, 50)
    # assessed weight 500 + 100 of 1000; the total pro-rated over it: (250 + 50) × 1000 / 600
    assert result.assessed == pytest.approx(0.6)
    assert result.total == pytest.approx(500.0)
    assert result.min_assessed == 0.8 and result.incomplete and result.verdict == "incomplete" and not result.passed


def test_a_full_score_on_too_little_is_incomplete_never_passed(tmp_path):
    _, result = _check(tmp_path, good=True)
    # every assessed rule met: 500 + 100 of the 600 assessed → 1000, yet only 60 % of the weight is known
    assert result.total == 1000 and result.assessed == pytest.approx(0.6)
    assert result.verdict == "incomplete" and not result.passed
    assert "INCOMPLETE 评估不完整" in scorecard_table(result) and "PASS" not in scorecard_table(result)
    # a city that asks for less gets its verdict: 0.6 ≥ 0.6 passes, 0.61 does not
    _, lenient = _check(tmp_path, "lenient", "min_assessed = 0.6", good=True)
    assert lenient.assessed == pytest.approx(0.6) and lenient.verdict == "passed" and lenient.passed
    _, strict = _check(tmp_path, "strict", "min_assessed = 0.61", good=True)
    assert strict.verdict == "incomplete" and not strict.passed


def test_incomplete_below_min_assessed_fails_when_enough_is_known(tmp_path):
    _, result = _check(tmp_path, head="min_assessed = 0.5")
    # 60 % assessed ≥ 50 %: a verdict, and 500 < 850 is a fail
    assert result.verdict == "failed" and not result.passed and not result.incomplete


def test_no_data_is_not_zero_percent(tmp_path):
    _, none = _check(tmp_path, "none")
    # one lamp, not working: the layer has a record, the filter (working = true) selects none: a real 0 %
    _, dark = _check(tmp_path, "dark", lamps=[({"id": "L1", "status": "existing", "lamp_type": "street", "working": False}, Point(150, 5))])
    a, b = none.summary.set_index("rule").loc["dark"], dark.summary.set_index("rule").loc["dark"]
    assert a["assessment"] == "no_data" and pd.isna(a["share"]) and pd.isna(a["points"]) and a["passed"] is pd.NA
    assert a["note"] == "no data: nothing recorded in lamps 无数据：路灯与亮化图层无记录"
    assert not (none.gaps["rule"] == "dark").any()  # no gap: every stretch would be one, saying only "no lamps"
    assert b["assessment"] == "failed" and b["share"] == 0 and b["points"] == 0 and not b["passed"]
    # the whole 300 m road is one dark stretch
    assert dark.gaps.loc[dark.gaps["rule"] == "dark", "measure"].round(1).tolist() == [300.0]
    # with the lamps known, 900 of 1000 points are assessed: (250 + 0 + 50) × 1000 / 900
    assert dark.assessed == pytest.approx(0.9) and dark.total == pytest.approx(333.3)
    assert dark.verdict == "failed" and none.verdict == "incomplete"


def test_no_data_names_the_missing_layer_for_each_kind(tmp_path):
    rules = "total = 400\n" + "".join([
        _rule("reach", "reach", 100, 'target = { layer = "attractions" }\nfacility = { layer = "toilets" }\ndistance_m = 500'),
        _rule("density", "density", 100, 'zones = { }\nfacility = { layer = "toilets" }\nmin_per_km2 = 1'),
        _rule("signs", "intersections", 100, 'roads = { }\nfacility = { layer = "signs" }\ndistance_m = 30'),
        _rule("nothing", "reach", 100, 'target = { layer = "docks" }\nfacility = { layer = "toilets" }\ndistance_m = 200'),
    ])  # fmt: skip
    layers = {
        "attractions": [({"id": "A1", "status": "existing", "kind": "park"}, Point(0, 0))],
        "zones": [({"id": "Z1", "status": "existing", "zone_type": "commercial"}, box(0, 0, 1000, 1000))],
        "roads": [
            ({"id": "R1", "status": "existing", "road_class": "arterial", "name": "东西路"}, LineString([(0, 0), (200, 0)])),
            ({"id": "R2", "status": "existing", "road_class": "arterial", "name": "南北路"}, LineString([(100, -100), (100, 100)])),
        ],
    }
    city = load_city(make_city(tmp_path / "k", layers, rules))
    result = check(city, load_rules(city.folder / "rules.toml"), as_of=TODAY)
    s = result.summary.set_index("rule")
    assert list(s["assessment"]) == ["no_data", "no_data", "no_data", "not_applicable"]
    assert "nothing recorded in toilets" in s.loc["reach", "note"] and "旅游厕所图层无记录" in s.loc["reach", "note"]
    assert "nothing recorded in toilets" in s.loc["density", "note"]
    assert "nothing recorded in signs" in s.loc["signs", "note"] and "标识标牌图层无记录" in s.loc["signs", "note"]
    assert s.loc["nothing", "note"] == NOTHING  # no docks to check: not applicable, not "no data"
    assert (s["checked"].tolist()[:3], len(result.gaps)) == ([1, 1, 1], 0)  # one spot, one zone, one crossing; no gap
    assert result.assessed == 0 and result.total == 0 and result.verdict == "incomplete"


def test_cli_and_report_show_the_assessed_share_and_the_verdict(tmp_path):
    city, result = _check(tmp_path)
    run = run_cli("check", str(city.folder), "--as-of", TODAY.isoformat())
    text = output_of(run)
    assert run.returncode == 1  # incomplete is not a pass
    assert "assessed share 已评估权重占比 60% (min 至少 80%) → INCOMPLETE 评估不完整" in text
    assert re.search(r"^dark .* no data .*无数据：路灯与亮化图层无记录", text, re.M)
    for lang, word in (("zh", "评估不完整"), ("en", "INCOMPLETE")):
        page = scorecard_html(result, city, lang)
        badge = re.search(r'<div class="badge incomplete">(.*?)</div>', page)
        assert badge and badge.group(1).startswith(word), lang
        assert 'class="badge pass"' not in page and "60.0%" in page and "无数据" in page and "no data" in page


# --------------------------------------------------------------------------- the rules file's min_assessed


def test_min_assessed_is_read_and_checked():
    one = _rule("r", "share", 1000, 'target = { layer = "signs" }\ncondition = { text_en = { null = false } }')
    assert parse_rules(("total = 1000\n" + one).encode()).min_assessed == 0.8
    assert parse_rules(("min_assessed = 0.5\n" + one).encode()).min_assessed == 0.5
    assert parse_rules(("min_assessed = 1\n" + one).encode()).min_assessed == 1.0
    for bad, why in (("1.5", "out of range"), ("-0.1", "out of range"), ('"80%"', "wrong type"), ("true", "wrong type")):
        with pytest.raises(RulesError) as err:
            parse_rules((f"min_assessed = {bad}\n" + one).encode())
        message = str(err.value.report.to_text())
        assert "min_assessed" in message and why in message and "from 0 to 1" in message, bad


# --------------------------------------------------------------------------- missing values in filters

#: five rows per column: two known values, then three missing ones (every way a value can be missing there)
COLUMNS = {
    "s": pd.Series(["a", "b", pd.NA, "", "  "], dtype="string"),
    "o": pd.Series(["a", "b", None, np.nan, ""], dtype="object"),
    "f": pd.Series([1.0, 2.0, pd.NA, pd.NA, pd.NA], dtype="Float64"),
    "g": pd.Series([1.0, 2.0, np.nan, np.nan, np.nan], dtype="float64"),
    "b": pd.Series([True, False, pd.NA, pd.NA, pd.NA], dtype="boolean"),
    "d": pd.Series(pd.to_datetime(["2026-01-01", "2026-06-01", None, None, None])),
}
KNOWN = {"s": ["a", "b"], "o": ["a", "b"], "f": [1.0, 2.0], "g": [1.0, 2.0], "b": [True, False],
         "d": [dt.date(2026, 1, 1), dt.date(2026, 6, 1)]}  # fmt: skip
PY = {"==": operator.eq, "!=": operator.ne, ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le,
      "in": lambda v, w: v in w, "not_in": lambda v, w: v not in w}  # fmt: skip
VALUES = {"s": "a", "o": "a", "f": 1.0, "g": 1.5, "b": True, "d": "2026-03-01"}
CASES = [
    (col, op)
    for col in COLUMNS
    for op in PY
    if op in ("==", "!=", "in", "not_in") or col in ("f", "g", "d")  # ordered comparisons on numbers and dates only
]


def _as_python(col: str, value):
    return dt.date.fromisoformat(value) if col == "d" else value


@pytest.mark.parametrize(("col", "op"), CASES)
def test_a_missing_value_never_matches_a_comparison(col, op):
    frame = pd.DataFrame(COLUMNS)
    value = [VALUES[col]] if op in ("in", "not_in") else VALUES[col]
    got = Filter((Clause(col, op, value),)).mask(frame, TODAY).tolist()
    want = [_as_python(col, value) if op not in ("in", "not_in") else [_as_python(col, v) for v in value]]
    known = [bool(PY[op](v, want[0])) for v in KNOWN[col]]
    assert got == [*known, False, False, False]


@pytest.mark.parametrize("col", list(COLUMNS))
def test_a_missing_value_matches_only_null(col):
    frame = pd.DataFrame(COLUMNS)
    assert Filter((Clause(col, "null", True),)).mask(frame, TODAY).tolist() == [False, False, True, True, True]
    assert Filter((Clause(col, "null", False),)).mask(frame, TODAY).tolist() == [True, True, False, False, False]


def test_a_field_absent_from_the_file_is_missing_everywhere():
    frame = pd.DataFrame({"id": ["x", "y"]})
    for op, value in (("==", "good"), ("!=", "good"), ("in", ["good"]), ("not_in", ["good"])):
        assert not Filter((Clause("condition", op, value),)).mask(frame, TODAY).any(), op
    assert Filter((Clause("condition", "null", True),)).mask(frame, TODAY).all()


def test_missing_values_of_a_loaded_layer(tmp_path):
    signs = [
        ({"id": "S1", "status": "existing", "sign_type": "road_name", "condition": "good", "text_en": "A"}, Point(0, 0)),
        ({"id": "S2", "status": "existing", "sign_type": "road_name", "condition": None, "text_en": ""}, Point(10, 0)),
        ({"id": "S3", "status": "existing", "sign_type": "road_name"}, Point(20, 0)),
        ({"id": "S4", "status": "existing", "sign_type": "road_name", "condition": "missing", "text_en": "  "}, Point(30, 0)),
    ]
    city = load_city(make_city(tmp_path / "s", {"signs": signs}))
    gdf = city["signs"]

    def ids(where):
        flt, problems = parse_filter(where, LAYERS["signs"], "where", "rules.toml", "r")
        assert problems == []
        return gdf["id"][flt.mask(gdf, TODAY)].tolist()

    assert ids({"condition": {"!=": "missing"}}) == ["S1"]  # S2 and S3 have no condition: not "not missing" either
    assert ids({"condition": {"not_in": ["damaged", "missing"]}}) == ["S1"]
    assert ids({"condition": {"null": True}}) == ["S2", "S3"]
    assert ids({"text_en": {"null": True}}) == ["S2", "S3", "S4"]  # empty and blank text count as missing
    assert ids({"text_en": {"in": ["", "A"]}}) == ["S1"]  # "" is missing, so it matches no comparison
    assert ids({"text_en": {"!=": "A"}}) == []


# --------------------------------------------------------------------------- never -0.0


def test_figures_never_show_minus_zero():
    assert number(-0.0) == "0.0" and number(-0.04) == "0.0" and number(-0.004, 2) == "0.00"
    assert number(-1e-13, sign=True) == "+0.0" and number(-0.06, sign=True) == "-0.1"
    assert percent(-1e-9) == "0.0%" and percent(-0.004, 0) == "0%" and percent(0.5) == "50.0%"
    assert number(float("nan")) == "—" and percent(pd.NA) == "—"
    share, passed, points = score(100, 1.0, 500.0, -1e-12)  # a covered length a rounding error below zero
    assert share == 0 and np.copysign(1, share) == 1 and np.copysign(1, points) == 1 and not passed


def test_no_minus_zero_in_the_scorecards(tmp_path):
    city, result = _check(tmp_path, lamps=[({"id": "L1", "status": "existing", "lamp_type": "street", "working": False}, Point(150, 5))])
    s = result.summary.copy()
    s["share"] = s["share"].where(s["share"].isna(), -0.0)
    s["points"] = s["points"].where(s["points"].isna(), -1e-9)
    worst = dataclasses.replace(result, summary=s, total=-0.0, assessed=-0.0)
    for text in (scorecard_table(worst), scorecard_html(worst, city, "zh"), scorecard_html(worst, city, "en")):
        assert not re.search(r"-0(\.0+)?(?![\d.])", text.replace("&#x27;", "'")), re.findall(r".{20}-0(?:\.0+)?(?![\d.]).{5}", text)
