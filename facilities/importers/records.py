"""Records: the features of an import on their way in, each checked with the validation machinery.

An importer turns its input into :class:`Record` objects (one per feature, with the row or OSM id it came
from); :func:`check_records` checks every one (:func:`facilities.validation.check_properties` and
``check_geometry``): a record with an error is *rejected* and reported (row, field, value, reason), naming
the source column a field came from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from facilities.city_config import Bounds
from facilities.problems import Problem, ValidationReport
from facilities.schema import LayerSpec
from facilities.store import features_frame
from facilities.validation import check_geometry, check_properties


@dataclass
class Record:
    """One feature on its way in.

    Attributes
    ----------
    label : where it came from, as the user would find it: ``row 12`` (spreadsheet row, header = row 1),
        ``#3`` (feature of a GIS file), ``n123`` / ``w456`` / ``r789`` (OSM node, way, relation).
    props : its properties (layer fields and extra properties).
    geometry : WGS84 shapely geometry.
    columns : layer field -> source column or tag, to name the source in messages.
    """

    label: str
    props: dict[str, Any]
    geometry: BaseGeometry | None
    columns: dict[str, str] = field(default_factory=dict)


def _json_geometry(geom: BaseGeometry | None) -> Any:
    return None if geom is None else json.loads(shapely.to_geojson(geom))


def _name_source(p: Problem, columns: dict[str, str]) -> Problem:
    """Say which source column a field came from (``座數 → seats``) so the user knows what to fix."""
    col = columns.get(p.field or "")
    if col and col != p.field:
        return replace(p, field=f"{col} → {p.field}")
    return p


def check_records(records: list[Record], spec: LayerSpec, file: str, bounds: Bounds | None, report: ValidationReport) -> list[Record]:
    """Check records against the layer model; report the rejected ones; return the accepted ones."""
    seen: dict[str, str] = {}
    accepted = []
    for rec in records:
        problems = check_properties(rec.props, spec, file, rec.label, seen, rec.label)
        problems += check_geometry(_json_geometry(rec.geometry), spec, file, rec.label, bounds)
        problems = [_name_source(p, rec.columns) for p in problems]
        report.extend(problems)
        if any(p.severity == "error" for p in problems):
            continue
        accepted.append(rec)
    return accepted


def reject(report: ValidationReport, file: str, label: str, fld: str | None, value: Any, message: str, accepted: str) -> None:
    """Report a row that cannot become a feature at all (e.g. unreadable coordinates)."""
    report.problems.append(Problem.error("rejected", file, fld, value, message, accepted, label))


def records_frame(records: list[Record], spec: LayerSpec) -> gpd.GeoDataFrame:
    """Records as a GeoDataFrame with object columns (ints stay ints, missing values stay missing), to store."""
    return features_frame([r.props for r in records], [r.geometry for r in records], spec)


__all__ = ["Record", "check_records", "records_frame", "reject"]
