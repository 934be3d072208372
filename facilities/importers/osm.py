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
``highway=footway`` / ``path`` / ``steps``             roads         footway / path / steps (the walking
                                                                     network; ``sidewalk=*`` is not read)
``highway=cycleway`` + ``foot=yes|designated``         roads         footway (a cycleway without it: skipped)
``|permissive``
``highway=pedestrian`` + ``area=yes``;                 roads         pedestrian, area true; the geometry is
``place=square``, ``area:highway=pedestrian|footway``                the area's outer ring as a line
(these two with no ``highway`` tag)
``man_made=pier`` with no ferry or tourism tag         roads         footway (a pier with ``area=yes``: its
                                                                     outline, area true)
every road: ``lit``, ``bridge``, ``tunnel``,           roads         lit yes/… → true, no/disused → false;
                                                                     bridge / tunnel: any value but ``no`` →
``layer``                                                            true, ``no`` → false; layer: an integer,
                                                                     clamped to -5…5 (not an integer: a
                                                                     warning, left empty). These three stay
                                                                     in osm_tags as well
``amenity=toilets``                                    toilets       grade "none" (OSM records no GB/T
                                                                     18973 grade); wheelchair yes→1 / no→0
                                                                     accessible_stalls (OSM says whether,
                                                                     not how many); changing_table → family_room
                                                                     (an approximation: a changing table is not
                                                                     a 第三卫生间); fee; opening_hours;
                                                                     portable=yes → kind mobile, a toilet
                                                                     building → standalone
``highway=street_lamp``                                lamps         lamp_type street; height → height_m;
``disused:highway=street_lamp``                                      working only from a tag: ``disused=yes``
                                                                     or ``disused:highway`` → false,
                                                                     ``operational_status=broken|out_of_order|…``
                                                                     → false, ``=operational|working|ok`` →
                                                                     true; otherwise unknown (empty)
``tourism=information`` + ``information=guidepost``    signs         sign_type direction / info_board /
``|board|map``                                                       overview_map; inscription(:en) → text_zh/en
``amenity=ferry_terminal``                             docks         dock_type ferry
``man_made=pier`` + ``ferry=*`` / ``tourism=*``        docks         dock_type ferry / tour; floating=yes →
                                                                     pontoon (route=ferry relations are not
                                                                     read: a pier needs a tag of its own)
``tourism=attraction``                                 attractions   kind scenic_spot
``tourism=museum`` / ``tourism=viewpoint``             attractions   kind museum / viewpoint
``historic=*`` (not ``no``)                            attractions   kind historic (when no tourism tag)
``highway=bus_stop`` / ``amenity=taxi``                stops         stop_type bus / taxi; shelter; route_ref → routes
``railway=tram_stop``                                  stops         stop_type tram
``railway=station|halt`` + ``station=light_rail`` or   stops         stop_type light_rail
``light_rail=yes``
``public_transport=platform`` + ``bus=yes`` /          stops         bus / tram / light_rail (bus first on a
``tram=yes`` / ``light_rail=yes``                                    shared platform); a platform with none
                                                                     of them is not imported (counted)
=====================================================  ============  =====================================

Every layer: ``id`` = ``n123`` / ``w456`` / ``r789`` (node, way, relation), ``name`` = ``name`` (the local
name, never replaced by a translation), ``name_zh`` = ``name:zh`` (else ``name:zh-Hans``, ``name:zh-CN``)
when it differs from ``name``, ``name_en`` = ``name:en``, ``district`` = ``addr:district``, ``unit`` =
``operator`` (docks: ``operator``), ``updated`` = the object's timestamp when the file has one, ``status`` =
existing, ``source`` = osm. The new city's ``city.toml`` name is the best ``place=*`` node's Chinese name
(the app's readers read Chinese first), else its local name (written as a comment when they differ).

Stops: tram stops are imported where OSM has them, as ``railway=tram_stop`` nodes (usually on the track) and
as platforms; a stop mapped both ways is two stops (``public_transport=stop_position`` nodes are not read).

Not imported as roads: ``service``, ``track``, ``corridor``, ``bridleway``, a ``cycleway`` without ``foot``
and the other non-street classes, and any other ``highway`` area (``area=yes``); the import report counts
them by class.

Geometry: point layers take nodes as they are and a way's or multipolygon's representative point (a point
inside it); roads are lines (a pedestrian area: its outline; a multipolygon with several outer rings: a
MultiLineString). Attractions and ferry terminals mapped as closed ways (``area=no`` aside) or multipolygon
relations become polygons; a pier becomes a polygon only with ``area=yes`` (otherwise it is a line: its
representative point). An invalid OSM polygon is repaired with ``make_valid`` (reported as a warning).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import LineString, MultiLineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from facilities.city_config import Bounds
from facilities.errors import ImportUsageError
from facilities.importers.new_city import NewCity
from facilities.importers.osm_tags import AREA, AREA_IF_TAGGED, LINE, OUTLINE, POINT, ROAD_CLASS, Mapped, classify, put_field
from facilities.importers.records import Record, reject
from facilities.importers.result import ImportResult
from facilities.importers.write import finish_import, open_target
from facilities.problems import Problem, ValidationReport

#: place=* values that name a city, best first (for city.toml's name)
PLACE_RANK = {"city": 0, "municipality": 1, "county": 2, "district": 2, "town": 3, "borough": 4, "suburb": 5}
OSM_LAYERS = ("attractions", "toilets", "signs", "docks", "lamps", "roads", "stops")
#: tags with the name in Chinese, best first
ZH_TAGS = ("name:zh", "name:zh-Hans", "name:zh-CN")


def _zh_tag(tags: dict[str, str]) -> str | None:
    """The tag with the name in Chinese (``name:zh``, else ``name:zh-Hans``, ``name:zh-CN``), if any."""
    return next((t for t in ZH_TAGS if tags.get(t)), None)


def _common(osm_id: str, tags: dict[str, str], timestamp) -> tuple[dict[str, Any], set[str]]:
    """The fields every layer has: ``name`` is the local name, ``name_zh`` / ``name_en`` the translations."""
    props: dict[str, Any] = {"id": osm_id}
    used: set[str] = set()
    put_field(props, used, "name", tags.get("name") or None, "name")
    zh = _zh_tag(tags)
    if zh:
        used.add(zh)
        if tags[zh] != tags.get("name"):  # the same text twice says nothing more
            props["name_zh"] = tags[zh]
    put_field(props, used, "name_en", tags.get("name:en") or None, "name:en")
    put_field(props, used, "district", tags.get("addr:district"), "addr:district")
    props["status"] = "existing"
    props["source"] = "osm"
    if timestamp is not None and timestamp.year > 2004:  # files without metadata carry 1970-01-01
        props["updated"] = timestamp.date().isoformat()
    return props, used


@dataclass
class OsmData:
    records: dict[str, list[Record]]
    place: tuple[str, str, str] | None  # (name, name_zh, name_en) of the best place=* node
    skipped: Counter  # highway classes not imported as roads
    platforms: int  # public_transport=platform objects with no bus, tram or light_rail tag (not imported)
    rejected: Counter  # objects of each layer that could not be built (reported)


def _way_geometry(coords: list[tuple[float, float]], policy: str, tags: dict[str, str], closed: bool) -> BaseGeometry:
    if policy in (LINE, OUTLINE):  # a closed way's nodes are its outline
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


def _outline(geom: BaseGeometry) -> BaseGeometry:
    """The exterior ring(s) of an area as a line (one ring: a LineString)."""
    rings = [LineString(g.exterior.coords) for g in getattr(geom, "geoms", [geom]) if g.geom_type == "Polygon" and not g.is_empty]
    return rings[0] if len(rings) == 1 else MultiLineString(rings)


def _finish_geometry(geom: BaseGeometry, policy: str, label: str, layer: str, file: str, report: ValidationReport) -> BaseGeometry:
    """Points for point layers; outlines for pedestrian areas; repaired polygons (with a warning) where OSM's were invalid."""
    if policy == POINT and geom.geom_type != "Point":
        return _point_inside(geom)
    if policy == OUTLINE and geom.geom_type in ("Polygon", "MultiPolygon"):
        return _outline(geom)
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
    place: tuple[int, str, str, str] | None = None
    platforms: int = 0
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
        for name, value, message, accepted in mapped.warnings:
            self.report.problems.append(Problem.warning("osm_tag", self.file, name, value, f"{message} ({mapped.layer})", accepted, osm_id))
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
    return OsmData(state.records, place[1:] if place else None, state.skipped, state.platforms, state.rejected)


def _read_object(state: _OsmRead, obj: Any, wkb: Any) -> None:
    """Read one node, way, relation or area of the file into ``state``."""
    tags = {t.k: t.v for t in obj.tags}
    if obj.is_area():
        _read_area(state, obj, tags, wkb)
        return
    if not tags:
        return
    if tags.get("public_transport") == "platform" and not any(m.layer == "stops" for m in classify(tags)):
        state.platforms += 1
    if obj.is_node():
        _read_node(state, obj, tags)
    elif obj.is_way():
        _read_way(state, obj, tags)
    elif obj.is_relation():
        wanted = [m.layer for m in classify(tags, is_relation=True) if m.layer in state.layers and m.policy != LINE]
        if wanted:
            state.relations_wanted[obj.id] = wanted


def _read_area(state: _OsmRead, obj: Any, tags: dict[str, str], wkb: Any) -> None:
    """Add the multipolygon built from a wanted relation (areas from ways are read as ways)."""
    if obj.from_way() or obj.orig_id() not in state.relations_wanted:
        return
    rid = obj.orig_id()
    try:
        geom = shapely.from_wkb(wkb.create_multipolygon(obj))
    except RuntimeError:  # osmium could not assemble it (rings touching, crossing): warned as not imported
        return
    state.relations_built.add(rid)
    for mapped in classify(tags, is_relation=True):
        if mapped.layer in state.layers and mapped.policy != LINE:
            state.add(f"r{rid}", tags, obj.timestamp, mapped, geom)


def _read_node(state: _OsmRead, obj: Any, tags: dict[str, str]) -> None:
    """Note the best place=* node and add a node as a point of each layer it maps to."""
    if tags.get("place") in PLACE_RANK and tags.get("name"):
        rank = PLACE_RANK[tags["place"]]
        if state.place is None or rank < state.place[0]:
            zh = _zh_tag(tags)
            state.place = (rank, tags["name"], tags[zh] if zh else "", tags.get("name:en") or "")
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
    # the city's display name: its Chinese name (the app's readers read Chinese first), else its local name
    local, local_zh, local_en = data.place or ("", "", "")
    stem = source.name.split(".")[0]
    display = name or local_zh or local or stem
    meta = NewCity(display, name_en or local_en or stem.replace("_", " ").title(), bounds, local if local and local != display else "")
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
    if data.platforms and "stops" in layers:
        result.notes.append(f"public_transport=platform without bus, tram or light_rail not imported 未导入站台: {data.platforms}")
    return result


__all__ = ["OSM_LAYERS", "ROAD_CLASS", "classify", "import_osm", "read_osm"]
