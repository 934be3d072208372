"""The planning parts of the pages: the illuminance estimate (lighting page) and site suggestions (gaps page).

The engine's answers are cached per database, city, revision, check date and request (a save makes a new
revision, so they are computed again); the maps are built from them once per language.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import geopandas as gpd
import pandas as pd
import streamlit as st

from facilities import siting, stats, store
from facilities.check import Result
from facilities.errors import EditConflict, EditRejected, StoreError
from facilities.tasks import service
from facilities.words import SITING_STATUS, label, number, percent, pick, value_label
from maps.planning import illuminance_map, sites_map
from ui import foliummap
from ui.auth import allowed, me
from ui.foliummap import show
from ui.state import as_of, checked, current_city, current_key, current_result, current_source, illuminance, lang, load, t

#: the largest number of sites one may ask for at once
MAX_SITES = 30
#: how long the exact model may run in the app (seconds); the greedy answer is kept when it stops early
EXACT_SECONDS = 20


@st.cache_resource(show_spinner="正在绘制地图 Drawing the map…", max_entries=16)
def _lux_map(database: str, key: str, revision: int, day: dt.date, rule_id: str, language: str) -> dict:
    stretches = illuminance(database, key, revision, day)[rule_id]
    return foliummap.prepare(illuminance_map(load(database, key, revision), stretches, lang=language))


def lighting_section(result: Result) -> None:
    """For each illuminance rule: lit km meeting CJJ 45 (an estimate) for the city and by district, a chart,
    the table and the estimate drawn along the roads."""
    rules = [r for r in result.rules or () if r.kind == "illuminance"]
    if not rules:
        return
    database, key, revision = current_key()
    lg = lang()
    for rule in rules:
        st.subheader(f"{t('lux_title')} · {rule.title_zh if lg == 'zh' else rule.title_en}")
        st.caption(t("lux_caption"))
        stretches = illuminance(database, key, revision, result.as_of)[rule.id]
        if not len(stretches):
            st.info(t("lux_none"))
            continue
        figures = stats.illuminance_km(current_city(), rule, result.as_of, stretches=stretches)
        city_rows = figures[(figures["district"] == stats.CITY) & (figures["road_class"] == stats.ALL_CLASSES)]
        total = city_rows.iloc[0] if len(city_rows) else None
        c = st.columns(4)
        if total is not None:
            c[0].metric(t("lux_km_checked"), number(total["checked_km"], 1))
            c[1].metric(t("lux_km_meeting"), number(total["meeting_km"], 1))
            c[2].metric(t("lux_km_meeting_share"), percent(total["meeting_share"]))
        c[3].metric(t("lux_grade"), t(f"lux_grade_{rule.params['grade']}"))
        by_district = district_totals(figures)
        if len(by_district):
            chart = (
                alt.Chart(by_district)
                .mark_bar()
                .encode(
                    x=alt.X("district:N", sort="-y", title=None),
                    y=alt.Y(
                        "meeting_share:Q", title=t("lux_km_meeting_share"), axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])
                    ),
                    tooltip=["district", alt.Tooltip("checked_km:Q", format=".1f"), alt.Tooltip("meeting_km:Q", format=".1f")],
                )
                .properties(height=240)
            )
            st.altair_chart(chart, width="stretch")
        shown = figures[figures["road_class"] != stats.ALL_CLASSES]
        st.dataframe(
            pd.DataFrame({
                label("district", lg): shown["district"],
                label("road_class", lg): [value_label("roads", "road_class", v, lg) for v in shown["road_class"]],
                t("lux_km_checked"): shown["checked_km"].round(2),
                t("lux_km_meeting"): shown["meeting_km"].round(2),
                t("lux_km_meeting_share"): [percent(v) for v in shown["meeting_share"]],
            }),
            hide_index=True,
        )  # fmt: skip
        show(_lux_map(database, key, revision, result.as_of, rule.id, lg), key=f"lux_map_{rule.id}", height=480)


def district_totals(figures: pd.DataFrame) -> pd.DataFrame:
    """Per district (the city row left out): the km checked and meeting over every road class, and the share."""
    rows = figures[(figures["district"] != stats.CITY) & (figures["road_class"] != stats.ALL_CLASSES)]
    out = rows.groupby("district", sort=False)[["checked_km", "meeting_km"]].sum().reset_index()
    out["meeting_share"] = out["meeting_km"] / out["checked_km"].where(out["checked_km"] > 0)
    return out


# --------------------------------------------------------------------------- site suggestions


@st.cache_resource(show_spinner="正在计算建议选址 Finding sites…", max_entries=16)
def _suggest(database: str, key: str, revision: int, day: dt.date, rule_id: str, k: int, method: str) -> siting.Siting | gpd.GeoDataFrame:
    city = load(database, key, revision)
    result = checked(database, key, revision, day)
    assert isinstance(result, Result) and result.rules is not None
    rule = result.rules.get(rule_id)
    assert rule is not None
    if rule.kind == "along":  # numbered through (its rank within the gap kept as in_gap)
        sites = siting.along_sites(city, rule, result).rename(columns={"rank": "in_gap"})
        sites.insert(0, "rank", range(1, len(sites) + 1))
        return sites
    return siting.suggest_sites(city, rule, result, k=k, method=method, time_limit_s=EXACT_SECONDS)


@st.cache_resource(show_spinner="正在绘制地图 Drawing the map…", max_entries=16)
def _sites_map(database: str, key: str, revision: int, day: dt.date, rule_id: str, k: int, method: str, language: str) -> dict:
    """The map of one suggestion (the rule's gaps, its facilities, the sites), built once per request and language."""
    answer = _suggest(database, key, revision, day, rule_id, k, method)
    sites = answer if isinstance(answer, gpd.GeoDataFrame) else answer.sites
    result = checked(database, key, revision, day)
    assert isinstance(result, Result) and result.rules is not None
    rule = result.rules.get(rule_id)
    assert rule is not None
    return foliummap.prepare(sites_map(load(database, key, revision), result, rule, sites, lang=language))


def sites_section() -> None:
    """Suggest where new facilities would close the most gaps of a reach rule (or each dark stretch of an
    along rule), with what each would cover and add to the score; staff make a suggestion a planned
    facility, or file the gaps it would close as tasks."""
    result = current_result()
    assert result is not None and result.rules is not None
    lg = lang()
    rules = [r for r in result.rules if r.kind in ("reach", "along") and (result.gaps["rule"] == r.id).any()]
    st.subheader(t("sites_title"))
    st.caption(t("sites_hint"))
    if not rules:
        st.info(t("sites_none"))
        return
    titles = {r.id: r.title_zh if lg == "zh" else r.title_en for r in rules}
    a, b, c = st.columns([3, 1, 1])
    rule_id = a.selectbox(t("sites_rule"), list(titles), format_func=lambda r: titles[r], key="sites_rule")
    rule = result.rules.get(rule_id)
    assert rule is not None
    along = rule.kind == "along"
    k = b.number_input(t("sites_k"), 1, MAX_SITES, 5, key="sites_k", disabled=along)
    exact = c.toggle(t("sites_exact"), key="sites_exact", disabled=along, help=t("sites_exact_help"))
    if not st.button(t("sites_go"), key="sites_go") and st.session_state.get("sites_shown") != (rule_id, k, exact):
        return
    st.session_state["sites_shown"] = (rule_id, k, exact)
    database, key, revision = current_key()
    answer = _suggest(database, key, revision, result.as_of, rule_id, int(k), "exact" if exact else "greedy")
    sites = answer if isinstance(answer, gpd.GeoDataFrame) else answer.sites
    if isinstance(answer, siting.Siting):
        st.markdown(
            t("sites_summary").format(
                before=answer.uncovered_before, after=answer.uncovered_after, n=len(sites),
                points=number(sites["points"].iloc[-1] if len(sites) else 0, 1, sign=True),
                method=t("sites_exact") if answer.method == "exact" else t("sites_greedy"),
                status=pick(SITING_STATUS.get(answer.status, (answer.status, answer.status)), lg),
            )
        )  # fmt: skip
    else:
        st.markdown(t("sites_along_summary").format(n=len(sites), gaps=sites["gap_id"].nunique() if len(sites) else 0))
    if not len(sites):
        return
    st.dataframe(site_table(sites), hide_index=True)
    show(
        _sites_map(database, key, revision, result.as_of, rule_id, int(k), "exact" if exact else "greedy", lg), key="sites_map", height=480
    )
    make_planned(rule, sites)


def site_table(sites: gpd.GeoDataFrame) -> pd.DataFrame:
    """The suggestions as a table in the reader's language (rank, gain, covered, points, road, lon/lat)."""
    lg = lang()
    out = pd.DataFrame({t("site_rank"): sites["rank"].astype(int)})
    if "gain" in sites:
        out[t("site_gain")] = sites["gain"].astype(int)
        out[t("site_cumulative")] = sites["cumulative_covered"].astype(int)
        out[t("site_covers")] = ["、".join(str(n) for n in names) for names in sites["covered_names"]]
        out[t("site_points")] = [number(p, 1, sign=True) for p in sites["points"]]
    if "gap_id" in sites:
        out[label("gap_id", lg)] = sites["gap_id"]
    out[t("site_road_col")] = sites["road"].fillna("")
    out[label("lon", lg)] = sites.geometry.x.round(6)
    out[label("lat", lg)] = sites.geometry.y.round(6)
    return out


def id_prefix(ids: pd.Series) -> str:
    """The letters the layer's ids start with (``T`` for ``T087``), the most common; ``P`` when there are none."""
    found = ids.str.extract(r"^(\D+)\d+$")[0].dropna()
    return str(found.mode().iloc[0]) if len(found) else "P"


def make_planned(rule, sites: gpd.GeoDataFrame) -> None:
    """Staff: make the chosen suggestions planned facilities (status planned) in one save, or file the
    gaps they would close as tasks."""
    can_edit, can_file = allowed("edit"), allowed("file")
    if not (can_edit or can_file):
        return
    ranks = st.multiselect(t("sites_pick"), sites["rank"].astype(int).tolist(), key="sites_pick", placeholder=t("all"), select_all=False)
    chosen = sites[sites["rank"].isin(ranks)] if ranks else sites
    a, b = st.columns(2)
    if can_edit and a.button(t("sites_plan").format(n=len(chosen)), key="sites_plan"):
        city = current_city()
        ids = city[rule.selections["facility"].layer][["id"]].astype(str)
        prefix = id_prefix(ids["id"])
        edits = []
        try:
            for _, row in chosen.iterrows():
                new_id = siting.next_id(ids, prefix)
                ids = pd.concat([ids, pd.DataFrame({"id": [new_id]})], ignore_index=True)
                layer, values, geometry = siting.planned_feature(city, rule, row, new_id)
                edits.append(store.Edit(layer, new_id, None, values, geometry))
            saved = store.edit(current_source(), edits, user=me(), note=t("sites_note").format(rule=rule.id))
        except (ValueError, EditRejected, EditConflict, StoreError) as exc:  # nothing written
            st.error(str(exc))
            return
        st.success(t("sites_planned").format(n=len(edits), revision=saved.revision))
    if can_file and b.button(t("sites_file"), key="sites_file"):
        result = current_result()
        assert result is not None
        gaps = result.gaps[result.gaps["rule"] == rule.id]
        if "covered" in chosen:  # a reach rule's sites: the targets they would bring within reach
            covered = {str(i) for ids in chosen["covered"] for i in ids}
            gaps = gaps[gaps["feature_id"].astype(str).isin(covered)]
        else:  # an along rule's: the dark stretches they would close
            gaps = gaps[gaps["gap_id"].isin(set(chosen["gap_id"]))]
        database, key, _ = current_key()
        try:
            filed = service.file_tasks(key, current_city(), gaps, user=me(), as_of=as_of(), database=database)
        except StoreError as exc:
            st.error(str(exc))
            return
        st.success(t("filed_n").format(n=len(filed.created), m=len(filed.already)))
