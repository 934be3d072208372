"""The gaps page's map: it draws the gaps the page lists and only those, marks the gap picked in the list above
every layer (in the reader's language, text from data escaped), and is zoomed so the picked gap is in view.

Oracles: the gaps listed are checked against a plain loop over the check's own rows; the gaps drawn are read
back out of the map's script (its GeoJSON data); the view is checked with the Web-Mercator formulas written
out here, not with :func:`maps.city_map.fit_view`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import re
import shutil
from collections import Counter

import folium
import pytest
from streamlit.testing.v1 import AppTest

from facilities import settings
from facilities.check import check
from facilities.query import select_gaps
from facilities.rules import load_rules
from facilities.store import load
from maps.escape import is_inert
from maps.highlight import PANE, PICKED_COLOR, mark_gap
from tests.helpers import DEMO, ROOT

AS_OF = dt.date(2026, 11, 29)
#: the properties of a gap drawn by maps.city_map.gap_layers
#: the properties of a drawn gap: what its popup shows, and its id (what maps.filtering keeps)
GAP_PROPS = {"rule", "feature_id", "name", "measure", "detail", "district", "unit", "gap_id"}


@pytest.fixture(scope="module")
def expected():
    """The demo city checked as of the date the app is given."""
    return check(load(DEMO), load_rules(DEMO / "rules.toml"), as_of=AS_OF)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A data folder with a copy of the demo city, checked as of AS_OF."""
    shutil.copytree(DEMO, tmp_path / "xiangyang")
    monkeypatch.setattr(settings, "DATA_DIR", tmp_path)
    monkeypatch.setattr(settings, "DEMO_CITY", tmp_path / "xiangyang")
    monkeypatch.setenv(settings.AS_OF_ENV, AS_OF.isoformat())
    return tmp_path


def _loop(gaps, rules=None, districts=None, units=None) -> list[str]:
    """The gap ids a plain loop over the rows keeps (None: no filter; in the check's order)."""
    out = []
    for _, row in gaps.iterrows():
        if rules is not None and row["rule"] not in rules:
            continue
        if districts is not None and row["district"] not in districts:
            continue
        if units is not None and row["unit"] not in units:
            continue
        out.append(row["gap_id"])
    return out


def _run(at: AppTest) -> AppTest:
    at.run(timeout=120)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _gaps_page(lang: str = "zh") -> AppTest:
    """The app's gaps page, signed in as the demo's staff."""
    from facilities.auth.accounts import demo_accounts

    password = {a["login"]: a["password"] for a in demo_accounts(DEMO)}["demo-staff"]
    at = _run(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120))
    at.text_input(key="sign_in_login").input("demo-staff")
    at.text_input(key="sign_in_password").input(password)
    at.button[0].click()
    _run(at)
    if lang == "en":
        at.radio(key="lang").set_value("en")
        _run(at)
    at.switch_page("views/gaps.py")
    return _run(at)


def _map_args(at: AppTest) -> dict:
    (component,) = at.get("component_instance")  # (the gaps page has one map)
    return json.loads(component.proto.json_args)


def _drawn(script: str) -> list[dict]:
    """The properties of every GeoJSON feature the map's script adds, in the script's order (each with
    ``_at``: where in the script its layer's data is added)."""
    decoder, out = json.JSONDecoder(), []
    for match in re.finditer(r"geo_json_\w+_add\(", script):
        data, _ = decoder.raw_decode(script, match.end())
        out += [{**f["properties"], "_at": match.start()} for f in data.get("features", [])]
    return out


def _gap_props(props: dict) -> bool:
    """Whether a feature's properties are those of a gap drawn by maps.city_map.gap_layers."""
    return set(props) - {"_at"} == GAP_PROPS


def _layer_names(script: str) -> list[str]:
    """The names of the layer control's layers (JSON strings: Chinese comes \\u-escaped)."""
    block = script[script.index("overlays") :]
    block = block[: block.index("}")]
    return [json.loads(f'"{s}"') for s in re.findall(r'"((?:[^"\\]|\\.)*)"\s*:', block)]


def _pick_row(at: AppTest, row: int) -> None:
    """Pick a row of the gap list, as a click on it does (the table's selection, keyed per choice of filters)."""
    key = at.dataframe[1].proto.id.split("-", 2)[-1]
    assert key.startswith("gap_table")
    at.session_state[key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    _run(at)


def _in_view(center: tuple[float, float], zoom: int, box: tuple[float, float, float, float], width: int, height: int) -> bool:
    """Whether the lon/lat ``box`` lies in a ``width`` x ``height`` px Web-Mercator view at ``center``, ``zoom``."""
    scale = 256 * 2**zoom  # pixels round the world
    x = lambda lon: (lon + 180) / 360 * scale  # noqa: E731
    y = lambda lat: (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * scale  # noqa: E731
    cx, cy = x(center[1]), y(center[0])
    west, south, east, north = box
    return cx - width / 2 <= x(west) and x(east) <= cx + width / 2 and cy - height / 2 <= y(north) and y(south) <= cy + height / 2


# --------------------------------------------------------------------------- the selection, on its own


def test_select_gaps_is_a_plain_filter(expected):
    gaps = expected.gaps
    rules = ["lamp_gap_branch", "signs_condition"]
    district = gaps["district"].value_counts().index[0]
    unit = gaps.loc[gaps["rule"] == "lamps_working", "unit"].dropna().iloc[0]
    for chosen in (
        {},
        {"rules": rules},
        {"districts": [district]},
        {"rules": rules, "districts": [district]},
        {"rules": ["lamps_working"], "units": [unit]},
        {"rules": rules, "districts": [district], "units": [unit]},
    ):
        kept = select_gaps(gaps, **chosen)
        assert list(kept["gap_id"]) == _loop(gaps, **chosen), chosen
    assert 0 < len(select_gaps(gaps, rules=rules, districts=[district])) < len(select_gaps(gaps, rules=rules))
    assert select_gaps(gaps, rules=[]).empty  # an empty choice keeps none (the page passes None for "all")


# --------------------------------------------------------------------------- the page


def test_the_map_draws_exactly_the_gaps_listed(data_dir, expected):
    """Two rules and a district chosen: the list is what a plain loop keeps, and the map draws those gaps
    (one layer per rule, with its count) and no other; with no filter, it draws every gap."""
    gaps = expected.gaps
    rules = ["lamp_gap_branch", "signs_condition"]
    district = gaps.loc[gaps["rule"].isin(rules), "district"].value_counts().index[0]
    wanted = _loop(gaps, rules=rules, districts=[district])
    assert 0 < len(wanted) < len(_loop(gaps, rules=rules))  # (the district leaves some out: the test can fail)
    titles = expected.summary.set_index("rule")["title_zh"]

    at = _gaps_page()
    everything = [p for p in _drawn(_map_args(at)["script"]) if _gap_props(p)]
    assert len(everything) == len(gaps)
    at.multiselect[0].set_value(rules)
    at.multiselect[1].set_value([district])
    _run(at)
    assert list(at.dataframe[1].value["缺口编号"]) == wanted
    args = _map_args(at)
    drawn = Counter((p["rule"], p["feature_id"]) for p in _drawn(args["script"]) if _gap_props(p))
    rows = gaps.set_index("gap_id").loc[wanted]
    assert drawn == Counter(zip(rows["rule"].map(titles), rows["feature_id"], strict=True))
    layers = [re.fullmatch(r"缺口 · (.+) \((\d+)\)", n) for n in _layer_names(args["script"])]  # the layer control's names
    layers = [m.groups() for m in layers if m]
    assert sorted(layers) == sorted((titles[r], str((rows["rule"] == r).sum())) for r in rules if (rows["rule"] == r).any())
    assert PICKED_COLOR not in args["script"]  # nothing picked yet
    listed = tuple(gaps[gaps["gap_id"].isin(wanted)].total_bounds)
    assert args["zoom"] is not None and _in_view(tuple(args["center"]), args["zoom"], listed, 340, 480)  # zoomed to the gaps listed


def test_the_picked_gap_is_marked_on_top_and_in_view(data_dir, expected):
    """The widest dark road of the illuminance rule picked: the map marks it (its own pane above the markers,
    added last, its label in Chinese), still draws the rule's other gaps, and is zoomed as close as it can be
    with all of it in view (checked with the Web-Mercator formulas for the phone-sized box the page fits to)."""
    gaps = expected.gaps
    rule = "lighting_cjj45"
    theirs = gaps[gaps["rule"] == rule]
    bounds = theirs.bounds
    picked = theirs.loc[((bounds["maxx"] - bounds["minx"]) + (bounds["maxy"] - bounds["miny"])).idxmax()]
    assert picked.geometry.length > 0.05  # (kilometres: the view has something to fit)
    at = _gaps_page()
    at.multiselect[0].set_value([rule])
    _run(at)
    ids = list(at.dataframe[1].value["缺口编号"])
    _pick_row(at, ids.index(picked["gap_id"]))
    args = _map_args(at)
    script = args["script"]
    props = _drawn(script)
    marked = [p for p in props if "caption" in p]
    assert {p["gap_id"] for p in marked} == {picked["gap_id"]}
    title = expected.summary.set_index("rule").loc[rule, "title_zh"]
    assert marked[0]["caption"].startswith(f"选中的缺口 · {title}")
    assert sum(_gap_props(p) for p in props) == len(theirs)  # the other listed gaps stay drawn
    pane = re.search(rf'createPane\(\s*"{PANE}"\);\s*(\S+)\.style\.zIndex = (\d+);\s*\S+\.style\.pointerEvents = .none.', script)
    assert pane and int(pane.group(2)) > 600  # above the markers' pane, letting clicks through to the layers below
    assert min(p["_at"] for p in marked) > max(p["_at"] for p in props if _gap_props(p))  # and added after every gap
    assert re.search(r'"collapsed":\s*true', script)  # the layer list folded, off the gap at the centre
    assert _in_view(tuple(args["center"]), args["zoom"], tuple(picked.geometry.bounds), 340, 480)
    assert not _in_view(tuple(args["center"]), args["zoom"] + 1, tuple(picked.geometry.bounds), 340, 480)  # as close as it fits


def test_the_picked_gap_speaks_english(data_dir, expected):
    at = _gaps_page("en")
    at.multiselect[0].set_value(["toilet_reach"])
    _run(at)
    _pick_row(at, 0)
    marked = [p for p in _drawn(_map_args(at)["script"]) if "caption" in p]
    first = expected.gaps[expected.gaps["rule"] == "toilet_reach"].iloc[0]
    title = expected.summary.set_index("rule").loc["toilet_reach", "title_en"]
    assert marked[0]["gap_id"] == first["gap_id"]
    assert marked[0]["caption"].startswith(f"Picked gap · {title}")
    chinese_title = expected.summary.set_index("rule").loc["toilet_reach", "title_zh"]
    assert chinese_title not in marked[0]["caption"] and "选中" not in marked[0]["caption"]
    assert marked[0]["caption"].endswith(f" · {first['name']} · {first['measure']:.0f} m")  # (its name: a proper name)


def test_a_new_choice_of_filters_drops_the_pick(data_dir):
    at = _gaps_page()
    at.multiselect[0].set_value(["toilet_reach"])
    _run(at)
    _pick_row(at, 0)
    assert PICKED_COLOR in _map_args(at)["script"]
    at.multiselect[0].set_value(["signs_condition"])
    _run(at)
    assert PICKED_COLOR not in _map_args(at)["script"]


# --------------------------------------------------------------------------- the mark, on its own


def test_mark_gap_escapes_text_from_data(expected):
    gaps = expected.gaps.copy()
    gaps.loc[gaps.index[0], "name"] = "<img src=x onerror=alert(1)>{{ 7*7 }}`${x}`"
    result = dataclasses.replace(expected, gaps=gaps)
    m = folium.Map(location=[32.0, 112.1], zoom_start=13, tiles=None)
    assert mark_gap(m, result, gaps["gap_id"].iloc[0], "none", "zh")
    html = m.get_root().render()
    assert "<img" not in html and is_inert(html)
    (marked,) = {p["caption"] for p in _drawn(html) if "caption" in p}
    assert " · &lt;img src=x onerror=alert(1)&gt;&#123;&#123; 7*7 &#125;&#125;`$&#123;x&#125;` · " in marked  # shown as typed


def test_mark_gap_says_when_there_is_no_such_gap(expected):
    m = folium.Map(location=[32.0, 112.1], zoom_start=13, tiles=None)
    assert not mark_gap(m, expected, "no_such_rule:x/1", "none", "zh")
    assert PANE not in m.get_root().render()
