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

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from facilities.palette import BLACK, BLUE, BLUISH_GREEN, ORANGE, REDDISH_PURPLE, SKY_BLUE, WHITE, YELLOW

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


Pair = tuple[str, str]


@dataclass(frozen=True)
class Field:
    """One property of a layer.

    Parameters
    ----------
    name : property name in the GeoJSON ``properties`` object.
    type : one of :data:`FIELD_TYPES`.
    required : the property must be present and not null.
    allowed : for ``str`` fields, the closed set of accepted values: a mapping value -> (Chinese, English)
        label (the field's :attr:`allowed` is then the tuple of values, :attr:`value_labels` the mapping).
    min, max : inclusive numeric bounds for ``int`` and ``float`` fields.
    doc : a short description (English), shown in error messages and the README.
    label : (Chinese, English) label of the field, for tables, popups and forms.
    """

    name: str
    type: str = "str"
    required: bool = False
    allowed: Any = None
    min: float | None = None
    max: float | None = None
    doc: str = ""
    label: Pair = ("", "")
    value_labels: Mapping[str, Pair] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"field {self.name!r}: type should be one of {FIELD_TYPES}, got {self.type!r}")
        if isinstance(self.allowed, Mapping):
            object.__setattr__(self, "value_labels", MappingProxyType(dict(self.allowed)))
            object.__setattr__(self, "allowed", tuple(self.allowed))

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


@dataclass(frozen=True, eq=False)
class Style:
    """How a layer is drawn: a default colour and marker radius, and a colour per value of field ``by``.

    The colours are declared here, with each layer, and nowhere else: from :mod:`facilities.palette`
    (Okabe–Ito and white; the spacing of one layer's classes is checked by ``tests/test_map_style.py``).
    ``classes`` (lamps): the point cloud's classes, key -> (colour, (Chinese, English) label, hollow).
    """

    color: str
    radius: float = 5.0
    by: str | None = None
    palette: Mapping[str, str] = field(default_factory=dict)
    classes: Mapping[str, tuple[str, Pair, bool]] = field(default_factory=dict)
    #: line width per value of ``by`` (roads)
    weight: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class LayerSpec:
    """A layer: its name, titles, accepted geometry types, fields, and how it is shown.

    ``style``: how the map draws it; ``popup``: the fields its popup shows (after name, name_en, id, status);
    ``draw_order``: its place among the facility layers of the map (None: not a facility layer of the map).
    """

    name: str
    title_zh: str
    title_en: str
    geometry_types: tuple[str, ...]
    fields: tuple[Field, ...] = field(default_factory=tuple)
    #: the field that says what kind of thing a feature is (counted by the CLI, filtered in the app)
    type_field: str | None = None
    style: Style | None = None
    popup: tuple[str, ...] = ()
    draw_order: int | None = None

    @property
    def filename(self) -> str:
        """The layer's file name in a city folder (``<name>.geojson``)."""
        return f"{self.name}.geojson"

    @property
    def title(self) -> Pair:
        """The layer's title as a (Chinese, English) pair."""
        return (self.title_zh, self.title_en)

    def field(self, name: str) -> Field | None:
        """The field called `name`, or None if the layer has none."""
        for f in self.fields:
            if f.name == name:
                return f
        return None

    @property
    def field_names(self) -> tuple[str, ...]:
        """The names of the layer's fields, in declaration order."""
        return tuple(f.name for f in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        """The names of the fields every feature must have."""
        return tuple(f.name for f in self.fields if f.required)


# --------------------------------------------------------------------------- shared vocabularies

STATUS_LABELS: dict[str, Pair] = {
    "existing": ("现有", "Existing"),
    "new": ("新建", "New"),
    "renovated": ("改造", "Renovated"),
    "planned": ("规划", "Planned"),
    "closed": ("关闭", "Closed"),
}
STATUS = tuple(STATUS_LABELS)
#: statuses of things that are not (or no longer) there: not counted as in use
NOT_IN_USE = ("planned", "closed")
SOURCE_LABELS: dict[str, Pair] = {
    "survey": ("普查", "Survey"),
    "osm": ("OpenStreetMap", "OpenStreetMap"),
    "import": ("导入", "Imported"),
    "simulated": ("模拟", "Simulated"),
    "suggested": ("建议选址", "Suggested site"),
}
SOURCES = tuple(SOURCE_LABELS)
WIDTH_DOC = "carriageway width, kerb to kerb (m): an illuminance rule's calculation points (empty: its default for the class)"
ROAD_CLASS_LABELS: dict[str, Pair] = {
    "expressway": ("快速路", "Expressway"),
    "arterial": ("主干路", "Arterial"),
    "secondary": ("次干路", "Secondary"),
    "branch": ("支路", "Branch"),
    "pedestrian": ("步行街", "Pedestrian"),
    "footway": ("人行步道", "Footway"),
    "path": ("小径", "Path"),
    "steps": ("台阶", "Steps"),
}
ROAD_CLASSES = tuple(ROAD_CLASS_LABELS)
#: road classes for people on foot only (walking network; not streets that rules about streets count)
FOOT_CLASSES = ("footway", "path", "steps")
CONDITION: dict[str, Pair] = {"good": ("完好", "Good"), "damaged": ("损坏", "Damaged"), "missing": ("缺失", "Missing")}
KIND = ("类型", "Kind")

#: Fields every layer carries (a layer may override one, e.g. ``reports.status``).
COMMON_FIELDS: tuple[Field, ...] = (
    Field("id", required=True, doc="unique identifier within the layer", label=("编号", "ID")),
    Field("name", doc="name in the local language (Chinese in a Chinese city)", label=("名称", "Name (zh)")),
    Field("name_en", doc="name in English", label=("英文名", "Name")),
    Field("name_zh", doc="name in Chinese where the local name is not Chinese (OSM name:zh)", label=("中文名", "Name in Chinese")),
    Field("district", doc="district (区) the feature lies in", label=("区", "District")),
    Field("status", required=True, allowed=STATUS_LABELS, doc="life-cycle status", label=("状态", "Status")),
    Field("unit", doc="responsible unit (责任单位)", label=("责任单位", "Responsible unit")),
    Field("updated", "date", doc="date of the last survey or edit", label=("更新日期", "Updated")),
    Field("source", allowed=SOURCE_LABELS, doc="where the record comes from", label=("来源", "Source")),
    Field("notes", doc="free text", label=("备注", "Notes")),
)

NONNEG = 0.0


def _condition(good: str) -> dict[str, str]:
    """The colours of ``condition``: the layer's own colour (``good``) when good, yellow when damaged, black when missing."""
    return {"good": good, "damaged": YELLOW, "missing": BLACK}


def _layer(
    name: str,
    title: Pair,
    geometry: tuple[str, ...],
    type_field: str | None,
    *own: Field,
    style: Style | None = None,
    popup: tuple[str, ...] = (),
    draw_order: int | None = None,
) -> LayerSpec:
    """Build a layer from the common fields and its own ones (an own field overrides a common one)."""
    own_by_name = {f.name: f for f in own}
    merged = [own_by_name.pop(f.name, f) for f in COMMON_FIELDS]
    merged.extend(f for f in own if f.name in own_by_name)
    return LayerSpec(name, title[0], title[1], geometry, tuple(merged), type_field, style, popup, draw_order)


POINT = ("Point",)
POINT_OR_AREA = ("Point", "Polygon", "MultiPolygon")
AREA = ("Polygon", "MultiPolygon")
LINE = ("LineString", "MultiLineString")

LAYERS: dict[str, LayerSpec] = {
    spec.name: spec
    for spec in (
        _layer(
            "attractions",
            ("景区景点", "Scenic spots"),
            POINT_OR_AREA,
            "kind",
            Field(
                "kind",
                required=True,
                allowed={
                    "scenic_spot": ("景区", "Scenic spot"),
                    "museum": ("博物馆", "Museum"),
                    "park": ("公园", "Park"),
                    "historic": ("古迹", "Historic site"),
                    "viewpoint": ("观景点", "Viewpoint"),
                },
                label=KIND,
            ),
            Field(
                "grade",
                allowed={
                    "none": ("未评级", "Not graded"),
                    "A": ("A级", "Grade A"),
                    "AA": ("AA级", "Grade AA"),
                    "AAA": ("AAA级", "Grade AAA"),
                    "AAAA": ("AAAA级", "Grade AAAA"),
                    "AAAAA": ("AAAAA级", "Grade AAAAA"),
                },
                doc="scenic-area grade per GB/T 17775",
                label=("等级", "Grade"),
            ),
            Field("daily_visitors", "int", min=NONNEG, label=("日均游客", "Daily visitors")),
            # grades from dark (best) to light, the same colour for the same rank as the toilets'
            style=Style(BLACK, 9, "grade", {"AAAAA": BLACK, "AAAA": BLUE, "AAA": BLUISH_GREEN, "AA": SKY_BLUE, "A": YELLOW, "none": WHITE}),
            popup=("kind", "grade", "daily_visitors"),
            draw_order=0,
        ),
        _layer(
            "toilets",
            ("旅游厕所", "Tourist toilets"),
            POINT,
            "grade",
            Field(
                "grade",
                required=True,
                allowed={
                    "none": ("未评级", "Not graded"),
                    "A": ("A级", "Grade A"),
                    "AA": ("AA级", "Grade AA"),
                    "AAA": ("AAA级", "Grade AAA"),
                },
                doc="tourist-toilet grade per GB/T 18973-2022",
                label=("等级", "Grade"),
            ),
            Field("stars", "int", min=1, max=5, doc="star rating of the older standard (1-5)", label=("星级", "Stars")),
            Field("female_stalls", "int", min=NONNEG, label=("女厕位", "Women's stalls")),
            Field("male_stalls", "int", min=NONNEG, label=("男厕位", "Men's stalls")),
            Field("accessible_stalls", "int", min=NONNEG, label=("无障碍厕位", "Accessible stalls")),
            Field("family_room", "bool", doc="third toilet / family room (第三卫生间)", label=("第三卫生间", "Family room")),
            Field("fee", "bool", label=("收费", "Fee")),
            Field("opening_hours", doc="OSM opening_hours syntax, e.g. 06:00-22:00", label=("开放时间", "Opening hours")),
            Field(
                "kind",
                allowed={"standalone": ("独立式", "Standalone"), "attached": ("附属式", "Attached"), "mobile": ("移动式", "Mobile")},
                label=KIND,
            ),
            style=Style(BLACK, 6, "grade", {"AAA": BLACK, "AA": BLUE, "A": ORANGE, "none": WHITE}),
            popup=("grade", "stars", "female_stalls", "male_stalls", "accessible_stalls", "family_room", "fee", "opening_hours", "kind"),
            draw_order=1,
        ),
        _layer(
            "signs",
            ("标识标牌", "Signs"),
            POINT,
            "sign_type",
            Field(
                "sign_type",
                required=True,
                allowed={
                    "road_name": ("路名牌", "Road-name sign"),
                    "direction": ("指路标志", "Direction sign"),
                    "scenic_guide": ("景区导览牌", "Scenic guide"),
                    "overview_map": ("全景导览图", "Overview map"),
                    "info_board": ("信息牌", "Information board"),
                    "bus_stop": ("公交站牌", "Bus-stop sign"),
                    "taxi_stop": ("出租车站牌", "Taxi-stop sign"),
                    "toilet_direction": ("厕所指示牌", "Toilet direction sign"),
                },
                label=("标牌类型", "Sign type"),
            ),
            Field("text_zh", label=("中文", "Text (zh)")),
            Field("text_en", doc="English text; empty or missing means the sign is not bilingual", label=("英文", "Text (en)")),
            Field("symbol", doc="GB/T 10001.1 symbol code", label=("符号", "Symbol")),
            Field("condition", allowed=CONDITION, label=("状况", "Condition")),
            Field("road", doc="name of the road the sign stands on", label=("道路", "Road")),
            style=Style(REDDISH_PURPLE, 3.5, "condition", _condition(REDDISH_PURPLE)),
            popup=("sign_type", "text_zh", "text_en", "condition", "road", "symbol"),
            draw_order=2,
        ),
        _layer(
            "docks",
            ("旅游码头", "Tourist docks"),
            POINT_OR_AREA,
            "dock_type",
            Field(
                "dock_type",
                required=True,
                allowed={"tour": ("游船码头", "Tour-boat dock"), "ferry": ("渡口", "Ferry"), "passenger": ("客运码头", "Passenger dock")},
                label=("码头类型", "Dock type"),
            ),
            Field("pontoon", "bool", doc="floating pontoon (趸船)", label=("趸船", "Pontoon")),
            Field("berths", "int", min=NONNEG, label=("泊位", "Berths")),
            Field("operator", label=("运营单位", "Operator")),
            style=Style(BLUE, 8, "dock_type", {"tour": BLUE, "ferry": ORANGE, "passenger": SKY_BLUE}),
            popup=("dock_type", "pontoon", "berths", "operator"),
            draw_order=3,
        ),
        _layer(
            "lamps",
            ("路灯与亮化", "Lamps"),
            POINT,
            "lamp_type",
            Field(
                "lamp_type",
                required=True,
                allowed={
                    "street": ("路灯", "Street lamp"),
                    "landscape": ("景观灯", "Landscape light"),
                    "floodlight": ("泛光灯", "Floodlight"),
                    "facade": ("立面亮化", "Facade lighting"),
                },
                label=("灯具类型", "Lamp type"),
            ),
            Field("height_m", "float", min=0, max=60, label=("灯高 (m)", "Height (m)")),
            Field("power_w", "float", min=0, max=5000, label=("功率 (W)", "Power (W)")),
            Field("lumens", "float", min=0, label=("光通量 (lm)", "Luminous flux (lm)")),
            Field("working", "bool", doc="lights at night", label=("亮灯", "Working")),
            Field("road", doc="name of the road the lamp lights", label=("道路", "Road")),
            Field("circuit", doc="lighting circuit id", label=("回路", "Circuit")),
            # the point cloud's classes, in the order of maps.city_map.lamp_classes
            style=Style(
                YELLOW,
                2.5,
                classes={
                    "working": (YELLOW, ("亮", "working"), False),
                    "dark": (BLACK, ("不亮", "not working"), False),
                    "planned": (YELLOW, ("规划", "planned"), True),
                },
            ),
            popup=("road", "lamp_type", "height_m", "circuit"),
            draw_order=7,
        ),
        _layer(
            "roads",
            ("道路", "Roads"),
            LINE,
            "road_class",
            Field("road_class", required=True, allowed=ROAD_CLASS_LABELS, label=("道路等级", "Road class")),
            Field("lit", "bool", doc="the road is meant to be lit at night", label=("照明", "Lit")),
            Field("bridge", "bool", doc="on a bridge: meets only the roads it shares an end or a vertex with", label=("桥梁", "Bridge")),
            Field("tunnel", "bool", doc="in a tunnel: meets only the roads it shares an end or a vertex with", label=("隧道", "Tunnel")),
            Field(
                "layer",
                "int",
                min=-5,
                max=5,
                doc="vertical level (OSM layer; 0 = ground): roads on different levels never meet",
                label=("层级", "Level"),
            ),
            Field(
                "area",
                "bool",
                doc="the outline of a pedestrian area (square, 广场): walked across, not along",
                label=("步行广场", "Pedestrian area"),
            ),
            Field("width_m", "float", min=0, max=100, doc=WIDTH_DOC, label=("路面宽度 (m)", "Carriageway width (m)")),
            style=Style(
                "#7f8c8d",
                1,
                "road_class",
                weight={
                    "expressway": 5,
                    "arterial": 4,
                    "secondary": 3,
                    "branch": 1.5,
                    "pedestrian": 2,
                    "footway": 1,
                    "path": 1,
                    "steps": 1,
                },
            ),
            popup=("road_class", "lit", "bridge", "tunnel"),
        ),
        _layer(
            "stops",
            ("旅游交通站点", "Transport stops"),
            POINT,
            "stop_type",
            Field(
                "stop_type",
                required=True,
                allowed={
                    "bus": ("公交", "Bus"),
                    "sightseeing_bus": ("观光巴士", "Sightseeing bus"),
                    "tour_bus": ("旅游大巴", "Tour bus"),
                    "taxi": ("出租车", "Taxi"),
                    "tram": ("有轨电车", "Tram"),
                    "light_rail": ("轻轨", "Light rail"),
                },
                label=("站点类型", "Stop type"),
            ),
            Field("routes", doc="route names, separated by ;", label=("线路", "Routes")),
            Field("shelter", "bool", label=("候车亭", "Shelter")),
            Field("bilingual", "bool", label=("双语", "Bilingual")),
            style=Style(
                BLUE,
                5,
                "stop_type",
                {"bus": BLUE, "sightseeing_bus": BLUISH_GREEN, "tour_bus": BLACK, "taxi": YELLOW, "tram": SKY_BLUE, "light_rail": WHITE},
            ),
            popup=("stop_type", "routes", "shelter", "bilingual"),
            draw_order=4,
        ),
        _layer(
            "billboards",
            ("宣传广告牌", "Billboards"),
            POINT,
            "kind",
            Field(
                "kind",
                required=True,
                allowed={"publicity": ("公益宣传", "Public service"), "commercial": ("商业广告", "Commercial")},
                label=KIND,
            ),
            Field("illuminated", "bool", label=("亮化", "Illuminated")),
            Field("permit_no", label=("许可证号", "Permit no.")),
            Field("permit_expiry", "date", label=("许可到期", "Permit expiry")),
            Field("condition", allowed=CONDITION, label=("状况", "Condition")),
            style=Style(BLUISH_GREEN, 5, "condition", _condition(BLUISH_GREEN)),
            popup=("kind", "illuminated", "permit_no", "permit_expiry", "condition"),
            draw_order=5,
        ),
        _layer(
            "zones",
            ("区划与责任区", "Districts and zones"),
            AREA,
            "zone_type",
            Field(
                "zone_type",
                required=True,
                allowed={
                    "district": ("行政区", "District"),
                    "commercial": ("商圈", "Commercial area"),
                    "scenic": ("景区", "Scenic area"),
                    "residential": ("居住区", "Residential area"),
                    "green": ("绿地", "Green space"),
                    "responsibility": ("责任区", "Responsibility zone"),
                },
                label=("区域类型", "Zone type"),
            ),
            style=Style("#566573", 1),
            popup=("zone_type",),
        ),
        _layer(
            "reports",
            ("市容问题报告", "Street reports"),
            POINT,
            "kind",
            Field(
                "kind",
                required=True,
                allowed={
                    "illegal_ad": ("违规广告", "Illegal advertising"),
                    "damaged_sign": ("标牌损坏", "Damaged sign"),
                    "dark_lamp": ("路灯不亮", "Dark lamp"),
                    "litter": ("垃圾", "Litter"),
                    "damaged_toilet": ("厕所损坏", "Damaged toilet"),
                    "other": ("其他", "Other"),
                },
                label=KIND,
            ),
            Field(
                "status",
                required=True,
                allowed={"open": ("待处理", "Open"), "assigned": ("已派遣", "Assigned"), "fixed": ("已整改", "Fixed")},
                label=("状态", "Status"),
            ),
            Field("reported_on", "date", required=True, label=("报告日期", "Reported on")),
            Field("fixed_on", "date", label=("整改日期", "Fixed on")),
            Field("photo", doc="file name or URL of a photo", label=("照片", "Photo")),
            # a report still open stands out; a fixed one fades to white
            style=Style(ORANGE, 4.5, "status", {"open": ORANGE, "assigned": SKY_BLUE, "fixed": WHITE}),
            popup=("kind", "reported_on", "fixed_on"),
            draw_order=6,
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
        (
            Field("id", required=True, label=("编号", "ID")),
            Field("name", label=("名称", "Name (zh)")),
            Field("name_en", label=("英文名", "Name")),
            Field("source", allowed=SOURCE_LABELS, label=("来源", "Source")),
        ),
        style=Style("#aed6f1", 0),
    ),
}

#: Every file a city folder may hold, by layer name.
ALL_LAYERS: dict[str, LayerSpec] = {**LAYERS, **BACKGROUND}
#: the facility layers the map draws, in drawing order
MAP_LAYERS: tuple[str, ...] = tuple(
    sorted((n for n, s in LAYERS.items() if s.draw_order is not None), key=lambda n: LAYERS[n].draw_order or 0)
)

__all__ = ["ALL_LAYERS", "BACKGROUND", "FIELD_TYPES", "GEOMETRY_TYPES", "LAYERS", "MAP_LAYERS", "Field", "LayerSpec", "layer"]


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
