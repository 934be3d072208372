"""``reach``: every target has at least ``min_count`` facilities within ``distance_m``.

Gaps: the targets that fall short, about the target feature (``<rule>:<layer>/<id>``), measured by the
distance to the nearest qualifying facility; drawn as rings.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from facilities.kinds.base import SHARE, Context, Kind, Outcome, Param, feature_gaps


def evaluate(ctx: Context) -> Outcome:
    """Count facilities within reach of each target; the targets with too few are gaps."""
    p, rule = ctx.rule.params, ctx.rule
    targets, fac = ctx.select("target"), ctx.select("facility")
    tg, fg = targets.geometry.to_numpy(), fac.geometry.to_numpy()
    counts = ctx.distance.count_within(tg, fg, p["distance_m"], p["min_count"])
    bad = np.flatnonzero(counts < p["min_count"])
    nearest = ctx.distance.nearest(tg[bad], fg)
    what = rule.selections["facility"].layer
    details = [
        f"{counts[i]} of {p['min_count']} within {p['distance_m']:g} m; nearest {d:.0f} m"
        if np.isfinite(d)
        else f"no qualifying {what} at all"
        for i, d in zip(bad.tolist(), nearest.tolist(), strict=True)
    ]
    gaps = feature_gaps(rule, rule.selections["target"].layer, targets, bad.tolist(), nearest.tolist(), "m", details)
    return Outcome.of(len(targets), len(targets) - len(bad), gaps)


def areas(ctx: Context) -> gpd.GeoDataFrame:
    """The area within ``distance_m`` of each qualifying facility (WGS84), for maps."""
    fac = ctx.select("facility")
    shapes = fac.geometry.buffer(ctx.rule.params["distance_m"], quad_segs=16)
    return gpd.GeoDataFrame(fac[["id", "name"]].copy(), geometry=shapes, crs=ctx.city.metric_crs).to_crs(4326)


KIND = Kind(
    "reach",
    {"target": None, "facility": None},
    (Param("distance_m", "float", None, 0, 100_000), Param("min_count", "int", 1, 1, 1000), SHARE),
    "every target has at least min_count facilities within distance_m (to a polygon: to its edge, 0 inside)",
    evaluate,
    gap_shape="ring",
)
