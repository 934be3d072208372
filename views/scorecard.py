"""评分 Scorecard: the total against the pass mark, the assessed share of the checklist's weight and the verdict
(passed, failed, incomplete), points by rule, what would raise the score most; a printable report."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from documents.scorecard import scorecard_html
from facilities import stats
from facilities.palette import BLUE, ORANGE
from facilities.words import BOOLEAN, label, number, percent, pick, verdict
from ui.state import current_city, current_result, lang, page_title, t


def improve_table(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """The rules to improve as a reader sees them: the title in the chosen language, shares as percentages,
    the verdict in words, an empty cell (not ``None``) where a rule was not assessed."""
    out = pd.DataFrame({
        label("rule", language): frame["title_zh" if language == "zh" else "title_en"],
        label("share", language): frame["share"].map(percent),
        label("threshold", language): frame["threshold"].map(percent),
        label("passed", language): ["" if pd.isna(v) else pick(BOOLEAN[bool(v)], language) for v in frame["passed"]],
    })  # fmt: skip
    for col in ("points", "weight", "points_missing", "gain"):
        out[label(col, language)] = ["" if pd.isna(v) else number(v, 1) for v in frame[col]]
    out[label("gaps", language)] = frame["gaps"]
    return out


def main() -> None:
    """Show the score against the pass mark, the assessed share and the verdict, points won and missed by rule,
    and what would raise the score most.

    The full scorecard downloads as a printable HTML report.
    """
    city = current_city()
    result = current_result()
    page_title("page_scorecard", city)
    c = st.columns(4)
    c[0].metric(
        f"{t('score')} · {t('as_of_short')} {result.as_of.isoformat()}",
        f"{number(result.total)} / {result.max_points:.0f}",
        number(result.total - result.pass_mark, sign=True),
    )
    c[1].metric(t("pass_mark"), f"{result.pass_mark:g}")
    c[2].metric(t("assessed_share"), percent(result.assessed, 0), help=t("assessed_help"))
    c[3].metric(t("result"), verdict(result.verdict, lang()))
    if result.incomplete:
        st.warning(t("incomplete_warning").format(assessed=percent(result.assessed, 0), needed=percent(result.min_assessed, 0)))
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
            y=alt.Y("title:N", sort=list(s["title"]), title=None, axis=alt.Axis(labelLimit=200)),
            x=alt.X("value:Q", stack="zero", title=t("points_by_rule")),
            color=alt.Color("part:N", scale=alt.Scale(domain=[got, lost], range=[BLUE, ORANGE]), title=None),
            order=alt.Order("order:Q"),
            tooltip=["title", "part", alt.Tooltip("value:Q", format=".1f")],
        )
        .properties(height=28 * len(s))
    )
    st.subheader(t("points_by_rule"))  # (between the metrics and the chart: its toolbar never covers the result)
    st.altair_chart(chart, width="stretch")
    st.subheader(t("to_improve"))
    st.dataframe(improve_table(stats.rules_to_improve(result), lang()), hide_index=True)
    report = scorecard_html(result, city, lang=lang())
    st.download_button(t("download_report"), report.encode("utf-8"), f"scorecard-{city.folder.name}-{result.as_of}.html", "text/html")


main()
