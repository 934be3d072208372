"""How each layer looks: colour by type (or condition), status drawn as fill, ring or grey. Data, not code."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LayerStyle:
    color: str  # default colour
    radius: float  # marker radius, pixels
    by: str | None = None  # field whose value picks the colour
    palette: dict[str, str] = field(default_factory=dict)


POINT_STYLES: dict[str, LayerStyle] = {
    "attractions": LayerStyle(
        "#c0392b", 9, "grade", {"AAAAA": "#7b241c", "AAAA": "#a93226", "AAA": "#cd6155", "AA": "#e6b0aa", "A": "#f2d7d5"}
    ),
    "toilets": LayerStyle("#85929e", 6, "grade", {"AAA": "#1a5276", "AA": "#2471a3", "A": "#5dade2", "none": "#85929e"}),
    "signs": LayerStyle("#7d3c98", 3.5, "condition", {"good": "#7d3c98", "damaged": "#e67e22", "missing": "#e74c3c"}),
    "docks": LayerStyle("#117864", 8, "dock_type", {"tour": "#117864", "ferry": "#48c9b0", "passenger": "#76d7c4"}),
    "stops": LayerStyle(
        "#d35400", 5, "stop_type", {"bus": "#d35400", "sightseeing_bus": "#a04000", "tour_bus": "#f39c12", "taxi": "#f7dc6f"}
    ),
    "billboards": LayerStyle("#b7950b", 5, "condition", {"good": "#b7950b", "damaged": "#e67e22", "missing": "#e74c3c"}),
    "reports": LayerStyle("#e74c3c", 4.5, "status", {"open": "#e74c3c", "assigned": "#f39c12", "fixed": "#27ae60"}),
}

#: lamps: one colour per class of the point cloud
LAMP_CLASSES: list[tuple[str, str, str, bool]] = [
    # key, colour, label, hollow
    ("working", "#f4d03f", "亮 working", False),
    ("dark", "#1c2833", "不亮 not working", False),
    ("planned", "#f4d03f", "规划 planned", True),
]

ROAD_WEIGHT = {"expressway": 5, "arterial": 4, "secondary": 3, "branch": 1.5, "pedestrian": 2}
GAP_COLOR = "#e31a1c"
REACH_COLOR = "#2e86c1"
CLOSED_COLOR = "#808b96"

#: statuses drawn hollow (planned) or grey (closed)
HOLLOW = frozenset({"planned"})
GREYED = frozenset({"closed"})


def point_style(layer: str, props: dict, geometry_type: str) -> dict:
    """Leaflet path options for one feature of a point layer."""
    st = POINT_STYLES[layer]
    color = st.palette.get(props.get(st.by), st.color) if st.by else st.color
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
