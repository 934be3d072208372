"""Sign-in and roles in the app, headless (AppTest, the real app.py on a real SQLite store): before sign-in
no page shows data; a viewer is offered no page or button that writes; and what a page does not hide is
still refused by the store — a staff member's form replayed in a viewer's session, and a viewer's save
through a page whose guard is switched off, both write nothing."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from facilities import settings, store
from facilities.auth import accounts
from facilities.auth.accounts import demo_accounts
from facilities.store.db import engine
from facilities.words import ui
from tests.helpers import ADMIN, DEMO, ROOT

AS_OF = dt.date(2026, 11, 29)
PASSWORDS = {a["login"]: a["password"] for a in demo_accounts(DEMO)}
#: every page of the app, and the ones that only read
ALL_PAGES = ["map", "gaps", "lighting", "scorecard", "inventory", "tasks", "my_tasks", "dashboard", "edit", "changes", "users"]
READ_ONLY = ["map", "gaps", "lighting", "scorecard", "inventory"]


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    shutil.copytree(DEMO, tmp_path / "xiangyang")
    monkeypatch.setattr(settings, "DATA_DIR", tmp_path)
    monkeypatch.setattr(settings, "DEMO_CITY", tmp_path / "xiangyang")
    monkeypatch.setenv(settings.AS_OF_ENV, AS_OF.isoformat())
    yield tmp_path
    engine.dispose()


def _run(at: AppTest) -> AppTest:
    at.run(timeout=120)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _sign_in(at: AppTest, login: str) -> AppTest:
    at.text_input(key="sign_in_login").input(login)
    at.text_input(key="sign_in_password").input(PASSWORDS[login])
    at.button[0].click()
    return _run(at)


def _source() -> store.DbCity:
    return store.DbCity("xiangyang", settings.database_url())


def _trail() -> int:
    return len(store.history(_source(), by=ADMIN))


def _shows_data(at: AppTest) -> list[str]:
    """What on the page is the city's data: maps, data frames, charts, metrics (the sign-in page's table of
    demo accounts is looked at apart)."""
    return [kind for kind in ("component_instance", "dataframe", "arrow_vega_lite_chart", "metric") if at.get(kind)]


def test_before_sign_in_no_page_shows_data(data_dir):
    at = _run(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120))
    assert "登录" in at.title[0].value
    assert _shows_data(at) == []
    assert not at.sidebar.selectbox  # no city picker: nothing of a city
    # the one table: the demo accounts, marked as demo (logins, roles; no facility, no figure)
    [table] = at.table
    assert set(table.value.iloc[:, 0]) == set(PASSWORDS)
    assert any("演示" in w.value for w in at.warning)
    for page in ALL_PAGES:  # asking for a page by its address: still the sign-in page
        at.switch_page(f"views/{page}.py")
        _run(at)
        assert "登录" in at.title[0].value and _shows_data(at) == [], page


def test_a_viewer_is_offered_nothing_that_writes(data_dir):
    at = _sign_in(_run(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)), "demo-viewer")
    assert at.button(key="sign_out") is not None and at.get("component_instance")  # signed in: the map
    assert not [b for b in at.button if b.key == "edit_this"]
    for page in READ_ONLY:
        at.switch_page(f"views/{page}.py")
        _run(at)
        assert _shows_data(at), page  # (what the sign-in page must not show, this one does)
        labels = {b.label for b in at.button}
        assert not labels & {ui("save", "zh"), ui("edit_this", "zh"), ui("retire", "zh")}, (page, labels)


def test_a_staff_form_replayed_in_a_viewer_session_writes_nothing(data_dir):
    """Staff open the edit form; the session then becomes a viewer's (another token), and the filled-in
    form is sent: the viewer's run has no edit page, so nothing is saved."""
    at = _sign_in(_run(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)), "demo-staff")
    at.switch_page("views/edit.py")
    _run(at)
    before = _trail()
    _, token = accounts.sign_in("demo-viewer", PASSWORDS["demo-viewer"], database=settings.database_url())
    at.session_state["_session_token"] = token
    name = next(w for w in at.text_input if w.key and w.key.endswith(":name"))
    name.input("伪造的名称 forged")
    next(b for b in at.button if b.label == ui("save", "zh")).click()
    _run(at)
    assert _trail() == before
    assert "伪造的名称 forged" not in set(store.load(_source())["toilets"]["name"].dropna())


def test_a_viewer_save_through_an_unguarded_page_is_refused_by_the_store(data_dir, monkeypatch):
    """The pages' guard switched off (every button shown to everyone): the viewer's save reaches the store,
    which refuses it, says so, and writes nothing."""
    from ui import auth as page_auth

    monkeypatch.setattr(page_auth, "allowed", lambda action, unit=None: True)
    at = _sign_in(_run(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)), "demo-viewer")
    at.switch_page("views/edit.py")
    _run(at)
    before = _trail()
    name = next(w for w in at.text_input if w.key and w.key.endswith(":name"))
    name.input("伪造的名称 forged")
    next(b for b in at.button if b.label == ui("save", "zh")).click()
    _run(at)
    assert any("nothing was changed" in e.value and "未作任何修改" in e.value for e in at.error), [e.value for e in at.error]
    assert _trail() == before
    assert "伪造的名称 forged" not in set(store.load(_source())["toilets"]["name"].dropna())
