"""清单 Inventory: each layer as a searchable table, with downloads, and bulk edits of the rows shown."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from facilities import store
from facilities.errors import EditConflict, EditRejected
from facilities.schema import ALL_LAYERS
from facilities.spreadsheet import to_csv_bytes
from facilities.store import layer_to_geojson
from facilities.words import field_label, label
from ui.state import current_city, current_source, lang, page_title, t, user_name


def main() -> None:
    """Show the chosen layer of the city as a searchable table (dates as dates, a point's lon/lat), with CSV and GeoJSON downloads."""
    city = current_city()
    page_title("page_inventory", city)
    names = list(ALL_LAYERS)
    layer = st.selectbox(
        t("layer"), names, key="inventory_layer",
        format_func=lambda n: f"{ALL_LAYERS[n].title_zh} {ALL_LAYERS[n].title_en} ({len(city[n])})" if lang() == "zh"
        else f"{ALL_LAYERS[n].title_en} {ALL_LAYERS[n].title_zh} ({len(city[n])})",
    )  # fmt: skip
    gdf = city[layer]
    query = st.text_input(t("search"), "").strip()
    if query:
        text = gdf[[c for c in ("id", "name", "name_en", "road", "unit", "district") if c in gdf.columns]].astype("string").fillna("")
        hit = text.apply(lambda col: col.str.contains(query, case=False, regex=False)).any(axis=1)
        gdf = gdf[hit.to_numpy(dtype=bool)]
    pts = gdf.geometry.representative_point() if len(gdf) else gdf.geometry
    flat = pd.DataFrame(gdf.drop(columns="geometry"))
    for col in flat.select_dtypes("datetime").columns:  # dates, not midnight timestamps
        flat[col] = flat[col].dt.date
    if len(gdf):
        flat["lon"], flat["lat"] = pts.x.round(6), pts.y.round(6)
    st.caption(f"{len(flat)} {t('rows')}")
    st.dataframe(
        flat.rename(columns={c: field_label(layer, c, lang()) if ALL_LAYERS[layer].field(c) else label(c, lang()) for c in flat.columns}),
        hide_index=True,
    )  # downloads keep field names
    a, b = st.columns(2)
    a.download_button(t("download_csv"), to_csv_bytes(flat), f"{layer}.csv", "text/csv")
    geojson = json.dumps(layer_to_geojson(gdf), ensure_ascii=False)
    b.download_button(t("download_geojson"), geojson, f"{layer}.geojson", "application/geo+json")
    if st.toggle(t("edit_table"), key=f"bulk:{layer}"):
        bulk_editor(layer, set(gdf["id"]))


def _column(layer: str, name: str, language: str):
    f = ALL_LAYERS[layer].field(name)
    label_text = field_label(layer, name, language)
    if f is None:
        return st.column_config.Column(label_text)
    if f.allowed is not None:
        return st.column_config.SelectboxColumn(label_text, options=list(f.allowed), required=f.required)
    if f.type == "bool":
        return st.column_config.CheckboxColumn(label_text)
    if f.type in ("int", "float"):
        return st.column_config.NumberColumn(label_text, min_value=f.min, max_value=f.max, step=1 if f.type == "int" else None)
    if f.type == "date":
        return st.column_config.DateColumn(label_text, format="YYYY-MM-DD")
    return st.column_config.TextColumn(label_text, required=f.required)


def bulk_editor(layer: str, shown: set) -> None:
    """The rows shown above as an editable table; a save writes only the changed cells, at the versions
    the table was read at (a row someone saved meanwhile is refused and named)."""
    language = lang()
    snap_key = f"bulk_snapshot:{layer}"
    if snap_key not in st.session_state:
        st.session_state[snap_key] = store.snapshot(current_source(), layer)
    gdf, versions = st.session_state[snap_key]
    spec = ALL_LAYERS[layer]
    columns = [f.name for f in spec.fields]
    table = pd.DataFrame(gdf[columns])
    table = table[table["id"].isin(shown)].reset_index(drop=True)
    for f in spec.fields:
        if f.type == "date":
            table[f.name] = table[f.name].dt.date
    config = {c: _column(layer, c, language) for c in columns}
    edited = st.data_editor(table, hide_index=True, disabled=["id"], column_config=config, key=f"bulk_editor:{layer}", num_rows="fixed")
    if st.button(t("save_table"), key=f"bulk_save:{layer}", type="primary"):
        if not user_name():
            st.error(t("need_name"))
            return
        edits = store.table_edits(layer, table, edited, versions)
        if not edits:
            st.info(t("nothing_changed"))
            return
        try:
            saved = store.edit(current_source(), edits, user=user_name(), note="")
        except EditRejected as exc:
            st.error(t("rejected"))
            st.dataframe(pd.DataFrame([{"feature": p.feature, "field": p.field, "value": p.value, "message": p.message,
                                        "accepted": p.accepted} for p in exc.problems]), hide_index=True)  # fmt: skip
            return
        except EditConflict as exc:
            st.error(t("conflict"))
            st.code("\n".join(c.to_text() for c in exc.conflicts), language=None)
            return
        del st.session_state[snap_key]
        st.session_state.pop(f"bulk_editor:{layer}", None)
        st.session_state["bulk_saved"] = t("saved").format(revision=saved.revision, changes=saved.changes)
        st.rerun()
    if "bulk_saved" in st.session_state:
        st.success(st.session_state.pop("bulk_saved"))


main()
