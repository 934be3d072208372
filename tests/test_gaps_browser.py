"""The gaps page in a real browser (Debian's Chromium through Playwright; nothing leaves the machine): a rule
chosen and a gap picked in the list, the map draws that rule's gaps and no other, and marks the picked one.

The gaps drawn are read out of Leaflet itself, in the map's frame (every layer on the map with a feature);
the oracle is the demo city checked here. Screenshots at 1440 × 900 and 390 × 844 are kept
(``tests/artifacts/gaps_picked_<width>.png``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from facilities.check import check
from facilities.rules import load_rules
from facilities.store import load
from tests.helpers import ARTIFACTS, BROWSER, DEMO, choose, demo_app, open_signed_in, page_ready

pytestmark = BROWSER
AS_OF = "2026-11-29"
STAFF = ("demo-staff", "demo-staff-2026")
RULE = "toilet_reach"
ROW = 2  # the third gap of the rule's list
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
#: what the map in the frame draws: each feature layer's properties (the gaps: those with a measure), and
#: the picked gap's label as shown
DRAWN = """() => {
  const map = Object.values(window).find(v => v instanceof L.Map);
  const gaps = [], picked = [];
  map.eachLayer(l => {
    const p = l.feature && l.feature.properties;
    if (!p) return;
    if ('caption' in p) picked.push(p.gap_id);
    else if ('measure' in p && 'detail' in p) gaps.push([p.rule, p.feature_id]);
  });
  const labels = Array.from(document.querySelectorAll('.leaflet-tooltip')).map(e => e.textContent.trim());
  return {gaps, picked: [...new Set(picked)], labels};
}"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with demo_app(tmp_path_factory, "gaps.log", AS_OF) as (url, _):
        yield url


def _drawn(page, until=lambda drawn: True) -> tuple[object, dict]:
    """(the map's frame, :data:`DRAWN` there) once Leaflet has drawn a map for which ``until`` holds (a pick
    redraws the map: the frame is asked again until the new one is there)."""
    for _ in range(600):
        for frame in [f for f in page.frames if "streamlit_folium" in f.url]:
            try:
                if frame.evaluate("() => !!(window.L && Object.values(window).find(v => v instanceof L.Map))"):
                    drawn = frame.evaluate(DRAWN)
                    if until(drawn):
                        return frame, drawn
            except Exception:  # (a frame replaced while asked)
                pass
        page.wait_for_timeout(100)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "gaps_no_map.png"), full_page=True)
    raise AssertionError("the gaps page drew no such map within 60 s")


def test_a_picked_gap_is_marked_among_its_rules_gaps(app, browser):
    expected = check(load(DEMO), load_rules(DEMO / "rules.toml"), as_of=dt.date.fromisoformat(AS_OF))
    titles = expected.summary.set_index("rule")["title_zh"]
    theirs = expected.gaps[expected.gaps["rule"] == RULE]
    assert len(theirs) > ROW and theirs["rule"].nunique() == 1 < expected.gaps["rule"].nunique()
    picked = theirs.iloc[ROW]

    page, outside, errors = open_signed_in(browser, f"{app}/gaps", STAFF, viewport=DESKTOP)
    page_ready(page)
    choose(page, "规则", titles[RULE], shot="gaps_choose_failed")
    page.keyboard.press("Escape")
    page_ready(page)
    _, drawn = _drawn(page, until=lambda d: len(d["gaps"]) < len(expected.gaps))  # (the rule's map, not the first)
    assert Counter(map(tuple, drawn["gaps"])) == Counter((titles[RULE], f) for f in theirs["feature_id"])  # that rule's gaps only
    assert drawn["picked"] == []

    # pick the row: a click on its row marker (the table's first column; a header row, then 35 px rows)
    table = page.locator("[data-testid='stDataFrame']").nth(1)
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 35 * ROW + 17)
    page_ready(page)
    frame, drawn = _drawn(page, until=lambda d: bool(d["picked"]))
    assert drawn["picked"] == [picked["gap_id"]]
    assert Counter(map(tuple, drawn["gaps"])) == Counter((titles[RULE], f) for f in theirs["feature_id"])  # the others stay drawn
    assert [label for label in drawn["labels"] if label.startswith("选中的缺口")] == [
        f"选中的缺口 · {titles[RULE]} · {picked['name']} · {picked['measure']:,.0f} m"
    ]
    zoom = frame.evaluate("() => Object.values(window).find(v => v instanceof L.Map).getZoom()")
    assert zoom >= 15  # (a point: the map is zoomed in to it)

    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("iframe[title*='streamlit_folium']").scroll_into_view_if_needed()
    page.mouse.move(5, 5)  # (off the map: a hovered layer list unfolds)
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / "gaps_picked_1440.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(1500)
    page.locator("iframe[title*='streamlit_folium']").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "gaps_picked_390.png"), full_page=True)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 2, f"the page is {width} px wide on a 390 px phone"
    assert outside == [], f"requests left the machine: {outside[:5]}"
    assert not [e for e in errors if "favicon" not in e], errors
    page.context.close()
