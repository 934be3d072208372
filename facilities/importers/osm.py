"""Import an OpenStreetMap extract (``.osm`` XML, ``.osm.pbf``; read with pyosmium) into a city folder.

What becomes what (the tables below are the whole mapping; a tag that maps to no field is kept in the
feature's ``osm_tags`` property, a JSON object, so nothing is lost):

=====================================================  ============  =====================================
OSM                                                    layer         fields
=====================================================  ============  =====================================
``highway=motorway(_link)``                            roads         road_class expressway
``highway=trunk|primary(_link)``                       roads         arterial
``highway=secondary(_link)``                           roads         secondary
``highway=tertiary(_link)|unclassified|residential``   roads         branch
``|living_street``
``highway=pedestrian``                                 roads         pedestrian
``amenity=toilets``                                    toilets       grade "none" (OSM records no GB/T
                                                                     18973 grade); wheelchair yes→1 / no→0
                                                                     accessible_stalls (OSM says whether,
                                                                     not how many); changing_table → family_room
                                                                     (an approximation: a changing table is not
                                                                     a 第三卫生间); fee; opening_hours;
                                                                     portable=yes → kind mobile, a toilet
                                                                     building → standalone
``highway=street_lamp``                                lamps         lamp_type street; height → height_m
``tourism=information`` + ``information=guidepost``    signs         sign_type direction / info_board /
``|board|map``                                                       overview_map; inscription(:en) → text_zh/en
``amenity=ferry_terminal``                             docks         dock_type ferry
``man_made=pier``                                      docks         dock_type passenger; floating=yes → pontoon
``tourism=attraction``                                 attractions   kind scenic_spot
``tourism=museum`` / ``tourism=viewpoint``             attractions   kind museum / viewpoint
``historic=*`` (not ``no``)                            attractions   kind historic (when no tourism tag)
``highway=bus_stop`` / ``amenity=taxi``                stops         stop_type bus / taxi; shelter; route_ref → routes
=====================================================  ============  =====================================

Every layer: ``id`` = ``n123`` / ``w456`` / ``r789`` (node, way, relation), ``name`` = ``name:zh`` or
``name``, ``name_en`` = ``name:en``, ``district`` = ``addr:district``, ``unit`` = ``operator`` (docks:
``operator``), ``updated`` = the object's timestamp when the file has one, ``status`` = existing,
``source`` = osm.

Not imported as roads: ``service``, ``footway``, ``path``, ``cycleway``, ``steps``, ``track`` and the
other non-street classes (a footway is not a 步行街), and any ``highway`` way with ``area=yes`` (a
square); the import report counts them by class.

Geometry: point layers take nodes as they are and a way's or multipolygon's representative point (a point
inside it). Attractions and ferry terminals mapped as closed ways (``area=no`` aside) or multipolygon
relations become polygons; a pier becomes a polygon only with ``area=yes`` (otherwise it is a line: its
representative point). An invalid OSM polygon is repaired with ``make_valid`` (reported as a warning).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from facilities.city_config import Bounds
from facilities.errors import ImportUsageError
from facilities.importers.new_city import NewCity
from facilities.importers.records import Record, reject
from facilities.importers.result import ImportResult
from facilities.importers.write import finish_import, open_target
from facilities.problems import Problem, ValidationReport

ROAD_CLASS = {
    "motorway": "expressway",
    "motorway_link": "expressway",
    "trunk": "arterial",
    "trunk_link": "arterial",
    "primary": "arterial",
    "primary_link": "arterial",
    "secondary": "secondary",
    "secondary_link": "secondary",
    "tertiary": "branch",
    "tertiary_link": "branch",
    "unclassified": "branch",
    "residential": "branch",
    "living_street": "branch",
    "pedestrian": "pedestrian",
}
SIGN_TYPE = {"guidepost": "direction", "board": "info_board", "map": "overview_map"}
ATTRACTION_KIND = {"attraction": "scenic_spot", "museum": "museum", "viewpoint": "viewpoint"}
#: ``lit`` values meaning the road is lit at night (https://wiki.openstreetmap.org/wiki/Key:lit)
LIT_YES = {"yes", "24/7", "automatic", "limited", "interval", "sunset-sunrise", "dusk-dawn", "sunset-22:00"}
LIT_NO = {"no", "disused"}
#: place=* values that name a city, best first (for city.toml's name)
PLACE_RANK = {"city": 0, "municipality": 1, "county": 2, "district": 2, "town": 3, "borough": 4, "suburb": 5}
OSM_LAYERS = ("attractions", "toilets", "signs", "docks", "lamps", "roads", "stops")

# geometry policies: how a way or a relation becomes the layer's geometry
POINT, LINE, AREA, AREA_IF_TAGGED = "point", "line", "area", "area_if_tagged"


@dataclass
class Mapped:
    layer: str
    props: dict[str, Any]
    used: set[str]  # tags turned into fields
    policy: str


def _yes_no(value: str | None) -> bool | None:
    if value is None:
        return None
    v = value.strip().lower()
    return True if v in ("yes", "true", "1", "designated") else False if v in ("no", "false", "0") else None


def _number(value: str | None) -> float | None:
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(m)?\s*", value or "")
    return float(m.group(1)) if m else None


def _put(props: dict, used: set, field: str, value: Any, tag: str) -> None:
    """Set ``field`` from ``tag`` when the tag's value could be read (unread values stay in osm_tags)."""
    if value is not None:
        props[field] = value
        used.add(tag)


def classify(tags: dict[str, str], is_way: bool = False) -> list[Mapped]:
    """Every layer feature an OSM object's tags describe (usually none or one)."""
    out: list[Mapped] = []
    hw, amenity, tourism = tags.get("highway"), tags.get("amenity"), tags.get("tourism")

    if hw in ROAD_CLASS and is_way and tags.get("area") != "yes":
        p: dict[str, Any] = {"road_class": ROAD_CLASS[hw]}
        used = {"highway"}
        lit = tags.get("lit")
        _put(p, used, "lit", True if lit in LIT_YES else False if lit in LIT_NO else None, "lit")
        bridge = tags.get("bridge")
        _put(p, used, "bridge", None if bridge is None else bridge != "no", "bridge")
        out.append(Mapped("roads", p, used, LINE))

    if amenity == "toilets":
        p, used = {"grade": "none"}, {"amenity"}
        wheelchair_tag = "wheelchair" if "wheelchair" in tags else "toilets:wheelchair"
        access = _yes_no(tags.get(wheelchair_tag))
        _put(p, used, "accessible_stalls", None if access is None else int(access), wheelchair_tag)
        _put(p, used, "family_room", _yes_no(tags.get("changing_table")), "changing_table")
        fee = tags.get("fee")
        _put(p, used, "fee", True if fee and re.match(r"\s*\d", fee) else _yes_no(fee), "fee")  # "2 CNY": there is a fee
        _put(p, used, "opening_hours", tags.get("opening_hours"), "opening_hours")
        if _yes_no(tags.get("portable")):
            _put(p, used, "kind", "mobile", "portable")
        elif is_way and "building" in tags:
            p["kind"] = "standalone"
        _put(p, used, "unit", tags.get("operator"), "operator")
        out.append(Mapped("toilets", p, used, POINT))

    if hw == "street_lamp":
        p, used = {"lamp_type": "street"}, {"highway"}
        _put(p, used, "height_m", _number(tags.get("height")), "height")
        _put(p, used, "unit", tags.get("operator"), "operator")
        out.append(Mapped("lamps", p, used, POINT))

    if tourism == "information" and tags.get("information") in SIGN_TYPE:
        p, used = {"sign_type": SIGN_TYPE[tags["information"]]}, {"tourism", "information"}
        zh_tag = "inscription:zh" if "inscription:zh" in tags else "inscription"
        _put(p, used, "text_zh", tags.get(zh_tag), zh_tag)
        _put(p, used, "text_en", tags.get("inscription:en"), "inscription:en")
        _put(p, used, "unit", tags.get("operator"), "operator")
        out.append(Mapped("signs", p, used, POINT))

    if amenity == "ferry_terminal" or tags.get("man_made") == "pier":
        ferry = amenity == "ferry_terminal"
        p, used = {"dock_type": "ferry" if ferry else "passenger"}, {"amenity" if ferry else "man_made"}
        _put(p, used, "pontoon", _yes_no(tags.get("floating")), "floating")
        _put(p, used, "operator", tags.get("operator"), "operator")
        out.append(Mapped("docks", p, used, AREA if ferry else AREA_IF_TAGGED))

    historic = tags.get("historic")
    if tourism in ATTRACTION_KIND or (historic and historic != "no"):
        kind = ATTRACTION_KIND.get(tourism or "", "historic")
        used = {"tourism"} if tourism in ATTRACTION_KIND else {"historic"}
        p = {"kind": kind}
        _put(p, used, "unit", tags.get("operator"), "operator")
        out.append(Mapped("attractions", p, used, AREA))

    if hw == "bus_stop" or amenity == "taxi":
        p, used = {"stop_type": "bus" if hw == "bus_stop" else "taxi"}, {"highway" if hw == "bus_stop" else "amenity"}
        _put(p, used, "shelter", _yes_no(tags.get("shelter")), "shelter")
        routes = tags.get("route_ref")
        _put(p, used, "routes", ";".join(r.strip() for r in re.split(r"[;,]", routes) if r.strip()) if routes else None, "route_ref")
        _put(p, used, "unit", tags.get("operator"), "operator")
        out.append(Mapped("stops", p, used, POINT))
    return out


def _common(osm_id: str, tags: dict[str, str], timestamp) -> tuple[dict[str, Any], set[str]]:
    props: dict[str, Any] = {"id": osm_id}
    used: set[str] = set()
    name_tag = "name:zh" if tags.get("name:zh") else "name"
    if tags.get(name_tag):
        props["name"] = tags[name_tag]
        used.add(name_tag)
        if tags.get("name") == tags[name_tag]:
            used.add("name")
    _put(props, used, "name_en", tags.get("name:en"), "name:en")
    _put(props, used, "district", tags.get("addr:district"), "addr:district")
    props["status"] = "existing"
    props["source"] = "osm"
    if timestamp is not None and timestamp.year > 2004:  # files without metadata carry 1970-01-01
        props["updated"] = timestamp.date().isoformat()
    return props, used


@dataclass
class OsmData:
    records: dict[str, list[Record]]
    place: tuple[str, str] | None  # (name, name_en) of the best place=* node
    skipped: Counter  # highway classes not imported as roads
    rejected: Counter  # objects of each layer that could not be built (reported)


def _way_geometry(coords: list[tuple[float, float]], policy: str, tags: dict[str, str], closed: bool) -> BaseGeometry:
    if policy == LINE:
        return LineString(coords)
    as_area = (
        closed
        and len(coords) >= 4
        and ((policy == AREA and tags.get("area") != "no") or (policy == AREA_IF_TAGGED and tags.get("area") == "yes"))
    )
    if as_area:
        return Polygon(coords)
    # a point layer, or a line where the layer takes points or areas only: a point inside it
    return _point_inside(Polygon(coords) if closed and len(coords) >= 4 else LineString(coords))


def _point_inside(geom: BaseGeometry) -> Point:
    """A line's midpoint (along it); a point inside a polygon."""
    if geom.geom_type in ("LineString", "MultiLineString"):
        return shapely.line_interpolate_point(shapely.line_merge(geom) if geom.geom_type != "LineString" else geom, 0.5, normalized=True)
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    return geom.representative_point()


def _finish_geometry(geom: BaseGeometry, policy: str, label: str, layer: str, file: str, report: ValidationReport) -> BaseGeometry:
    """Points for point layers; repaired polygons (with a warning) where OSM's were invalid."""
    if policy == POINT and geom.geom_type != "Point":
        return _point_inside(geom)
    if geom.geom_type in ("Polygon", "MultiPolygon") and not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        fixed = shapely.make_valid(geom)
        polys = [g for g in getattr(fixed, "geoms", [fixed]) if g.geom_type in ("Polygon", "MultiPolygon")]
        if polys:
            fixed = shapely.union_all(polys)
            report.problems.append(
                Problem.warning(
                    "repaired",
                    file,
                    "geometry",
                    reason,
                    f"invalid OSM polygon repaired with make_valid ({layer})",
                    "a valid polygon",
                    label,
                )
            )
            return fixed
    if geom.geom_type == "MultiPolygon" and len(geom.geoms) == 1:
        return geom.geoms[0]
    return geom


@dataclass
class _OsmRead:
    """What reading an OSM file has gathered so far."""

    file: str
    layers: tuple[str, ...]
    report: ValidationReport
    records: dict[str, list[Record]]
    skipped: Counter = field(default_factory=Counter)
    rejected: Counter = field(default_factory=Counter)
    place: tuple[int, str, str] | None = None
    relations_wanted: dict[int, list[str]] = field(default_factory=dict)
    relations_built: set[int] = field(default_factory=set)

    def add(self, osm_id: str, tags: dict[str, str], timestamp: Any, mapped: Mapped, geom: BaseGeometry) -> None:
        """Add one object as a record of its mapped layer (unmapped tags kept in ``osm_tags``)."""
        props, used = _common(osm_id, tags, timestamp)
        props.update(mapped.props)
        used |= mapped.used
        rest = {k: v for k, v in sorted(tags.items()) if k not in used}
        if rest:
            props["osm_tags"] = json.dumps(rest, ensure_ascii=False, separators=(",", ":"))
        geom = _finish_geometry(geom, mapped.policy, osm_id, mapped.layer, self.file, self.report)
        self.records[mapped.layer].append(Record(osm_id, props, geom, {k: k for k in props}))


def read_osm(path: Path, layers: tuple[str, ...], report: ValidationReport) -> OsmData:
    """Read ``path`` with pyosmium; return records by layer (rows that cannot be built are reported)."""
    import osmium  # local: only the OSM import needs the C++ extension

    state = _OsmRead(path.name, layers, report, {name: [] for name in layers})
    wkb = osmium.geom.WKBFactory()
    try:
        processor = osmium.FileProcessor(str(path)).with_areas()
        obj: Any  # a node, way, relation or area (osmium's union type has no common attributes)
        for obj in processor:
            _read_object(state, obj, wkb)
    except (RuntimeError, ValueError, osmium.InvalidLocationError) as exc:
        raise ImportUsageError(f"cannot read {path} as OpenStreetMap data (.osm, .osm.pbf): {exc}") from None
    _report_unbuilt_relations(state)
    place = state.place
    return OsmData(state.records, (place[1], place[2]) if place else None, state.skipped, state.rejected)


def _read_object(state: _OsmRead, obj: Any, wkb: Any) -> None:
    """Read one node, way, relation or area of the file into ``state``."""
    tags = {t.k: t.v for t in obj.tags}
    if obj.is_area():
        _read_area(state, obj, tags, wkb)
        return
    if not tags:
        return
    if obj.is_node():
        _read_node(state, obj, tags)
    elif obj.is_way():
        _read_way(state, obj, tags)
    elif obj.is_relation():
        wanted = [m.layer for m in classify(tags) if m.layer in state.layers and m.policy != LINE]
        if wanted:
            state.relations_wanted[obj.id] = wanted


def _read_area(state: _OsmRead, obj: Any, tags: dict[str, str], wkb: Any) -> None:
    """Add the multipolygon built from a wanted relation (areas from ways are read as ways)."""
    if obj.from_way() or obj.orig_id() not in state.relations_wanted:
        return
    rid = obj.orig_id()
    geom = shapely.from_wkb(wkb.create_multipolygon(obj))
    state.relations_built.add(rid)
    for mapped in classify(tags):
        if mapped.layer in state.layers and mapped.policy != LINE:
            state.add(f"r{rid}", tags, obj.timestamp, mapped, geom)


def _read_node(state: _OsmRead, obj: Any, tags: dict[str, str]) -> None:
    """Note the best place=* node and add a node as a point of each layer it maps to."""
    if tags.get("place") in PLACE_RANK and tags.get("name"):
        rank = PLACE_RANK[tags["place"]]
        if state.place is None or rank < state.place[0]:
            state.place = (rank, tags.get("name:zh") or tags["name"], tags.get("name:en") or "")
    loc = obj.location
    for mapped in classify(tags):
        if mapped.layer in state.layers and mapped.policy != LINE:
            state.add(f"n{obj.id}", tags, obj.timestamp, mapped, Point(loc.lon, loc.lat))


def _read_way(state: _OsmRead, obj: Any, tags: dict[str, str]) -> None:
    """Add a way to each layer it maps to; count highways not imported and reject ways that cannot be built."""
    layers, file = state.layers, state.file
    mapped_all = [m for m in classify(tags, is_way=True) if m.layer in layers]
    hw = tags.get("highway")
    if hw and not any(m.layer == "roads" for m in mapped_all) and "roads" in layers:
        state.skipped[f"highway={hw}" + (" area" if tags.get("area") == "yes" else "")] += 1
    if not mapped_all:
        return
    nodes = list(obj.nodes)
    if not all(n.location.valid() for n in nodes):
        missing = sum(1 for n in nodes if not n.location.valid())
        for m in mapped_all:
            state.rejected[m.layer] += 1
            reject(
                state.report,
                file,
                f"w{obj.id}",
                "geometry",
                f"{missing} of {len(nodes)} nodes",
                f"way's nodes are missing from the file ({m.layer})",
                "a file with every node of its ways (e.g. an Overpass query ending in `>;`)",
            )
        return
    coords = [(n.lon, n.lat) for n in nodes]
    closed = len(coords) >= 4 and nodes[0].ref == nodes[-1].ref
    for m in mapped_all:
        if len(set(coords)) < 2:
            state.rejected[m.layer] += 1
            reject(state.report, file, f"w{obj.id}", "geometry", len(coords), f"a way of fewer than 2 places ({m.layer})", "a line")
            continue
        state.add(f"w{obj.id}", tags, obj.timestamp, m, _way_geometry(coords, m.policy, tags, closed))


def _report_unbuilt_relations(state: _OsmRead) -> None:
    """Warn about each wanted relation that no multipolygon was built from."""
    for rid, wanted in sorted(state.relations_wanted.items()):
        if rid not in state.relations_built:
            state.report.problems.append(
                Problem.warning(
                    "relation",
                    state.file,
                    None,
                    None,
                    f"relation not imported ({', '.join(wanted)}): not a multipolygon, or its members are incomplete",
                    "a type=multipolygon relation with all its member ways in the file",
                    f"r{rid}",
                )
            )


def import_osm(
    source: str | Path,
    out: str | Path,
    *,
    name: str | None = None,
    name_en: str | None = None,
    mode: str = "new",
    layers: tuple[str, ...] = OSM_LAYERS,
    bounds: Bounds | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import an OSM file into the city folder ``out`` (created if needed); see the module docstring."""
    source, out = Path(source), Path(out)
    if not source.is_file():
        raise ImportUsageError(f"{source}: no such file")
    unknown = [x for x in layers if x not in OSM_LAYERS]
    if unknown:
        raise ImportUsageError(f"--layers {','.join(unknown)}: not imported from OSM (accepted: {', '.join(OSM_LAYERS)})")
    target = open_target(out, list(layers), mode)
    report = ValidationReport(out)
    data = read_osm(source, layers, report)
    result = ImportResult(source, out, report, dry_run=dry_run)
    for layer in layers:
        result.outcome(layer)  # the report lists the layers in this order
    place_name, place_en = data.place or ("", "")
    stem = source.name.split(".")[0]
    meta = NewCity(name or place_name or stem, name_en or place_en or stem.replace("_", " ").title(), bounds)
    records = {k: v for k, v in data.records.items() if v}
    for layer in layers:
        outcome = result.outcome(layer)
        outcome.read = outcome.rejected = data.rejected[layer]  # finish_import adds the records it checks
        if not data.records[layer] and not outcome.rejected:
            outcome.action = "none in the file 文件中没有"
    finish_import(result, target, records, file=source.name, mode=mode, meta=meta, dry_run=dry_run)
    if data.skipped:
        shown = ", ".join(f"{k} {n}" for k, n in data.skipped.most_common())
        result.notes.append(f"highway ways not imported as roads 未导入为道路: {shown}")
    return result


__all__ = ["OSM_LAYERS", "ROAD_CLASS", "classify", "import_osm", "read_osm"]
