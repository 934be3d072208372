"""The demo city's hand-drawn data, read from ``xiangyang.toml`` and checked against the layer model on import."""

from __future__ import annotations

import tomllib
from pathlib import Path

from facilities.schema import FOOT_CLASSES, ROAD_CLASSES

from .model import allowed, check_records

PLACES = tomllib.loads(Path(__file__).with_name("xiangyang.toml").read_text(encoding="utf-8"))

DISTRICTS = PLACES["districts"]
SANITATION = {d["name"]: d["sanitation"] for d in DISTRICTS}  # the sanitation office of each district
CITY_MGMT = {d["name"]: d["city_mgmt"] for d in DISTRICTS}  # the city-management bureau of each district
STREET_BASES = tuple(tuple(item.split(":")) for item in PLACES["street_stems"].split())
SUFFIXES = tuple(tuple(s) for s in PLACES["street_suffixes"])
ROADS, ZONES, DOCKS, LAMPS = PLACES["roads"], PLACES["zones"], PLACES["docks"], PLACES["lamps"]
TOILETS, STOPS, BILLBOARDS, REPORTS = PLACES["toilets"], PLACES["stops"], PLACES["billboards"], PLACES["reports"]


def _check() -> None:
    """Every value the data gives a field is one the schema allows; the tables keyed by a type cover every type."""
    for layer, records in (
        ("attractions", PLACES["attractions"]),
        ("zones", ZONES["fixed"]),
        ("docks", DOCKS["list"]),
        ("toilets", TOILETS["placed"]),
        ("reports", REPORTS["kinds"]),
    ):
        check_records(layer, records)
    pieces = [p for r in ROADS["riverside"] for p in r["pieces"]]
    check_records("roads", ({"road_class": r["class"]} for r in [*ROADS["main"], *pieces]))
    check_records("stops", ({"stop_type": k} for kinds in STOPS["at_spots"].values() for k in kinds))
    check_records("zones", ({"zone_type": t} for t in ZONES["density"]))
    for what, keys, values in (
        ("street lamps by road class", LAMPS["street"], tuple(c for c in ROAD_CLASSES if c not in FOOT_CLASSES)),
        ("report kinds", [k["kind"] for k in REPORTS["kinds"]], allowed("reports", "kind")),
    ):
        if set(keys) != set(values):
            raise ValueError(f"{what}: {sorted(keys)} do not match facilities.schema {values}")
    if not set(STOPS["units"]) <= set(allowed("stops", "stop_type")):  # the demo city has no trams or light rail
        raise ValueError(f"stop units by stop type: {sorted(STOPS['units'])} are not all in facilities.schema")


_check()
