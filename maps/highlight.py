"""The gap picked in a list, marked on a city map (no Streamlit): its shape in a thick two-tone outline and a
ring at its centre, in a colour no layer or gap uses, drawn above every other layer, with a label in the
reader's language. Text from data is escaped (:mod:`maps.escape`)."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from facilities.check import Result
from facilities.words import measure_text, ui
from maps.assets import APP_STATIC_URL, localize
from maps.basemaps import BASEMAPS, display_shift
from maps.city_map import features
from maps.escape import html_text

#: the picked gap's colour (no layer, gap or reach area is drawn in it) and the dark halo around it
PICKED_COLOR = "#00e5ff"
HALO_COLOR = "#111111"
#: its own pane, above the markers (600) and below the tooltips (650): on top of every layer; it takes no
#: clicks (a canvas pane that did would swallow every click and hover meant for the layers below)
PANE = "picked_gap"
PANE_Z = 640
#: the label above it: wrapped (a phone's map is 360 px wide), framed in the mark's colours
LABEL_CLASS = "picked-gap-label"
LABEL_STYLE = f"white-space: normal !important; width: max-content; max-width: 240px; font-weight: 600; border: 2px solid {HALO_COLOR};"


def caption(gap: pd.Series, title: str, lang: str) -> str:
    """The picked gap's label in ``lang``: "选中的缺口 · <the rule's title> · <what it is about> · <its measure>"
    (its name, else its feature's id; the measure with its unit). Data: not escaped here."""
    about = next((v for v in (gap.get("name"), gap.get("feature_id")) if isinstance(v, str) and v), "")
    measure = measure_text(gap.get("measure"), str(gap.get("measure_unit") or ""), lang)
    return " · ".join(p for p in (ui("picked_gap", lang), title, about, measure) if p)


def picked_layer(gap: gpd.GeoDataFrame, title: str, lang: str = "zh") -> folium.FeatureGroup:
    """The one gap of ``gap`` (a one-row GeoDataFrame, in display coordinates) as a layer: its line or outline
    in :data:`PICKED_COLOR` over a dark halo, and a ring at its middle with a permanent label
    (:func:`caption`). Drawn in :data:`PANE` (see :func:`mark_gap`), which lets clicks through: a click there
    still opens the gap's own popup, or the facility's under it.

    The label goes in as a GeoJSON property, escaped by :func:`maps.city_map.features`, never into a script.
    """
    row = gap.iloc[0]
    text = caption(row, title, lang)
    # (not in the layer control: the map's control is already drawn when the mark is added, and would name a
    # layer its script has not yet made)
    group = folium.FeatureGroup(name=html_text(text), control=False)
    geom = row.geometry
    if geom.geom_type != "Point":  # a dark stretch or a zone: its own shape, thick, no fill
        shape = features(gap, [])
        for color, weight in ((HALO_COLOR, 11), (PICKED_COLOR, 6)):
            style = {"color": color, "weight": weight, "opacity": 0.9, "fill": False}
            folium.GeoJson(shape, style_function=lambda f, s=style: s, pane=PANE, control=False).add_to(group)
    at = (
        geom.interpolate(0.5, normalized=True) if geom.geom_type == "LineString" else geom.representative_point()
    )  # (a stretch: its middle)
    point = gpd.GeoDataFrame({"caption": [text], "gap_id": [row.get("gap_id")]}, geometry=[at], crs=gap.crs)
    data = features(point, ["caption", "gap_id"])  # (the gap's id: what a test or a script finds it by)
    halo = {"color": HALO_COLOR, "weight": 8, "opacity": 0.8, "fill": False}
    folium.GeoJson(data, marker=folium.CircleMarker(radius=16, pane=PANE), style_function=lambda f: halo, control=False).add_to(group)
    ring = {"color": PICKED_COLOR, "weight": 4, "opacity": 1, "fill": True, "fillColor": PICKED_COLOR, "fillOpacity": 0.25}
    folium.GeoJson(
        data,
        marker=folium.CircleMarker(radius=16, pane=PANE),
        style_function=lambda f: ring,
        tooltip=folium.GeoJsonTooltip(
            ["caption"],
            labels=False,
            permanent=True,
            direction="top",
            offset=(0, -18),
            sticky=False,
            class_name=LABEL_CLASS,
            style=LABEL_STYLE,
        ),
        control=False,
    ).add_to(group)
    return group


def mark_gap(m: folium.Map, result: Result, gap_id: str, basemap: str = "none", lang: str = "zh", asset_url: str = APP_STATIC_URL) -> bool:
    """Mark the gap ``gap_id`` of ``result`` on ``m`` (a built map, in ``basemap``'s coordinates): a pane of its
    own above every layer and :func:`picked_layer` in it, added last; the map's layer list folded (the view is
    centred on the gap, where the unfolded list would lie over it). False (and ``m`` unchanged) when
    ``result`` has no such gap."""
    gap = result.gaps[result.gaps["gap_id"] == gap_id]
    if not len(gap) or gap.geometry.iloc[0] is None or gap.geometry.iloc[0].is_empty:
        return False
    titles = result.summary.set_index("rule")["title_zh" if lang == "zh" else "title_en"]
    rule = str(gap["rule"].iloc[0])
    folium.map.CustomPane(PANE, z_index=PANE_Z, pointer_events=False).add_to(m)
    for child in m._children.values():  # the layer list folded: unfolded, it would cover the gap at the map's centre
        if isinstance(child, folium.LayerControl):
            child.options["collapsed"] = True
    picked_layer(display_shift(gap.iloc[:1], BASEMAPS[basemap]), str(titles.get(rule, rule)), lang).add_to(m)
    localize(m, asset_url)  # (nothing new to fetch; keeps every asset local whatever folium adds)
    return True


__all__ = ["HALO_COLOR", "PANE", "PICKED_COLOR", "caption", "mark_gap", "picked_layer"]
