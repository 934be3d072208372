"""Planning maps (no Streamlit): the estimated road illuminance as a colour along each road, and suggested
sites for new facilities with what each would cover.

Both are built from the engine's tables (:func:`facilities.check.illuminance_stretches`,
:func:`facilities.siting.suggest_sites`, :func:`facilities.siting.along_sites`); text from data is escaped
(:func:`maps.city_map.features`), every asset is local.
"""

from __future__ import annotations

import dataclasses

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from facilities import City
from facilities.check import Result
from facilities.rules import Rule
from facilities.words import number, pick, text, value_label
from maps.assets import APP_STATIC_URL, localize
from maps.basemaps import display_shift, resolve
from maps.city_map import base_map, facility_layer, features, gap_layers
from maps.controls import Legend
from maps.style import GAP_COLOR, SITE_COLOR

#: an illuminance estimate's class, by how it compares with CJJ 45 (colour-blind-safe, ColorBrewer RdBu):
#: key -> (colour, (Chinese, English) label); ``lux_class`` says which one a stretch is in
LUX_CLASSES: dict[str, tuple[str, tuple[str, str]]] = {
    "meets": ("#2166ac", ("照度与均匀度均达标", "meets Eav and U0")),
    "uneven": ("#67a9cf", ("照度达标、均匀度不足", "Eav met, U0 too low")),
    "dim": ("#ef8a62", ("平均照度低于要求", "Eav below the requirement")),
    "dark": ("#b2182b", ("平均照度不足要求一半", "Eav below half the requirement")),
}


def lux_class(e_avg: float, e_required: float, u0: float, u0_required: float) -> str:
    """The class (:data:`LUX_CLASSES`) of a stretch with average ``e_avg`` and uniformity ``u0``."""
    if e_avg < 0.5 * e_required:
        return "dark"
    if e_avg < e_required:
        return "dim"
    return "meets" if u0 >= u0_required else "uneven"


def illuminance_layer(stretches: gpd.GeoDataFrame, basemap: str = "none", lang: str = "zh", show: bool = True) -> folium.GeoJson:
    """The estimated illuminance of each stretch (WGS84, from :func:`facilities.check.illuminance_stretches`)
    as a coloured line: blue meets CJJ 45, light blue uneven, orange dim, red below half."""
    b, _ = resolve(basemap)
    shown = display_shift(stretches, b).copy()
    shown["lux_class"] = [lux_class(*v) for v in zip(shown["e_avg"], shown["e_required"], shown["u0"], shown["u0_required"], strict=True)]
    shown["estimate"] = [
        f"{number(e, 1)} / {number(r, 0)} lx · U0 {number(u, 2)} / {number(ur, 1)}"
        for e, r, u, ur in zip(shown["e_avg"], shown["e_required"], shown["u0"], shown["u0_required"], strict=True)
    ]
    shown["class_label"] = [pick(LUX_CLASSES[c][1], lang) for c in shown["lux_class"]]
    shown["road_class_label"] = [value_label("roads", "road_class", v, lang) for v in shown["road_class"]]
    fields = ["name", "road_class_label", "estimate", "class_label", "district"]
    colors = {k: c for k, (c, _) in LUX_CLASSES.items()}
    return folium.GeoJson(
        features(shown, [*fields, "lux_class"]),
        name=f"{text('lux_estimate', lang)} ({len(shown)})",
        style_function=lambda f: {"color": colors.get(f["properties"].get("lux_class"), "#777"), "weight": 5, "opacity": 0.9},
        highlight_function=lambda f: {"weight": 8},
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "road_class_label", "estimate", "class_label"],
            aliases=[text(k, lang) for k in ("lux_road", "lux_class", "lux_figures", "lux_verdict")],
        ),
        show=show,
    )


def lux_legend(lang: str) -> Legend:
    """The legend of :func:`illuminance_layer`."""
    items = [(c, pick(lab, lang), False) for c, lab in LUX_CLASSES.values()]
    return Legend(text("legend", lang), [(text("lux_estimate", lang), items)], True)


def illuminance_map(
    city: City, stretches: gpd.GeoDataFrame, basemap: str = "none", lang: str = "zh", asset_url: str = APP_STATIC_URL
) -> folium.Map:
    """The city's background with the illuminance estimate of every checked stretch and its legend."""
    b, urls = resolve(basemap)
    m = base_map(city, b, urls, lang)
    if len(stretches):
        illuminance_layer(stretches, basemap, lang).add_to(m)
        _fit(m, display_shift(stretches, b))
    lux_legend(lang).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return localize(m, asset_url)


def site_layer(sites: gpd.GeoDataFrame, basemap: str = "none", lang: str = "zh") -> folium.FeatureGroup:
    """Suggested sites (WGS84; ``rank``, ``gain``, ``points``, ``road``) as green circles with their rank in
    them; hovering one tells what it would add."""
    b, _ = resolve(basemap)
    shown = display_shift(sites, b).copy()
    shown["label"] = [
        f"#{int(r)}" + (f" +{int(g)}" if "gain" in shown else "")
        for r, g in zip(shown["rank"], shown.get("gain", shown["rank"]), strict=True)
    ]
    if "points" in shown:
        shown["points_text"] = [number(p, 1, sign=True) for p in shown["points"]]
    fields = [f for f in ("label", "points_text", "road") if f in shown]
    group = folium.FeatureGroup(name=f"{text('sites', lang)} ({len(shown)})")
    folium.GeoJson(
        features(shown, fields),
        marker=folium.CircleMarker(radius=11),
        style_function=lambda f: {"color": "#ffffff", "weight": 2, "fill": True, "fillColor": SITE_COLOR, "fillOpacity": 0.95},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[text(f"site_{f}", lang) for f in fields]),
    ).add_to(group)
    for rank, point in zip(shown["rank"], shown.geometry, strict=True):  # the rank inside the circle (a number: no text from data)
        folium.Marker(
            [point.y, point.x],
            icon=folium.DivIcon(
                html=f'<div style="width:22px;line-height:22px;text-align:center;color:#fff;font:700 12px sans-serif;'
                f'pointer-events:none">{int(rank)}</div>',
                icon_size=(22, 22),
                icon_anchor=(11, 11),
            ),
            interactive=False,
        ).add_to(group)
    return group


def sites_map(
    city: City,
    result: Result,
    rule: Rule,
    sites: gpd.GeoDataFrame,
    basemap: str = "none",
    lang: str = "zh",
    asset_url: str = APP_STATIC_URL,
) -> folium.Map:
    """One rule's gaps, the facilities it counts and the suggested ``sites`` on the city's background,
    zoomed to the gaps and the sites."""
    b, urls = resolve(basemap)
    m = base_map(city, b, urls, lang)
    layer = rule.selections["facility"].layer
    if layer != "lamps" and len(city[layer]):
        facility_layer(city, layer, b, lang).add_to(m)
    own = dataclasses.replace(result, gaps=result.gaps[result.gaps["rule"] == rule.id])
    for lyr in gap_layers(own, b, lang):
        lyr.add_to(m)
    if len(sites):
        site_layer(sites, basemap, lang).add_to(m)
    shown = pd.concat([own.gaps.geometry, sites.geometry]) if len(sites) else own.gaps.geometry
    _fit(m, display_shift(gpd.GeoDataFrame(geometry=shown, crs=4326), b))
    Legend(
        text("legend", lang),
        [
            (
                rule.title_zh if lang == "zh" else rule.title_en,
                [(GAP_COLOR, text("gaps", lang), True), (SITE_COLOR, text("sites", lang), False)],
            )
        ],
        True,
    ).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return localize(m, asset_url)


def _fit(m: folium.Map, gdf: gpd.GeoDataFrame) -> None:
    """Zoom ``m`` to ``gdf`` (nothing when it is empty)."""
    geoms = gdf.geometry[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    if not len(geoms):
        return
    x0, y0, x1, y1 = geoms.total_bounds
    if np.isfinite([x0, y0, x1, y1]).all():
        m.fit_bounds([[y0, x0], [y1, x1]], max_zoom=17)


__all__ = ["LUX_CLASSES", "illuminance_layer", "illuminance_map", "lux_class", "lux_legend", "site_layer", "sites_map"]
