"""The app in a real browser: `streamlit run app.py` on a free port, Debian's Chromium driven by Playwright.

Every request that does not go to the local server is blocked and recorded; the test fails if there is any.
A screenshot is kept in tests/artifacts/.
"""

from __future__ import annotations

import pytest

from facilities.store import load as load_city
from tests.helpers import ARTIFACTS, BROWSER, DEMO, open_signed_in, streamlit_app

pytestmark = BROWSER


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    # the demo's figures of one date, whatever today is
    with streamlit_app(DEMO.parent, DEMO.name, log, env={"FACILITIES_AS_OF": "2026-11-29"}) as url:
        yield url


def _open(browser, url):
    return open_signed_in(browser, url)  # the demo viewer: every read-only page


def _map_frame(page):
    page.wait_for_selector("iframe[title*='streamlit_folium']", timeout=60_000)
    frame = page.frame_locator("iframe[title*='streamlit_folium']").first  # (the lighting page has a second: the estimate)
    frame.locator(".leaflet-container").wait_for(timeout=60_000)
    frame.locator(".leaflet-control-layers").wait_for(timeout=60_000)
    return next(f for f in page.frames if "streamlit_folium" in f.url)


def test_app_draws_demo_city_offline(server, browser):
    city = load_city(DEMO)
    page, outside, errors = _open(browser, server)
    frame = _map_frame(page)
    counts = frame.evaluate(
        """() => Object.keys(window)
              .filter(k => k.startsWith('geo_json_') && window[k] && typeof window[k].getLayers === 'function')
              .map(k => window[k].getLayers().length)"""
    )
    drawn = sorted(counts)
    for layer in ("toilets", "attractions", "signs", "docks", "stops"):
        assert len(city[layer]) in drawn, (layer, len(city[layer]), drawn)
    lamps = frame.evaluate("() => Object.keys(window).filter(k => k.startsWith('point_cloud_')).map(k => window[k].count())")
    assert lamps == [len(city["lamps"])]
    assert page.locator("[data-testid='stException']").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "app_map.png"))
    assert outside == [], f"requests left the machine: {outside[:5]}"
    assert not [e for e in errors if "favicon" not in e], errors


@pytest.mark.parametrize(("path", "has_map"), [("gaps", True), ("lighting", True), ("scorecard", False), ("inventory", False)])
def test_every_page_works_offline(server, browser, path, has_map):
    page, outside, errors = _open(browser, f"{server}/{path}")
    page.wait_for_selector("h1", timeout=60_000)
    if has_map:
        _map_frame(page)
        maps = page.locator("iframe[title*='streamlit_folium']")
        for i in range(maps.count()):  # every map of the page drawn (the lighting page: lamps and signs, the estimate)
            page.frame_locator("iframe[title*='streamlit_folium']").nth(i).locator(".leaflet-container").wait_for(timeout=60_000)
    else:
        page.wait_for_selector("[data-testid='stDataFrame'], [data-testid='stVegaLiteChart']", timeout=60_000)
    page.wait_for_timeout(1000)
    assert page.locator("[data-testid='stException']").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"app_{path}.png"), full_page=True)
    assert outside == [], f"requests left the machine: {outside[:5]}"
    assert not [e for e in errors if "favicon" not in e], errors


def test_layer_can_be_toggled(server, browser):
    page, outside, _ = _open(browser, server)
    frame = _map_frame(page)
    control = page.frame_locator("iframe[title*='streamlit_folium']").locator(".leaflet-control-layers")
    control.hover()  # a long layer list is collapsed until hovered
    label = control.locator(".leaflet-control-layers-overlays label", has_text="旅游厕所 Tourist toilets")
    js = """() => { const k = Object.keys(window).filter(k => k.startsWith('map_'))[0];
                    const m = window[k]; let n = 0; m.eachLayer(() => n++); return n; }"""
    before = frame.evaluate(js)
    label.locator("input").uncheck()
    after = frame.evaluate(js)
    assert after < before
    assert outside == []


def test_clicking_a_feature_shows_its_details(server, browser):
    city = load_city(DEMO)
    toilet = city["toilets"][city["toilets"]["status"] == "existing"].iloc[0]
    page, outside, _ = _open(browser, server)
    frame = _map_frame(page)
    js_map = "Object.keys(window).filter(k => k.startsWith('map_')).map(k => window[k]).find(m => m && m.eachLayer)"
    frame.evaluate(f"() => {{ const m = {js_map}; m.setView([{toilet.geometry.y}, {toilet.geometry.x}], 18, {{animate: false}}); }}")
    page.wait_for_timeout(500)
    latlng = f"[{toilet.geometry.y}, {toilet.geometry.x}]"
    x, y = frame.evaluate(f"() => {{ const m = {js_map}; const p = m.latLngToContainerPoint({latlng}); return [p.x, p.y]; }}")
    page.locator("iframe[title*='streamlit_folium']").scroll_into_view_if_needed()  # (the filters are above it)
    page.wait_for_timeout(300)
    box = page.locator("iframe[title*='streamlit_folium']").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    details = page.locator(".st-key-map_details")  # the panel beside the map
    try:
        details.get_by_text(toilet["id"], exact=True).wait_for(timeout=30_000)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "app_click_failed.png"))
        raise
    page.screenshot(path=str(ARTIFACTS / "app_click.png"))
    assert outside == []


def test_english_pages(server, browser):
    page, outside, errors = _open(browser, server)
    _map_frame(page)
    page.get_by_text("English", exact=True).click()
    page.get_by_role("heading", name="Map · 襄阳 Xiangyang").wait_for(timeout=60_000)
    pages = (("map", "Map"), ("gaps", "Gaps"), ("lighting", "Lighting & signage"), ("scorecard", "Scorecard"), ("inventory", "Inventory"))
    for path, title in pages:
        page.locator("[data-testid='stSidebarNav'] a", has_text=title).click()
        page.get_by_role("heading", name=f"{title} · 襄阳 Xiangyang").wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        assert page.locator("[data-testid='stException']").count() == 0
        page.screenshot(path=str(ARTIFACTS / f"app_{path}_en.png"), full_page=True)
    assert outside == []
    assert not [e for e in errors if "favicon" not in e], errors
