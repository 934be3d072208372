"""The city map: every layer of a loaded city, and every gap of a check, on one Folium map (no Streamlit).

``build_map`` assembles smaller builders, each usable on its own: :func:`background`,
:func:`facility_layer`, :func:`lamp_layer`, :func:`gap_layers`, :func:`reach_layers`. All text from data is
HTML-escaped before it reaches the page; all assets are local (see :mod:`maps.assets`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from facilities import City
from facilities.check import Result, reach_areas, walk_routes
from facilities.kinds import KINDS
from facilities.present import is_coded, readable
from facilities.schema import ALL_LAYERS, MAP_LAYERS
from facilities.words import LANGS, both, field_label, label, measure_text, pick, text
from maps.assets import APP_STATIC_URL, localize
from maps.basemaps import BASEMAPS, Basemap, display_shift, resolve
from maps.controls import Legend, NameSearch, Panes, ViewMemory
from maps.escape import html_text
from maps.filtering import MapFilter
from maps.pointcloud import PointCloud, pack_points
from maps.style import (
    CLOSED_COLOR,
    FACILITY_PANE,
    GAP_COLOR,
    GAP_PANE,
    GAP_SHAPE_STYLES,
    PANES,
    REACH_COLOR,
    SYMBOL_LABELS,
    WHITE,
    layer_style,
    point_style,
    road_weight,
)

DEFAULT_LAYERS = MAP_LAYERS

COMMON = ["name", "name_en", "id", "status"]
#: a point cloud keeps every text field up to this many points (see point_cloud)
DETAIL_LIMIT = 200_000
#: reach areas are drawn for rules with at most this many qualifying facilities
MAX_REACH_AREAS = 2000
TAIL = ["district", "unit"]


def _clean(value: Any) -> Any:
    """Escape text for HTML (and make it inert to templates: maps/escape.py); missing values become empty
    strings (never 'null' in a popup)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, str):
        return html_text(value)
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return value


def features(gdf: gpd.GeoDataFrame, columns: list[str], labels: tuple[str, str] | None = None) -> dict[str, Any]:
    """A GeoJSON dict with only ``columns`` as properties, every text value HTML-escaped. With ``labels``
    (layer, language), each coded column (a closed set of values, yes/no) also gets ``<column>_text``: its
    value's label, which popups and tooltips show (styles read the codes)."""
    cols = [c for c in columns if c in gdf.columns]
    if labels is not None:
        layer, lang = labels
        coded = [c for c in cols if is_coded(layer, c)]
        if coded:
            gdf = gdf.assign(**{f"{c}_text": readable(gdf[coded], layer, lang, headers=False)[c] for c in coded})
            cols = cols + [f"{c}_text" for c in coded]
    feats = []
    # 6 decimals of a degree is about 0.1 m: plenty for a map, and half the bytes
    geoms = shapely.transform(gdf.geometry.to_numpy(), lambda c: np.round(c, 6)) if len(gdf) else []
    for values, geom in zip(gdf[cols].itertuples(index=False, name=None), geoms, strict=True):
        if geom is None or geom.is_empty:
            continue
        props = {c: _clean(v) for c, v in zip(cols, values, strict=True)}
        feats.append({"type": "Feature", "properties": props, "geometry": geom.__geo_interface__})
    return {"type": "FeatureCollection", "features": feats}


def _fields(layer: str) -> list[str]:
    return COMMON + list(ALL_LAYERS[layer].popup) + TAIL


def _aliases(fields: list[str], lang: str, layer: str | None) -> list[str]:
    """Field labels of ``layer`` (gap tables and other computed columns: :data:`facilities.words.COLUMNS`)."""
    return [field_label(layer, f, lang) if layer else label(f, lang) for f in fields]


def _shown(fields: list[str], layer: str | None) -> list[str]:
    """The properties a popup shows for ``fields``: a coded field's label (``<field>_text``, see :func:`features`)."""
    return [f"{f}_text" if layer and is_coded(layer, f) else f for f in fields]


def _tooltip(fields: list[str], lang: str, layer: str | None = None) -> folium.GeoJsonTooltip:
    return folium.GeoJsonTooltip(fields=_shown(fields, layer), aliases=_aliases(fields, lang, layer), sticky=False)


def _popup(fields: list[str], lang: str, layer: str | None = None) -> folium.GeoJsonPopup:
    return folium.GeoJsonPopup(fields=_shown(fields, layer), aliases=_aliases(fields, lang, layer), max_width=360)


def _title(layer: str, lang: str, n: int | None = None) -> str:
    spec = ALL_LAYERS[layer]
    name = both(spec.title_zh, spec.title_en, lang)
    return f"{name} ({n})" if n is not None else name


# --------------------------------------------------------------------------- builders


def background(city: City, basemap: Basemap, lang: str = "zh") -> list[folium.GeoJson]:
    """Water, district outlines and roads: the background in basemap-free mode (roads hidden on tiles)."""
    out = []
    offline = not basemap.tiles
    water = display_shift(city["water"], basemap)
    if len(water) and offline:
        out.append(
            folium.GeoJson(
                features(water, ["name", "name_en"]),
                name=text("water", lang),
                style_function=lambda f: {"color": "#85c1e9", "weight": 0, "fillColor": layer_style("water").color, "fillOpacity": 0.9},
                control=False,
            )
        )
    zones = city["zones"]
    districts = display_shift(zones[zones["zone_type"] == "district"], basemap)
    if len(districts):
        out.append(
            folium.GeoJson(
                features(districts, ["name", "name_en", "id", "unit"], ("zones", lang)),
                name=text("districts", lang),
                style_function=lambda f: {"color": layer_style("zones").color, "weight": 2, "dashArray": "6 4", "fill": False},
                tooltip=_tooltip(["name", "name_en"], lang, "zones"),
            )
        )
    roads = display_shift(city["roads"], basemap)
    if len(roads):
        # a background of thousands of segments: only what the tooltip shows, no popup (the app's click panel
        # and the inventory have the rest)
        fields = ["name", "name_en", "road_class"]
        out.append(
            folium.GeoJson(
                features(roads, fields, ("roads", lang)),
                name=_title("roads", lang, len(roads)),
                style_function=lambda f: {
                    "color": "#909497",
                    "weight": road_weight(f["properties"].get("road_class")),
                    "dashArray": "4 3" if f["properties"].get("road_class") == "pedestrian" else None,
                },
                highlight_function=lambda f: {"color": "#2e4053", "weight": 6},
                tooltip=_tooltip(fields, lang, "roads"),
                show=offline,
            )
        )
    return out


def facility_layer(city: City, layer: str, basemap: Basemap, lang: str = "zh") -> folium.GeoJson:
    """One toggleable layer of circle markers (areas as outlines), coloured by type and status, in the facilities'
    pane (above the gaps: a map from :func:`base_map`)."""
    if layer not in MAP_LAYERS or layer == "lamps":
        raise ValueError(f"unknown facility layer {layer!r}; known: {', '.join(n for n in MAP_LAYERS if n != 'lamps')}")
    gdf = display_shift(city[layer], basemap)
    fields = _fields(layer)
    style = layer_style(layer)
    return folium.GeoJson(
        features(gdf, fields, (layer, lang)),
        name=_title(layer, lang, len(gdf)),
        marker=folium.CircleMarker(radius=style.radius),
        style_function=lambda f, layer=layer: point_style(layer, f["properties"], f["geometry"]["type"]),
        tooltip=_tooltip(COMMON[:2] + list(ALL_LAYERS[layer].popup[:1]) + ["status"], lang, layer),
        popup=_popup(fields, lang, layer),
        pane=FACILITY_PANE,
    )


def lamp_classes(lamps: pd.DataFrame) -> np.ndarray:
    """Class of each lamp for the point cloud: 0 working, 1 not working, 2 planned (the order of the lamps' style classes)."""
    working = lamps["working"].fillna(True).to_numpy(dtype=bool)
    planned = lamps["status"].isin(["planned"]).to_numpy(dtype=bool)
    return np.where(planned, 2, np.where(working, 0, 1)).astype(np.uint8)


def lamp_layer(city: City, basemap: Basemap, lang: str = "zh", max_points: int = 150_000) -> PointCloud:
    """All lamps as one point cloud: yellow working, black not working, ring planned."""
    lamps = display_shift(city["lamps"], basemap)
    return point_cloud(lamps, _title("lamps", lang, len(lamps)), lang, max_points)


def _coded_text(layer: str, field: str, values: pd.Series, lang: str) -> pd.Series:
    """A coded field's values by their labels (one lookup per distinct value: cheap for 100,000 lamps)."""
    if not is_coded(layer, field):
        return values
    spec = ALL_LAYERS[layer].field(field)
    assert spec is not None
    return values.map({v: pick(lab, lang) for v, lab in spec.value_labels.items()}).fillna(values)


def point_cloud(lamps: gpd.GeoDataFrame, name: str, lang: str = "zh", max_points: int = 150_000) -> PointCloud:
    pts = lamps.geometry.representative_point() if len(lamps) and not (lamps.geom_type == "Point").all() else lamps.geometry
    # beyond DETAIL_LIMIT points, per-point text with many distinct values (ids) is left out: it would
    # outweigh the geometry; fields with few values (road, type, district) stay
    classes = list(layer_style("lamps").classes.values())
    fields = {
        f: (field_label("lamps", f, lang), _coded_text("lamps", f, lamps[f], lang))
        for f in ("id", "road", "lamp_type", "height_m", "circuit", "district", "unit")
        if f in lamps and (len(lamps) <= DETAIL_LIMIT or lamps[f].nunique() <= 65_536)
    }
    payload = pack_points(
        pts.x.to_numpy() if len(pts) else np.zeros(0),
        pts.y.to_numpy() if len(pts) else np.zeros(0),
        lamp_classes(lamps) if len(lamps) else np.zeros(0, dtype=np.uint8),
        colors=[c for c, _, _ in classes],
        labels=[both(*lab, lang) for _, lab, _ in classes],
        fields=fields,
        hollow=[h for _, _, h in classes],
    )
    return PointCloud(payload, name=name, radius=2.5, max_points=max_points, title=name)


def gap_layers(result: Result, basemap: Basemap, lang: str = "zh", show: bool = True) -> list[folium.GeoJson]:
    """One layer per rule with gaps: points as rings, dark stretches as thick dashed lines, zones as dashed
    outlines, never filled, in the gaps' pane beneath the facilities (a map from :func:`base_map`)."""
    out = []
    gaps = display_shift(result.gaps, basemap)
    titles = result.summary.set_index("rule")["title_zh" if lang == "zh" else "title_en"]
    fields = ["rule", "feature_id", "name", "measure", "detail", "district", "unit"]
    kinds = result.summary.set_index("rule")["kind"]
    for rule, group in gaps.groupby("rule", sort=False):
        shown = group.copy()
        shown["measure"] = [measure_text(m, u, lang) for m, u in zip(group["measure"], group["measure_unit"], strict=True)]
        shown["rule"] = str(titles.get(rule, rule))  # the rule's title in the reader's language, not its id
        shown["detail"] = group["detail_zh" if lang == "zh" else "detail"]
        title = html_text(str(titles.get(rule, rule)))
        style = GAP_SHAPE_STYLES[KINDS[kinds[rule]].gap_shape]
        out.append(
            folium.GeoJson(
                features(shown, [*fields, "gap_id"]),  # (the id: what maps.filtering keeps)
                name=f"{text('gaps', lang)} · {title} ({len(group)})",
                marker=folium.CircleMarker(radius=9),
                style_function=lambda f, style=style: style,
                tooltip=_tooltip(["name", "feature_id", "measure"], lang),
                popup=_popup(fields, lang),
                show=show,
                pane=GAP_PANE,
            )
        )
    return out


def reach_layers(city: City, result: Result, basemap: Basemap, lang: str = "zh") -> list[folium.GeoJson]:
    """For each reach rule, the area within its distance of each qualifying facility (hidden at first)."""
    out: list[folium.GeoJson] = []
    if result.rules is None:
        return out
    for rule in result.rules:
        if rule.kind != "reach":
            continue
        areas = display_shift(reach_areas(city, rule, result.as_of), basemap)
        if not len(areas) or len(areas) > MAX_REACH_AREAS:  # thousands of circles (e.g. around lamps) say nothing
            continue
        title = html_text(rule.title_zh if lang == "zh" else rule.title_en)
        walk = rule.params.get("metric") == "walk"  # the streets within that walk, not circles
        out.append(
            folium.GeoJson(
                features(areas, ["id", "name"]),
                name=f"{text('reach_walk' if walk else 'reach', lang)} {rule.params['distance_m']:g} m · {title}",
                style_function=(lambda f: {"color": REACH_COLOR, "weight": 4, "opacity": 0.6})
                if walk
                else (lambda f: {"color": REACH_COLOR, "weight": 1, "fillColor": REACH_COLOR, "fillOpacity": 0.08}),
                show=False,
            )
        )
    return out


def route_layers(city: City, result: Result, basemap: Basemap, lang: str = "zh") -> list[folium.GeoJson]:
    """For each walking reach rule, the walk from each of its gaps to the nearest qualifying facility (dashed)."""
    out: list[folium.GeoJson] = []
    for rule in result.rules or ():
        routes = walk_routes(city, rule, result)
        if not len(routes):
            continue
        routes = display_shift(routes, basemap)
        title = html_text(rule.title_zh if lang == "zh" else rule.title_en)
        out.append(
            folium.GeoJson(
                features(routes, ["name"]),
                name=f"{text('walk_routes', lang)} · {title} ({len(routes)})",
                style_function=lambda f: {"color": GAP_COLOR, "weight": 2, "dashArray": "6 4", "opacity": 0.8},
                tooltip=_tooltip(["name"], lang),
            )
        )
    return out


def analysis_layers(
    city: City,
    result: Result | None,
    basemap: Basemap,
    lang: str,
    reach_circles: bool = False,
    illuminance: Mapping[str, gpd.GeoDataFrame] | None = None,
) -> list[folium.GeoJson]:
    """What a check adds to the map: walking routes and gaps, optionally the reach areas (hidden), and the
    illuminance estimates along the roads (hidden)."""
    out: list[folium.GeoJson] = []
    if result is not None:
        out += [*route_layers(city, result, basemap, lang), *gap_layers(result, basemap, lang)]
        if reach_circles:
            out += reach_layers(city, result, basemap, lang)
    for stretches in (illuminance or {}).values():
        if len(stretches):
            from maps.planning import illuminance_layer  # (maps.planning builds on this module)

            out.append(illuminance_layer(stretches, basemap.key, lang, show=False))
    return out


def legend(
    layers: list[str],
    lang: str,
    open_: bool = True,
    gap_shapes: tuple[str, ...] = ("ring", "line", "outline"),
    routes: bool = False,
    background: bool = False,
) -> Legend:
    """The legend: every symbol once, in ``lang``. Each drawn layer's classes (dots by colour), the statuses
    (once for every layer), the gaps by their shape (``gap_shapes``; ``routes``: the walks to the nearest
    facility) and, with ``background``, the city's own water, district boundaries and roads."""
    entries: list[tuple[str, list[tuple[str, str, bool | str]]]] = []
    for layer in layers:
        st = layer_style(layer)
        spec = ALL_LAYERS[layer]
        title = pick((spec.title_zh, spec.title_en), lang)
        items: list[tuple[str, str, bool | str]]
        if st.classes:
            items = [(c, pick(lab, lang), "ring" if h else "dot") for c, lab, h in st.classes.values()]
        elif st.by:
            values = spec.field(st.by).value_labels  # type: ignore[union-attr]
            items = [(c, pick(values[v], lang) if v in values else v, "dot") for v, c in st.palette.items()]
            title = f"{title} · {field_label(layer, st.by, lang)}"
        else:
            items = [(st.color, title, "dot")]
        entries.append((title, items))
    word = {k: pick(v, lang) for k, v in SYMBOL_LABELS.items()}
    status: list[tuple[str, str, bool | str]] = [(WHITE, word["existing"], "dot"), (WHITE, word["planned"], "dashed-ring")]
    entries.append((word["status"], [*status, (CLOSED_COLOR, word["closed"], "dot")]))
    drawn = {"ring": "ring", "line": "thick-dashed-line", "outline": "outline"}
    gaps: list[tuple[str, str, bool | str]] = [(GAP_COLOR, word[shape], drawn[shape]) for shape in drawn if shape in gap_shapes]
    if routes:
        gaps.append((GAP_COLOR, word["route"], "thin-dashed-line"))
    if gaps:
        entries.append((text("gaps", lang), gaps))
    if background:
        back: list[tuple[str, str, bool | str]] = [
            (layer_style("water").color, word["water"], "patch"),
            (layer_style("zones").color, word["district"], "thin-dashed-line"),
            ("#909497", word["road"], "line"),
        ]
        entries.append((word["background"], back))
    return Legend(text("legend", lang), entries, open_)


def _has_gap_ids(data: Any) -> bool:
    """Whether a GeoJSON layer's data are gaps (features carrying ``gap_id``: :func:`gap_layers`)."""
    feats = data.get("features") if isinstance(data, dict) else None
    return isinstance(feats, list) and bool(feats) and "gap_id" in (feats[0].get("properties") or {})


def gap_shapes(result: Result | None) -> tuple[str, ...]:
    """The shapes (``ring``, ``line``, ``outline``) of the gaps ``result`` draws, for the legend."""
    if result is None or not len(result.gaps):
        return ()
    kinds = result.summary.set_index("rule")["kind"]
    return tuple({KINDS[kinds[rule]].gap_shape: None for rule in result.gaps["rule"].unique() if rule in kinds.index})


def search_records(city: City, layers: list[str], basemap: Basemap) -> list[dict]:
    """Named features of the drawn layers (lamps excluded) for the search box: "name / name_en (layer)"."""
    records = []
    for layer in [*layers, "roads"]:
        if layer == "lamps":
            continue
        gdf = display_shift(city[layer], basemap)
        if not len(gdf):
            continue
        pts = gdf.geometry.representative_point()
        spec = ALL_LAYERS[layer]
        seen = set()
        for name, name_en, p in zip(gdf["name"], gdf["name_en"], pts, strict=True):
            if not isinstance(name, str) or not name:
                continue
            key = (name, layer) if layer == "roads" else None  # one entry per road, not per segment
            if key in seen:
                continue
            if key:
                seen.add(key)
            title = f"{name} / {name_en}" if isinstance(name_en, str) and name_en else name
            records.append({"title": f"{title} ({spec.title_zh})", "lat": round(p.y, 6), "lng": round(p.x, 6)})
    return records


def base_map(city: City, basemap: Basemap, urls: list[str], lang: str = "zh") -> folium.Map:
    """A map of the city centred at its centre (shifted to GCJ-02 with tiles in it), its tiles (``urls``) and
    the background (:func:`background`): what every map of the city starts from."""
    cfg = city.config
    lon, lat = cfg.center_lon, cfg.center_lat
    if basemap.gcj02:  # the tiles are in GCJ-02: so is every layer drawn on them (display_shift), and the centre
        from facilities.chinacrs import wgs84_to_gcj02

        lon, lat = (float(v) for v in wgs84_to_gcj02(lon, lat))
    m = folium.Map(location=[lat, lon], zoom_start=cfg.zoom, tiles=None, prefer_canvas=True, control_scale=True)
    Panes(PANES).add_to(m)  # gaps beneath facilities (maps.style.PANES); before any layer that uses them
    for url in urls:
        folium.TileLayer(tiles=url, attr=basemap.attr, name=basemap.label_en, subdomains=basemap.subdomains, control=False,
                         max_zoom=19).add_to(m)  # fmt: skip
    for lyr in background(city, basemap, lang):
        lyr.add_to(m)
    return m


def fit_view(
    west: float, south: float, east: float, north: float, width_px: int = 800, height_px: int = 540, max_zoom: int = 17
) -> tuple[tuple[float, float], int]:
    """The centre (lat, lon) and the largest whole Web-Mercator zoom at which the box fits a map of that size."""
    lat = (south + north) / 2
    dlon = max(east - west, 1e-9)
    dlat = max(north - south, 1e-9) / max(math.cos(math.radians(lat)), 1e-6)  # (Mercator stretches north-south)
    zoom = math.floor(math.log2(min(width_px * 360 / (256 * dlon), height_px * 360 / (256 * dlat))))
    return (lat, (west + east) / 2), int(min(max(zoom, 3), max_zoom))


def build_map(
    city: City,
    result: Result | None = None,
    layers: list[str] | tuple[str, ...] | None = None,
    basemap: str = "none",
    lang: str = "zh",
    reach_circles: bool = False,
    asset_url: str = APP_STATIC_URL,
    lamp_max_points: int = 150_000,
    remember_view: str | None = None,
    legend_open: bool = True,
    illuminance: Mapping[str, gpd.GeoDataFrame] | None = None,
) -> folium.Map:
    """The city map.

    Parameters
    ----------
    city : a loaded city.
    result : a :func:`facilities.check.check` result; its gaps are drawn, one toggleable layer per rule.
    layers : facility layers to draw (default: all of :data:`MAP_LAYERS`).
    basemap : a key of :data:`maps.basemaps.BASEMAPS`: ``none`` (the city's own water, districts and roads;
        works offline), ``osm``, ``cartodb``, ``gaode`` (every layer shifted to GCJ-02 for display),
        ``tianditu`` (needs ``TIANDITU_KEY``).
    lang : ``zh`` or ``en``.
    reach_circles : also draw, hidden at first, the reach of each reach rule's facilities.
    asset_url : where ``static/`` is served (``/app/static`` in the app; :data:`maps.assets.INLINE` to export).
    remember_view : a key; the browser keeps the view under it and restores it when the map is drawn again.
    legend_open : show the legend unfolded (a click folds and unfolds it).
    illuminance : an illuminance rule's estimate per stretch (rule id -> :func:`facilities.check.illuminance_stretches`),
        drawn (hidden at first) as a colour along each road.
    """
    b, urls = resolve(basemap)
    if lang not in LANGS:
        raise ValueError(f"lang should be one of {', '.join(LANGS)}, got {lang!r}")
    layers = list(DEFAULT_LAYERS if layers is None else layers)
    unknown = [name for name in layers if name not in MAP_LAYERS]
    if unknown:
        raise ValueError(f"unknown map layer(s) {unknown}; known: {', '.join(MAP_LAYERS)}")
    m = base_map(city, b, urls, lang)
    drawn: dict[str, Any] = {}
    for name in layers:
        if name == "lamps":
            if len(city["lamps"]):
                drawn[name] = lamp_layer(city, b, lang, lamp_max_points).add_to(m)
        elif len(city[name]):
            drawn[name] = facility_layer(city, name, b, lang).add_to(m)
    analysis = analysis_layers(city, result, b, lang, reach_circles, illuminance)
    for lyr in analysis:
        lyr.add_to(m)
    gap_names = [lyr.get_name() for lyr in analysis if getattr(lyr, "data", None) and _has_gap_ids(lyr.data)]
    lamps = drawn.pop("lamps", None)
    MapFilter({n: lyr.get_name() for n, lyr in drawn.items()}, gap_names, lamps.get_name() if lamps else None).add_to(m)
    overlays = sum(1 for c in m._children.values() if isinstance(c, folium.map.Layer) and c.control)
    folium.LayerControl(collapsed=overlays > 14).add_to(m)
    folium.plugins.Fullscreen(position="topleft", title="全屏 Full screen", title_cancel="退出全屏 Exit full screen").add_to(m)
    folium.plugins.MeasureControl(
        position="topleft", primary_length_unit="meters", secondary_length_unit="kilometers", primary_area_unit="sqmeters"
    ).add_to(m)
    NameSearch(search_records(city, layers, b), text("search", lang), text("not_found", lang)).add_to(m)
    legend(  # only what the map shows
        [name for name in layers if len(city[name])],
        lang,
        legend_open,
        gap_shapes=gap_shapes(result),
        routes=any(lyr.layer_name.startswith(text("walk_routes", lang)) for lyr in analysis),
        background=not b.tiles,
    ).add_to(m)
    if remember_view:
        ViewMemory(remember_view).add_to(m)
    return localize(m, asset_url)


__all__ = [
    "BASEMAPS",
    "DEFAULT_LAYERS",
    "MAP_LAYERS",
    "base_map",
    "build_map",
    "facility_layer",
    "features",
    "gap_layers",
    "lamp_layer",
    "reach_layers",
    "route_layers",
]
