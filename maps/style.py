"""How features are drawn: one colour-blind-safe palette, declared here once, and the symbols built from it.

The facilities' colours come from :data:`OKABE_ITO` (Okabe & Ito 2008, *Color Universal Design*: eight colours
that stay apart under the common colour-vision deficiencies) and white; its vermillion is left out, so that
the gaps' red (:data:`GAP_COLOR`) means a gap and nothing else. Each layer's classes (toilets by grade, signs
by condition, …) are picked so that, in one layer, every two classes differ by at least ΔE2000 20, and by 15
under simulated deuteranopia and protanopia (``tests/test_map_style.py`` computes it).
Ordered classes (grades) go from dark (best) to light. The layers' *fields* and their values are declared in
:mod:`facilities.schema`; the colours here override that declaration's (:func:`layer_style`).

Status is drawn once for every layer: a filled dot with a dark edge (in use), a dashed dark ring (planned), grey
(closed). Gaps are never filled: rings, thick dashed lines and dashed outlines in :data:`GAP_COLOR`, in a pane
beneath the facilities (:data:`PANES`), so a gap never hides or catches the click of a facility.
"""

from __future__ import annotations

import dataclasses
import functools

from facilities.schema import ALL_LAYERS, Style

#: Okabe–Ito's colour-blind-safe qualitative palette (https://jfly.uni-koeln.de/color/)
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
WHITE = "#FFFFFF"
_C = {**OKABE_ITO, "white": WHITE}

#: the colour of each class of each layer drawn by class: layer -> (field, value -> colour)
CLASSES: dict[str, tuple[str, dict[str, str]]] = {
    # grades from dark (best) to light, the same colour for the same rank in both layers
    "attractions": (
        "grade",
        {"AAAAA": _C["black"], "AAAA": _C["blue"], "AAA": _C["bluish_green"], "AA": _C["sky_blue"], "A": _C["yellow"], "none": _C["white"]},
    ),
    "toilets": ("grade", {"AAA": _C["black"], "AA": _C["blue"], "A": _C["orange"], "none": _C["white"]}),
    # condition: the layer's own colour when good, yellow when damaged, black when missing
    "signs": ("condition", {"good": _C["reddish_purple"], "damaged": _C["yellow"], "missing": _C["black"]}),
    "billboards": ("condition", {"good": _C["bluish_green"], "damaged": _C["yellow"], "missing": _C["black"]}),
    "docks": ("dock_type", {"tour": _C["blue"], "ferry": _C["orange"], "passenger": _C["sky_blue"]}),
    "stops": (
        "stop_type",
        {
            "bus": _C["blue"],
            "sightseeing_bus": _C["bluish_green"],
            "tour_bus": _C["black"],
            "taxi": _C["yellow"],
            "tram": _C["sky_blue"],
            "light_rail": _C["white"],
        },
    ),
    # a report still open stands out; a fixed one fades to white
    "reports": ("status", {"open": _C["orange"], "assigned": _C["sky_blue"], "fixed": _C["white"]}),
}
#: the lamps' point-cloud classes (working, not working, planned: the order of maps.city_map.lamp_classes)
LAMP_COLORS: dict[str, str] = {"working": _C["yellow"], "dark": _C["black"], "planned": _C["yellow"]}

#: a dot's edge (dark: light classes such as white and yellow stay visible on a light background)
EDGE_COLOR = "#333333"
#: the gaps' red (ColorBrewer's Set1 red), kept for gaps alone: no class of a facility is drawn in it or near it
GAP_COLOR = "#E31A1C"
REACH_COLOR = _C["sky_blue"]
#: a suggested site for a new facility (maps/planning.py)
SITE_COLOR = _C["bluish_green"]
CLOSED_COLOR = "#808b96"
PLANNED_COLOR = EDGE_COLOR

#: Leaflet panes (name -> z-index) of the city map: the background (water, districts, roads), the lamps and the
#: reach areas stay in Leaflet's overlay pane (400); the gaps are drawn beneath the facilities. Both panes let
#: clicks through where nothing of theirs is drawn (maps.controls.Panes).
PANES: dict[str, int] = {"gaps": 410, "facilities": 420}
GAP_PANE = "gaps"
FACILITY_PANE = "facilities"

#: how gaps are drawn, by their kind's ``gap_shape`` (facilities.kinds): never filled, so they hide nothing
GAP_SHAPE_STYLES: dict[str, dict] = {
    "ring": {"color": GAP_COLOR, "weight": 3, "opacity": 0.9, "fill": False, "dashArray": None, "pane": GAP_PANE},
    "line": {"color": GAP_COLOR, "weight": 5, "opacity": 0.8, "fill": False, "dashArray": "10 6", "lineCap": "butt", "pane": GAP_PANE},
    "outline": {"color": GAP_COLOR, "weight": 3, "opacity": 0.9, "fill": False, "dashArray": "8 5", "pane": GAP_PANE},
}
#: what each symbol means, for the legend: key -> (Chinese, English)
SYMBOL_LABELS: dict[str, tuple[str, str]] = {
    "ring": ("红圈：缺设施或不达标的地点", "red ring: a place short of a facility or of the standard"),
    "line": ("红色虚线：缺灯或缺设施的路段", "red dashed line: a stretch of road short of lamps or facilities"),
    "outline": ("红色虚框：设施不足的区域", "red dashed outline: an area short of facilities"),
    "route": ("细虚线：到最近设施的步行路线", "thin red dashed line: the walk to the nearest facility"),
    "existing": ("实心点：在用", "filled dot: in use"),
    "planned": ("虚线圈：规划", "dashed ring: planned"),
    "closed": ("灰点：关闭", "grey dot: closed"),
    "district": ("虚线：区界", "dashed line: district boundary"),
    "road": ("灰线：道路", "grey line: road"),
    "water": ("水系", "water"),
    "status": ("状态", "Status"),
    "background": ("底图", "Background"),
}

#: a rectification task's colour by state (facilities.tasks.flow.STATES; a test checks every state has one)
STATE_COLORS: dict[str, str] = {
    "filed": "#8e44ad",
    "dispatched": "#e67e22",
    "accepted": "#f1c40f",
    "submitted": "#3498db",
    "verifying": "#1abc9c",
    "closed": "#27ae60",
    "rejected": "#95a5a6",
}

#: statuses drawn hollow (planned) or grey (closed)
HOLLOW = frozenset({"planned"})
GREYED = frozenset({"closed"})


@functools.cache
def layer_style(layer: str) -> Style:
    """The style of ``layer``: its declaration (:mod:`facilities.schema`) with this module's colours;
    ``ValueError`` naming the drawable layers for one without a style."""
    spec = ALL_LAYERS.get(layer)
    if spec is None or spec.style is None:
        drawable = ", ".join(n for n, s in ALL_LAYERS.items() if s.style is not None)
        raise ValueError(f"unknown map layer {layer!r}; layers with a style: {drawable}")
    st = spec.style
    if layer in CLASSES:
        by, palette = CLASSES[layer]
        first = next(iter(palette.values()))
        return dataclasses.replace(st, color=palette.get("good", first), by=by, palette=dict(palette))
    if st.classes:
        classes = {key: (LAMP_COLORS.get(key, color), label, hollow) for key, (color, label, hollow) in st.classes.items()}
        return dataclasses.replace(st, color=LAMP_COLORS.get("working", st.color), classes=classes)
    return st


def point_style(layer: str, props: dict, geometry_type: str) -> dict:
    """Leaflet path options for one feature of a facility layer (drawn in the facilities' pane)."""
    st = layer_style(layer)
    color = st.palette.get(str(props.get(st.by)), st.color) if st.by else st.color
    status = props.get("status")
    area = geometry_type in ("Polygon", "MultiPolygon")
    if status in GREYED:
        color = CLOSED_COLOR
    hollow = status in HOLLOW
    return {
        "color": color if area and color != WHITE else EDGE_COLOR,
        "weight": 2 if area or hollow else 1,
        "fill": True,
        "fillColor": color,
        "fillOpacity": 0.35 if hollow else (0.08 if area else 0.95),
        "dashArray": "3 3" if hollow else None,
        "radius": st.radius,
        "pane": FACILITY_PANE,
    }


def road_weight(road_class: str | None) -> float:
    """Line width of a road of ``road_class`` (1 for an unknown class)."""
    return float(layer_style("roads").weight.get(road_class or "", 1))
