"""Who is there, for every page: :func:`current_user` is the one function the app asks.

Two ways to know (``FACILITIES_AUTH``, :func:`facilities.settings.auth_mode`):

``local`` (the default, what ``make run`` uses)
    accounts in the store (:mod:`facilities.auth.accounts`): the sign-in page, a session that expires,
    a lockout after wrong passwords. The session's token is kept in the page's session and in a cookie
    (``SameSite=Strict``; ``Secure`` behind HTTPS), so a reload or a second tab stays signed in until
    the session ends; the store keeps only the token's hash.
``header``
    behind the intranet's single sign-on: a proxy on this machine sets the user's login in a header that
    Streamlit's ``server.trustedUserHeaders`` maps to ``st.user["login"]``; the login must be an active
    account of the store (its role comes from there). Honoured only while the app listens on 127.0.0.1
    (else anyone who reaches the port could send the header): the page says so and shows nothing.

Before sign-in no page shows data: ``app.py`` shows only :func:`sign_in_page`. The pages hide what the
user's role cannot do (:func:`facilities.auth.can`); the services refuse it whatever the pages show.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from facilities import settings
from facilities.auth import ROLES, User, accounts, can
from facilities.errors import Forbidden, SignInRefused, StoreError
from facilities.words import ui
from ui.safe import md

COOKIE = "facilities_session"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
_TOKEN, _USER, _COOKIE_SET, _COOKIE_CLEAR = "_session_token", "_signed_in", "_cookie_set", "_cookie_clear"


def _t(key: str) -> str:
    return ui(key, st.session_state.get("lang", "zh"))


def current_user() -> User | None:
    """Who is signed in now (read from the store at every run: a disabled account or an ended session
    signs out at once); None before sign-in. Also what :func:`me` gives the pages during this run."""
    database = settings.database_url()
    user = _header_user(database) if settings.auth_mode() == "header" else _session_user(database)
    st.session_state[_USER] = user
    return user


def signed_in() -> User | None:
    """The user :func:`current_user` found for this run, or None."""
    found = st.session_state.get(_USER)
    return found if isinstance(found, User) else None


def me() -> User:
    """The signed-in user, who every write and scoped read of a page is made by (Forbidden when nobody
    is: a page run without the sign-in ``app.py`` asks for)."""
    user = signed_in()
    if user is None:
        raise Forbidden("未登录 Not signed in: sign in first; nothing was read or changed")
    return user


def allowed(action: str, unit: str | None = None) -> bool:
    """Whether the signed-in user may take ``action`` (the pages hide what is not allowed)."""
    return can(signed_in(), action, unit)


def _session_user(database: str) -> User | None:
    token = st.session_state.get(_TOKEN) or st.context.cookies.get(COOKIE)
    user = accounts.session_user(token, database=database) if isinstance(token, str) else None
    if user is None:
        st.session_state.pop(_TOKEN, None)
    else:
        st.session_state[_TOKEN] = token
    return user


def _header_user(database: str) -> User | None:
    address = str(st.get_option("server.address") or "")
    if address not in LOOPBACK:
        st.error(_t("sso_not_local").format(address=address or "0.0.0.0"))
        st.stop()
    login = str(st.user.get(settings.SSO_KEY) or "").strip()
    if not login:
        st.error(_t("sso_no_user"))
        st.stop()
    user = accounts.find(login, database)
    if user is None:
        st.error(_t("sso_unknown").format(login=login))
        st.stop()
    return user


def _cookie_script(value: str, max_age: int) -> None:
    """Set (or, with ``max_age`` 0, clear) the session cookie in the browser; the token is URL-safe text."""
    secure = "; Secure" if st.context.headers.get("X-Forwarded-Proto", "") == "https" else ""
    st.html(
        f"<script>document.cookie = '{COOKIE}={value}; Path=/; Max-Age={max_age}; SameSite=Strict{secure}';</script>",
        unsafe_allow_javascript=True,
        width=1,
    )


def keep_cookie() -> None:
    """After a sign-in: put the session's token in the cookie (once). The script goes in a slot drawn on every
    run, so the page's elements keep their places: one more element on the first run only would shift every
    later one, and the browser would rebuild them all on the next run (the map included)."""
    slot = st.empty()
    if st.session_state.pop(_COOKIE_SET, False) and st.session_state.get(_TOKEN):
        with slot:
            _cookie_script(st.session_state[_TOKEN], int(accounts.SESSION_MAX.total_seconds()))


def sign_in_page(demo_passwords: dict[str, str], store_ready: Callable[[], bool] = lambda: True,
                 wait_for_store: Callable[[], None] = lambda: None) -> None:  # fmt: skip
    """The only page before sign-in: the form, and the demo accounts when the store has them (with the
    passwords the demo city ships in its ``accounts.toml``, ``demo_passwords``). On a first start the store
    is still being set up (:mod:`ui.startup`): the form is shown at once, ``wait_for_store`` is called before
    the password is checked, and the accounts table waits until ``store_ready()``."""
    if st.session_state.pop(_COOKIE_CLEAR, False):
        _cookie_script("", 0)
    st.radio(
        " ",
        ["zh", "en"],
        format_func=lambda x: "中文" if x == "zh" else "English",
        key="lang",
        horizontal=True,
        label_visibility="collapsed",
        bind="query-params",
    )  # fmt: skip (?lang=English: see ui.state.sidebar)
    st.title(f"旅游城市设施 Tourist-city facilities · {_t('sign_in_title')}")
    st.caption(_t("sign_in_first"))
    if settings.auth_mode() == "header":
        return
    with st.form("sign_in"):
        login = st.text_input(_t("login"), key="sign_in_login")
        password = st.text_input(_t("password"), type="password", key="sign_in_password")
        go = st.form_submit_button(_t("sign_in"), type="primary")
    if go:
        wait_for_store()
        try:
            user, token = accounts.sign_in(login, password, database=settings.database_url())
        except SignInRefused as exc:
            st.error(str(exc))
        except StoreError as exc:
            st.error(str(exc))
        else:
            st.session_state[_TOKEN], st.session_state[_USER], st.session_state[_COOKIE_SET] = token, user, True
            st.rerun()
    if store_ready():
        _demo_table(demo_passwords)


def _demo_table(demo_passwords: dict[str, str]) -> None:
    database = settings.database_url()
    demo = [u for u in accounts.demo_users(database) if u.login in demo_passwords]
    if not demo:
        if not accounts.names(database):
            st.info(_t("no_accounts"))
        return
    st.warning(_t("demo_accounts"))
    zh = st.session_state.get("lang", "zh") == "zh"
    st.table(
        [
            {
                _t("login"): u.login, _t("password"): demo_passwords[u.login], _t("name"): u.name,
                _t("role"): ROLES[u.role][0 if zh else 1], _t("unit"): u.unit or "",
            }
            for u in demo
        ]
    )  # fmt: skip


def account_box() -> None:
    """In the sidebar: who is signed in, their role and unit, and the sign-out button (local mode)."""
    user = signed_in()
    if user is None:
        return
    zh = st.session_state.get("lang", "zh") == "zh"
    role = user.role_label("zh" if zh else "en")
    st.caption(f"{_t('signed_in_as')}: {md(user.name)} ({md(user.login)}) · {role}" + (f" · {md(user.unit)}" if user.unit else ""))
    if settings.auth_mode() == "local" and st.button(_t("sign_out"), key="sign_out"):
        accounts.sign_out(st.session_state.get(_TOKEN), database=settings.database_url())
        for key in (_TOKEN, _USER):
            st.session_state.pop(key, None)
        st.session_state[_COOKIE_CLEAR] = True
        st.rerun()


__all__ = ["COOKIE", "account_box", "allowed", "current_user", "keep_cookie", "me", "sign_in_page", "signed_in"]
