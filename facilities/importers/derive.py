"""Roads approximated from points, for a source with no road layer (e.g. a street-lamp inventory).

Each group of points (e.g. the lamps of one street segment, ``STREETSEGMID`` in Washington DC's
inventory) becomes one straight road: the segment of the points' principal axis (least-squares line, in a
local metric projection) from the first point to the last along it. Its name and class are the most common
among the points; it is marked ``lit = true`` (it has lamps), ``source = import`` and says in ``notes``
that it is an approximation. A group with fewer than ``min_points`` distinct points, or shorter than 1 m,
gives no road.

What this measures: an ``along`` rule on such roads finds the stretches between consecutive lamps of a
segment that are longer than ``max_gap_m`` — lamp spacing along a block. It cannot see a dark stretch
beyond the last lamp of a block (the road ends there), nor a street with no lamp at all.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import numpy as np
from pyproj import Transformer
from shapely.geometry import LineString

from facilities.city_config import local_metric_crs
from facilities.importers.records import Record
from facilities.importers.result import ImportResult


def roads_from_points(records: list[Record], cfg: dict[str, Any], result: ImportResult) -> list[Record]:
    """One road per group of ``records`` (see the module docstring); a note on ``result`` says how many."""
    group_key, name_key, class_key = cfg["group"], cfg["name"], cfg["road_class"]
    prefix, min_points = cfg.get("id_prefix", "road-"), int(cfg.get("min_points", 2))
    groups: dict[str, list[Record]] = defaultdict(list)
    for rec in records:
        key = rec.props.get(group_key)
        if key not in (None, ""):
            groups[str(key)].append(rec)
    if not groups:
        result.notes.append(f"no roads derived: no feature has a {group_key!r} property")
        return []
    points: list[Any] = [r.geometry for recs in groups.values() for r in recs]  # lamps: points, checked before
    xy = np.array([[p.x, p.y] for p in points])
    lon0, lat0 = xy.mean(axis=0)
    to_m = Transformer.from_crs("EPSG:4326", local_metric_crs(lon0, lat0), always_xy=True)
    to_deg = Transformer.from_crs(local_metric_crs(lon0, lat0), "EPSG:4326", always_xy=True)
    roads, few = [], 0
    for key, recs in sorted(groups.items()):
        pts_of: list[Any] = [r.geometry for r in recs]
        x, y = to_m.transform(np.array([p.x for p in pts_of]), np.array([p.y for p in pts_of]))
        pts = np.unique(np.column_stack([x, y]).round(3), axis=0)
        if len(pts) < max(min_points, 2):
            few += 1
            continue
        centre = pts.mean(axis=0)
        direction = np.linalg.svd(pts - centre, full_matrices=False)[2][0]
        t = (pts - centre) @ direction
        if t.max() - t.min() < 1.0:
            few += 1
            continue
        ends = np.array([centre + t.min() * direction, centre + t.max() * direction])
        lon, lat = to_deg.transform(ends[:, 0], ends[:, 1])
        names = Counter(r.props[name_key] for r in recs if r.props.get(name_key))
        classes = Counter(r.props[class_key] for r in recs if r.props.get(class_key))
        props: dict[str, Any] = {"id": f"{prefix}{key}", "status": "existing", "source": "import"}
        if names:
            props["name"] = names.most_common(1)[0][0]
        if classes:
            props["road_class"] = classes.most_common(1)[0][0]
        props["lit"] = True
        props["notes"] = f"approximation: straight line through the {len(recs)} points of {group_key} {key} (the source has no roads)"
        props[group_key] = key
        roads.append(Record(f"{group_key} {key}", props, LineString(list(zip(lon.tolist(), lat.tolist(), strict=True)))))
    result.notes.append(
        f"roads derived 推算道路: {len(roads)} straight road(s) from {len(groups)} groups of {group_key} "
        f"({few} with fewer than {max(min_points, 2)} distinct points or under 1 m: no road) — an approximation, see its notes"
    )
    return roads


__all__ = ["roads_from_points"]
