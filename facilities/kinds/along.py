"""``along``: along each road, no stretch longer than ``max_gap_m`` without a facility within ``snap_m``.

Segments with the same name are one road (:func:`facilities.kinds.base.road_key`). Gaps: the stretches,
about the segment the stretch starts on and where on it (``<rule>:roads/<segment id>@<metres>m``), measured
by their length; drawn as lines. A lamp rule's outcome says how many lamps have no recorded working state
(:func:`unknown_lamps_note`), so a score built on assumed lamps says so.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from facilities import coverage
from facilities.kinds.base import SHARE, Context, Kind, Outcome, Param, gap, layer_title, road_keys


def roads_by_key(roads: gpd.GeoDataFrame) -> dict[str, list]:
    """Road key -> the line parts of its segments."""
    out: dict[str, list] = {}
    for key, geom in zip(road_keys(roads), roads.geometry, strict=True):
        parts = list(geom.geoms) if geom.geom_type == "MultiLineString" else [geom]
        out.setdefault(key, []).extend(parts)
    return out


def _start_segment(segments: gpd.GeoDataFrame, start: shapely.Point) -> tuple[int, float]:
    """The position (in ``segments``) of the segment a stretch starts on, and how far along it the stretch starts."""
    dist = shapely.distance(segments.geometry.to_numpy(), start)
    i = int(np.argmin(dist))
    return i, float(shapely.line_locate_point(segments.geometry.iloc[i], start))


def unknown_lamps_note(ctx: Context, fac: gpd.GeoDataFrame) -> str:
    """A bilingual sentence on the lamps with no ``working`` value: those the rule counts, else those of the layer."""
    layer = ctx.city.metric("lamps")
    working = layer["working"] if "working" in layer.columns else None
    unknown_all = len(layer) if working is None else int(working.isna().sum())
    if not unknown_all:
        return ""
    unknown = len(fac) if "working" not in fac.columns else int(fac["working"].isna().sum())
    if unknown:
        return (
            f"{unknown} of {len(fac)} lamps counted have no recorded working state (counted as the rule's filter says) "
            f"{unknown} 盏路灯亮灯状态未知（按规则筛选计入）"
        )
    return (
        f"{unknown_all} of {len(layer)} lamps have no recorded working state (not counted: the rule's filter asks for it) "
        f"{unknown_all} 盏路灯亮灯状态未知（本规则未计入）"
    )


def evaluate(ctx: Context) -> Outcome:
    """Stretches of the selected roads with no facility near enough for longer than ``max_gap_m``."""
    p, rule = ctx.rule.params, ctx.rule
    roads, fac = ctx.select("roads"), ctx.select("facility")
    stretches, total, covered = coverage.along_gaps(
        roads_by_key(roads), fac.geometry.to_numpy(), p["snap_m"], p["max_gap_m"], p["include_ends"]
    )
    positions = roads.groupby(road_keys(roads).to_numpy(), sort=False).indices if len(roads) else {}
    what = rule.selections["facility"].layer
    gaps = []
    for s in stretches:
        segments = roads.iloc[positions[s.road]]
        i, at = _start_segment(segments, shapely.Point(s.geometry.coords[0]))
        first = segments.iloc[0].copy()
        first["id"] = s.road  # a stretch belongs to the whole road: reported with the road key, its first segment's attributes
        detail = (
            f"沿路第 {s.start:.0f}–{s.end:.0f} 米共 {s.length:.0f} 米，{p['snap_m']:g} 米内无{layer_title(what)}",
            f"{s.length:.0f} m with no {what} within {p['snap_m']:g} m (from {s.start:.0f} m to {s.end:.0f} m along the road)",
        )
        about = f"roads/{segments['id'].iloc[i]}@{at:.0f}m"
        gaps.append(gap(rule, about, "roads", first, s.geometry, s.length, "m", detail))
    outcome = Outcome.of(total, covered, gaps)
    if what == "lamps":
        outcome.note = "; ".join(n for n in (outcome.note, unknown_lamps_note(ctx, fac)) if n)
    return outcome


KIND = Kind(
    "along",
    {"roads": "roads", "facility": None},
    (
        Param("snap_m", "float", None, 0, 1000),
        Param("max_gap_m", "float", None, 0, 100_000),
        Param("include_ends", "bool", True),
        SHARE,
    ),
    "along each road, no stretch longer than max_gap_m without a facility within snap_m",
    evaluate,
    gap_shape="line",
)
