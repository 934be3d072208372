"""``reach``: every target has at least ``min_count`` facilities within ``distance_m``.

Distances are straight lines, or walking distances on the city's network with ``metric = "walk"``
(:mod:`facilities.walk`). Gaps: the targets that fall short, about the target feature
(``<rule>:<layer>/<id>``), measured by the distance to the nearest qualifying facility (on foot, for a
walking rule, with the straight-line distance beside it); drawn as rings.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from facilities.kinds.base import SHARE, Context, Kind, Outcome, Pair, Param, feature_about, feature_gaps, gap_id, layer_title
from facilities.walk import walking


def evaluate(ctx: Context) -> Outcome:
    """Count facilities within reach of each target; the targets with too few are gaps."""
    p, rule = ctx.rule.params, ctx.rule
    targets, fac = ctx.select("target"), ctx.select("facility")
    tg, fg = targets.geometry.to_numpy(), fac.geometry.to_numpy()
    measure = ctx.measure(p["metric"])
    counts = measure.count_within(tg, fg, p["distance_m"], p["min_count"])
    bad = np.flatnonzero(counts < p["min_count"])
    nearest = measure.nearest(tg[bad], fg)
    walk = p["metric"] == "walk"
    straight = ctx.distance.nearest(tg[bad], fg) if walk else nearest
    what = rule.selections["facility"].layer
    details = [_detail(counts[i], p, d, s, what, walk) for i, d, s in zip(bad.tolist(), nearest.tolist(), straight.tolist(), strict=True)]
    gaps = feature_gaps(rule, rule.selections["target"].layer, targets, bad.tolist(), nearest.tolist(), "m", details)
    for g, s in zip(gaps, straight.tolist(), strict=True):
        g["straight_m"] = float(s) if np.isfinite(s) else np.nan
    return Outcome.of(len(targets), len(targets) - len(bad), gaps)


def _detail(count: int, p: dict, d: float, straight: float, what: str, walk: bool) -> Pair:
    """A gap's detail (Chinese, English): how many are within reach, how far the nearest is (on foot and in a
    straight line)."""
    foot, zfoot, title = (" on foot", "步行 ", layer_title(what)) if walk else ("", "", layer_title(what))
    en = f"{count} of {p['min_count']} within {p['distance_m']:g} m{foot}; "
    zh = f"{zfoot}{p['distance_m']:g} 米内有 {count} 处{title}（要求至少 {p['min_count']} 处）；"
    if np.isfinite(d):
        return (
            zh + f"{zfoot.strip()}最近 {d:.0f} 米" + (f"（直线 {straight:.0f} 米）" if walk else ""),
            en + f"nearest {d:.0f} m{foot}" + (f" ({straight:.0f} m in a straight line)" if walk else ""),
        )
    if np.isfinite(straight):
        return (
            zh + f"步行无法到达符合要求的{title}（最近直线 {straight:.0f} 米）",
            en + f"no qualifying {what} reachable on foot (nearest {straight:.0f} m in a straight line)",
        )
    return (f"完全没有符合要求的{title}", f"no qualifying {what} at all")


def areas(ctx: Context) -> gpd.GeoDataFrame:
    """The area within ``distance_m`` of each qualifying facility (WGS84), for maps: a circle, or for a walking
    rule the streets and paths within that walk (nearer to it than to any other facility)."""
    fac = ctx.select("facility")
    d = ctx.rule.params["distance_m"]
    if ctx.rule.params["metric"] == "walk":
        shapes = gpd.GeoSeries(walking(ctx.city).service_areas(fac.geometry.to_numpy(), d), index=fac.index, crs=ctx.city.metric_crs)
    else:
        shapes = fac.geometry.buffer(d, quad_segs=16)
    out = gpd.GeoDataFrame(fac[["id", "name"]].copy(), geometry=shapes, crs=ctx.city.metric_crs)
    return out[out.geometry.notna().to_numpy()].to_crs(4326)


def routes(ctx: Context, feature_ids: list) -> gpd.GeoDataFrame:
    """For a walking rule, the walk from each target of ``feature_ids`` to its nearest qualifying facility
    (WGS84 lines, ``gap_id``), for maps; targets no facility is reachable from have none."""
    targets, fac = ctx.select("target"), ctx.select("facility")
    targets = targets[targets["id"].isin(feature_ids).to_numpy()]
    lines = walking(ctx.city).routes(targets.geometry.to_numpy(), fac.geometry.to_numpy())
    layer = ctx.rule.selections["target"].layer
    out = gpd.GeoDataFrame(
        {"gap_id": [gap_id(ctx.rule, feature_about(layer, i)) for i in targets["id"]], "name": targets["name"].to_numpy()},
        geometry=gpd.GeoSeries(lines, crs=ctx.city.metric_crs),
        crs=ctx.city.metric_crs,
    )
    return out[out.geometry.notna().to_numpy()].to_crs(4326)


KIND = Kind(
    "reach",
    {"target": None, "facility": None},
    (
        Param("distance_m", "float", None, 0, 100_000),
        Param("min_count", "int", 1, 1, 1000),
        Param("metric", "str", "straight", doc="straight (a straight line) or walk (on the walking network)", choices=("straight", "walk")),
        SHARE,
    ),
    "every target has at least min_count facilities within distance_m (to a polygon: to its edge, 0 inside), "
    "in a straight line or on foot (metric)",
    evaluate,
    gap_shape="ring",
)
