"""From gap to closed case in a real browser (Debian's Chromium through Playwright; nothing leaves the machine).

Staff file the demo's toilet-reach gaps as tasks from the gaps page and dispatch them with notices; the
Word notice downloaded from the page opens in python-docx with the unit and the deadline in it; a unit
(on a 390 px phone) accepts one task and reports it fixed with a photo; the inventory is corrected (a
graded toilet added beside the scenic spot, through the store as the Edit page saves); staff verify it,
the re-check passes and they close it; another task is reported fixed with nothing changed, the re-check
still finds the gap and staff send it back (a rework). Every step is in the task's timeline and the audit
trail. The expected gaps come from an independent oracle (networkx on the demo's roads, tests/oracles.py).
"""

from __future__ import annotations

import datetime as dt
import io
import re

import docx
import pytest
from PIL import Image
from shapely.geometry import Point

import tests.oracles as oracles
from facilities import store
from facilities.auth import accounts
from facilities.store import folder
from facilities.store.db.edits import Edit
from facilities.tasks import queries
from tests.helpers import ADMIN, ARTIFACTS, BROWSER, DEMO, STAFF, choose, demo_app, open_page, page_ready, sign_in

pytestmark = BROWSER
AS_OF = "2026-11-29"
#: the demo's staff account (data/xiangyang/accounts.toml, made on the app's first start)
STAFF_LOGIN, STAFF_PASSWORD = "demo-staff", "demo-staff-2026"
UNIT_PASSWORD = "unit-password-2026"
PHONE = {"width": 390, "height": 844}


def _toilet_reach_gaps() -> dict[str, str]:
    """Attractions in use with no A/AA/AAA toilet in use within 500 m on foot: id -> unit (tests/oracles.py)."""
    city = folder.load(DEMO)
    att = city.metric("attractions")
    att = att[~att["status"].isin(["planned", "closed"])]
    on_foot = oracles.walking_gaps()  # the rule walks; networkx on the demo's noded roads, not our network
    assert on_foot >= oracles.straight_gaps()
    out = {}
    for _, a in att.iterrows():
        if a["id"] in on_foot:
            out[a["id"]] = a["unit"]
    return out


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with demo_app(tmp_path_factory, "tasks.log", AS_OF) as found:
        yield found


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"tasks_{name}.png"), full_page=True)


def _alert(page, text: str, name: str) -> str:
    loc = page.locator("[data-testid='stAlert']", has_text=text).first
    try:
        loc.wait_for(timeout=90_000)
    except Exception:
        _shot(page, f"{name}_failed")
        raise
    return loc.inner_text()


def _click(page, role: str, name: str, scope=None) -> None:
    (scope or page).get_by_role(role, name=name, exact=True).first.click()
    page.wait_for_timeout(700)


def _open_task(page, url: str, task_id: int) -> None:
    page.goto(f"{url}/tasks")
    page_ready(page)
    _click(page, "tab", "看板")
    page.get_by_role("button", name=re.compile(rf"^(⚠ )?#{task_id} ")).first.click()
    page.get_by_role("heading", name=f"任务 {task_id}").wait_for(timeout=60_000)


def _unit_step(page, url: str, task_id: int, step: str, note: str = "", photo: bytes | None = None) -> None:
    page.goto(url)  # a unit user's home page (Streamlit serves the default page at the root only)
    page_ready(page)
    card = page.locator("[data-testid='stExpander']", has_text=f"#{task_id} ").first
    card.locator("summary").first.click()
    page.wait_for_timeout(600)
    _click(page, "tab", step, card)
    panel = card.get_by_role("tabpanel").filter(visible=True).first
    if note:
        panel.locator("textarea").first.fill(note)
        panel.locator("textarea").first.press("Tab")
    if photo is not None:
        panel.locator("input[type='file']").first.set_input_files({"name": "after.jpg", "mimeType": "image/jpeg", "buffer": photo})
        page.wait_for_timeout(1500)
    panel.get_by_role("button", name=step, exact=True).click()
    _alert(page, f"已完成：{step}", f"unit_{step}")


def _staff_step(page, url: str, task_id: int, step: str, note: str = "", expect: str | None = None) -> None:
    _open_task(page, url, task_id)
    _click(page, "tab", step)
    panel = page.get_by_role("tabpanel").filter(visible=True).filter(has=page.get_by_role("button", name=step, exact=True)).first
    if note:
        panel.locator("textarea").first.fill(note)
        panel.locator("textarea").first.press("Tab")
    panel.get_by_role("button", name=step, exact=True).click()
    _alert(page, expect or f"已完成：{step}", f"staff_{step}")


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 140, 60)).save(out, "JPEG")
    return out.getvalue()


def test_from_gap_to_closed_case(app, browser, tmp_path):
    url, database = app
    expected = _toilet_reach_gaps()
    assert len(expected) >= 2  # the demo plants toilet-reach gaps: the flow needs two

    # staff sign in and file every toilet-reach gap from the gaps page
    page, outside, _ = open_page(browser, f"{url}/gaps")
    sign_in(page, STAFF_LOGIN, STAFF_PASSWORD)
    page.goto(f"{url}/gaps")
    page_ready(page)
    choose(page, "要立案的规则", "每个景区景点 500 米内有 A 级以上旅游厕所")
    _click(page, "button", "将该规则的全部缺口立案")
    assert f"已立案 {len(expected)} 项" in _alert(page, "已立案", "file")
    source = store.DbCity("xiangyang", database)
    filed = queries.tasks("xiangyang", user=STAFF, database=database)
    assert {g.split("/")[-1] for g in filed["gap_id"]} == set(expected)
    assert dict(zip((g.split("/")[-1] for g in filed["gap_id"]), filed["unit"], strict=True)) == expected
    # deadline: 30 days (the rules file) from the check date, before the inspection (2027-05-20)
    assert set(filed["due"]) == {dt.date(2026, 12, 29)}

    # dispatch them with notices; the Word notice opens with the unit and the deadline in it
    page.goto(f"{url}/tasks")
    page_ready(page)
    _click(page, "tab", "整改通知书")
    _click(page, "button", "派遣已立案任务并生成整改通知书")
    assert f"已生成 {len(set(expected.values()))} 份通知书" in _alert(page, "已生成", "dispatch")
    _click(page, "tab", "整改通知书")
    with page.expect_download(timeout=60_000) as got:
        _click(page, "button", "下载 Word（.docx）")
    notice = docx.Document(got.value.path())
    text = "\n".join([p.text for p in notice.paragraphs] + [c.text for t in notice.tables for r in t.rows for c in r.cells])
    numbered = queries.notices("xiangyang", user=STAFF, database=database)
    first = numbered.iloc[0]
    assert first["number"] in text and first["unit"] in text and "2026-12-29" in text
    _shot(page, "notices")

    tasks = queries.tasks("xiangyang", user=STAFF, database=database).set_index("feature_id")
    # two spots out of reach in a straight line too (A08, A09): a toilet 94 m east of the first is in reach on foot
    fixed_spot, idle_spot = sorted(oracles.straight_gaps())[:2]
    fixed_task, idle_task = int(tasks.at[fixed_spot, "id"]), int(tasks.at[idle_spot, "id"])

    # each responsible unit gets an account (as an admin adds them); each signs in on a phone
    phones, logins = {}, {}
    for i, unit in enumerate(sorted({expected[fixed_spot], expected[idle_spot]})):
        logins[unit] = f"unit-{i}"
        accounts.add_user(logins[unit], name=f"{unit}联络员", role="unit", unit=unit, password=UNIT_PASSWORD, by=ADMIN, database=database)
        phones[unit] = open_page(browser, url, viewport=PHONE)
        sign_in(phones[unit][0], logins[unit], UNIT_PASSWORD)
    phone = phones[expected[fixed_spot]][0]

    # a unit's user sees its own unit's tasks, and none of another unit's
    phone.goto(url)  # its home page: my tasks
    page_ready(phone)
    own = {int(i) for i, u in zip(tasks["id"], tasks["unit"], strict=True) if u == expected[fixed_spot]}
    shown = {int(m) for m in re.findall(r"#(\d+) ·", " ".join(phone.locator("[data-testid='stExpander'] summary").all_inner_texts()))}
    assert shown == own, (shown, own)

    # the unit, on its phone: accept, then report fixed with a photo
    _unit_step(phone, url, fixed_task, "签收")
    _unit_step(phone, url, fixed_task, "反馈（已整改）", "新建 A 级厕所一座", _jpeg())
    _shot(phone, "unit_phone")

    # the inventory is corrected: a graded toilet 100 m from the scenic spot
    spot = folder.load(DEMO)["attractions"].set_index("id").loc[fixed_spot]
    lon, lat = spot.geometry.representative_point().x, spot.geometry.representative_point().y
    toilet = {"name": "新建厕所", "status": "new", "grade": "A", "kind": "standalone", "district": spot["district"], "unit": spot["unit"]}
    store.edit(source, [Edit("toilets", "T-NEW-1", None, toilet, Point(lon + 0.001, lat))], user=STAFF, note="整改：新建厕所")

    # staff verify (the re-check finds the gap gone) and close
    _staff_step(page, url, fixed_task, "核查")
    page.get_by_text("缺口已消除").first.wait_for(timeout=60_000)
    _staff_step(page, url, fixed_task, "结案")
    _shot(page, "closed")

    # another task reported fixed with nothing changed goes back for rework
    other = phones[expected[idle_spot]][0]
    _unit_step(other, url, idle_task, "签收")
    _unit_step(other, url, idle_task, "反馈（已整改）", "已整改")
    _staff_step(page, url, idle_task, "核查")
    page.get_by_text("缺口仍在").first.wait_for(timeout=60_000)
    _staff_step(page, url, idle_task, "重新派遣", "复核仍不达标，请重新整改")

    done = queries.task("xiangyang", fixed_task, user=STAFF, database=database)
    assert done.state == "closed" and done.gap_present is False
    again = queries.task("xiangyang", idle_task, user=STAFF, database=database)
    assert again.state == "dispatched" and again.rework == 1
    steps = list(queries.timeline("xiangyang", fixed_task, user=STAFF, database=database)["action"])
    assert steps == ["file", "dispatch", "accept", "submit", "verify", "close"]
    assert list(queries.timeline("xiangyang", idle_task, user=STAFF, database=database)["action"]) == [
        "file",
        "dispatch",
        "accept",
        "submit",
        "verify",
        "redispatch",
    ]
    photos = queries.photos_of("xiangyang", task_id=fixed_task, user=STAFF, database=database)
    assert len(photos) == 1 and queries.photo(photos["sha256"].iloc[0], user=STAFF, database=database)[0] == _jpeg()
    audit = store.history(source, by=ADMIN, layer="tasks")
    assert {(int(f), a) for f, a in zip(audit["feature_id"], audit["action"], strict=True)} >= {(fixed_task, s) for s in steps}
    assert set(audit["user"]) >= {STAFF_LOGIN, *logins.values()}  # every step under the login that took it
    assert outside == [] and all(p[1] == [] for p in phones.values())
