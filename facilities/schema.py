"""The layer model: every layer, its geometry types and its fields, declared once as data.

A city is a folder with one ``<layer>.geojson`` per layer (a missing layer is an empty
layer) and a ``city.toml``. Validation (:mod:`facilities.validation`), loading
(:mod:`facilities.city`) and the demo generator all read the declarations below; nothing
else in the code base lists fields or allowed values.

Field types
-----------
``str``    JSON string
``int``    JSON number with no fractional part
``float``  JSON number
``bool``   JSON ``true`` / ``false``
``date``   JSON string ``YYYY-MM-DD`` (ISO 8601 calendar date)
"""

from __future__ import annotations

from dataclasses import dataclass, field

FIELD_TYPES = ("str", "int", "float", "bool", "date")

#: GeoJSON geometry type names a layer may accept.
GEOMETRY_TYPES = (
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
)


@dataclass(frozen=True)
class Field:
    """One property of a layer.

    Parameters
    ----------
    name : property name in the GeoJSON ``properties`` object.
    type : one of :data:`FIELD_TYPES`.
    required : the property must be present and not null.
    allowed : for ``str`` fields, the closed set of accepted values.
    min, max : inclusive numeric bounds for ``int`` and ``float`` fields.
    doc : a short description (English), shown in error messages and the README.
    """

    name: str
    type: str = "str"
    required: bool = False
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    doc: str = ""

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"field {self.name!r}: type should be one of {FIELD_TYPES}, got {self.type!r}")

    def accepted(self) -> str:
        """Human-readable description of the values this field accepts."""
        if self.allowed is not None:
            return "one of " + ", ".join(self.allowed)
        text = {
            "str": "a text string",
            "int": "a whole number",
            "float": "a number",
            "bool": "true or false",
            "date": "a date written YYYY-MM-DD",
        }[self.type]
        if self.min is not None and self.max is not None:
            text += f" from {self.min:g} to {self.max:g}"
        elif self.min is not None:
            text += f" ≥ {self.min:g}"
        elif self.max is not None:
            text += f" ≤ {self.max:g}"
        return text


@dataclass(frozen=True)
class LayerSpec:
    """A layer: its name, titles, accepted geometry types and fields."""

    name: str
    title_zh: str
    title_en: str
    geometry_types: tuple[str, ...]
    fields: tuple[Field, ...] = field(default_factory=tuple)
    #: the field that says what kind of thing a feature is (counted by the CLI, filtered in the app)
    type_field: str | None = None

    @property
    def filename(self) -> str:
        return f"{self.name}.geojson"

    def field(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)


STATUS = ("existing", "new", "renovated", "planned", "closed")
SOURCES = ("survey", "osm", "import", "simulated")
ROAD_CLASSES = ("expressway", "arterial", "secondary", "branch", "pedestrian")

#: Fields every layer carries (a layer may override one, e.g. ``reports.status``).
COMMON_FIELDS: tuple[Field, ...] = (
    Field("id", required=True, doc="unique identifier within the layer"),
    Field("name", doc="name in Chinese"),
    Field("name_en", doc="name in English"),
    Field("district", doc="district (区) the feature lies in"),
    Field("status", required=True, allowed=STATUS, doc="life-cycle status"),
    Field("unit", doc="responsible unit (责任单位)"),
    Field("updated", "date", doc="date of the last survey or edit"),
    Field("source", allowed=SOURCES, doc="where the record comes from"),
    Field("notes", doc="free text"),
)

NONNEG = 0.0


def _layer(
    name: str,
    title_zh: str,
    title_en: str,
    geometry: tuple[str, ...],
    type_field: str | None,
    *own: Field,
) -> LayerSpec:
    """Build a layer from the common fields and its own ones (an own field overrides a common one)."""
    own_by_name = {f.name: f for f in own}
    merged = [own_by_name.pop(f.name, f) for f in COMMON_FIELDS]
    merged.extend(f for f in own if f.name in own_by_name)
    return LayerSpec(name, title_zh, title_en, geometry, tuple(merged), type_field)


POINT = ("Point",)
POINT_OR_AREA = ("Point", "Polygon", "MultiPolygon")
AREA = ("Polygon", "MultiPolygon")
LINE = ("LineString", "MultiLineString")

LAYERS: dict[str, LayerSpec] = {
    spec.name: spec
    for spec in (
        _layer(
            "attractions",
            "景区景点",
            "Scenic spots",
            POINT_OR_AREA,
            "kind",
            Field("kind", required=True, allowed=("scenic_spot", "museum", "park", "historic", "viewpoint")),
            Field(
                "grade",
                allowed=("none", "A", "AA", "AAA", "AAAA", "AAAAA"),
                doc="scenic-area grade per GB/T 17775",
            ),
            Field("daily_visitors", "int", min=NONNEG),
        ),
        _layer(
            "toilets",
            "旅游厕所",
            "Tourist toilets",
            POINT,
            "grade",
            Field(
                "grade",
                required=True,
                allowed=("none", "A", "AA", "AAA"),
                doc="tourist-toilet grade per GB/T 18973-2022",
            ),
            Field("stars", "int", min=1, max=5, doc="star rating of the older standard (1-5)"),
            Field("female_stalls", "int", min=NONNEG),
            Field("male_stalls", "int", min=NONNEG),
            Field("accessible_stalls", "int", min=NONNEG),
            Field("family_room", "bool", doc="third toilet / family room (第三卫生间)"),
            Field("fee", "bool"),
            Field("opening_hours", doc="OSM opening_hours syntax, e.g. 06:00-22:00"),
            Field("kind", allowed=("standalone", "attached", "mobile")),
        ),
        _layer(
            "signs",
            "标识标牌",
            "Signs",
            POINT,
            "sign_type",
            Field(
                "sign_type",
                required=True,
                allowed=(
                    "road_name",
                    "direction",
                    "scenic_guide",
                    "overview_map",
                    "info_board",
                    "bus_stop",
                    "taxi_stop",
                    "toilet_direction",
                ),
            ),
            Field("text_zh"),
            Field("text_en", doc="English text; empty or missing means the sign is not bilingual"),
            Field("symbol", doc="GB/T 10001.1 symbol code"),
            Field("condition", allowed=("good", "damaged", "missing")),
            Field("road", doc="name of the road the sign stands on"),
        ),
        _layer(
            "docks",
            "旅游码头",
            "Tourist docks",
            POINT_OR_AREA,
            "dock_type",
            Field("dock_type", required=True, allowed=("tour", "ferry", "passenger")),
            Field("pontoon", "bool", doc="floating pontoon (趸船)"),
            Field("berths", "int", min=NONNEG),
            Field("operator"),
        ),
        _layer(
            "lamps",
            "路灯与亮化",
            "Lamps",
            POINT,
            "lamp_type",
            Field("lamp_type", required=True, allowed=("street", "landscape", "floodlight", "facade")),
            Field("height_m", "float", min=0, max=60),
            Field("power_w", "float", min=0, max=5000),
            Field("lumens", "float", min=0),
            Field("working", "bool", doc="lights at night"),
            Field("road", doc="name of the road the lamp lights"),
            Field("circuit", doc="lighting circuit id"),
        ),
        _layer(
            "roads",
            "道路",
            "Roads",
            LINE,
            "road_class",
            Field("road_class", required=True, allowed=ROAD_CLASSES),
            Field("lit", "bool", doc="the road is meant to be lit at night"),
            Field("bridge", "bool"),
        ),
        _layer(
            "stops",
            "旅游交通站点",
            "Transport stops",
            POINT,
            "stop_type",
            Field("stop_type", required=True, allowed=("bus", "sightseeing_bus", "tour_bus", "taxi")),
            Field("routes", doc="route names, separated by ;"),
            Field("shelter", "bool"),
            Field("bilingual", "bool"),
        ),
        _layer(
            "billboards",
            "宣传广告牌",
            "Billboards",
            POINT,
            "kind",
            Field("kind", required=True, allowed=("publicity", "commercial")),
            Field("illuminated", "bool"),
            Field("permit_no"),
            Field("permit_expiry", "date"),
            Field("condition", allowed=("good", "damaged", "missing")),
        ),
        _layer(
            "zones",
            "区划与责任区",
            "Districts and zones",
            AREA,
            "zone_type",
            Field(
                "zone_type",
                required=True,
                allowed=("district", "commercial", "scenic", "residential", "green", "responsibility"),
            ),
        ),
        _layer(
            "reports",
            "市容问题报告",
            "Street reports",
            POINT,
            "kind",
            Field(
                "kind",
                required=True,
                allowed=("illegal_ad", "damaged_sign", "dark_lamp", "litter", "damaged_toilet", "other"),
            ),
            Field("status", required=True, allowed=("open", "assigned", "fixed")),
            Field("reported_on", "date", required=True),
            Field("fixed_on", "date"),
            Field("photo", doc="file name or URL of a photo"),
        ),
    )
}


def layer(name: str) -> LayerSpec:
    """Return the declaration of layer ``name``; raise ``KeyError`` naming the known layers."""
    try:
        return LAYERS[name]
    except KeyError:
        raise KeyError(f"unknown layer {name!r}; known layers: {', '.join(LAYERS)}") from None


#: Background layers: drawn under the facilities (basemap-free mode), not checked by rules.
BACKGROUND: dict[str, LayerSpec] = {
    "water": LayerSpec(
        "water",
        "水系",
        "Water",
        AREA,
        (Field("id", required=True), Field("name"), Field("name_en"), Field("source", allowed=SOURCES)),
    ),
}

#: Every file a city folder may hold, by layer name.
ALL_LAYERS: dict[str, LayerSpec] = {**LAYERS, **BACKGROUND}
__all__ = ["ALL_LAYERS", "BACKGROUND", "FIELD_TYPES", "GEOMETRY_TYPES", "LAYERS", "Field", "LayerSpec", "layer"]


def markdown_table() -> str:
    """The layer model as a Markdown table (the README's copy is checked against this by a test)."""
    common = {f.name for f in COMMON_FIELDS}
    rows = ["| layer | file | geometry | own fields (required in **bold**) |", "| --- | --- | --- | --- |"]
    for spec in ALL_LAYERS.values():
        own = []
        for f in spec.fields:
            if f.name in common and spec.name in LAYERS and f == next(c for c in COMMON_FIELDS if c.name == f.name):
                continue
            text = f"`{f.name}` ({f.type}" + (": " + "/".join(f.allowed) if f.allowed else "") + ")"
            own.append(f"**{text}**" if f.required else text)
        rows.append(f"| {spec.title_zh} {spec.title_en} | `{spec.filename}` | {', '.join(spec.geometry_types)} | {'; '.join(own)} |")
    return "\n".join(rows)
