"""The exported demo map in a real browser (Debian's Chromium via Playwright), every outside request blocked."""

from __future__ import annotations

import datetime as dt

import pytest

from facilities.check import check
from facilities.rules import load_rules
from facilities.store import load as load_city
from maps import build_map, save_map
from maps.assets import INLINE
from tests.helpers import ARTIFACTS, BROWSER, DEMO, open_page

pytestmark = BROWSER


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    city = load_city(DEMO)
    result = check(city, load_rules(DEMO / "rules.toml"), as_of=dt.date(2026, 11, 29))
    path = save_map(build_map(city, result, asset_url=INLINE), tmp_path_factory.mktemp("map") / "map.html")
    return city, result, path


@pytest.fixture(scope="module")
def page(exported, browser):
    _, _, path = exported
    pg, outside, errors = open_page(browser, path.as_uri())
    pg.wait_for_selector(".leaflet-control-layers", timeout=30_000)
    pg.wait_for_timeout(500)
    yield pg, outside, errors
    pg.context.close()


JS_MAP = "Object.keys(window).filter(k => k.startsWith('map_')).map(k => window[k]).find(m => m && m.eachLayer)"


def test_loads_offline_without_errors(page):
    pg, outside, errors = page
    assert outside == [], outside[:5]
    assert errors == [], errors[:5]
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / "map_export.png"))


def test_draws_every_feature_and_every_gap(page, exported):
    city, result, _ = exported
    pg, _, _ = page
    geojson_counts = pg.evaluate(
        """() => Object.keys(window)
              .filter(k => k.startsWith('geo_json_') && window[k] && typeof window[k].getLayers === 'function')
              .map(k => window[k].getLayers().length)"""
    )
    expected = [len(city[name]) for name in ("attractions", "toilets", "signs", "docks", "stops", "billboards", "reports")]
    expected += [len(g) for _, g in result.gaps.groupby("rule")]
    remaining = list(geojson_counts)
    for n in expected:
        assert n in remaining, (n, sorted(geojson_counts))
        remaining.remove(n)
    cloud = pg.evaluate(
        "() => { const c = Object.keys(window).filter(k => k.startsWith('point_cloud_')).map(k => window[k])[0];"
        " return [c.count(), c.drawnCount(), c.mode()]; }"
    )
    assert cloud[0] == len(city["lamps"]) and cloud[1] > 0.9 * len(city["lamps"]) and cloud[2] == "points"


def test_a_layer_can_be_toggled(page):
    pg, _, _ = page
    count = f"() => {{ const m = {JS_MAP}; let n = 0; m.eachLayer(() => n++); return n; }}"
    before = pg.evaluate(count)
    control = pg.locator(".leaflet-control-layers")
    control.hover()
    control.locator("label", has_text="旅游厕所 Tourist toilets").locator("input").uncheck()
    after = pg.evaluate(count)
    assert after < before
    control.locator("label", has_text="旅游厕所 Tourist toilets").locator("input").check()
    assert pg.evaluate(count) == before


def test_hovering_a_lamp_shows_its_details(page, exported):
    city, _, _ = exported
    pg, _, _ = page
    lamp = city["lamps"].iloc[len(city["lamps"]) // 2]
    pg.evaluate(f"() => {{ const m = {JS_MAP}; m.setView([{lamp.geometry.y}, {lamp.geometry.x}], 18, {{animate: false}}); }}")
    pg.wait_for_timeout(300)
    xy = pg.evaluate(
        f"() => {{ const m = {JS_MAP}; const p = m.latLngToContainerPoint([{lamp.geometry.y}, {lamp.geometry.x}]); return [p.x, p.y]; }}"
    )
    box = pg.locator(".leaflet-container").bounding_box()
    pg.mouse.move(box["x"] + xy[0], box["y"] + xy[1])
    tip = pg.locator(".leaflet-pointcloud-tip")
    tip.wait_for(state="visible", timeout=5000)
    assert lamp["id"] in tip.text_content()


def _click(pg, lat: float, lon: float, dx: float = 0, zoom: int = 18) -> str:
    """Centre the map on (lat, lon) at ``zoom``, click ``dx`` px east of it, return the popup's text."""
    pg.evaluate(f"() => {{ const m = {JS_MAP}; m.closePopup(); m.setView([{lat}, {lon}], {zoom}, {{animate: false}}); }}")
    pg.wait_for_timeout(300)
    xy = pg.evaluate(f"() => {{ const m = {JS_MAP}; const p = m.latLngToContainerPoint([{lat}, {lon}]); return [p.x, p.y]; }}")
    box = pg.locator(".leaflet-container").bounding_box()
    pg.mouse.click(box["x"] + xy[0] + dx, box["y"] + xy[1])
    popup = pg.locator(".leaflet-popup-content")
    popup.wait_for(state="visible", timeout=5000)
    return popup.text_content() or ""


def test_a_click_on_a_toilet_inside_a_gap_opens_the_toilets_popup(page, exported):
    """Gaps lie beneath the facilities (maps.style.PANES) and are never filled: a toilet inside a gap zone, or
    inside the ring of its own gap, answers its own click; the gap still answers a click on its outline."""
    city, result, _ = exported
    pg, _, errors = page
    toilets = city["toilets"].set_index("id")
    gaps = result.gaps
    zones = gaps[gaps.geom_type == "Polygon"]
    inside = [t for t, p in toilets.geometry.items() if zones.contains(p).any()]
    assert inside, "the demo has a toilet inside a gap zone"
    ringed = gaps[(gaps.geom_type == "Point") & gaps["feature_id"].isin(toilets.index)]
    assert len(ringed), "the demo has a toilet with a gap ring around it"
    titles = result.summary.set_index("rule")["title_zh"]
    for tid in (inside[0], ringed["feature_id"].iloc[0]):
        p = toilets.geometry[tid]
        shown = _click(pg, p.y, p.x)
        assert tid in shown and "女厕位" in shown, shown  # the toilet's own popup (its stall counts)
        assert not any(str(t) in shown for t in titles), shown
    gap = ringed.iloc[0]
    shown = _click(pg, gap.geometry.y, gap.geometry.x, dx=9)  # on the ring (radius 9 px)
    assert str(titles[gap["rule"]]) in shown, shown
    assert errors == [], errors[:5]
    pg.screenshot(path=str(ARTIFACTS / "map_export_gap_click.png"))
