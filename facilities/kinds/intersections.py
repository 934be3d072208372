"""``intersections``: a facility within ``distance_m`` of every point where ``min_roads`` selected roads meet.

Roads meet at grade (:func:`facilities.coverage.meets`): a bridge over a road or a tunnel under it, and roads
on different levels (``layer``), cross without meeting unless they share a vertex there.

Gaps: the intersections with none, about the roads that meet there and the place (``<rule>:x/<road keys
joined by +>@<lon>,<lat>``, WGS84 to 5 decimals, about a metre), measured by the distance to the nearest
qualifying facility; drawn as rings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from facilities import coverage
from facilities.kinds.base import SHARE, Context, Kind, Outcome, Param, gap, layer_title, road_keys
from facilities.walk import road_levels


def evaluate(ctx: Context) -> Outcome:
    """Find the intersections of the selected roads; those with no facility near enough are gaps."""
    p, rule = ctx.rule.params, ctx.rule
    roads, fac = ctx.select("roads"), ctx.select("facility")
    parts, row = shapely.get_parts(roads.geometry.to_numpy(), return_index=True)
    keys = road_keys(roads).to_numpy()[row].tolist()
    layer, separated = road_levels(roads)
    nodes = coverage.intersections(parts, keys, p["min_roads"], layer[row], separated[row])
    pts = np.array([pt for pt, _ in nodes], dtype=object)
    fg = fac.geometry.to_numpy()
    counts = ctx.distance.count_within(pts, fg, p["distance_m"], 1)
    bad = np.flatnonzero(counts < 1)
    nearest = ctx.distance.nearest(pts[bad], fg)
    to_wgs84 = Transformer.from_crs(ctx.city.metric_crs, 4326, always_xy=True)
    gaps = []
    for i, d in zip(bad.tolist(), nearest.tolist(), strict=True):
        names = nodes[i][1]
        lon, lat = to_wgs84.transform(*shapely.get_coordinates(pts[i])[0])
        row = pd.Series({"id": " × ".join(names), "name": " / ".join(names)})
        what = rule.selections["facility"].layer
        zh = f"{p['distance_m']:g} 米内无符合要求的{layer_title(what)}" + (f"；最近 {d:.0f} 米" if np.isfinite(d) else "")
        en = f"no qualifying {what} within {p['distance_m']:g} m" + (f"; nearest {d:.0f} m" if np.isfinite(d) else "")
        detail = (zh, en)
        gaps.append(gap(rule, f"x/{'+'.join(names)}@{lon:.5f},{lat:.5f}", "roads", row, pts[i], d, "m", detail))
    return Outcome.of(len(nodes), len(nodes) - len(bad), gaps)


KIND = Kind(
    "intersections",
    {"roads": "roads", "facility": None},
    (Param("distance_m", "float", None, 0, 10_000), Param("min_roads", "int", 2, 2, 10), SHARE),
    "a facility within distance_m of every intersection of the selected roads",
    evaluate,
    gap_shape="ring",
)
