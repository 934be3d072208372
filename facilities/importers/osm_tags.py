"""OSM tags → layer features: :func:`classify` (the table of what becomes what is in :mod:`.osm`'s docstring).

Reading the file, geometry and the import report live in :mod:`facilities.importers.osm`; this module only
looks at one object's tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

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
    "footway": "footway",
    "path": "path",
    "steps": "steps",
}
#: ``foot=*`` values that make a ``highway=cycleway`` part of the walking network (a footway)
FOOT_ALLOWED = {"yes", "designated", "permissive"}
#: ``area:highway=*`` values mapped as pedestrian areas (a square's surface)
AREA_HIGHWAY = {"pedestrian", "footway"}
SIGN_TYPE = {"guidepost": "direction", "board": "info_board", "map": "overview_map"}
ATTRACTION_KIND = {"attraction": "scenic_spot", "museum": "museum", "viewpoint": "viewpoint"}
#: ``lit`` values meaning the road is lit at night (https://wiki.openstreetmap.org/wiki/Key:lit)
LIT_YES = {"yes", "24/7", "automatic", "limited", "interval", "sunset-sunrise", "dusk-dawn", "sunset-22:00"}
LIT_NO = {"no", "disused"}
#: ``operational_status`` values saying a lamp is out / in order (there is no standard lamp-outage tag)
BROKEN = {"broken", "out_of_order", "not_working", "defect", "defective", "closed"}
OPERATIONAL = {"operational", "working", "ok", "in_service"}
LAYER_RANGE = (-5, 5)

# geometry policies: how a way or a relation becomes the layer's geometry
POINT, LINE, AREA, AREA_IF_TAGGED, OUTLINE = "point", "line", "area", "area_if_tagged", "outline"


@dataclass
class Mapped:
    """One layer feature an object's tags describe: its fields, the tags read, how to build its geometry."""

    layer: str
    props: dict[str, Any]
    used: set[str]  # tags turned into fields (others stay in osm_tags)
    policy: str
    warnings: list[tuple[str, str, str, str]] = field(default_factory=list)  # (field, value, message, accepted)


def yes_no(value: str | None) -> bool | None:
    """OSM's yes/no (``designated`` counts as yes); None for anything else."""
    if value is None:
        return None
    v = value.strip().lower()
    return True if v in ("yes", "true", "1", "designated") else False if v in ("no", "false", "0") else None


def _number(value: str | None) -> float | None:
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(m)?\s*", value or "")
    return float(m.group(1)) if m else None


def put_field(props: dict, used: set, name: str, value: Any, tag: str) -> None:
    """Set ``name`` from ``tag`` when the tag's value could be read (unread values stay in osm_tags)."""
    if value is not None:
        props[name] = value
        used.add(tag)


def _road_class(tags: dict[str, str]) -> str | None:
    """The road class of a ``highway`` way (a cycleway only where people may walk on it)."""
    hw = tags.get("highway") or ""
    if hw == "cycleway":
        return "footway" if tags.get("foot") in FOOT_ALLOWED else None
    return ROAD_CLASS.get(hw)


def _is_pedestrian_area(tags: dict[str, str]) -> bool:
    """A square or pedestrian area: ``highway=pedestrian`` + ``area=yes``, ``place=square``, ``area:highway``."""
    hw = tags.get("highway")
    if hw == "pedestrian" and tags.get("area") == "yes":
        return True
    return hw is None and (tags.get("place") == "square" or tags.get("area:highway") in AREA_HIGHWAY)


def _levels(tags: dict[str, str], p: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """``bridge``, ``tunnel``, ``layer`` as road fields (the tags stay in osm_tags too); warnings for bad layers."""
    for key in ("bridge", "tunnel"):
        if key in tags:
            p[key] = tags[key].strip().lower() != "no"
    raw = tags.get("layer")
    if raw is None:
        return []
    if not re.fullmatch(r"\s*[+-]?[0-9]+\s*", raw):
        return [("layer", raw, "OSM layer is not a whole number; level left empty", "an integer, e.g. -1, 0, 1")]
    lo, hi = LAYER_RANGE
    p["layer"] = max(lo, min(hi, int(raw)))
    return []


def _road(tags: dict[str, str], is_area: bool) -> Mapped | None:
    """A ``roads`` feature: a street or footway, a pedestrian area's outline, or a pier with no ferry or tourism tag."""
    pier = tags.get("man_made") == "pier"
    if pier:
        p: dict[str, Any] = {"road_class": "footway"}
        used = {"man_made"}
        policy = OUTLINE if tags.get("area") == "yes" or is_area else LINE
        used |= {"area"} & set(tags)
    elif _is_pedestrian_area(tags):
        p, used, policy = {"road_class": "pedestrian"}, {"highway", "area", "place", "area:highway"} & set(tags), OUTLINE
    elif not is_area and tags.get("area") != "yes" and _road_class(tags):
        p, used, policy = {"road_class": _road_class(tags)}, {"highway"}, LINE
    else:
        return None
    if policy == OUTLINE:
        p["area"] = True
    lit = tags.get("lit")
    put_field(p, used, "lit", True if lit in LIT_YES else False if lit in LIT_NO else None, "lit")
    warnings = _levels(tags, p)
    return Mapped("roads", p, used, policy, warnings)


def _lamp(tags: dict[str, str]) -> Mapped | None:
    """A street lamp; ``working`` only where a tag says (unknown otherwise)."""
    disused = tags.get("disused:highway") == "street_lamp"
    if tags.get("highway") != "street_lamp" and not disused:
        return None
    p: dict[str, Any] = {"lamp_type": "street"}
    used = {"highway"} if not disused else {"disused:highway"}
    put_field(p, used, "height_m", _number(tags.get("height")), "height")
    put_field(p, used, "unit", tags.get("operator"), "operator")
    status = (tags.get("operational_status") or "").strip().lower()
    if disused or yes_no(tags.get("disused")):
        p["working"] = False
        used |= {"disused"} & set(tags)
    elif status in BROKEN or status in OPERATIONAL:
        put_field(p, used, "working", status in OPERATIONAL, "operational_status")
    return Mapped("lamps", p, used, POINT)


def _dock(tags: dict[str, str]) -> Mapped | None:
    """A ferry terminal; a pier only with a ferry or tourism tag (other piers are walking network)."""
    amenity, pier = tags.get("amenity"), tags.get("man_made") == "pier"
    if amenity == "ferry_terminal":
        p: dict[str, Any] = {"dock_type": "ferry"}
        used, policy = {"amenity"} | ({"man_made"} if pier else set()), AREA if not pier else AREA_IF_TAGGED
    elif pier and ("ferry" in tags or "tourism" in tags):
        ferry = "ferry" in tags
        p, used, policy = {"dock_type": "ferry" if ferry else "tour"}, {"man_made", "ferry" if ferry else "tourism"}, AREA_IF_TAGGED
    else:
        return None
    put_field(p, used, "pontoon", yes_no(tags.get("floating")), "floating")
    put_field(p, used, "operator", tags.get("operator"), "operator")
    return Mapped("docks", p, used, policy)


def _stop_type(tags: dict[str, str]) -> tuple[str, set[str]] | None:
    """The stop type and the tags it was read from (bus before tram before light rail on a shared platform)."""
    hw, railway, pt = tags.get("highway"), tags.get("railway"), tags.get("public_transport")
    if hw == "bus_stop":
        return "bus", {"highway"}
    if tags.get("amenity") == "taxi":
        return "taxi", {"amenity"}
    if railway == "tram_stop":
        return "tram", {"railway"}
    if railway in ("station", "halt") and (tags.get("station") == "light_rail" or yes_no(tags.get("light_rail"))):
        return "light_rail", {"railway", "station" if tags.get("station") == "light_rail" else "light_rail"}
    if pt == "platform":
        for mode in ("bus", "tram", "light_rail"):
            if yes_no(tags.get(mode)):
                return mode, {"public_transport", mode}
    return None


def _stop(tags: dict[str, str]) -> Mapped | None:
    found = _stop_type(tags)
    if found is None:
        return None
    p: dict[str, Any] = {"stop_type": found[0]}
    used = found[1]
    put_field(p, used, "shelter", yes_no(tags.get("shelter")), "shelter")
    routes = tags.get("route_ref")
    put_field(p, used, "routes", ";".join(r.strip() for r in re.split(r"[;,]", routes) if r.strip()) if routes else None, "route_ref")
    put_field(p, used, "unit", tags.get("operator"), "operator")
    return Mapped("stops", p, used, POINT)


def _toilet(tags: dict[str, str], is_way: bool) -> Mapped:
    p: dict[str, Any] = {"grade": "none"}
    used = {"amenity"}
    wheelchair_tag = "wheelchair" if "wheelchair" in tags else "toilets:wheelchair"
    access = yes_no(tags.get(wheelchair_tag))
    put_field(p, used, "accessible_stalls", None if access is None else int(access), wheelchair_tag)
    put_field(p, used, "family_room", yes_no(tags.get("changing_table")), "changing_table")
    fee = tags.get("fee")
    put_field(p, used, "fee", True if fee and re.match(r"\s*\d", fee) else yes_no(fee), "fee")  # "2 CNY": there is a fee
    put_field(p, used, "opening_hours", tags.get("opening_hours"), "opening_hours")
    if yes_no(tags.get("portable")):
        put_field(p, used, "kind", "mobile", "portable")
    elif is_way and "building" in tags:
        p["kind"] = "standalone"
    put_field(p, used, "unit", tags.get("operator"), "operator")
    return Mapped("toilets", p, used, POINT)


def _sign(tags: dict[str, str]) -> Mapped:
    p: dict[str, Any] = {"sign_type": SIGN_TYPE[tags["information"]]}
    used = {"tourism", "information"}
    zh_tag = "inscription:zh" if "inscription:zh" in tags else "inscription"
    put_field(p, used, "text_zh", tags.get(zh_tag), zh_tag)
    put_field(p, used, "text_en", tags.get("inscription:en"), "inscription:en")
    put_field(p, used, "unit", tags.get("operator"), "operator")
    return Mapped("signs", p, used, POINT)


def _attraction(tags: dict[str, str]) -> Mapped | None:
    tourism, historic = tags.get("tourism"), tags.get("historic")
    if not (tourism in ATTRACTION_KIND or (historic and historic != "no")):
        return None
    kind = ATTRACTION_KIND.get(tourism or "", "historic")
    used = {"tourism"} if tourism in ATTRACTION_KIND else {"historic"}
    p: dict[str, Any] = {"kind": kind}
    put_field(p, used, "unit", tags.get("operator"), "operator")
    return Mapped("attractions", p, used, AREA)


def classify(tags: dict[str, str], is_way: bool = False, is_relation: bool = False) -> list[Mapped]:
    """Every layer feature an OSM object's tags describe (usually none or one).

    ``is_way``: the object is a way; ``is_relation``: a (multipolygon) relation, which can be an area only.
    A node is neither: roads are never nodes.
    """
    out: list[Mapped] = []
    dock = _dock(tags)
    if is_way or is_relation:
        road = None if dock is not None else _road(tags, is_area=is_relation)
        if road is not None:
            out.append(road)
    if tags.get("amenity") == "toilets":
        out.append(_toilet(tags, is_way))
    if tags.get("tourism") == "information" and tags.get("information") in SIGN_TYPE:
        out.append(_sign(tags))
    for mapped in (_lamp(tags), dock, _attraction(tags), _stop(tags)):
        if mapped is not None:
            out.append(mapped)
    return out


__all__ = ["LINE", "OUTLINE", "POINT", "ROAD_CLASS", "Mapped", "classify", "put_field", "yes_no"]
