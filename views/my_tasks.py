"""我的任务 My tasks (a responsible unit's user, often on a phone): its own unit's tasks only, nearest deadline first —
open one, see it on the map, accept or return it, attach a photo, report it fixed, ask for more time."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from facilities.errors import StoreError
from facilities.tasks import service
from ui import tasks as ui
from ui.auth import me
from ui.foliummap import show
from ui.safe import md
from ui.state import as_of, current_city, current_key, lang, page_title, t

UNIT = frozenset({"unit"})
#: the states a unit sees (a task not yet dispatched, or rejected, is not theirs yet)
SHOWN = ("dispatched", "accepted", "submitted", "verifying", "closed")


def extension(row) -> None:
    """Ask for a later due date, with a reason."""
    if not isinstance(row["due"], dt.date) or row["state"] not in ("dispatched", "accepted"):
        return
    with st.expander(t("request_extension")):
        prefix = f"ext_{int(row['id'])}"
        due = st.date_input(t("extension_to"), value=row["due"] + dt.timedelta(days=7), key=f"{prefix}_due", format="YYYY-MM-DD")
        reason = st.text_area(t("reason"), key=f"{prefix}_reason", height=80)
        if st.button(t("request_extension"), key=f"{prefix}_go"):
            database, key, _ = current_key()
            try:
                service.request_extension(key, int(row["id"]), due, reason=reason, user=me(), as_of=as_of(),
                                          version=int(row["version"]), database=database)  # fmt: skip
            except StoreError as exc:
                st.error(str(exc))
            else:
                st.rerun()


def main() -> None:
    """The unit's page."""
    city = current_city()
    page_title("page_my_tasks", city)
    result = ui.synced_result()
    ui.flash()
    user = me()
    if user.unit is None:  # the page is offered to a responsible unit's users only
        st.error(t("not_allowed_page"))
        return
    st.caption(f"{t('my_unit')}: {md(user.unit)}")
    frame = ui.all_tasks(result)  # the store gives a unit's user its own unit's tasks only
    mine = frame[frame["state"].isin(SHOWN) & (frame["unit"] == user.unit)].copy()
    mine["_order"] = mine["state"].map({"dispatched": 0, "accepted": 1, "submitted": 2, "verifying": 3, "closed": 4})
    mine = mine.sort_values(["_order", "due"], kind="stable")
    if mine.empty:
        st.info(t("no_my_tasks"))
        return
    for _, row in mine.iterrows():
        flag = " ⚠" if row["overdue"] else ""
        what = row["name"] if isinstance(row["name"], str) and row["name"] else (row["title_zh"] if lang() == "zh" else row["title_en"])
        head = f"#{int(row['id'])} · {ui.state_text(row['state'])} · {ui.countdown_text(row['days_left'])}{flag} · {what}"
        with st.expander(head, expanded=st.session_state.get("my_open") == int(row["id"])):
            ui.card(row)
            ui.gap_status(row, result)
            if isinstance(row["extension_due"], dt.date):
                st.info(t("extension_pending").format(due=row["extension_due"], reason=row["extension_reason"] or ""))
            if st.toggle(t("view_map"), key=f"my_map_{int(row['id'])}"):
                m = ui.task_map(row.to_frame().T, focus=int(row["id"]))
                show(m, key=f"my_map_v_{int(row['id'])}", height=300, center=(float(row["lat"]), float(row["lon"])), zoom=16)
            ui.step_form(row, UNIT, result)
            extension(row)
            ui.timeline(int(row["id"]))


main()
