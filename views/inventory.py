"""清单 Inventory: each layer as a searchable table, with downloads, and bulk edits of the rows shown."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from facilities import store
from facilities.errors import EditConflict, EditRejected
from facilities.present import readable
from facilities.schema import ALL_LAYERS
from facilities.spreadsheet import to_csv_bytes
from facilities.store import layer_to_geojson
from facilities.words import field_label, value_label
from ui.auth import allowed, me
from ui.forms import field_widget, form_values
from ui.state import current_city, current_source, lang, page_title, t


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
    gdf = value_filter(layer, gdf)
    pts = gdf.geometry.representative_point() if len(gdf) else gdf.geometry
    flat = pd.DataFrame(gdf.drop(columns="geometry"))
    for col in flat.select_dtypes("datetime").columns:  # dates, not midnight timestamps
        flat[col] = flat[col].dt.date
    if len(gdf):
        flat["lon"], flat["lat"] = pts.x.round(6), pts.y.round(6)
    if "bulk_saved" in st.session_state:
        st.success(st.session_state.pop("bulk_saved"))
    st.caption(f"{len(flat)} {t('rows')}")
    st.dataframe(readable(flat, layer, lang()), hide_index=True)
    a, b, c = st.columns(3)
    raw = c.toggle(t("raw_codes"), key="inventory_raw", help=t("raw_codes_help"))  # field names and codes, as in GeoJSON
    a.download_button(t("download_csv"), to_csv_bytes(flat if raw else readable(flat, layer, lang())), f"{layer}.csv", "text/csv")
    geojson = json.dumps(layer_to_geojson(gdf), ensure_ascii=False)
    b.download_button(t("download_geojson"), geojson, f"{layer}.geojson", "application/geo+json")
    if allowed("edit") and st.toggle(t("edit_table"), key=f"bulk:{layer}"):
        bulk_set(layer, list(gdf["id"]))
        bulk_editor(layer, set(gdf["id"]))
    else:
        st.session_state.pop(f"bulk_snapshot:{layer}", None)  # the next edit starts from the current versions


def value_filter(layer: str, gdf):
    """Rows whose value of a chosen field (one with a closed set of values, or yes/no) is one of those chosen."""
    language = lang()
    spec = ALL_LAYERS[layer]
    fields = [f for f in spec.fields if f.allowed is not None or f.type == "bool"]
    a, b = st.columns(2)
    chosen = a.selectbox(t("filter_field"), [None, *(f.name for f in fields)], key=f"vf_field:{layer}",
                         format_func=lambda n: t("all") if n is None else field_label(layer, n, language))  # fmt: skip
    if chosen is None:
        return gdf
    f = spec.field(chosen)
    assert f is not None
    options = [True, False] if f.type == "bool" else list(f.allowed)
    picked = b.multiselect(t("filter_values"), options, key=f"vf_values:{layer}:{chosen}",
                           format_func=lambda v: value_label(layer, chosen, v, language))  # fmt: skip
    if not picked:
        return gdf
    return gdf[gdf[chosen].isin(picked).fillna(False).to_numpy(dtype=bool)]


def bulk_set(layer: str, ids: list) -> None:
    """One field set to one value for every row shown (only the rows whose value differs are written)."""
    language = lang()
    spec = ALL_LAYERS[layer]
    fields = [f for f in spec.fields if f.name != "id"]
    name = st.selectbox(t("bulk_field"), [f.name for f in fields], key=f"bulk_field:{layer}",
                        format_func=lambda n: field_label(layer, n, language))  # fmt: skip
    f = spec.field(name)
    assert f is not None
    prefix = f"bulk_value:{layer}"
    with st.form(f"bulk_set:{layer}"):
        field_widget(f, None, prefix, language, {})
        submitted = st.form_submit_button(t("bulk_apply").format(n=len(ids)))
    if not submitted:
        return
    value = form_values(spec, prefix).get(name)
    gdf, versions = store.snapshot(current_source(), layer)
    before = pd.DataFrame(gdf[gdf["id"].isin(ids)][["id", name]])
    after = before.assign(**{name: [value] * len(before)}).astype({name: object})
    _save(layer, store.table_edits(layer, before, after, versions))


def _save(layer: str, edits: list) -> None:
    """Save a table's edits in one transaction; say what happened."""
    if not edits:
        st.info(t("nothing_changed"))
        return
    try:
        saved = store.edit(current_source(), edits, user=me(), note="")
    except EditRejected as exc:
        st.error(t("rejected"))
        st.dataframe(pd.DataFrame([{"feature": p.feature, "field": p.field, "value": p.value, "message": p.message,
                                    "accepted": p.accepted} for p in exc.problems]), hide_index=True)  # fmt: skip
        return
    except EditConflict as exc:
        st.error(t("conflict"))
        st.code("\n".join(c.to_text() for c in exc.conflicts), language=None)
        return
    st.session_state.pop(f"bulk_snapshot:{layer}", None)
    st.session_state.pop(f"bulk_editor:{layer}", None)
    st.session_state["bulk_saved"] = t("saved").format(revision=saved.revision, changes=saved.changes)
    st.rerun()


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
        _save(layer, store.table_edits(layer, table, edited, versions))


main()
