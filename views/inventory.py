"""清单 Inventory: each layer as a searchable table, with downloads."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from facilities.schema import ALL_LAYERS
from facilities.spreadsheet import to_csv_bytes
from facilities.store import layer_to_geojson
from facilities.words import field_label, label
from ui.state import current_city, lang, page_title, t


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


main()
