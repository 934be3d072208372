"""亮化与标识 Lighting & signage (for leaders): key figures by district, charts, the two layers on a map, the
estimated road illuminance against CJJ 45 (lit km meeting it by district, drawn along the roads), and every
layer compared district by district (各区对比: a table, a chart of the figure the reader picks, a CSV)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from facilities import stats
from facilities.city import City
from facilities.schema import LAYERS
from facilities.spreadsheet import to_csv_bytes
from facilities.words import label, number, percent, ui, value_label
from ui.foliummap import show
from ui.planning import lighting_section
from ui.state import city_map, current_city, current_result, district_comparison, lang, page_title, t

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


def _district_text(district: str) -> str:
    """A district's name as shown: the city total and the unspecified district in the reader's language."""
    return {CITY_TOTAL: t("city_total"), stats.UNSPECIFIED: t("district_unspecified")}.get(district, district)


def _figure_text(column: str, value: object) -> str:
    """A figure of the district comparison as text: shares in %, densities and areas with decimals, counts whole;
    "—" when it cannot be computed."""
    if column.endswith("_share"):
        return percent(value)
    if column.endswith("_per_km2"):
        return number(value, 3)
    if column == "area_km2":
        return number(value, 1, grouping=True)
    return number(value, 0, grouping=True)


def _no_data(layer: str) -> str:
    """What the page says of a layer with no record at all ("没有路灯数据 / no lamps recorded")."""
    if layer in ("lamps", "signs"):
        return t(f"no_{layer}")
    spec = LAYERS[layer]
    return t("no_layer_data").format(layer=spec.title_zh if lang() == "zh" else spec.title_en.lower())


def comparison_chart(frame: pd.DataFrame, title: str, fmt: str, city_value: float | None) -> alt.Chart:
    """Horizontal bars of ``frame`` (``district``, ``value``, ``text``), largest first, each with its figure, and
    the whole city's figure as a dashed line (when it has one). Shares are drawn from just below the lowest."""
    scale = alt.Scale()
    if fmt.endswith("%"):  # shares near 100 %: differences of a few points must show
        lowest = min(float(frame["value"].min()), 1.0 if city_value is None else city_value)
        scale = alt.Scale(domain=[max(0.0, lowest - 0.05), 1.0], clamp=True)
    axis = alt.Axis(format=fmt, title=title, tickMinStep=1 if fmt == ",d" else alt.Undefined)
    base = alt.Chart(frame).encode(
        y=alt.Y("district:N", sort="-x", title=None),
        x=alt.X("value:Q", axis=axis, scale=scale),
        tooltip=[alt.Tooltip("district:N", title=t("district")), alt.Tooltip("text:N", title=title)],
    )
    bars = base.mark_bar(color="#2471a3") + base.mark_text(align="left", dx=4, color="#1b2631").encode(text="text:N")
    if city_value is not None:  # the line under the bars and their figures
        line = alt.Chart(pd.DataFrame({"value": [city_value]})).mark_rule(color="#e74c3c", strokeDash=[4, 3], size=2)
        bars = line.encode(x=alt.X("value:Q", scale=scale)) + bars
    return bars.properties(height=44 * len(frame) + 50)


def comparison_section(city: City) -> None:
    """各区对比 District comparison: every layer's figures side by side, district by district (a table with the
    figures as rows), a chart of the figure the reader picks and the table as CSV; layers with no record said
    in words, figures that cannot be computed shown as "—", never 0."""
    language = lang()
    st.subheader(t("district_comparison"))
    table = district_comparison()  # (cached on the city's revision)
    empty = [layer for layer in stats.COMPARISON_LAYERS if not len(city[layer])]
    if empty:  # said in words, and left out of the table and the chart
        st.info("\n\n".join(_no_data(layer) for layer in empty))
    dropped = {c for layer in empty for c in stats.COMPARISON_LAYERS[layer]}
    columns = [c for c in table.columns if c != "district" and c not in dropped]
    names = [_district_text(d) for d in table["district"]]
    is_city = (table["district"] == CITY_TOTAL).to_numpy()
    figures = [c for c in columns if c != "area_km2"]
    if figures:
        default = "toilets_per_km2" if "toilets_per_km2" in figures else figures[0]
        figure = st.selectbox(
            t("compare_figure"), figures, index=figures.index(default), format_func=lambda c: label(c, language), key="comparison_figure"
        )
        values = table[figure].astype("float64")
        bars = pd.DataFrame({"district": names, "value": values, "text": [_figure_text(figure, v) for v in table[figure]]})
        kept = bars[~is_city & values.notna().to_numpy()]
        city_value = values[is_city].iloc[0]
        fmt = ".0%" if figure.endswith("_share") else ",.3f" if figure.endswith("_per_km2") else ",d"
        if len(kept):
            chart = comparison_chart(kept, label(figure, language), fmt, None if pd.isna(city_value) else float(city_value))
            st.altair_chart(chart, width="stretch")
            if not pd.isna(city_value):
                st.caption(t("city_line").format(value=_figure_text(figure, city_value)))
        missing = [n for n, v, c in zip(names, values, is_city, strict=True) if pd.isna(v) and not c]
        if missing:
            st.caption(t("not_computable").format(districts="、".join(missing)))
    shown = pd.DataFrame({t("figure"): [label(c, language) for c in columns]})
    for i, name in enumerate(names):
        shown[name] = [_figure_text(c, table[c].iloc[i]) for c in columns]
    config = {t("figure"): st.column_config.TextColumn(t("figure"), pinned=True)}
    height = 35 * (len(shown) + 1) + 3  # every row shown: no scroll inside the table
    st.dataframe(shown, hide_index=True, column_config=config, width="stretch", height=height)
    st.caption(t("comparison_help"))
    csv = table[["district", *columns]].assign(district=names).round(4)
    csv.columns = [label(c, language) for c in csv.columns]
    st.download_button(t("download_csv"), to_csv_bytes(csv), f"{city.key}-districts.csv", "text/csv", key="comparison_csv")


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
    comparison_section(city)
    show(city_map(["lamps", "signs"], "none"), key="lighting_map", height=520)
    if result is not None:  # the illuminance estimate against CJJ 45, for each illuminance rule
        lighting_section(result)


main()
