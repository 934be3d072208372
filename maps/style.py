"""How features are drawn: the symbols, panes and colours that are about drawing in general.

Each layer's colours (toilets by grade, signs by condition, …) are declared once, with the layer, in
:mod:`facilities.schema` (``Style``), from the colour-blind-safe palette of :mod:`facilities.palette`
(Okabe–Ito and white); :func:`layer_style` reads that declaration. Okabe–Ito's vermillion is left out of the
facilities, so that the gaps' red (:data:`GAP_COLOR`) means a gap and nothing else.

Status is drawn once for every layer: a filled dot with a dark edge (in use), a dashed dark ring (planned), grey
(closed). Gaps are never filled: rings, thick dashed lines and dashed outlines in :data:`GAP_COLOR`, in a pane
beneath the facilities (:data:`PANES`), so a gap never hides or catches the click of a facility.
"""

from __future__ import annotations

from facilities.palette import BLUISH_GREEN, SKY_BLUE, WHITE
from facilities.schema import ALL_LAYERS, Style

#: a dot's edge (dark: light classes such as white and yellow stay visible on a light background)
EDGE_COLOR = "#333333"
#: the gaps' red (ColorBrewer's Set1 red), kept for gaps alone: no class of a facility is drawn in it or near it
GAP_COLOR = "#E31A1C"
REACH_COLOR = SKY_BLUE
#: a suggested site for a new facility (maps/planning.py)
SITE_COLOR = BLUISH_GREEN
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


def layer_style(layer: str) -> Style:
    """The style declared with ``layer`` (:mod:`facilities.schema`); ``ValueError`` naming the drawable layers
    for one without a style."""
    spec = ALL_LAYERS.get(layer)
    if spec is None or spec.style is None:
        drawable = ", ".join(n for n, s in ALL_LAYERS.items() if s.style is not None)
        raise ValueError(f"unknown map layer {layer!r}; layers with a style: {drawable}")
    return spec.style


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
