"""Streamlit app: 旅游城市设施 — the facility inventory, its gaps and score (Tourist-city facilities).

Run with ``make run``. Pages (views/) hold widgets and layout only; data, rules and maps come from
``facilities`` and ``maps``; what pages share is in ``ui/state.py``, who is signed in in ``ui/auth.py``.
Before sign-in the only page is the sign-in form (no city, map or table); after it, the pages the user's
role may use (``PAGES``: page -> the action it needs). The services check every write and scoped read
again, whatever a page shows.
"""

from __future__ import annotations

import logging

import streamlit as st

from facilities import settings
from facilities.auth import accounts
from ui import startup
from ui.auth import allowed, current_user, keep_cookie, sign_in_page
from ui.pages import HOME, PAGES
from ui.state import own_unit, seed, sidebar, t

st.set_page_config(page_title="旅游城市设施 Tourist-city facilities", page_icon="🗺️", layout="wide")


try:
    # a first start sets the store up in the background: the sign-in page shows at once (ui/startup.py)
    warm = startup.begin(settings.database_url())
    ready = warm.store_ready.is_set()
    if ready:
        seed()  # the store up to date (says what failed, if the background setup did)
    if current_user() is None:
        slot = st.empty()  # (above the form: what a first start is preparing)
        sign_in_page(
            {a["login"]: a["password"] for a in accounts.demo_accounts(settings.DEMO_CITY)},
            store_ready=warm.store_ready.is_set,
            wait_for_store=lambda: startup.wait_for_store(warm),
        )
        if not warm.store_ready.is_set():
            startup.show_progress(warm, slot)
    else:
        if not ready:  # (signed in by a cookie while a new process sets the store up)
            startup.wait_for_store(warm)
            seed()
        if sidebar():
            keep_cookie()
            home = "my-tasks" if own_unit() else "map"  # a responsible unit's user starts at its tasks
            shown = [p for p in PAGES if allowed(p[4]) and (p[3] != "my-tasks" or own_unit())]  # my tasks: a unit user's
            pages = [
                # Streamlit serves the default page at "/" only (its own address would say "Page not found"): it takes
                # a reserved address, and a hidden twin answers at its own (/map), so every page has one address
                st.Page(script, title=t(title), icon=icon, url_path=HOME if path == home else path, default=path == home)
                for script, title, icon, path, _ in shown
            ] + [st.Page(script, title=t(title), url_path=path, visibility="hidden") for script, title, _, path, _ in shown if path == home]
            st.navigation(pages).run()
except Exception as exc:  # st.stop and reruns are not Exceptions: they pass
    # a bug of ours: the user gets one clear line (no traceback, nothing from the data as markup); the log the details
    logging.getLogger("facilities.app").exception("page failed")
    st.error(t("error_page"))
    st.text(f"{type(exc).__name__}: {exc}")
