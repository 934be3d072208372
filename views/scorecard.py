"""评分 Scorecard: the total against the pass mark, points by rule, what would raise the score most; a printable report."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from documents.scorecard import scorecard_html
from facilities import stats
from ui.state import current_city, current_result, lang, page_title, t


def main() -> None:
    """Show the score against the pass mark, points won and missed by rule, and what would raise the score most.

    The full scorecard downloads as a printable HTML report.
    """
    city = current_city()
    result = current_result()
    page_title("page_scorecard", city)
    verdict = t("passed") if result.passed else t("failed")
    c = st.columns(3)
    c[0].metric(
        f"{t('score')} · {t('as_of_short')} {result.as_of.isoformat()}",
        f"{result.total:.1f} / {result.max_points:.0f}",
        f"{result.total - result.pass_mark:+.1f}",
    )
    c[1].metric(t("pass_mark"), f"{result.pass_mark:g}")
    c[2].metric(t("result"), verdict)
    s = result.summary.copy()
    s["title"] = s["title_zh"] if lang() == "zh" else s["title_en"]
    s["missing"] = (s["weight"] - s["points"]).clip(lower=0)
    got, lost = t("points"), t("points_missing")
    long = pd.concat(
        [
            s.assign(part=got, order=0, value=s["points"].fillna(0))[["title", "part", "order", "value"]],
            s.assign(part=lost, order=1, value=s["missing"].fillna(0))[["title", "part", "order", "value"]],
        ]
    )
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("title:N", sort=list(s["title"]), title=None, axis=alt.Axis(labelLimit=420)),
            x=alt.X("value:Q", stack="zero", title=t("points_by_rule")),
            color=alt.Color("part:N", scale=alt.Scale(domain=[got, lost], range=["#27ae60", "#e74c3c"]), title=None),
            order=alt.Order("order:Q"),
            tooltip=["title", "part", alt.Tooltip("value:Q", format=".1f")],
        )
        .properties(height=28 * len(s))
    )
    st.altair_chart(chart, width="stretch")
    st.subheader(t("to_improve"))
    st.dataframe(stats.rules_to_improve(result), hide_index=True)
    report = scorecard_html(result, city, lang=lang())
    st.download_button(t("download_report"), report.encode("utf-8"), f"scorecard-{city.folder.name}-{result.as_of}.html", "text/html")


main()
