"""清单 Inventory: each layer as a searchable table, with downloads, and bulk edits of the rows shown."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import streamlit as st

from facilities import field_filter, store
from facilities.errors import EditConflict, EditRejected
from facilities.present import readable
from facilities.schema import ALL_LAYERS
from facilities.spreadsheet import to_csv_bytes
from facilities.store import layer_to_geojson
from facilities.words import field_label, value_label
from ui.auth import allowed, me
from ui.forms import field_widget, form_values
from ui.state import current_city, current_source, lang, page_title, t

#: the earliest and latest dates a date filter accepts
MIN_DATE, MAX_DATE = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


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
    full = city[layer]
    searched = field_filter.search(full, st.text_input(t("search"), ""))
    gdf = field_filter.apply(searched, layer, filter_panel(layer, full, searched))
    pts = gdf.geometry.representative_point() if len(gdf) else gdf.geometry
    flat = pd.DataFrame(gdf.drop(columns="geometry"))
    for col in flat.select_dtypes("datetime").columns:  # dates, not midnight timestamps
        flat[col] = flat[col].dt.date
    if len(gdf):
        flat["lon"], flat["lat"] = pts.x.round(6), pts.y.round(6)
    if "bulk_saved" in st.session_state:
        st.success(st.session_state.pop("bulk_saved"))
    st.caption(t("rows_kept").format(kept=len(flat), total=len(full)))
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


def filter_panel(layer: str, full, searched) -> list[field_filter.Condition]:
    """Filters on any fields of the layer, each as its kind in the layer model asks (:mod:`facilities.field_filter`):
    the conditions chosen. Options are counted over ``searched`` and the other filters; ``full`` (the whole
    layer) gives the options, kinds and ranges, so the widgets stay the same while other filters change."""
    language = lang()
    kinds = dict(field_filter.filterable(layer, full))
    with st.container(border=True):
        top = st.columns([4, 1], vertical_alignment="bottom")
        chosen = top[0].multiselect(
            t("filter_field"), list(kinds), key=f"ff_fields:{layer}", placeholder=t("filter_pick"),
            format_func=lambda n: field_label(layer, n, language), help=t("filter_hint"), select_all=False,
        )  # fmt: skip
        top[1].button(t("filter_clear"), key=f"ff_clear:{layer}", on_click=_clear, args=(layer,), disabled=not chosen)
        if not chosen:
            return []
        current = [_state(layer, name, kinds[name], full) for name in chosen]
        columns = st.columns(min(len(chosen), 3))
        out = []
        for i, name in enumerate(chosen):
            with columns[i % len(columns)]:
                out.append(_widget(layer, name, kinds[name], full, field_filter.facet_counts(searched, layer, current, name)))
    return out


def _keys(layer: str, name: str) -> tuple[str, str, str]:
    """The session keys of a field's filter: its value (or lower end), its upper end, keep-missing."""
    return f"ff:{layer}:{name}", f"ff_hi:{layer}:{name}", f"ff_na:{layer}:{name}"


def _clear(layer: str) -> None:
    """Forget every filter of the layer (a button's callback: runs before the page is drawn again)."""
    prefixes = tuple(f"{p}:{layer}:" for p in ("ff", "ff_hi", "ff_na"))
    for key in [k for k in st.session_state if str(k).startswith(prefixes) or k == f"ff_fields:{layer}"]:
        del st.session_state[key]


def _state(layer: str, name: str, kind: str, full) -> field_filter.Condition:
    """A field's condition as its widgets hold it now (read before they are drawn, so that each filter's
    options can be counted under all the others)."""
    key, hi_key, na_key = _keys(layer, name)
    state = st.session_state
    if kind in ("choice", "values"):
        return field_filter.OneOf(name, tuple(state.get(key) or ()))
    if kind == "text":
        return field_filter.Contains(name, state.get(key) or "")
    ends = field_filter.bounds(full, layer, name)
    if ends is None:  # no row has a value: nothing to choose, nothing dropped (as its widget says)
        return field_filter.Between(name, keep_missing=True)
    return field_filter.Between(name, state.get(key, ends[0]), state.get(hi_key, ends[1]), bool(state.get(na_key, False)))


def _widget(layer: str, name: str, kind: str, full, counted: dict) -> field_filter.Condition:
    """The widgets of one field's filter (labelled, options counted); the condition they hold."""
    language = lang()
    label_text = field_label(layer, name, language)
    key, hi_key, na_key = _keys(layer, name)
    if kind in ("choice", "values"):
        if key in st.session_state:  # the choice as values, not as its labels: a count in a label may have changed
            st.session_state[key] = list(st.session_state[key])

        def option(v) -> str:
            """An option as the reader sees it, with how many rows choosing it would show."""
            text = t("no_value") if v is field_filter.NO_VALUE else value_label(layer, name, v, language)
            return f"{text} ({counted.get(v, 0)})"

        picked = st.multiselect(
            label_text, field_filter.options(layer, name, full), key=key, format_func=option, placeholder=t("all"), select_all=False
        )
        return field_filter.OneOf(name, tuple(picked))
    if kind == "text":
        return field_filter.Contains(name, st.text_input(f"{label_text} {t('text_contains')}", key=key))
    ends = field_filter.bounds(full, layer, name)
    if ends is None:
        st.caption(f"{label_text}: {t('no_values_recorded')}")
        return field_filter.Between(name, keep_missing=True)
    if kind == "dates":
        dates = {"format": "YYYY-MM-DD", "min_value": MIN_DATE, "max_value": MAX_DATE}
        low = st.date_input(f"{label_text} · {t('since')}", ends[0], key=key, **dates)
        high = st.date_input(f"{label_text} · {t('until')}", ends[1], key=hi_key, **dates)
    else:
        step = 1 if isinstance(ends[0], int) else None
        low = st.number_input(f"{label_text} ≥", value=ends[0], step=step, key=key)
        high = st.number_input(f"{label_text} ≤", value=ends[1], step=step, key=hi_key)
    keep = False
    if field_filter.NO_VALUE in field_filter.counts(full, name):  # (offered only where some row has no value)
        keep = st.checkbox(t("keep_missing").format(n=counted.get(field_filter.NO_VALUE, 0)), key=na_key)
    out = field_filter.Between(name, low, high, keep)
    if field_filter.reversed_range(out):
        st.warning(t("range_reversed"))
    return out


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
    """The bulk editor's column for a field, from the layer model: its label, choices, bounds or date format."""
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
