"""The city map: every layer of a loaded city on one Folium map (no Streamlit here).

The map works with no network: assets come from ``static/vendor`` (see :mod:`maps.assets`), and with
``basemap="none"`` the city's own water, districts and roads are the background.
"""

from __future__ import annotations

import html
from typing import Any

import folium
import geopandas as gpd
import pandas as pd

from facilities import City
from facilities.schema import ALL_LAYERS
from maps.assets import APP_VENDOR_URL, localize

BASEMAPS: dict[str, dict[str, str]] = {
    "none": {},
    "osm": {
        "tiles": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "attr": "© OpenStreetMap contributors",
    },
    "cartodb": {
        "tiles": "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        "attr": "© OpenStreetMap contributors © CARTO",
    },
}

#: facility layers drawn as points, with their colour and marker radius (pixels)
POINT_STYLE: dict[str, dict[str, Any]] = {
    "attractions": {"color": "#c0392b", "radius": 9},
    "toilets": {"color": "#2471a3", "radius": 6},
    "signs": {"color": "#7d3c98", "radius": 3},
    "docks": {"color": "#117864", "radius": 8},
    "stops": {"color": "#d35400", "radius": 5},
    "billboards": {"color": "#b7950b", "radius": 5},
    "reports": {"color": "#e74c3c", "radius": 4},
    "lamps": {"color": "#f1c40f", "radius": 2},
}
ROAD_WEIGHT = {"expressway": 5, "arterial": 4, "secondary": 3, "branch": 1.5, "pedestrian": 2}
#: a planned or closed facility is drawn hollow
HOLLOW = {"planned", "closed"}

LABELS = {
    "zh": {"name": "名称", "name_en": "英文名", "status": "状态", "type": "类型", "district": "区", "unit": "责任单位", "id": "编号"},
    "en": {"name": "Name (zh)", "name_en": "Name", "status": "Status", "type": "Type", "district": "District", "unit": "Unit", "id": "ID"},
}


def _clean(value: Any) -> Any:
    """Escape text for HTML; missing values become empty strings (never 'null' in a tooltip)."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, str):
        return html.escape(value)
    return value.item() if hasattr(value, "item") else value


def features(gdf: gpd.GeoDataFrame, columns: list[str]) -> dict[str, Any]:
    """A GeoJSON dict with only ``columns`` as properties, every text value HTML-escaped."""
    cols = [c for c in columns if c in gdf.columns]
    feats = []
    for values, geom in zip(gdf[cols].itertuples(index=False, name=None), gdf.geometry, strict=True):
        if geom is None or geom.is_empty:
            continue
        props = {c: _clean(v) for c, v in zip(cols, values, strict=True)}
        feats.append({"type": "Feature", "properties": props, "geometry": geom.__geo_interface__})
    return {"type": "FeatureCollection", "features": feats}


def _tooltip(layer: str, lang: str) -> folium.GeoJsonTooltip:
    spec = ALL_LAYERS[layer]
    labels = LABELS[lang]
    fields = ["name", "name_en", "id", "status"] + ([spec.type_field] if spec.type_field else []) + ["district", "unit"]
    aliases = [labels[f] if f in labels else labels["type"] for f in fields]
    return folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=False)


def _background(m: folium.Map, city: City, lang: str) -> None:
    water = city["water"]
    if len(water):
        folium.GeoJson(
            features(water, ["name", "name_en"]),
            name="水系 Water",
            style_function=lambda f: {"color": "#5dade2", "weight": 0, "fillColor": "#aed6f1", "fillOpacity": 0.9},
            control=False,
        ).add_to(m)
    zones = city["zones"]
    districts = zones[zones["zone_type"] == "district"]
    if len(districts):
        folium.GeoJson(
            features(districts, ["name", "name_en", "id", "status", "zone_type", "district", "unit"]),
            name="区界 Districts",
            style_function=lambda f: {"color": "#566573", "weight": 2, "dashArray": "6 4", "fill": False},
        ).add_to(m)
    roads = city["roads"]
    if len(roads):
        folium.GeoJson(
            features(roads, ["name", "name_en", "id", "status", "road_class", "district", "unit"]),
            name="道路 Roads" if lang == "zh" else "Roads 道路",
            style_function=lambda f: {
                "color": "#909497",
                "weight": ROAD_WEIGHT.get(f["properties"].get("road_class"), 1),
                "dashArray": "4 3" if f["properties"].get("road_class") == "pedestrian" else None,
            },
            tooltip=_tooltip("roads", lang),
        ).add_to(m)


def point_layer(city: City, layer: str, lang: str = "zh") -> folium.GeoJson:
    """One toggleable layer of circle markers (drawn on the canvas; no per-point folium objects)."""
    spec = ALL_LAYERS[layer]
    style = POINT_STYLE[layer]
    gdf = city[layer]
    if layer == "lamps":
        columns = ["id", "name", "name_en", "status", "lamp_type", "working", "road", "district", "unit"]
    else:
        columns = ["id", "name", "name_en", "status", spec.type_field or "", "district", "unit"]
    title = f"{spec.title_zh} {spec.title_en}" if lang == "zh" else f"{spec.title_en} {spec.title_zh}"

    def style_function(feature: dict) -> dict:
        props = feature["properties"]
        color = style["color"]
        if layer == "lamps" and props.get("working") is False:
            color = "#17202a"
        hollow = props.get("status") in HOLLOW
        area = feature["geometry"]["type"] in ("Polygon", "MultiPolygon")  # e.g. a walled old town: an outline
        opacity = 0.15 if hollow else (0.2 if area else 0.85)
        return {
            "color": color,
            "weight": 2 if area else 1.5,
            "fill": True,
            "fillColor": color,
            "fillOpacity": opacity,
            "radius": style["radius"],
        }

    return folium.GeoJson(
        features(gdf, columns),
        name=f"{title} ({len(gdf)})",
        marker=folium.CircleMarker(radius=style["radius"]),
        style_function=style_function,
        tooltip=_tooltip(layer, lang),
    )


def build_map(
    city: City,
    layers: list[str] | None = None,
    basemap: str = "none",
    lang: str = "zh",
    asset_url: str = APP_VENDOR_URL,
) -> folium.Map:
    """The city map.

    Parameters
    ----------
    city : a loaded city.
    layers : facility layers to draw (default: all point layers but lamps).
    basemap : ``"none"`` (the city's own water, districts and roads), ``"osm"`` or ``"cartodb"``.
    lang : ``"zh"`` or ``"en"`` for labels.
    asset_url : where the vendored Leaflet is served (see :mod:`maps.assets`).
    """
    if basemap not in BASEMAPS:
        raise ValueError(f"basemap should be one of {', '.join(BASEMAPS)}, got {basemap!r}")
    if lang not in LABELS:
        raise ValueError(f"lang should be one of {', '.join(LABELS)}, got {lang!r}")
    layers = [name for name in POINT_STYLE if name != "lamps"] if layers is None else layers
    unknown = [name for name in layers if name not in POINT_STYLE]
    if unknown:
        raise ValueError(f"unknown map layer(s) {unknown}; known: {', '.join(POINT_STYLE)}")
    cfg = city.config
    tiles = BASEMAPS[basemap]
    m = folium.Map(
        location=[cfg.center_lat, cfg.center_lon],
        zoom_start=cfg.zoom,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
    )
    if tiles:
        folium.TileLayer(tiles=tiles["tiles"], attr=tiles["attr"], name=basemap, control=False).add_to(m)
    _background(m, city, lang)
    for name in layers:
        if len(city[name]):
            point_layer(city, name, lang).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return localize(m, asset_url)
