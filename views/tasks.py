"""任务 Tasks (staff): every rectification task — list, board by state, map, notices — each with its
countdown; a task's page with its gap now, timeline, photos and the allowed next steps."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pandas as pd
import streamlit as st

from documents.notice import notice_docx, notice_filename, notice_html
from facilities.errors import StoreError
from facilities.rules import city_rules
from facilities.tasks import flow, letters, queries, service
from facilities.tasks.figures import countdown
from facilities.tasks.notice import Notice
from facilities.words import label
from ui import tasks as ui
from ui.auth import allowed, me
from ui.foliummap import show
from ui.state import as_of, current_city, current_key, lang, page_title, t

STAFF = frozenset({"staff", "unit"})  # every step; the form shows those the signed-in role may take (an admin: all)


def filters(frame: pd.DataFrame) -> pd.DataFrame:
    """State, unit, rule, district and overdue filters; the tasks they leave."""
    c1, c2, c3, c4 = st.columns(4)
    states = c1.multiselect(
        t("state"), list(flow.STATES), format_func=ui.state_text, placeholder=t("all"), select_all=False, key="tasks_states"
    )
    units = c2.multiselect(t("unit"), sorted(frame["unit"].dropna().unique()), placeholder=t("all"), select_all=False, key="tasks_units")
    titles = dict(zip(frame["rule"], frame["title_zh" if lang() == "zh" else "title_en"], strict=False))
    rules = c3.multiselect(
        t("rule"), sorted(titles), format_func=lambda r: titles[r], placeholder=t("all"), select_all=False, key="tasks_rules"
    )
    districts = c4.multiselect(
        t("district"), sorted(frame["district"].dropna().unique()), placeholder=t("all"), select_all=False, key="tasks_districts"
    )
    overdue = st.toggle(t("overdue_only"), key="tasks_overdue")
    shown = frame
    for column, chosen in (("state", states), ("unit", units), ("rule", rules), ("district", districts)):
        if chosen:
            shown = shown[shown[column].isin(chosen)]
    return shown[shown["overdue"]] if overdue else shown


def headline(frame: pd.DataFrame) -> None:
    """Counts by state, overdue, and the countdown to the inspection."""
    city = current_city()
    days = countdown(city.config.inspection_date, as_of())
    cols = st.columns(4)
    cols[0].metric(t("open_tasks"), int((~frame["state"].isin(list(flow.FINISHED))).sum()))
    cols[1].metric(t("overdue"), int(frame["overdue"].sum()))
    cols[2].metric(t("closed_tasks"), int((frame["state"] == "closed").sum()))
    if days is None:
        cols[3].metric(t("countdown"), "—", help=t("no_inspection"))
    else:
        cols[3].metric(t("countdown"), f"{days} {t('days')}", help=t("inspection_on").format(date=city.config.inspection_date))


def listing(shown: pd.DataFrame) -> int | None:
    """The tasks as a table; the one picked."""
    lg = lang()
    table = pd.DataFrame({
        "#": shown["id"].astype(int),
        t("state"): [ui.state_text(s) for s in shown["state"]],
        t("unit"): shown["unit"].fillna("—"),
        t("due"): shown["due"],
        t("days_left"): shown["days_left"],
        t("overdue"): shown["overdue"].map({True: "⚠", False: ""}),
        t("fixed_pending"): shown["fixed_pending"].map({True: "✓", False: ""}),
        t("rule"): shown["title_zh" if lg == "zh" else "title_en"],
        label("district", lg): shown["district"],
        label("name", lg): shown["name"],
        label("detail", lg): [ui.detail_text(row) for _, row in shown.iterrows()],  # the gap, in the reader's language
        t("notice"): shown["notice"],
        t("rework"): shown["rework"],
    })  # fmt: skip
    picked = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode="single-row", key="tasks_table")
    rows = picked.selection.rows if picked is not None else []
    return int(shown["id"].iloc[rows[0]]) if rows else None


#: cards shown per state on the board (the list and the filters show the rest)
BOARD_CARDS = 12


def board(shown: pd.DataFrame) -> None:
    """One column per state that has tasks, a card per task (overdue and nearest deadline first)."""
    states = [s for s in flow.STATES if (shown["state"] == s).any()]
    if not states:
        st.info(t("no_tasks"))
        return
    for col, state in zip(st.columns(len(states)), states, strict=True):
        of_state = shown[shown["state"] == state].sort_values(["overdue", "days_left"], ascending=[False, True], kind="stable")
        col.markdown(f"**{ui.state_text(state)}** ({len(of_state)})")
        for row in queries.rows(of_state.head(BOARD_CARDS)):
            flag = "⚠ " if row.overdue else ""
            left = ui.countdown_text(row.days_left)
            if col.button(f"{flag}#{row.id} · {row.unit or '—'}" + (f" · {left}" if left else ""), key=f"board_{row.id}", width="stretch"):
                st.session_state["task_open"] = int(row.id)
        if len(of_state) > BOARD_CARDS:
            col.caption(t("board_more").format(n=len(of_state) - BOARD_CARDS))


def notices_tab(frame: pd.DataFrame) -> None:
    """Dispatch the filed tasks under numbered notices; download any notice issued."""
    database, key, _ = current_key()
    filed_units = sorted(frame.loc[(frame["state"] == "filed") & frame["unit"].notna(), "unit"].unique())
    units = None
    if allowed("notices"):
        st.caption(t("dispatch_hint"))
        units = st.multiselect(t("unit"), filed_units, placeholder=t("all"), select_all=False, key="notice_units")
    if allowed("notices") and st.button(t("dispatch_notices"), type="primary", disabled=not filed_units, key="notice_go"):
        try:
            issued = service.issue_notices(key, user=me(), as_of=as_of(), units=units or None, database=database)
        except StoreError as exc:
            st.error(str(exc))
        else:
            st.session_state["task_flash"] = t("issued_n").format(n=len(issued)) if issued else t("nothing_to_dispatch")
            st.rerun()
    issued = queries.notices(key, user=me(), database=database)
    st.subheader(t("notices_issued"))
    if issued.empty:
        st.caption(t("no_notices"))
        return
    st.dataframe(issued[["number", "unit", "issued", "user"]].assign(tasks=issued["tasks"].map(len)), hide_index=True)
    city, rules = current_city(), city_rules(current_city())
    user = me()  # (the downloads below are built when clicked, outside this run: who asks is taken now)

    def all_notices() -> bytes:  # one Word file per notice, in one ZIP (built when clicked)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for n in issued["number"]:
                content = letters.notice_content(key, n, city, rules, user=user, database=database)
                z.writestr(notice_filename(content, ".docx"), notice_docx(content))
        return out.getvalue()

    st.download_button(t("download_all_notices").format(n=len(issued)), all_notices, "整改通知书.zip", "application/zip", key="notice_zip")
    number = st.selectbox(t("notice"), list(issued["number"]), key="notice_pick")
    if number:
        unit = str(issued.loc[issued["number"] == number, "unit"].iloc[0])

        def content():  # built when a download is clicked (a notice of a hundred tasks takes a second)
            return letters.notice_content(key, number, city, rules, user=user, database=database)

        name = notice_filename(Notice(number, "", "", "", unit, as_of(), (), ""), ".docx")
        a, b = st.columns(2)
        a.download_button(t("download_docx"), lambda: notice_docx(content()), name, key="notice_docx",
                          mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")  # fmt: skip
        b.download_button(
            t("download_html"), lambda: notice_html(content()), name.removesuffix(".docx") + ".html", "text/html", key="notice_html"
        )


def detail(row: pd.Series, result) -> None:
    """One task: its card, the gap now, a pending extension, the timeline and the next steps."""
    head, close = st.columns([5, 1], vertical_alignment="bottom")
    head.header(t("task_title").format(id=int(row["id"])))
    if close.button(t("close_task_view"), key="task_close_view"):
        st.session_state.pop("task_open", None)
        st.rerun()
    left, right = st.columns([3, 2])
    with left:
        ui.card(row)
        ui.gap_status(row, result)
        if isinstance(row["extension_due"], dt.date):
            st.info(t("extension_pending").format(due=row["extension_due"], reason=row["extension_reason"] or ""))
        if isinstance(row["extension_due"], dt.date) and allowed("decide_extension"):
            a, b = st.columns(2)
            database, key, _ = current_key()
            for col, approve, word in ((a, True, "approve"), (b, False, "refuse")):
                if col.button(t(word), key=f"ext_{word}_{int(row['id'])}"):
                    try:
                        service.decide_extension(key, int(row["id"]), approve=approve, user=me(), as_of=as_of(),
                                                 version=int(row["version"]), database=database)  # fmt: skip
                    except StoreError as exc:
                        st.error(str(exc))
                    else:
                        st.rerun()
        ui.step_form(row, STAFF, result)
    with right:
        one = row.to_frame().T
        show(ui.task_map(one, focus=int(row["id"])), key=f"task_map_{int(row['id'])}", height=320,
             center=(float(row["lat"]), float(row["lon"])), zoom=16)  # fmt: skip
        ui.timeline(int(row["id"]))
    st.divider()


def main() -> None:
    """The tasks page."""
    city = current_city()
    page_title("page_tasks", city)
    result = ui.synced_result()
    ui.flash()
    frame = ui.all_tasks(result)
    headline(frame)
    shown = filters(frame)
    top = st.container()  # the chosen task, above the list (a pick in the list or on the board shows it here)
    # the tabs keep the chosen one across reruns (a message above them after an action must not reset it to the
    # first) and only the open tab's content is built
    tab_list, tab_board, tab_map, tab_notices = st.tabs(
        [t("view_list"), t("view_board"), t("view_map"), t("view_notices")], key="tasks_view", on_change="rerun"
    )
    picked = None
    if tab_list.open:
        with tab_list:
            if shown.empty:
                st.info(t("no_tasks"))
            else:
                picked = listing(shown)
                if picked is None:
                    st.caption(t("pick_task"))
    if tab_board.open:
        with tab_board:
            board(shown)
    if tab_map.open:
        with tab_map:
            open_ones = shown[~shown["state"].isin(list(flow.FINISHED))]
            show(ui.task_map(open_ones), key="tasks_map", height=520)
    if tab_notices.open:
        with tab_notices:
            notices_tab(frame)
    chosen = picked or st.session_state.get("task_open")
    if chosen is not None and chosen in set(frame["id"]):
        with top:
            detail(frame[frame["id"] == chosen].iloc[0], result)
    st.caption(t("flow_hint"))


main()
