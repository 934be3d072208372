"""亮化与标识 Lighting & signage (for leaders): key figures by district, charts, the two layers on a map, and the
estimated road illuminance against CJJ 45 (lit km meeting it by district, drawn along the roads)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from facilities import stats
from facilities.words import label, percent, ui, value_label
from ui.foliummap import show
from ui.planning import lighting_section
from ui.state import city_map, current_city, current_result, lang, page_title, t

CITY_TOTAL = stats.CITY


def _share(value: float) -> str:
    return percent(value)


def _class_text(road_class: str, lang: str) -> str:
    return ui("all", lang) if road_class == stats.ALL_CLASSES else value_label("roads", "road_class", road_class, lang)


def bar(frame: pd.DataFrame, x: str, y: str, title: str, fmt: str = "", color: str | None = None, target: float | None = None) -> alt.Chart:
    """Bars by district; shares are drawn from just below the lowest value, with the target as a line."""
    scale = alt.Scale()
    lowest = frame[y].min() if len(frame) else None
    if target is not None:  # a city with no lamps or no signs has no share (NaN): draw from the target
        low = target if lowest is None or pd.isna(lowest) else min(float(lowest), target)
        scale = alt.Scale(domain=[low - 0.02, 1.0], clamp=True)
    enc = {
        "x": alt.X(f"{x}:N", sort="-y", title=None),
        "y": alt.Y(f"{y}:Q", title=title, axis=alt.Axis(format=fmt) if fmt else alt.Axis(), scale=scale),
        "tooltip": [x, alt.Tooltip(y, format=fmt or ",.2f")],
    }
    if color:
        enc["color"] = alt.Color(f"{color}:N", title=None)
    chart = alt.Chart(frame).mark_bar().encode(**enc).properties(height=260)
    if target is not None:
        chart += alt.Chart(pd.DataFrame({"target": [target]})).mark_rule(color="#e74c3c", strokeDash=[4, 3]).encode(y="target:Q")
    return chart


def main() -> None:
    """Show working lamps, dark road km, bilingual signs and damaged or missing signs for the city and by district.

    Key figures for the whole city, bar charts by district, the tables behind them and a map of lamps and signs.
    """
    city = current_city()
    result = current_result(required=False)
    page_title("page_lighting", city)
    lamps = stats.lamp_figures(city)
    signs = stats.sign_figures(city)
    total_l = lamps[lamps["district"] == CITY_TOTAL].iloc[0]
    total_s = signs[signs["district"] == CITY_TOTAL].iloc[0]
    dark = stats.dark_road_km(result, city) if result is not None else pd.DataFrame(columns=["district", "road_class", "km"])
    no_lamps, no_signs = int(total_l["lamps"]) == 0, int(total_s["signs"]) == 0
    c = st.columns(4)
    c[0].metric(t("lamps_working"), "—" if no_lamps else _share(total_l["working_share"]),
                help=t("no_lamps") if no_lamps else f"{int(total_l['working']):,} / {int(total_l['lamps']):,}")  # fmt: skip
    dark_total = dark[(dark["district"] == CITY_TOTAL) & (dark["road_class"] == stats.ALL_CLASSES)]
    c[1].metric(t("dark_km"), f"{dark_total['km'].iloc[0]:.2f}" if len(dark_total) and not no_lamps else "—")
    c[2].metric(t("bilingual_share"), "—" if no_signs else _share(total_s["bilingual_share"]))
    c[3].metric(t("damaged_missing"), "—" if no_signs else f"{int(total_s['damaged']) + int(total_s['missing'])}")

    language = lang()
    dark = dark.assign(road_class=[_class_text(v, language) for v in dark["road_class"]])  # labelled once: charts, tables
    by_district_l = lamps[lamps["district"] != CITY_TOTAL]
    dark_by_district = dark[dark["district"] != CITY_TOTAL]
    by_district_s = signs[signs["district"] != CITY_TOTAL]
    left, right = st.columns(2)
    with left:
        if no_lamps:  # said in words: no chart of nothing, no 0 %
            st.info(t("no_lamps"))
        else:
            st.altair_chart(bar(by_district_l, "district", "working_share", t("lamps_working"), ".1%", target=0.98), width="stretch")
            if len(dark_by_district):
                st.altair_chart(bar(dark_by_district, "district", "km", t("dark_km"), color="road_class"), width="stretch")
    with right:
        if no_signs:
            st.info(t("no_signs"))
        else:
            st.altair_chart(bar(by_district_s, "district", "bilingual_share", t("bilingual_share"), ".1%", target=0.95), width="stretch")
            kinds = {k: label(k, language) for k in ("damaged", "missing")}
            damaged = by_district_s.rename(columns=kinds).melt(
                id_vars="district", value_vars=list(kinds.values()), var_name="condition", value_name="count"
            )
            st.altair_chart(bar(damaged, "district", "count", t("damaged_missing"), color="condition"), width="stretch")
    with st.expander(t("tables")):
        for frame in (lamps, signs, dark):
            if len(frame):
                shown = frame.assign(**{c: frame[c].map(percent) for c in frame.columns if c.endswith("_share")})
                shown["district"] = shown["district"].replace({CITY_TOTAL: t("city_total")})
                st.dataframe(shown.rename(columns={c: label(c, language) for c in frame.columns}), hide_index=True)
    show(city_map(["lamps", "signs"], "none"), key="lighting_map", height=520)
    if result is not None:  # the illuminance estimate against CJJ 45, for each illuminance rule
        lighting_section(result)


main()
