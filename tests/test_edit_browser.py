"""Editing in a real browser (Debian's Chromium through Playwright, nothing leaves the machine).

A staff member corrects a toilet's grade, marks a road's dark lamps working, adds a toilet by clicking the
map and retires a sign; the score follows at once and every change is in the history with its old and new
value. The expected score is computed independently: the demo folder read by the folder backend, the same
changes applied to its frames with pandas, checked by ``facilities.check`` — not the app's cached,
incremental path. Two tabs editing one feature: the second save is refused, its input kept.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from shapely.geometry import Point

from facilities.check import check
from facilities.rules import load_rules
from facilities.store import folder
from facilities.store.db import edits
from tests.helpers import ADMIN, ARTIFACTS, BROWSER, DEMO, choose, demo_app, open_page, page_ready, sign_in

pytestmark = BROWSER
AS_OF = "2026-11-29"
#: the demo's staff account (data/xiangyang/accounts.toml); the audit trail records its login
LOGIN, PASSWORD = "demo-staff", "demo-staff-2026"
ROAD = "人民路"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with demo_app(tmp_path_factory, "edit.log", AS_OF) as found:
        yield found


def _choose(page, label: str, option: str, scope=None) -> None:
    choose(page, label, option, scope, shot="edit_choose_failed")


def _alert(page, text: str) -> str:
    loc = page.locator("[data-testid='stAlert']", has_text=text).first
    try:
        loc.wait_for(timeout=90_000)
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "edit_alert_failed.png"), full_page=True)
        raise
    return loc.inner_text()


def _score(page, url: str) -> float:
    page.goto(f"{url}/scorecard")
    page_ready(page)
    metric = page.locator("[data-testid='stMetricValue']").first
    metric.wait_for(timeout=90_000)
    return float(metric.inner_text().split("/")[0])


def _click_map(page) -> None:
    page.wait_for_selector("iframe[title*='streamlit_folium']", timeout=90_000)
    frame = page.frame_locator("iframe[title*='streamlit_folium']")
    frame.locator(".leaflet-container").wait_for(timeout=90_000)
    page.wait_for_timeout(1000)
    box = page.locator("iframe[title*='streamlit_folium']").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    page.get_by_text("经度 (WGS84)").first.wait_for(timeout=60_000)


def test_staff_edits_change_the_score_and_the_history(app, browser):
    url, database = app
    city = folder.load(DEMO)
    rules = load_rules(DEMO / "rules.toml")
    before = check(city, rules, as_of=pd.Timestamp(AS_OF).date()).total
    toilet = city["toilets"].iloc[0]
    sign = city["signs"][city["signs"]["status"] == "existing"].iloc[0]
    dark = city["lamps"][(city["lamps"]["road"].fillna("").str.contains(ROAD)) & (city["lamps"]["working"] == False)]  # noqa: E712
    assert len(dark) >= 10  # the demo has dark lamps on this road: the task "mark 10 lamps working"

    page, outside, _ = open_page(browser, url)
    sign_in(page, LOGIN, PASSWORD)
    assert _score(page, url) == pytest.approx(before, abs=0.05)

    # 1. correct a toilet's grade
    page.goto(f"{url}/edit")
    page_ready(page)
    _choose(page, "图层", "旅游厕所")
    new_grade = "A" if toilet["grade"] != "A" else "AA"
    _choose(page, "等级 *", f"{'A级' if new_grade == 'A' else 'AA级'} ({new_grade})")
    page.get_by_role("button", name="保存").click()
    assert "已保存" in _alert(page, "已保存")

    # 2. retire a sign
    _choose(page, "图层", "标识标牌")
    _choose(page, "要素", f"{sign['id']} · {sign['name']}" if isinstance(sign["name"], str) else sign["id"])
    page.get_by_role("button", name="停用（状态设为“关闭”）").click()
    assert "已保存" in _alert(page, "已保存")

    # 3. add a toilet by clicking the map
    page.get_by_text("新增点位", exact=True).click()
    page.wait_for_timeout(800)
    _choose(page, "图层", "旅游厕所")
    _click_map(page)
    page.get_by_label("名称", exact=True).fill("新建测试厕所")
    page.get_by_role("button", name="保存").click()
    # the grade is required: refused, the problem shown under the field, the input kept
    assert "missing required field" in _alert(page, "missing required field")
    assert page.get_by_label("名称", exact=True).input_value() == "新建测试厕所"
    _choose(page, "等级 *", "A级 (A)")
    page.get_by_role("button", name="保存").click()
    assert "已保存" in _alert(page, "已保存")

    # 4. the road's dark lamps marked working, in one bulk save
    page.goto(f"{url}/inventory")
    page_ready(page)
    _choose(page, "图层", next(o for o in ["路灯与亮化 Lamps (9531)"]))
    page.get_by_label("搜索（名称、编号）", exact=True).fill(ROAD)
    page.get_by_label("搜索（名称、编号）", exact=True).press("Enter")
    page.wait_for_timeout(1000)
    box = page.get_by_role("combobox", name="按字段筛选", exact=True)  # (the inventory's filter by field values)
    box.click()
    box.press_sequentially("亮灯")
    page.get_by_role("option", name="亮灯", exact=True).click()
    page.keyboard.press("Escape")
    page_ready(page)
    page.get_by_role("combobox", name="亮灯", exact=True).click()
    page.get_by_role("option", name=f"否 ({len(dark)})", exact=True).click()  # (each value with its count)
    page.keyboard.press("Escape")
    page.get_by_text(f"{len(dark)} 条", exact=True).wait_for(timeout=60_000)
    page.get_by_text("批量编辑（仅写入改动的单元格）").click()
    _choose(page, "批量设置字段", "亮灯")
    _choose(page, "亮灯", "是", scope=page.locator("[data-testid='stForm']"))  # (the bulk form's, not the filter's)
    page.get_by_role("button", name=f"应用到显示的 {len(dark)} 行").click()
    assert f"{len(dark)} 项变更" in _alert(page, "已保存")

    # the history: each change with its old and new value, and who made it
    history = edits.history("xiangyang", by=ADMIN, database=database)
    mine = history[history["user"] == LOGIN]
    grade = mine[(mine["feature_id"] == toilet["id"]) & (mine["field"] == "grade")].iloc[0]
    assert (json.loads(grade["old"]), json.loads(grade["new"])) == (toilet["grade"], new_grade)
    retired = mine[(mine["feature_id"] == sign["id"]) & (mine["field"] == "status")].iloc[0]
    assert (json.loads(retired["old"]), json.loads(retired["new"])) == ("existing", "closed")
    lamps = mine[(mine["layer"] == "lamps") & (mine["field"] == "working")]
    assert sorted(lamps["feature_id"]) == sorted(dark["id"]) and set(lamps["new"]) == {"true"} and set(lamps["old"]) == {"false"}
    added = mine[(mine["layer"] == "toilets") & (mine["action"] == "insert")]
    assert len(added) == 1
    new_id = added.iloc[0]["feature_id"]
    stored = edits.feature("xiangyang", "toilets", new_id, database=database)
    assert stored.props["name"] == "新建测试厕所"

    # the oracle: the same four changes applied to the folder's frames, checked afresh
    toilets = city["toilets"].copy()
    toilets.loc[toilets["id"] == toilet["id"], "grade"] = new_grade
    new_row = toilets.iloc[[0]].copy()
    for column in new_row.columns:
        if column != "geometry":
            new_row[column] = pd.NA
    new_row = new_row.assign(id=new_id, name="新建测试厕所", status="existing", grade=stored.props["grade"])
    new_row = new_row.set_geometry([Point(stored.geometry.x, stored.geometry.y)], crs=toilets.crs)
    toilets = pd.concat([toilets, new_row], ignore_index=True)
    signs = city["signs"].copy()
    signs.loc[signs["id"] == sign["id"], "status"] = "closed"
    lamps_frame = city["lamps"].copy()
    lamps_frame.loc[lamps_frame["id"].isin(dark["id"]), "working"] = True
    expected = check(city.with_layers({"toilets": toilets, "signs": signs, "lamps": lamps_frame}), rules, as_of=pd.Timestamp(AS_OF).date())
    shown = _score(page, url)
    assert shown == pytest.approx(expected.total, abs=0.05)
    assert shown != pytest.approx(before, abs=0.05)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "app_after_edits.png"), full_page=True)
    assert outside == []


def test_two_tabs_the_second_save_is_refused_and_its_input_kept(app, browser):
    url, database = app
    city = folder.load(DEMO)
    target = city["toilets"].iloc[1]
    pages = []
    for _ in range(2):
        page, outside, _ = open_page(browser, url)
        sign_in(page, LOGIN, PASSWORD)
        page.goto(f"{url}/edit")
        page_ready(page)
        _choose(page, "图层", "旅游厕所")
        _choose(page, "要素", f"{target['id']} · {target['name']}")
        pages.append((page, outside))
    (first, out1), (second, out2) = pages
    first.get_by_label("名称", exact=True).fill("第一个标签页的名称")
    first.get_by_role("button", name="保存").click()
    assert "已保存" in _alert(first, "已保存")
    mine = "第二个标签页的名称"
    second.get_by_label("名称", exact=True).fill(mine)
    second.get_by_role("button", name="保存").click()
    message = _alert(second, "他人已修改")
    assert "你填写的内容仍保留在表单中" in message
    detail = second.locator("[data-testid='stCode']").first.inner_text()
    assert re.search(r"version 1, it is now version 2", detail) and "第一个标签页的名称" in detail and LOGIN in detail
    assert second.get_by_label("名称", exact=True).input_value() == mine  # the input is kept
    assert edits.feature("xiangyang", "toilets", target["id"], database=database).props["name"] == "第一个标签页的名称"
    # load the latest version, apply the input again: saved
    second.get_by_role("button", name="载入最新版本").click()
    second.wait_for_timeout(1500)
    second.get_by_label("名称", exact=True).fill(mine)
    second.get_by_role("button", name="保存").click()
    assert "已保存" in _alert(second, "已保存")
    assert edits.feature("xiangyang", "toilets", target["id"], database=database).props["name"] == mine
    second.screenshot(path=str(ARTIFACTS / "app_conflict.png"), full_page=True)
    assert out1 == [] and out2 == []
