"""用户与单位 Users & units (administrators): the accounts — add, change role or unit, disable, unlock,
reset a password — the responsible units of the city, and the accounts' history. Every change goes
through :mod:`facilities.auth.accounts`, which refuses it for anyone but an administrator."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from facilities.auth import ROLE_DUTIES, ROLES, accounts
from facilities.errors import StoreError
from facilities.schema import LAYERS
from facilities.words import pick
from ui.auth import allowed, me
from ui.safe import md
from ui.state import current_city, current_key, lang, page_title, t


def _role(role: str) -> str:
    return pick(ROLES.get(role, (role, role)), lang())


def _done(func, *args, **kwargs) -> None:
    """Run one account change; say what happened (the message of a refusal as it is)."""
    try:
        func(*args, by=me(), database=current_key()[0], **kwargs)
    except StoreError as exc:
        st.error(str(exc))
    else:
        st.session_state["users_flash"] = t("account_saved")
        st.rerun()


def users_table(rows: list[dict]) -> None:
    """Every account (never a password)."""
    frame = pd.DataFrame(
        [
            {
                t("login"): r["login"], t("name"): r["name"], t("role"): _role(r["role"]), t("unit"): r["unit"] or "",
                t("active"): "✓" if r["active"] else "✗", t("demo"): "✓" if r["demo"] else "",
                t("locked"): f"{r['locked_until']:%Y-%m-%d %H:%M} UTC" if r["locked_until"] else "",
            }
            for r in rows
        ]
    )  # fmt: skip
    st.dataframe(frame, hide_index=True)


def known_units(key: str) -> list[str]:
    """The city's registered units and the units its data names (features' ``unit``)."""
    city = current_city()
    named = {u for name in LAYERS for u in city[name]["unit"].dropna().unique() if str(u).strip()}
    return sorted(named | {u["name"] for u in accounts.units(key, database=current_key()[0])})


def add_user_form(units: list[str]) -> None:
    """A new account with an initial password (the person changes it at the first sign-in)."""
    with st.form("add_user", clear_on_submit=True):
        st.subheader(t("add_user"))
        a, b = st.columns(2)
        login = a.text_input(t("login"), key="new_login")
        name = b.text_input(t("name"), key="new_name")
        role = a.selectbox(t("role"), list(ROLES), format_func=lambda r: f"{_role(r)} — {pick(ROLE_DUTIES[r], lang())}", key="new_role")
        unit = b.selectbox(t("unit"), [None, *units], format_func=lambda u: "—" if u is None else u, key="new_unit")
        password = a.text_input(t("new_password"), type="password", key="new_password")
        go = st.form_submit_button(t("add_user"), type="primary")
    if go:
        _done(accounts.add_user, login.strip(), name=name, role=role, unit=unit, password=password)


def manage_user(rows: list[dict], units: list[str]) -> None:
    """One account: role and unit, disable or enable, unlock, a new password."""
    logins = [r["login"] for r in rows]
    login = st.selectbox(t("login"), logins, key="manage_login")
    if login is None:
        return
    row = next(r for r in rows if r["login"] == login)
    with st.form("change_role"):
        st.caption(f"{md(row['name'])} · {_role(row['role'])}" + (f" · {md(row['unit'])}" if row["unit"] else ""))
        a, b = st.columns(2)
        role = a.selectbox(t("role"), list(ROLES), index=list(ROLES).index(row["role"]), format_func=_role, key=f"role_{login}")
        choices = [None, *units]
        unit = b.selectbox(t("unit"), choices, index=choices.index(row["unit"]) if row["unit"] in choices else 0,
                           format_func=lambda u: "—" if u is None else u, key=f"unit_{login}")  # fmt: skip
        if st.form_submit_button(t("change_role")):
            _done(accounts.update_user, login, role=role, unit=unit)
    a, b, c = st.columns(3)
    if row["active"] and a.button(t("disable"), key=f"disable_{login}"):
        _done(accounts.set_active, login, False)
    if not row["active"] and a.button(t("enable"), key=f"enable_{login}"):
        _done(accounts.set_active, login, True)
    if row["locked_until"] is not None and b.button(t("unlock"), key=f"unlock_{login}"):
        _done(accounts.unlock, login)
    with c.popover(t("reset_password")):
        new = st.text_input(t("new_password"), type="password", key=f"pw_{login}")
        if st.button(t("reset_password"), key=f"pw_go_{login}"):
            _done(accounts.set_password, login, new)


def units_section(key: str, units: list[str]) -> None:
    """The city's registered units, the units its data names that are not registered, and a form to add one."""
    st.subheader(t("units_list"))
    registered = accounts.units(key, database=current_key()[0])
    if registered:
        st.dataframe(
            pd.DataFrame([{t("unit"): u["name"], t("contact"): u["contact"] or "", t("phone"): u["phone"] or "",
                           t("active"): "✓" if u["active"] else "✗"} for u in registered]),
            hide_index=True,
        )  # fmt: skip
    missing = sorted(set(units) - {u["name"] for u in registered})
    if missing:
        st.caption(f"{t('units_from_data')}: {md('、'.join(missing))}")
        if st.button(f"{t('add_unit')} ({len(missing)})", key="units_from_data"):
            _done(accounts.add_units, key, missing)
    with st.form("add_unit", clear_on_submit=True):
        a, b, c = st.columns(3)
        name = a.text_input(t("unit"), key="unit_name")
        contact = b.text_input(t("contact"), key="unit_contact")
        phone = c.text_input(t("phone"), key="unit_phone")
        if st.form_submit_button(t("add_unit")):
            _done(accounts.add_units, key, [name], contact=contact or None, phone=phone or None)


def main() -> None:
    """The administrators' page."""
    city = current_city()
    page_title("page_users", city)
    if not allowed("users"):
        st.error(t("not_allowed_page"))
        return
    message = st.session_state.pop("users_flash", None)
    if message:
        st.success(message)
    database, key, _ = current_key()
    rows = accounts.users(by=me(), database=database)
    units = known_units(key)
    st.subheader(t("users_list"))
    users_table(rows)
    demo = [r["login"] for r in rows if r["demo"] and r["active"]]
    if demo and st.button(f"{t('disable_demo')} ({len(demo)})", key="disable_demo"):
        for login in demo:
            if login != me().login:
                accounts.set_active(login, False, by=me(), database=database)
        st.rerun()
    left, right = st.columns(2)
    with left:
        add_user_form(units)
    with right:
        manage_user(rows, units)
    units_section(key, units)
    with st.expander(t("account_events")):
        events = accounts.events(by=me(), database=database, limit=200)
        st.dataframe(pd.DataFrame(events, columns=["id", "at", "actor", "login", "action", "detail"]), hide_index=True)


main()
