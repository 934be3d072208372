"""Stable gap ids: every gap's id is built from its rule and what it is about, the same on every run while
the gap is the same thing, so that a rectification task can follow it across re-checks.

The edits below are made to a copy of the demo city's files (as a user would edit them) and the city is
checked again: the gaps the edit has nothing to do with keep their ids; the one it fixes goes; a stretch
cut in two by a new lamp keeps its id for the part that starts where it started.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from shapely.geometry import Point

from facilities.check import check
from facilities.rules import load_rules
from facilities.settings import DEMO_CITY
from facilities.store import load as load_city

AS_OF = dt.date(2026, 11, 29)


def _check(folder: Path):
    return check(load_city(folder), load_rules(folder / "rules.toml"), as_of=AS_OF)


@pytest.fixture(scope="module")
def demo():
    return _check(DEMO_CITY)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    dest = tmp_path / DEMO_CITY.name
    shutil.copytree(DEMO_CITY, dest)
    return dest


def _edit(folder: Path, layer: str, change) -> None:
    path = folder / f"{layer}.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc["features"])
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def _ids(result, rule: str | None = None) -> set[str]:
    g = result.gaps
    return set(g["gap_id"] if rule is None else g.loc[g["rule"] == rule, "gap_id"])


def test_every_gap_has_a_unique_id_named_after_its_rule(demo):
    ids = demo.gaps["gap_id"]
    assert ids.notna().all() and ids.is_unique
    assert all(i.startswith(f"{r}:") for i, r in zip(ids, demo.gaps["rule"], strict=True))


def test_ids_say_what_the_gap_is_about(demo):
    g = demo.gaps
    features = g[~g["gap_id"].str.contains(":roads/|:x/", regex=True)]
    for row in features.itertuples():
        assert row.gap_id == f"{row.rule}:{row.layer}/{row.feature_id}"
    roads = load_city(DEMO_CITY)["roads"].set_index("id")
    stretches = g[g["gap_id"].str.contains(r":roads/.*@", regex=True)]
    assert len(stretches)
    for row in stretches.itertuples():
        segment, _at = row.gap_id.split(":roads/")[1].split("@")
        # the named segment belongs to the gap's road, and the stretch starts on it
        assert roads.loc[segment, "name"] == row.name or f"#{segment}" == row.feature_id
        assert roads.loc[segment, "geometry"].distance(Point(row.geometry.coords[0])) < 1e-6
    # an illuminance rule's gap is about a whole road and class: <rule>:roads/<name or #id>/<class>, on that road
    whole = g[g["gap_id"].str.contains(":roads/") & ~g["gap_id"].str.contains("@")]
    assert len(whole) and set(whole["rule"]) == {"lighting_cjj45"}
    for row in whole.itertuples():
        key, cls = row.gap_id.split(":roads/")[1].rsplit("/", 1)
        own = roads[(roads["name"] == key) | (("#" + roads.index.astype(str)) == key)]
        assert key in (row.name, row.feature_id) and cls in set(own["road_class"])
        assert own.union_all().buffer(1e-6).contains(row.geometry)
    crossings = g[g["gap_id"].str.contains(":x/")]
    assert len(crossings)
    for row in crossings.itertuples():
        names, where = row.gap_id.split(":x/")[1].split("@")
        assert set(names.split("+")) == set(row.name.split(" / "))
        lon, lat = (float(v) for v in where.split(","))
        assert abs(lon - row.geometry.x) <= 5e-6 and abs(lat - row.geometry.y) <= 5e-6


def test_the_same_ids_on_every_run(demo):
    assert list(_check(DEMO_CITY).gaps["gap_id"]) == list(demo.gaps["gap_id"])


def _lamp(lamp_id: str, lon: float, lat: float) -> dict:
    props = {"id": lamp_id, "lamp_type": "street", "working": True, "status": "existing"}
    return {"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]}}


def test_an_unrelated_edit_keeps_every_id(demo, copy):
    # a working lamp in the fields north-east of town (no road, dock or zone rule sees it) and a note on a scenic spot
    _edit(copy, "lamps", lambda fs: fs.append(_lamp("L_NEW", 112.295, 32.095)))
    _edit(copy, "attractions", lambda fs: fs[0]["properties"].update(notes="edited 已编辑"))
    after = _check(copy)
    assert len(load_city(copy)["lamps"]) == len(load_city(DEMO_CITY)["lamps"]) + 1
    assert list(after.gaps["gap_id"]) == list(demo.gaps["gap_id"])


def test_fixing_one_gap_removes_only_its_id(demo, copy):
    g = demo.gaps
    gap = g[g["rule"] == "signs_condition"].iloc[0]
    _edit(copy, "signs", lambda fs: [f["properties"].update(condition="good") for f in fs if f["properties"]["id"] == gap["feature_id"]])
    assert _ids(_check(copy)) == _ids(demo) - {gap["gap_id"]}


def test_a_lamp_in_a_dark_stretch_splits_it_and_keeps_every_other_id(demo, copy):
    rule = "lamp_gap_arterial"
    g = demo.gaps[demo.gaps["rule"] == rule]
    longest = g.loc[g["measure"].idxmax()]
    assert longest["measure"] > 2 * 45, "the longest dark stretch is long enough for both halves to stay dark"
    mid = longest.geometry.interpolate(0.5, normalized=True)
    _edit(copy, "lamps", lambda fs: fs.append(_lamp("L_NEW", mid.x, mid.y)))
    after = _check(copy)
    before_ids, after_ids = _ids(demo, rule), _ids(after, rule)
    assert before_ids <= after_ids  # every stretch keeps its id, the split one too: its first half starts where it started
    (new,) = after_ids - before_ids  # the second half starts at the new lamp
    new_row = after.gaps[after.gaps["gap_id"] == new].iloc[0]
    assert Point(new_row.geometry.coords[0]).distance(mid) < 1e-5 or Point(new_row.geometry.coords[-1]).distance(mid) < 1e-5
    assert _ids(after) - after_ids == _ids(demo) - before_ids  # no other rule's gaps change
