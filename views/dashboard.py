"""领导看板 Dashboard (leaders): the countdown to the inspection, the score now and over time, tasks by
responsible unit, and what closing the open tasks would add to the score (an estimate, said as one)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from facilities.tasks import flow, queries
from facilities.tasks.figures import by_unit, countdown, gain
from facilities.words import number, percent, verdict
from ui import tasks as ui
from ui.state import as_of, current_city, current_key, lang, page_title, t


def main() -> None:
    """The leaders' page."""
    city = current_city()
    page_title("page_dashboard", city)
    result = ui.synced_result()
    frame = ui.all_tasks(result)
    days = countdown(city.config.inspection_date, as_of())
    table, after = gain(result, frame)
    c = st.columns(5)
    c[0].metric(t("countdown"), "—" if days is None else f"{days} {t('days')}",
                help=t("no_inspection") if days is None else t("inspection_on").format(date=city.config.inspection_date))  # fmt: skip
    c[1].metric(
        f"{t('score')} · {verdict(result.verdict, lang())}",
        f"{number(result.total)} / {result.max_points:.0f}",
        f"{number(result.total - result.pass_mark, sign=True)} {t('pass_mark')} {result.pass_mark:.0f}",
    )
    c[4].metric(t("assessed_share"), percent(result.assessed, 0), help=t("assessed_help"))
    c[2].metric(t("open_tasks"), int((~frame["state"].isin(list(flow.FINISHED))).sum()), f"{int(frame['overdue'].sum())} {t('overdue')}",
                delta_color="inverse")  # fmt: skip
    c[3].metric(t("closed_tasks"), int((frame["state"] == "closed").sum()))
    st.caption(f"{t('as_of_short')} {result.as_of.isoformat()}")
    if result.incomplete:
        st.warning(t("incomplete_warning").format(assessed=percent(result.assessed, 0), needed=percent(result.min_assessed, 0)))

    st.subheader(t("gain_title"))
    st.markdown(t("gain_summary").format(now=result.total, after=after, gain=round(after - result.total, 1) + 0.0))
    st.caption(t("gain_hint"))
    if not table.empty:
        lg = lang()
        st.dataframe(
            pd.DataFrame({
                t("rule"): table["title_zh" if lg == "zh" else "title_en"],
                t("gap_count"): table["gaps"],
                t("open_tasks"): table["open_tasks"],
                t("score"): table["points"],
                t("points_if_closed"): table["points_if_closed"],
                t("gain"): table["gain"],
            }),
            hide_index=True,
        )  # fmt: skip

    st.subheader(t("score_over_time"))
    _, key, _ = current_key()
    history = queries.runs(key, database=current_key()[0])
    if len(history):
        history = history.assign(as_of=pd.to_datetime(history["as_of"]))
        line = alt.Chart(history).mark_line(point=True).encode(
            x=alt.X("as_of:T", title=t("as_of_short")), y=alt.Y("total:Q", title=t("score"), scale=alt.Scale(zero=False)),
            tooltip=["as_of:T", "total:Q", "revision:Q", "gaps:Q"],
        )  # fmt: skip
        mark = alt.Chart(history).mark_rule(strokeDash=[4, 4], color="#c0392b").encode(y="pass_mark:Q")
        st.altair_chart(line + mark, width="stretch")

    st.subheader(t("tasks_by_unit"))
    units = by_unit(frame, as_of())
    if units.empty:
        st.caption(t("no_tasks"))
    else:
        st.dataframe(
            units.rename(columns={"unit": t("unit"), "open": t("open_tasks"), "overdue": t("overdue"), "closed": t("closed_tasks"),
                                  "rejected": ui.state_text("rejected"), "rework": t("rework"), "median_days_to_close": t("median_days")}),
            hide_index=True,
        )  # fmt: skip


main()
