"""Where to build next and how bright the streets are, in a real browser (Debian's Chromium; nothing leaves
the machine).

Staff ask the gaps page for three sites for the demo's toilet-reach gaps, see what each would cover, and
make them planned toilets in one click: the store then holds three planned toilets at the suggested places,
recorded in the audit trail, and the score is unchanged (a planned toilet does not count). A leader opens
the lighting page: the kilometres estimated are those of the lit roads the illuminance rule selects, summed
here with geopandas from the demo folder (an independent count). Screenshots at 1440 × 900 and 390 × 844.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

import tests.oracles as oracles
from facilities import store
from facilities.check import check
from facilities.rules import city_rules, load_rules
from facilities.store import folder
from facilities.tasks import queries
from tests.helpers import ADMIN, ARTIFACTS, BROWSER, DEMO, choose, demo_app, open_signed_in, page_ready

pytestmark = BROWSER
AS_OF = "2026-11-29"
DAY = dt.date(2026, 11, 29)
STAFF = ("demo-staff", "demo-staff-2026")
LEADER = ("demo-leader", "demo-leader-2026")
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with demo_app(tmp_path_factory, "planning.log", AS_OF) as found:
        yield found


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"planning_{name}.png"), full_page=True)


def _wait_text(page, text: str, name: str, timeout: int = 120_000) -> None:
    try:
        page.get_by_text(text).first.wait_for(timeout=timeout)
    except Exception:
        _shot(page, f"{name}_failed")
        raise


def test_staff_make_suggested_sites_planned_toilets(app, browser):
    url, database = app
    rules = load_rules(DEMO / "rules.toml")
    rule = rules.get("toilet_reach")
    assert rule is not None
    page, outside, errors = open_signed_in(browser, f"{url}/gaps", STAFF, DESKTOP)
    choose(page, "选址规则", rule.title_zh, shot="planning_rule_failed")
    box = page.get_by_label("新增数量", exact=True)
    box.fill("3")
    box.press("Enter")
    page.wait_for_timeout(800)
    page.get_by_role("button", name="建议选址", exact=True).click()
    _wait_text(page, "设为规划设施（3 处）", "sites")
    summary = page.get_by_text(re.compile(r"未覆盖 \d+ 个 → 新增 3 处后 \d+ 个")).first.inner_text()
    before, after = (int(v) for v in re.findall(r"未覆盖 (\d+) 个 → 新增 3 处后 (\d+) 个", summary)[0])
    assert after < before
    page.get_by_role("button", name="设为规划设施（3 处）", exact=True).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    _shot(page, "sites_desktop")

    key = "xiangyang"
    source = store.DbCity(key, database)
    toilets_before = set(store.load(source)["toilets"]["id"])
    page.get_by_role("button", name="设为规划设施（3 处）", exact=True).click()
    _wait_text(page, "已新增 3 处规划设施", "planned")
    city = store.load(source)
    new = city["toilets"][~city["toilets"]["id"].isin(toilets_before)]
    assert len(new) == 3 and set(new["status"]) == {"planned"}
    trail = store.history(source, by=ADMIN, layer="toilets")
    assert set(new["id"]) <= set(trail["feature_id"]) and set(trail[trail["feature_id"].isin(new["id"])]["user"]) == {STAFF[0]}
    # a planned toilet does not count: the score is the demo folder's, checked afresh
    demo_total = check(folder.load(DEMO), rules, as_of=DAY).total
    stored_rules = city_rules(city)
    assert stored_rules is not None and check(city, stored_rules, as_of=DAY).total == demo_total
    # the gaps the three sites would close, filed as tasks: three of the spots with no toilet within 500 m on foot
    # (networkx on the demo's noded roads: tests/oracles.py)
    page.get_by_role("button", name="将其覆盖的缺口立案", exact=True).click()
    _wait_text(page, "已立案 3 项", "filed")
    tasks = queries.tasks(key, user=ADMIN, database=database)
    filed = {g.split("/", 1)[1] for g in tasks["gap_id"]}
    assert len(tasks) == 3 and all(g.startswith("toilet_reach:attractions/") for g in tasks["gap_id"])
    assert len(filed) == 3 and filed <= set(oracles.walking_gaps())
    assert not outside and not errors


def test_leader_sees_the_illuminance_estimate(app, browser):
    url, _ = app
    rules = load_rules(DEMO / "rules.toml")
    lux = [r for r in rules if r.kind == "illuminance"]
    assert lux, "the demo's rules have an illuminance rule"
    rule = lux[0]
    city = folder.load(DEMO)
    roads = city.metric("roads")
    mask = rule.selections["roads"].where.mask(roads, DAY)
    km = float(roads[mask].length.sum()) / 1000  # every selected road's length, by geopandas
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page, outside, errors = open_signed_in(browser, f"{url}/lighting", LEADER, viewport)
        page_ready(page)
        _wait_text(page, "道路照度估算", f"lighting_{name}")
        metric = page.locator("[data-testid='stMetric']", has_text="估算长度（公里）").first
        value = float(metric.locator("[data-testid='stMetricValue']").inner_text().replace(",", ""))
        assert value == pytest.approx(km, abs=0.06)
        metric.scroll_into_view_if_needed()  # (the page scrolls inside its main block: the shot shows the estimate)
        page.wait_for_timeout(500)
        _shot(page, f"lighting_{name}")
        assert not outside and not errors
        page.context.close()
