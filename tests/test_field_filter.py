"""Filtering a layer by any field's values, and the counts per value (facilities.field_filter), against plain
Python over the GeoJSON files (json.load, a loop, collections.Counter: nothing of the code under test), and
on frames made here by hand; then the inventory page filtering the demo's toilets headless (AppTest).

The oracle's missing value is the module's documented one: a property absent, null, or blank text.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from facilities import field_filter as ff
from facilities.schema import ALL_LAYERS
from facilities.store import folder
from tests.helpers import DEMO, ROOT


@pytest.fixture(scope="module")
def city():
    return folder.load(DEMO)


def _features(layer: str) -> list[dict]:
    with open(DEMO / f"{layer}.geojson", encoding="utf-8") as f:
        return [feat["properties"] for feat in json.load(f)["features"]]


def _none(props: dict, key: str) -> bool:
    v = props.get(key)
    return v is None or (isinstance(v, str) and not v.strip())


def _ids(frame) -> list[str]:
    return list(frame["id"])


def _loop(layer: str, keep) -> list[str]:
    return [p["id"] for p in _features(layer) if keep(p)]


# --------------------------------------------------------------------------- counts


@pytest.mark.parametrize("layer", list(ALL_LAYERS))
def test_counts_per_value_are_those_of_the_raw_file(city, layer):
    features = _features(layer)
    gdf = city[layer]
    checked = 0
    for name, kind in ff.filterable(layer, gdf):
        if kind not in ("choice", "values"):
            continue
        expected = Counter(None if _none(p, name) else p[name] for p in features)
        assert ff.counts(gdf, name) == dict(expected), (layer, name)
        offered = ff.options(layer, name, gdf)
        assert set(expected) <= set(offered) and len(offered) == len(set(offered)), (layer, name)
        checked += 1
    assert checked >= 3  # status, source and a district at least


def test_the_options_of_a_closed_field_are_its_allowed_values_in_order_with_counts(city):
    offered = ff.options("toilets", "grade", city["toilets"])
    assert offered == list(ALL_LAYERS["toilets"].field("grade").allowed)  # every grade, even one no row has
    assert ff.options("toilets", "fee", city["toilets"]) == [True, False]
    assert ff.options("toilets", "stars", city["toilets"])[-1] is ff.NO_VALUE  # some toilets have no star rating
    districts = Counter(p["district"] for p in _features("toilets"))
    offered = ff.options("toilets", "district", city["toilets"])
    assert [districts[d] for d in offered] == sorted(districts.values(), reverse=True)  # the most frequent first


def test_facet_counts_are_counted_under_the_other_filters_only(city):
    gdf = city["toilets"]
    conditions = [ff.OneOf("grade", ("AAA",)), ff.OneOf("district", ("襄城区",)), ff.Between("stars", 4, 5)]
    features = _features("toilets")
    in_range = [p for p in features if not _none(p, "stars") and 4 <= p["stars"] <= 5]
    grades = Counter(p["grade"] for p in in_range if p["district"] == "襄城区")
    districts = Counter(p["district"] for p in in_range if p["grade"] == "AAA")
    assert ff.facet_counts(gdf, "toilets", conditions, "grade") == dict(grades)
    assert ff.facet_counts(gdf, "toilets", conditions, "district") == dict(districts)


# --------------------------------------------------------------------------- one kind of filter at a time, on the demo


def test_a_choice_keeps_the_rows_with_one_of_the_values(city):
    got = ff.apply(city["toilets"], "toilets", [ff.OneOf("grade", ("AAA", "AA"))])
    assert _ids(got) == _loop("toilets", lambda p: p["grade"] in ("AAA", "AA"))
    got = ff.apply(city["signs"], "signs", [ff.OneOf("district", ("襄城区",)), ff.OneOf("sign_type", ("road_name",))])
    assert _ids(got) == _loop("signs", lambda p: p["district"] == "襄城区" and p["sign_type"] == "road_name")
    assert len(ff.apply(city["toilets"], "toilets", [ff.OneOf("grade", ())])) == len(_features("toilets"))  # nothing chosen


def test_a_choice_of_no_value_keeps_the_rows_with_none(city):
    got = ff.apply(city["roads"], "roads", [ff.OneOf("bridge", (ff.NO_VALUE,))])
    assert _ids(got) == _loop("roads", lambda p: _none(p, "bridge"))
    assert 0 < len(got) < len(city["roads"])


YES_NO = [("toilets", "family_room", True), ("lamps", "working", False), ("stops", "bilingual", False)]


@pytest.mark.parametrize(("layer", "field", "value"), YES_NO)
def test_yes_or_no(city, layer, field, value):
    got = ff.apply(city[layer], layer, [ff.OneOf(field, (value,))])
    assert _ids(got) == _loop(layer, lambda p: not _none(p, field) and p[field] is value)
    assert len(got)


def test_a_number_range_includes_both_ends_and_drops_missing_values_unless_kept(city):
    gdf = city["toilets"]
    assert _ids(ff.apply(gdf, "toilets", [ff.Between("stars", 3, 4)])) == _loop(
        "toilets", lambda p: not _none(p, "stars") and 3 <= p["stars"] <= 4
    )
    assert _ids(ff.apply(gdf, "toilets", [ff.Between("stars", 3, 4, keep_missing=True)])) == _loop(
        "toilets", lambda p: _none(p, "stars") or 3 <= p["stars"] <= 4
    )
    # the data's own smallest and largest values are kept (inclusive ends); an open end is open
    low, high = ff.bounds(gdf, "toilets", "stars")
    stars = [p["stars"] for p in _features("toilets") if not _none(p, "stars")]
    assert (low, high) == (min(stars), max(stars))
    assert len(ff.apply(gdf, "toilets", [ff.Between("stars", low, high)])) == len(stars)
    assert len(ff.apply(gdf, "toilets", [ff.Between("stars", high, high)])) == stars.count(high)
    assert _ids(ff.apply(gdf, "toilets", [ff.Between("female_stalls", None, 4)])) == _loop(
        "toilets", lambda p: not _none(p, "female_stalls") and p["female_stalls"] <= 4
    )


def test_a_float_range_on_the_lamps(city):
    got = ff.apply(city["lamps"], "lamps", [ff.Between("height_m", 8.0, 10.0)])
    assert _ids(got) == _loop("lamps", lambda p: not _none(p, "height_m") and 8.0 <= p["height_m"] <= 10.0)
    assert 0 < len(got) < len(city["lamps"])


def test_a_date_range_includes_both_days_and_missing_dates_only_when_kept(city):
    start, end = dt.date(2026, 10, 1), dt.date(2026, 11, 15)

    def within(p, key):
        return not _none(p, key) and start <= dt.date.fromisoformat(p[key][:10]) <= end

    gdf = city["reports"]
    assert _ids(ff.apply(gdf, "reports", [ff.Between("reported_on", start, end)])) == _loop("reports", lambda p: within(p, "reported_on"))
    assert _ids(ff.apply(gdf, "reports", [ff.Between("fixed_on", start, end)])) == _loop("reports", lambda p: within(p, "fixed_on"))
    assert _ids(ff.apply(gdf, "reports", [ff.Between("fixed_on", start, end, keep_missing=True)])) == _loop(
        "reports", lambda p: _none(p, "fixed_on") or within(p, "fixed_on")
    )
    first, last = ff.bounds(gdf, "reports", "reported_on")
    days = [dt.date.fromisoformat(p["reported_on"][:10]) for p in _features("reports")]
    assert (first, last) == (min(days), max(days))
    assert len(ff.apply(gdf, "reports", [ff.Between("reported_on", last, last)])) == days.count(last)


def test_several_filters_hold_together(city):
    conditions = [
        ff.OneOf("grade", ("AAA", "AA")),
        ff.OneOf("district", ("襄城区", "樊城区")),
        ff.Between("stars", 4, None, keep_missing=True),
        ff.OneOf("fee", (False,)),
        ff.Between("updated", dt.date(2026, 3, 1), dt.date(2026, 11, 30)),
        ff.Contains("name", "旅游厕所"),
    ]

    def keep(p):
        return (
            p["grade"] in ("AAA", "AA")
            and p["district"] in ("襄城区", "樊城区")
            and (_none(p, "stars") or p["stars"] >= 4)
            and p["fee"] is False
            and dt.date(2026, 3, 1) <= dt.date.fromisoformat(p["updated"]) <= dt.date(2026, 11, 30)
            and "旅游厕所" in p["name"]
        )

    got = ff.apply(city["toilets"], "toilets", conditions)
    assert _ids(got) == _loop("toilets", keep)
    assert 0 < len(got) < 87
    assert type(got) is type(city["toilets"])  # a GeoDataFrame still: the page draws and downloads it


def test_aaa_toilets_in_xiangcheng(city):
    got = ff.apply(city["toilets"], "toilets", [ff.OneOf("grade", ("AAA",)), ff.OneOf("district", ("襄城区",))])
    assert _ids(got) == _loop("toilets", lambda p: p["grade"] == "AAA" and p["district"] == "襄城区")


# --------------------------------------------------------------------------- frames made by hand


@pytest.fixture
def frame():
    return pd.DataFrame({
        "id": ["a", "b", "c", "d", "e", "f"],
        "stars": pd.array([1, 3, None, 5, 3, None], dtype="Int64"),
        "height_m": [2.5, np.nan, 10.0, 7.25, None, 0.0],
        "fee": pd.array([True, False, None, True, False, True], dtype="boolean"),
        "grade": ["AAA", "A", None, "  ", "AAA", "none"],
        "updated": ["2026-01-01", "2026-03-31", None, "2026-04-01", "2025-12-31", ""],
        "name": ["东门厕所", "West gate", None, "东门广场", "", "north"],
    })  # fmt: skip


def test_hand_made_frame_missing_values_of_every_kind(frame):
    assert ff.counts(frame, "grade") == {"AAA": 2, "A": 1, "none": 1, None: 2}  # None and blank text are missing
    assert ff.counts(frame, "fee") == {True: 3, False: 2, None: 1}
    assert _ids(ff.apply(frame, "toilets", [ff.OneOf("grade", ("AAA", ff.NO_VALUE))])) == ["a", "c", "d", "e"]
    assert _ids(ff.apply(frame, "toilets", [ff.Between("stars", 3, 5)])) == ["b", "d", "e"]
    assert _ids(ff.apply(frame, "toilets", [ff.Between("stars", 3, 5, keep_missing=True)])) == ["b", "c", "d", "e", "f"]
    assert _ids(ff.apply(frame, "lamps", [ff.Between("height_m", 0.0, 7.25)])) == ["a", "d", "f"]  # 0 is a value, not missing
    assert _ids(ff.apply(frame, "lamps", [ff.Between("height_m", None, None)])) == ["a", "c", "d", "f"]  # no ends: those with one
    # dates written as text, a blank one missing; both ends included
    assert _ids(ff.apply(frame, "toilets", [ff.Between("updated", dt.date(2026, 1, 1), dt.date(2026, 3, 31))])) == ["a", "b"]
    assert ff.bounds(frame, "toilets", "updated") == (dt.date(2025, 12, 31), dt.date(2026, 4, 1))
    assert ff.bounds(frame, "toilets", "stars") == (1, 5) and ff.bounds(frame, "lamps", "height_m") == (0.0, 10.0)
    assert _ids(ff.apply(frame, "toilets", [ff.Contains("name", " 东门 ")])) == ["a", "d"]
    assert _ids(ff.apply(frame, "toilets", [ff.Contains("name", "WEST")])) == ["b"]


def test_a_reversed_range_keeps_no_value_and_never_raises(frame):
    cond = ff.Between("stars", 5, 1)
    assert ff.reversed_range(cond) and not ff.reversed_range(ff.Between("stars", 1, 5)) and not ff.reversed_range(ff.Between("stars", 5))
    assert _ids(ff.apply(frame, "toilets", [cond])) == []
    assert _ids(ff.apply(frame, "toilets", [ff.Between("stars", 5, 1, keep_missing=True)])) == ["c", "f"]
    later = ff.Between("updated", dt.date(2026, 4, 1), dt.date(2026, 1, 1))
    assert ff.reversed_range(later) and _ids(ff.apply(frame, "toilets", [later])) == []


def test_an_empty_frame_a_missing_column_and_an_all_missing_column(frame):
    empty = frame.iloc[:0]
    assert len(ff.apply(empty, "toilets", [ff.OneOf("grade", ("AAA",)), ff.Between("stars", 1, 2)])) == 0
    assert ff.counts(empty, "grade") == {} and ff.bounds(empty, "toilets", "stars") is None
    assert _ids(ff.apply(frame, "toilets", [ff.OneOf("kind", (ff.NO_VALUE,))])) == list(frame["id"])  # no column: all missing
    nothing = frame.assign(stars=pd.array([None] * 6, dtype="Int64"))
    assert ff.bounds(nothing, "toilets", "stars") is None
    assert _ids(ff.apply(nothing, "toilets", [ff.Between("stars", 1, 5, keep_missing=True)])) == list(frame["id"])


def test_kinds_come_from_the_layer_model():
    assert ff.kind_of("toilets", "grade") == "choice" and ff.kind_of("toilets", "fee") == "choice"
    assert ff.kind_of("toilets", "stars") == "range" and ff.kind_of("lamps", "height_m") == "range"
    assert ff.kind_of("reports", "fixed_on") == "dates"
    assert ff.kind_of("toilets", "district", pd.Series(["a", "b"])) == "values"
    assert ff.kind_of("lamps", "id", pd.Series([f"L{i}" for i in range(ff.MAX_CHOICES + 1)])) == "text"
    assert ff.kind_of("toilets", "no_such_field") is None


# --------------------------------------------------------------------------- the page, headless


def test_the_inventory_page_filters_and_bulk_edits_act_on_the_rows_shown(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from facilities import settings
    from facilities.auth.accounts import demo_accounts

    shutil.copytree(DEMO, tmp_path / "xiangyang")
    monkeypatch.setattr(settings, "DATA_DIR", tmp_path)
    monkeypatch.setattr(settings, "DEMO_CITY", tmp_path / "xiangyang")
    monkeypatch.setenv(settings.AS_OF_ENV, "2026-11-29")
    password = {a["login"]: a["password"] for a in demo_accounts(DEMO)}["demo-staff"]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.text_input(key="sign_in_login").input("demo-staff")
    at.text_input(key="sign_in_password").input(password)
    at.button[0].click()
    at.run()
    at.switch_page("views/inventory.py")
    at.run()
    at.selectbox(key="inventory_layer").select_index(list(ALL_LAYERS).index("toilets"))
    at.run()
    at.multiselect(key="ff_fields:toilets").set_value(["grade", "district"])
    at.run()
    grades = Counter(p["grade"] for p in _features("toilets"))
    labels = {"none": "未评级", "A": "A级", "AA": "AA级", "AAA": "AAA级"}  # (as declared, written here by hand)
    assert at.multiselect(key="ff:toilets:grade").options == [f"{lab} ({grades[g]})" for g, lab in labels.items()]
    at.multiselect(key="ff:toilets:grade").set_value(["AAA"])
    at.run()
    at.multiselect(key="ff:toilets:district").set_value(["襄城区"])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    expected = _loop("toilets", lambda p: p["grade"] == "AAA" and p["district"] == "襄城区")
    assert at.multiselect(key="ff:toilets:grade").value == ["AAA"]  # kept while the district was chosen
    assert sorted(at.dataframe[0].value["编号"]) == sorted(expected)
    assert at.caption[0].value == f"**{len(expected)} 条**（共 87 条）"
    at.toggle(key="bulk:toilets").set_value(True)
    at.run()
    buttons = [b.label for b in at.get("button") + at.get("form_submit_button") if hasattr(b, "label")]
    assert f"应用到显示的 {len(expected)} 行" in buttons
    assert sorted(at.dataframe[-1].value["id"]) == sorted(expected)  # the bulk editor holds exactly those rows
    # a reversed range: said, and nothing kept, never a traceback
    at.multiselect(key="ff_fields:toilets").set_value(["grade", "district", "stars"])
    at.run()
    at.number_input(key="ff:toilets:stars").set_value(5)
    at.number_input(key="ff_hi:toilets:stars").set_value(1)
    at.run()
    assert not at.exception and at.warning and len(at.dataframe[0].value) == 0
