"""The inventory page in a real browser (Debian's Chromium through Playwright; nothing leaves the machine):
"how many AAA toilets in 襄城区?" answered with two filters, the count shown equal to one counted here from
the GeoJSON file (json.load and a loop, not the code under test), each option's count too. Screenshots are
kept at 1440 × 900 and 390 × 844 (``tests/artifacts/inventory_filters_<width>.png``)."""

from __future__ import annotations

import json
from collections import Counter

from playwright.sync_api import expect

from tests.helpers import ARTIFACTS, BROWSER, DEMO, choose, demo_app, open_signed_in, page_ready

pytestmark = BROWSER
AS_OF = "2026-11-29"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def _pick(page, label: str, option: str) -> None:
    """Pick ``option`` in the multiselect labelled ``label`` (typed, as the list shows only what fits), close
    its list and wait for the page's run."""
    box = page.get_by_role("combobox", name=label, exact=True)  # (a chosen field's chip bears its label too)
    expect(box).to_have_count(1, timeout=60_000)
    box.click()
    box.press_sequentially(option.split(" (")[0])
    try:
        page.get_by_role("option", name=option, exact=True).click(timeout=20_000)
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "inventory_pick_failed.png"), full_page=True)
        raise
    page.keyboard.press("Escape")
    page_ready(page)


def test_aaa_toilets_in_xiangcheng_counted_as_the_file_says(tmp_path_factory, browser):
    with open(DEMO / "toilets.geojson", encoding="utf-8") as f:
        toilets = [feat["properties"] for feat in json.load(f)["features"]]
    grades = Counter(p["grade"] for p in toilets)
    aaa_by_district = Counter(p["district"] for p in toilets if p["grade"] == "AAA")
    expected = sum(1 for p in toilets if p["grade"] == "AAA" and p["district"] == "襄城区")
    assert expected == aaa_by_district["襄城区"] > 0

    with demo_app(tmp_path_factory, "inventory.log", AS_OF) as (url, _):
        page, outside, errors = open_signed_in(browser, f"{url}/inventory", viewport=DESKTOP)
        page_ready(page)
        choose(page, "图层", f"旅游厕所 Tourist toilets ({len(toilets)})", shot="inventory_choose_failed")
        page_ready(page)
        page.get_by_text(f"{len(toilets)} 条", exact=True).wait_for(timeout=60_000)
        _pick(page, "按字段筛选", "等级")
        _pick(page, "按字段筛选", "区")
        _pick(page, "等级", f"AAA级 ({grades['AAA']})")  # counted over the whole layer
        _pick(page, "区", f"襄城区 ({expected})")  # counted under the grade chosen
        caption = page.locator("[data-testid='stCaptionContainer']", has_text="（共").first
        expect(caption).to_have_text(f"{expected} 条（共 {len(toilets)} 条）", timeout=60_000)
        assert page.get_by_text(f"{expected} 条", exact=True).count() == 1
        # the grade's option now counts under the district: the choice was kept while its label changed
        expect(page.get_by_text(f"AAA级 ({expected})", exact=True)).to_have_count(1)
        assert page.locator("[data-testid='stException']").count() == 0
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "inventory_filters_1440.png"), full_page=True)
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "inventory_filters_390.png"), full_page=True)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 2, f"the page is {width} px wide on a 390 px phone"
        expect(caption).to_have_text(f"{expected} 条（共 {len(toilets)} 条）")
        assert outside == [], outside[:5]
        assert not [e for e in errors if "favicon" not in e], errors
        page.context.close()
