"""地图 Map: what is where — layers, filters, a basemap, and the details of a clicked feature."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from facilities.chinacrs import gcj02_to_wgs84
from facilities.present import readable
from facilities.query import nearest_feature
from facilities.schema import ALL_LAYERS, LAYERS
from facilities.words import field_label
from maps import BASEMAPS, MAP_LAYERS
from maps.basemaps import available
from ui.auth import allowed
from ui.foliummap import show
from ui.history import history_table
from ui.state import city_map, current_city, lang, page_title, t


def details(layer: str, row: pd.Series) -> None:
    """Show a clicked feature: its layer's title and a table of its non-empty fields."""
    spec = ALL_LAYERS[layer]
    st.markdown(f"**{spec.title_zh if lang() == 'zh' else spec.title_en}**")

    names = [f for f in spec.field_names if f in row.index and pd.notna(row[f]) and row[f] != ""]
    values = readable(pd.DataFrame([row[names]]), layer, lang(), headers=False).iloc[0]
    rows = [(field_label(layer, f, lang()), values[f]) for f in names]
    # st.table: plain HTML text (escaped by Streamlit), readable and printable, not a canvas grid
    st.table(pd.DataFrame(rows, columns=[t("field"), t("value")]).set_index(t("field")))


def main() -> None:
    """Show the city map with layer, basemap and filter pickers, the details of the clicked feature, the layer counts and any warnings."""
    city = current_city()
    language = lang()
    page_title("page_map", city)
    with st.sidebar:
        basemap = st.selectbox(
            t("basemap"), available(), format_func=lambda b: BASEMAPS[b].label_zh if language == "zh" else BASEMAPS[b].label_en
        )
        layers = st.multiselect(
            t("layers"), list(MAP_LAYERS), default=list(MAP_LAYERS),
            format_func=lambda n: ALL_LAYERS[n].title_zh if language == "zh" else ALL_LAYERS[n].title_en,
        )  # fmt: skip
        st.markdown(f"**{t('filters')}**")
        districts = sorted(city["zones"].loc[city["zones"]["zone_type"] == "district", "name"].dropna().unique())
        district = st.multiselect(t("district"), districts, placeholder=t("all"))
        status = st.multiselect(t("status"), list(LAYERS["toilets"].field("status").allowed), placeholder=t("all"))
        types = sorted({v for n in layers if n in LAYERS and LAYERS[n].type_field for v in LAYERS[n].field(LAYERS[n].type_field).allowed})
        kinds = st.multiselect(t("type"), types, placeholder=t("all"))
        grade_values = dict.fromkeys(
            g for n in ("attractions", "toilets") for g in LAYERS[n].field("grade").allowed
        )  # from the layer model
        grades = st.multiselect(t("grade"), sorted(grade_values, key=len, reverse=True), placeholder=t("all"))
    filters = {"districts": district or None, "statuses": status or None, "types": kinds or None, "grades": grades or None}
    left, right = st.columns([3, 1])
    with left:
        prepared = city_map(layers, basemap, filters, remember_view=True, returned=("last_object_clicked",))
        # only clicks come back: panning and zooming do not rerun the app
        out = show(prepared, key="main_map", height=620)
    with right:
        st.subheader(t("details"))
        clicked = (out or {}).get("last_object_clicked")
        if not clicked:
            st.caption(t("click_hint"))
        else:
            lon, lat = clicked["lng"], clicked["lat"]
            if BASEMAPS[basemap].gcj02:  # the map was drawn in GCJ-02: back to the stored WGS84
                lon, lat = (float(v) for v in gcj02_to_wgs84(lon, lat))
            found = nearest_feature(city, lon, lat, [n for n in layers if n in LAYERS] + ["roads"])
            if found is None:
                st.caption(t("nothing_here"))
            else:
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
    with st.expander(t("counts")):
        frame = city.report.counts_frame()
        st.dataframe(frame, hide_index=True)
    if city.report.warnings:
        with st.expander(f"{t('warnings')} ({len(city.report.warnings)})"):
            st.dataframe(city.report.to_frame(), hide_index=True)


main()
