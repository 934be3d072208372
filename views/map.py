"""地图 Map: what is where — layers and filters, the answer (a count per layer and the list), the map zoomed to
it, and the details of a clicked feature."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from facilities.chinacrs import gcj02_to_wgs84
from facilities.present import readable
from facilities.query import filter_city, layer_values, nearest_feature
from facilities.schema import ALL_LAYERS, LAYERS
from facilities.words import field_label, value_label
from maps import BASEMAPS, MAP_LAYERS
from maps.basemaps import available
from maps.city_map import fit_view
from ui.auth import allowed
from ui.foliummap import show
from ui.history import history_table
from ui.state import current_city, filtered_map, lang, page_title, t

#: the list beside the map: these fields of each layer, where it has them (its type or grade next)
LIST_FIELDS = ("name", "district", "status")


def details(layer: str, row: pd.Series) -> None:
    """Show a clicked feature: its layer's title and a table of its non-empty fields."""
    spec = ALL_LAYERS[layer]
    st.markdown(f"**{spec.title_zh if lang() == 'zh' else spec.title_en}**")
    names = [f for f in spec.field_names if f in row.index and pd.notna(row[f]) and row[f] != ""]
    values = readable(pd.DataFrame([row[names]]), layer, lang(), headers=False).iloc[0]
    rows = [(field_label(layer, f, lang()), values[f]) for f in names]
    # st.table: plain HTML text (escaped by Streamlit), readable and printable, not a canvas grid
    st.table(pd.DataFrame(rows, columns=[t("field"), t("value")]).set_index(t("field")))


def filter_panel(city) -> tuple[list[str], dict, bool]:
    """The page's one filter state, above the map (on a phone too): layers, districts, and the statuses, types
    and grades the chosen layers have (labelled); whether gaps are drawn."""
    language = lang()
    title = lambda n: ALL_LAYERS[n].title_zh if language == "zh" else ALL_LAYERS[n].title_en  # noqa: E731
    with st.expander(t("filters"), expanded=True):
        layers = st.multiselect(
            t("layers"), list(MAP_LAYERS), default=list(MAP_LAYERS), format_func=title, key="map_layers", select_all=False
        )  # (Streamlit's "Select all" has no Chinese)
        facility = [n for n in layers if n in LAYERS]
        c = st.columns([3, 3, 3, 3, 2], vertical_alignment="bottom")
        districts = sorted(city["zones"].loc[city["zones"]["zone_type"] == "district", "name"].dropna().unique())
        district = c[0].multiselect(t("district"), districts, placeholder=t("all"), select_all=False, key="map_districts")
        statuses = layer_values(facility, "status")
        status = c[1].multiselect(t("status"), statuses, placeholder=t("all"), select_all=False, key="map_statuses",
                                  format_func=lambda v: _label(v, [(n, "status") for n in facility], language))  # fmt: skip
        type_fields = [(n, LAYERS[n].type_field or "") for n in facility if LAYERS[n].type_field]
        types = list(dict.fromkeys(v for n, f in type_fields for v in layer_values([n], f)))
        kinds = c[2].multiselect(t("type"), types, placeholder=t("all"), select_all=False, key="map_types",
                                 format_func=lambda v: _label(v, type_fields, language))  # fmt: skip
        grades = sorted(layer_values(facility, "grade"), key=len, reverse=True)
        grade = c[3].multiselect(t("grade"), grades, placeholder=t("all"), select_all=False, key="map_grades",
                                 format_func=lambda v: _label(v, [(n, "grade") for n in facility], language))  # fmt: skip
        gaps = c[4].toggle(t("show_gaps"), value=True, key="map_gaps", help=t("show_gaps_help"))
    filters = {"districts": district or None, "statuses": status or None, "types": kinds or None, "grades": grade or None}
    return layers, filters, gaps


def _label(value: str, fields: list[tuple[str, str]], language: str) -> str:
    """The label of ``value`` from the first (layer, field) that declares one; the value itself otherwise."""
    for layer, field in fields:
        text = value_label(layer, field, value, language)
        if text != value:
            return text
    return value


def answer(shown, layers: list[str], listed: bool) -> tuple[pd.DataFrame, dict]:
    """The count per chosen layer of ``shown`` (what the filters keep) and, when ``listed``, its list: (list,
    count per layer). (No filter: the counts only; the whole city as a list would be built on every rerun for
    nothing.)"""
    language = lang()
    counts, parts = {}, []
    for name in layers:
        if name not in LAYERS:
            continue
        gdf = shown[name]
        spec = LAYERS[name]
        counts[name] = len(gdf)
        if not listed:
            continue
        grade = "grade" if "grade" in gdf.columns and spec.type_field != "grade" else None  # (a toilet's type is its grade)
        cols = list(dict.fromkeys(c for c in (*LIST_FIELDS[:2], spec.type_field, grade, LIST_FIELDS[2]) if c))
        flat = readable(pd.DataFrame(gdf[[c for c in cols if c in gdf.columns]]), name, language, headers=False)
        pts = gdf.geometry.representative_point() if len(gdf) else gdf.geometry
        parts.append(pd.DataFrame({
            t("layer"): spec.title_zh if language == "zh" else spec.title_en,
            field_label(name, "name", language): flat.get("name", ""),
            t("district"): flat.get("district", ""),
            t("kind_grade"): [" · ".join(v for v in vals if v) for vals in zip(
                flat[spec.type_field] if spec.type_field in flat else [""] * len(flat),
                flat["grade"] if grade else [""] * len(flat), strict=True)],
            t("status"): flat.get("status", ""),
            "lon": pts.x.round(6) if len(gdf) else [], "lat": pts.y.round(6) if len(gdf) else [],
        }))  # fmt: skip
    listing = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return listing, counts


def main() -> None:
    """Show the city map with its filters, the answer beside it (count and list), the details of the clicked
    feature, the layer counts and any warnings."""
    city = current_city()
    language = lang()
    page_title("page_map", city)
    with st.sidebar:
        basemap = st.selectbox(
            t("basemap"), available(), format_func=lambda b: BASEMAPS[b].label_zh if language == "zh" else BASEMAPS[b].label_en
        )
    layers, filters, gaps = filter_panel(city)
    filtered = any(v is not None for v in filters.values())
    shown = filter_city(city, **filters) if filtered else None  # (once: for the answer and the map)
    listing, counts = answer(shown if shown is not None else city, layers, listed=filtered)
    names = {n: ALL_LAYERS[n].title_zh if language == "zh" else ALL_LAYERS[n].title_en for n in counts}
    st.markdown(" · ".join(f"**{names[n]} {c:,}**" if c else f"{names[n]} {t('none_shown')}" for n, c in counts.items()) or t("no_layer"))
    left, right = st.columns([3, 1])
    picked = None
    with right:
        if filtered and len(listing):
            st.caption(t("list_hint"))
            pick = st.dataframe(listing.drop(columns=["lon", "lat"]), hide_index=True, on_select="rerun",
                                selection_mode="single-row", key="map_list", height=300)  # fmt: skip
            rows = pick.selection.rows if pick is not None else []
            picked = listing.iloc[rows[0]] if rows else None
    center, zoom = None, None
    if picked is not None:
        center, zoom = (float(picked["lat"]), float(picked["lon"])), 17
    elif filtered and len(listing):  # the map zoomed to what the filters keep
        center, zoom = fit_view(listing["lon"].min(), listing["lat"].min(), listing["lon"].max(), listing["lat"].max())
    with left:
        # the whole city drawn once; a filter change only sends what it keeps (maps/filtering.py)
        prepared, keep = filtered_map(city, shown, layers, basemap, filters["districts"], gaps=gaps)
        out = show(prepared, key="main_map", height=560, center=center, zoom=zoom, script=keep)
    with right, st.container(key="map_details"):
        clicked_panel(city, layers, basemap, out)
    with st.expander(t("counts")):
        st.dataframe(city.report.counts_frame(), hide_index=True)
    if city.report.warnings:
        with st.expander(f"{t('warnings')} ({len(city.report.warnings)})"):
            st.dataframe(city.report.to_frame(), hide_index=True)


def clicked_panel(city, layers: list[str], basemap: str, out: dict | None) -> None:
    """The clicked feature's details, its edit button and its history."""
    st.subheader(t("details"))
    clicked = (out or {}).get("last_object_clicked")
    if not clicked:
        st.caption(t("click_hint"))
        return
    lon, lat = clicked["lng"], clicked["lat"]
    if BASEMAPS[basemap].gcj02:  # the map was drawn in GCJ-02: back to the stored WGS84
        lon, lat = (float(v) for v in gcj02_to_wgs84(lon, lat))
    found = nearest_feature(city, lon, lat, [n for n in layers if n in LAYERS] + ["roads"])
    if found is None:
        st.caption(t("nothing_here"))
        return
    details(*found)
    layer, row = found
    if allowed("edit") and st.button(t("edit_this"), key="edit_this"):
        st.session_state["edit_target"] = (layer, row["id"])
        st.session_state["edit_mode"] = "edit"
        st.session_state["edit_layer"] = layer
        st.switch_page("views/edit.py")
    if allowed("history"):  # (it names who changed what: staff, leaders and admins)
        with st.expander(t("history")):
            history_table(layer, str(row["id"]))


main()
