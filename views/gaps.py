"""缺口 Gaps: every rule with its share and points; the gap list by rule, district and unit; downloads; gaps
filed as rectification tasks (立案); where to build next (site suggestions)."""

from __future__ import annotations

import hashlib

import geopandas as gpd
import pandas as pd
import streamlit as st

from facilities.check import Result
from facilities.errors import StoreError
from facilities.query import select_gaps
from facilities.spreadsheet import XLSX_MIME, to_csv_bytes, to_xlsx_bytes
from facilities.tasks import flow, queries, service
from facilities.words import label, measure_text, number, percent, pick, verdict
from maps import MAP_LAYERS
from maps.city_map import fit_view
from ui.auth import allowed, me
from ui.foliummap import show
from ui.planning import sites_section
from ui.state import city_map, current_city, current_key, current_result, lang, page_title, t

#: the box a view is fitted to (px): a phone's map, so the picked gap fits on any screen (wider ones see more around it)
MAP_FIT = {"width_px": 340, "height_px": 480}


def summary_table(result: Result) -> pd.DataFrame:
    """One row per rule: title (chosen language), id, items checked, share, threshold, points, weight, its
    assessment (passed, failed, not applicable, no data) and the note saying why a rule was not assessed."""
    s = result.summary
    lg = lang()
    return pd.DataFrame(
        {
            t("rule"): s["title_zh"] if lg == "zh" else s["title_en"],
            label("checked", lg): s["checked"].round(0),
            label("share", lg): s["share"],
            label("threshold", lg): s["threshold"],
            label("points", lg): s["points"],
            label("weight", lg): s["weight"],
            label("assessment", lg): [verdict(a, lg) for a in s["assessment"]],
            label("detail", lg): s["note"],
        }
    )


def table(gaps: gpd.GeoDataFrame) -> pd.DataFrame:
    """Gaps as a plain table: centroid lon/lat instead of geometry."""
    pts = gaps.geometry.representative_point()
    frame = pd.DataFrame(gaps.drop(columns="geometry"))
    frame["lon"], frame["lat"] = pts.x.round(6), pts.y.round(6)
    return frame


def downloads(gaps: gpd.GeoDataFrame) -> None:
    """Download buttons for the gaps as GeoJSON, CSV and Excel."""
    flat = table(gaps)
    a, b, c = st.columns(3)
    a.download_button(t("download_geojson"), gaps.to_json(ensure_ascii=False, drop_id=True), "gaps.geojson", "application/geo+json")
    b.download_button(t("download_csv"), to_csv_bytes(flat), "gaps.csv", "text/csv")
    c.download_button(t("download_xlsx"), to_xlsx_bytes(flat, "gaps"), "gaps.xlsx", XLSX_MIME)


def main() -> None:
    """Show the score against the pass mark, every rule's share and points, and the gaps with their downloads.

    The gap table is filtered by rule, district and unit, and the map below draws the gaps it lists (and only
    those), zoomed to them; the gap picked in the table is marked on the map, which is zoomed to it.
    """
    city = current_city()
    result = current_result()
    page_title("page_gaps", city)
    st.markdown(
        f"**{t('score')} {number(result.total)} / {result.max_points:.0f}** · {t('pass_mark')} {result.pass_mark:.0f}"
        f" · {t('assessed_share')} {percent(result.assessed, 0)} · **{verdict(result.verdict, lang())}**"
        f" · {t('as_of_short')} {result.as_of.isoformat()}"
    )
    st.subheader(t("rules_summary"))  # (between the verdict and the table: the table's toolbar never covers the verdict)
    st.dataframe(
        summary_table(result),
        hide_index=True,
        column_config={
            label("share", lang()): st.column_config.ProgressColumn(label("share", lang()), format="percent", min_value=0, max_value=1),
            label("threshold", lang()): st.column_config.NumberColumn(label("threshold", lang()), format="percent"),
        },
    )
    gaps = result.gaps
    titles = result.summary.set_index("rule")["title_zh" if lang() == "zh" else "title_en"]
    c1, c2, c3 = st.columns(3)
    rules = c1.multiselect(t("rule"), list(titles.index), format_func=lambda r: titles[r], placeholder=t("all"))
    districts = c2.multiselect(t("district"), sorted(gaps["district"].dropna().unique()), placeholder=t("all"))
    units = c3.multiselect(t("unit"), sorted(gaps["unit"].dropna().unique()), placeholder=t("all"))
    chosen = {"rules": rules or None, "districts": districts or None, "units": units or None}
    shown = select_gaps(gaps, **chosen)  # (the list and the map: one selection)
    st.subheader(f"{t('gaps_table')} ({len(shown)} {t('rows')})")
    st.caption(t("gap_hint"))
    flat = table(shown)
    flat["rule"] = flat["rule"].map(titles).fillna(flat["rule"])  # titles in the reader's language, not rule ids
    flat["detail"] = flat["detail_zh" if lang() == "zh" else "detail"]
    # what the gap is about first: a phone shows the table's first two columns
    columns = ["name", "rule", "feature_id", "district", "unit", "measure", "detail", "lon", "lat", "gap_id"]
    if flat["straight_m"].notna().any():  # a walking rule's gaps: the straight line beside the walk
        columns.insert(columns.index("measure") + 1, "straight_m")
    # the measure with its unit in the reader's words; nothing where a gap has none (never None or NaN)
    shown_table = flat[columns].assign(
        measure=[measure_text(m, u or "", lang()) for m, u in zip(flat["measure"], flat["measure_unit"], strict=True)],
        straight_m=[measure_text(m, "m", lang()) for m in flat["straight_m"]],
    )
    shown_table = shown_table[columns].rename(columns={c: label(c, lang()) for c in columns})
    if allowed("read_tasks"):  # a viewer sees the gaps, not the tasks
        shown_table.insert(0, t("task_col"), open_tasks(flat["gap_id"]))
    picked = st.dataframe(
        shown_table,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key=f"gap_table_{selection_key(chosen)}",  # (a new choice of filters starts with no row picked)
    )
    rows = [r for r in (picked.selection.rows if picked is not None else []) if r < len(shown)]
    picked_id = str(flat["gap_id"].iloc[rows[0]]) if rows else None
    # the map zoomed to the picked gap, else to the gaps listed when the list is filtered
    focus = shown.iloc[rows[0] : rows[0] + 1] if rows else shown if any(chosen.values()) else shown.iloc[:0]
    center, zoom = fit_view(*focus.total_bounds, **MAP_FIT) if len(focus) else (None, None)
    prepared = city_map(list(MAP_LAYERS), "none", gap_select=chosen, picked=picked_id)
    show(prepared, key="gaps_map", height=520, center=center, zoom=zoom)
    downloads(shown)
    if allowed("file"):
        file_tasks(shown, shown.iloc[rows[0] : rows[0] + 1] if rows else None, titles)
    sites_section()


def selection_key(chosen: dict) -> str:
    """A short key for a choice of filters (the gap table's key: a new choice resets the row picked)."""
    return hashlib.sha1(repr(sorted((k, sorted(v or ())) for k, v in chosen.items())).encode()).hexdigest()[:10]


def open_tasks(gap_ids: pd.Series) -> list[str]:
    """For each gap, its task (``#12 派遣``; one case per gap) or ""."""
    database, key, _ = current_key()
    frame = queries.tasks(key, user=me(), database=database).sort_values("id")
    by_gap = {g: f"#{i} {pick(flow.STATES[s], lang())}" for g, i, s in zip(frame["gap_id"], frame["id"], frame["state"], strict=True)}
    return [by_gap.get(g, "") for g in gap_ids]


def file_tasks(shown: gpd.GeoDataFrame, picked: gpd.GeoDataFrame | None, titles: pd.Series) -> None:
    """File gaps as rectification tasks (立案): the picked gap, the gaps listed, or every gap of a rule."""
    st.subheader(t("file_tasks"))
    st.caption(t("unit_rule_hint"))
    result = current_result()
    assert result is not None
    unit = st.text_input(t("assign_unit"), key="file_unit").strip() or None
    chosen = None
    rule = st.selectbox(t("rule_to_file"), list(titles.index), format_func=lambda r: titles[r], key="file_rule_pick")
    a, b, c = st.columns(3)
    if a.button(t("file_selected"), disabled=picked is None, key="file_one"):
        chosen = picked
    if b.button(t("file_shown").format(n=len(shown)), disabled=shown.empty, key="file_shown"):
        chosen = shown
    if c.button(t("file_rule"), key="file_rule"):
        chosen = result.gaps[result.gaps["rule"] == rule]
    if chosen is None:
        return
    database, key, _ = current_key()
    try:
        filed = service.file_tasks(key, current_city(), chosen, user=me(), as_of=result.as_of, unit=unit, database=database)
    except StoreError as exc:
        st.error(str(exc))
        return
    st.success(t("filed_n").format(n=len(filed.created), m=len(filed.already)))


main()
