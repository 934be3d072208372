"""How features are drawn: each layer's colours come from its declaration (:mod:`facilities.schema`);
status is drawn as fill (in use), dashed ring (planned) or grey (closed). Gaps and reach areas have
colours of their own."""

from __future__ import annotations

from facilities.schema import ALL_LAYERS, Style

GAP_COLOR = "#e31a1c"
REACH_COLOR = "#2e86c1"
#: a suggested site for a new facility (maps/planning.py)
SITE_COLOR = "#1b7837"
CLOSED_COLOR = "#808b96"
PLANNED_COLOR = "#566573"

#: how gaps are drawn, by their kind's ``gap_shape`` (facilities.kinds)
GAP_SHAPE_STYLES: dict[str, dict] = {
    "ring": {"color": GAP_COLOR, "weight": 2.5, "opacity": 0.85, "fill": True, "fillOpacity": 0.08, "dashArray": None},
    "line": {"color": GAP_COLOR, "weight": 6, "opacity": 0.85, "fill": False, "dashArray": None},
    "outline": {"color": GAP_COLOR, "weight": 2.5, "opacity": 0.85, "fill": True, "fillOpacity": 0.08, "dashArray": None},
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
    """The declared style of ``layer``; ``ValueError`` naming the drawable layers for one without a style."""
    spec = ALL_LAYERS.get(layer)
    if spec is None or spec.style is None:
        drawable = ", ".join(n for n, s in ALL_LAYERS.items() if s.style is not None)
        raise ValueError(f"unknown map layer {layer!r}; layers with a style: {drawable}")
    return spec.style


def point_style(layer: str, props: dict, geometry_type: str) -> dict:
    """Leaflet path options for one feature of a point layer."""
    st = layer_style(layer)
    color = st.palette.get(str(props.get(st.by)), st.color) if st.by else st.color
    status = props.get("status")
    area = geometry_type in ("Polygon", "MultiPolygon")
    if status in GREYED:
        color = CLOSED_COLOR
    hollow = status in HOLLOW
    return {
        "color": color,
        "weight": 2 if area or hollow else 1,
        "fill": True,
        "fillColor": color,
        "fillOpacity": 0.1 if hollow else (0.2 if area else 0.85),
        "dashArray": "3 3" if hollow else None,
        "radius": st.radius,
    }


def road_weight(road_class: str | None) -> float:
    """Line width of a road of ``road_class`` (1 for an unknown class)."""
    return float(layer_style("roads").weight.get(road_class or "", 1))
