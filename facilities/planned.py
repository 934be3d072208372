"""A suggested site as a planned facility: the properties a new feature of the rule's facility layer needs.

:func:`planned_feature` is pure (it writes nothing): the app passes what it returns to
:func:`facilities.store.edit` as a new feature, with an id from :func:`next_id`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from facilities.city import City
from facilities.filters import Clause, Filter
from facilities.rules import Rule
from facilities.schema import Field, layer
from facilities.validation import check_geometry, check_properties

__all__ = ["accepted_value", "next_id", "planned_feature"]

_DEFAULTS: dict[str, list[Any]] = {"bool": [True, False], "int": [0], "float": [0.0], "str": [], "date": []}


def accepted_value(f: Field, clauses: list[Clause], today: dt.date) -> Any:
    """A value of field ``f`` that every clause of ``clauses`` (the rule's conditions on that field)
    accepts: the first of the values the clauses name, then of the field's allowed values (or, for a
    number or a yes/no, its minimum or true); None when none of them is accepted."""
    named: list[Any] = []
    for c in clauses:
        if c.op in ("==", "in", ">=", "<="):
            named += c.value if isinstance(c.value, list) else [c.value]
    tries = [*named, *(f.allowed or ()), *([f.min] if f.min is not None else []), *_DEFAULTS[f.type]]
    where = Filter(tuple(clauses))
    for value in tries:
        if f.allowed is not None and value not in f.allowed:
            continue
        if where.mask(pd.DataFrame({f.name: pd.Series([value], dtype=object)}), today)[0]:
            return value
    return None


def _district(city: City, point: shapely.Point) -> str | None:
    """The district of the district zone (``zone_type = "district"``) containing ``point`` (WGS84), if any."""
    zones = city["zones"]
    if not len(zones) or "zone_type" not in zones:
        return None
    zones = zones[(zones["zone_type"] == "district").to_numpy() & zones.geometry.notna().to_numpy()]
    inside = zones[zones.geometry.intersects(point).to_numpy()]
    if not len(inside):
        return None
    row = inside.iloc[0]
    for name in ("district", "name"):
        value = row.get(name)
        if isinstance(value, str) and value.strip():
            return value
    return None


def planned_feature(city: City, rule: Rule, site_row: Any, new_id: str) -> tuple[str, dict[str, Any], shapely.Geometry]:
    """A planned facility at a suggested site: (layer, properties, geometry WGS84).

    The layer is the rule's facility layer; the properties: ``id`` = ``new_id``, ``status`` planned,
    ``source`` suggested, every required field (and every other field the rule's facility filter
    constrains) with a value the filter accepts (:func:`accepted_value`: toilets of grade A for a rule
    asking for A, AA or AAA), else the field's first allowed value; ``district`` from the district zone
    containing the site; a note naming the rule. ``site_row``: a row of :attr:`facilities.siting.Siting.sites`
    or of :func:`facilities.siting.along_sites` (a mapping or Series with a WGS84 ``geometry``).
    Raises ValueError when the properties or the geometry do not pass the layer's validation.
    """
    sel = rule.selections.get("facility")
    if sel is None:
        raise ValueError(f"rule {rule.id} ({rule.kind}) has no facility layer to plan a facility in")
    spec = layer(sel.layer)
    geometry = site_row["geometry"]
    today = dt.date.today()
    values: dict[str, Any] = {"id": new_id, "status": "planned", "source": "suggested"}
    constrained = {c.field for c in sel.where.clauses} - {"status"}
    for f in spec.fields:
        if f.name in values or not (f.required or f.name in constrained):
            continue
        value = accepted_value(f, [c for c in sel.where.clauses if c.field == f.name], today)
        if value is None and f.required:
            value = (f.allowed or _DEFAULTS[f.type] or [None])[0]
        if value is not None:
            values[f.name] = value
    district = _district(city, geometry)
    if district:
        values["district"] = district
    rank = site_row.get("rank") if hasattr(site_row, "get") else None
    values["notes"] = f"suggested site for rule {rule.id}" + (f" (rank {int(rank)})" if rank is not None and pd.notna(rank) else "")
    problems = check_properties(values, spec, spec.filename, new_id, {}, new_id)
    problems += check_geometry(json.loads(shapely.to_geojson(geometry)), spec, spec.filename, new_id, city.config.bounds)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        detail = "; ".join(f"{p.field} = {p.value!r}: {p.message} ({p.accepted})" for p in errors)
        raise ValueError(f"planned {spec.name}/{new_id}: {detail}")
    return spec.name, values, geometry


def next_id(layer_frame: gpd.GeoDataFrame | pd.DataFrame, prefix: str) -> str:
    """A fresh id for ``layer_frame``: ``prefix`` and one more than the largest number after ``prefix`` in its
    ids, as wide as theirs (``T087`` → ``T088``; ``P001`` when none has that prefix)."""
    ids = set(layer_frame["id"].dropna().astype(str)) if "id" in layer_frame else set()
    pattern = re.compile(re.escape(prefix) + r"(\d+)$")
    found = [m.group(1) for m in map(pattern.match, ids) if m]
    n = max((int(d) for d in found), default=0) + 1
    width = max((len(d) for d in found), default=3)
    while f"{prefix}{n:0{width}d}" in ids:
        n += 1
    return f"{prefix}{n:0{width}d}"
