"""Rules files: every problem reported precisely; filters as data."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pytest
from shapely import Point

from facilities.filters import parse_filter
from facilities.kinds import KINDS
from facilities.rules import RulesError, load_rules
from facilities.schema import LAYERS
from tests.helpers import DATA, DEMO

# (rule label, field, value shown, fragment of the message)
EXPECTED = [
    (None, "pass_mark", '"high"', "not a valid number"),
    ("r1 (#1)", "kind", '"nearby"', "unknown rule kind"),
    ("r2 (#2)", "distance_m", None, "missing required parameter"),
    ("r2 (#2)", "facility.where.grade", '"AAAA"', "not a value grade can take"),
    ("r2 (#3)", "id", '"r2"', "duplicate rule id"),
    ("r2 (#3)", "weight", "2000", "not a valid weight"),
    ("r2 (#3)", "target.where.sign_type.like", '"like"', "unknown operator"),
    ("r2 (#3)", "condition.text_en", '"A"', ">= compares numbers or dates"),
    ("r4 (#4)", "roads.layer", '"lamps"', "not a usable layer here"),
    ("r4 (#4)", "facility.where.working", '"yes"', "wrong type for working"),
    ("r4 (#4)", "snap_m", "-5", "out of range"),
    ("r4 (#4)", "colour", '"red"', "unknown key"),
    ("r5 (#5)", "title_zh", "null", "missing or not text"),
    ("r5 (#5)", "days", None, "not a valid days condition"),
]


@pytest.fixture(scope="module")
def report():
    with pytest.raises(RulesError) as info:
        load_rules(DATA / "broken_rules.toml")
    return info.value.report


@pytest.mark.parametrize(("feature", "field", "value", "fragment"), EXPECTED, ids=[f"{e[1]}" for e in EXPECTED])
def test_each_rules_problem_is_reported(report, feature, field, value, fragment):
    found = [p for p in report.errors if p.feature == feature and p.field == field and fragment in p.message]
    assert len(found) == 1, report.to_text()
    if value is not None:
        assert found[0].value == value
    assert found[0].file == "broken_rules.toml" and found[0].accepted


def test_no_other_rules_problems(report):
    assert len(report.errors) == len(EXPECTED), report.to_text()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("", "no rules"), ("[[rule]\n", "not valid TOML"), ("total = 1000\n", "no rules")],
)
def test_rules_file_level_problems(tmp_path, text, fragment):
    path = tmp_path / "rules.toml"
    path.write_text(text)
    with pytest.raises(RulesError, match=fragment):
        load_rules(path)


def test_missing_rules_file(tmp_path):
    with pytest.raises(RulesError, match="no rules file"):
        load_rules(tmp_path / "rules.toml")


def test_demo_rules_load_and_cover_every_kind():
    rules = load_rules(DEMO / "rules.toml")
    assert {r.kind for r in rules} == set(KINDS) == {"reach", "along", "intersections", "density", "share", "illuminance"}
    assert sum(r.weight for r in rules) == rules.total == 1000 and rules.pass_mark == 850
    assert rules.get("lighting_cjj45").weight == 0  # an estimate: reported, not scored
    assert not rules.warnings
    assert all(r.source for r in rules)


def _frame(rows):
    return gpd.GeoDataFrame(rows, geometry=[Point(0, 0)] * len(rows))


@pytest.mark.parametrize(
    ("where", "ids"),
    [
        ({"status": "existing"}, ["a"]),
        ({"status": ["existing", "planned"]}, ["a", "b"]),
        ({"status": {"not_in": ["existing"]}}, ["b"]),  # c's status is missing: it matches no comparison, not_in included
        ({"accessible_stalls": {">=": 1}}, ["b"]),  # missing never satisfies a comparison
        ({"accessible_stalls": {">=": 0, "<": 3}}, ["a", "b"]),
        ({"name": {"null": True}}, ["c"]),  # empty text counts as null
        ({"name": {"null": False}}, ["a", "b"]),
        ({"updated": {">=": "2026-06-01"}}, ["b"]),
        ({"updated": {"<": "today"}}, ["a", "b"]),
        ({"grade": {"!=": "A"}}, ["b"]),  # c's grade is missing: != does not match it either
        ({"grade": "AAA"}, []),  # a filter that matches nothing
    ],
)
def test_filters(where, ids):
    flt, problems = parse_filter(where, LAYERS["toilets"], "where", "rules.toml", "r")
    assert problems == []
    gdf = _frame(
        [
            {"id": "a", "status": "existing", "accessible_stalls": 0, "name": "甲", "grade": "A", "updated": "2026-01-01"},
            {"id": "b", "status": "planned", "accessible_stalls": 2, "name": "乙", "grade": "AA", "updated": "2026-07-01"},
            {"id": "c", "status": None, "accessible_stalls": None, "name": " ", "grade": None, "updated": None},
        ]
    )
    gdf["accessible_stalls"] = gdf["accessible_stalls"].astype("Int64")
    gdf["updated"] = gpd.pd.to_datetime(gdf["updated"])
    got = gdf["id"][flt.mask(gdf, dt.date(2026, 11, 29))].tolist()
    assert got == ids
