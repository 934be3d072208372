"""``check(city, rules) -> Result``: every rule evaluated, one gaps table, a scorecard.

Scoring: a rule that meets its threshold (share ≥ min_share) earns its full weight; one that does not
earns ``weight × share / min_share`` (linear partial credit), so fixing any gap raises the score. A rule
with nothing to check (e.g. a city with no docks) is not applicable (合理缺项): ``passed`` and ``points``
are empty, its ``note`` says why, and the total is pro-rated over the applicable rules'
weights (total = Σ points × max_points / Σ applicable weights).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from facilities import coverage, settings
from facilities.city import City
from facilities.rules import Rule, RuleSet

SUMMARY_COLUMNS = [
    "rule", "title_zh", "title_en", "kind", "checked", "compliant", "share", "threshold", "passed",
    "points", "weight", "source", "note",
]  # fmt: skip
NOTHING = "not applicable: nothing to check 合理缺项"
GAP_COLUMNS = ["rule", "layer", "feature_id", "name", "district", "unit", "measure", "measure_unit", "detail", "geometry"]


@dataclass
class Result:
    """The outcome of a check.

    Attributes
    ----------
    summary : one row per rule (see :data:`SUMMARY_COLUMNS`).
    gaps : one row per gap, WGS84 geometry (see :data:`GAP_COLUMNS`).
    total, pass_mark, max_points : the scorecard.
    """

    summary: pd.DataFrame
    gaps: gpd.GeoDataFrame
    total: float
    pass_mark: float
    max_points: float
    as_of: dt.date
    rules: RuleSet | None = None

    @property
    def passed(self) -> bool:
        return self.total >= self.pass_mark


@dataclass
class _Outcome:
    checked: float
    compliant: float
    gaps: list[dict]
    note: str = ""


def _select(city: City, layer: str, where, today: dt.date) -> gpd.GeoDataFrame:
    gdf = city.metric(layer)
    mask = where.mask(gdf, today)
    return gdf[mask & ~(gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy()]


def _gap(rule: Rule, layer: str, row: pd.Series | None, geometry, measure: float, unit: str, detail: str) -> dict:
    def get(field: str):
        if row is None or field not in row.index:
            return None
        v = row[field]
        return None if pd.isna(v) else v

    return {
        "rule": rule.id,
        "layer": layer,
        "feature_id": get("id"),
        "name": get("name"),
        "district": get("district"),
        "unit": get("unit"),
        "measure": float(measure) if measure is not None and np.isfinite(measure) else np.nan,
        "measure_unit": unit,
        "detail": detail,
        "geometry": geometry,
    }


def _reach(city: City, rule: Rule, today: dt.date) -> _Outcome:
    p = rule.params
    targets = _select(city, rule.selections["target"].layer, rule.selections["target"].where, today)
    fac = _select(city, rule.selections["facility"].layer, rule.selections["facility"].where, today)
    tg = targets.geometry.to_numpy()
    fg = fac.geometry.to_numpy()
    counts = coverage.count_within(tg, fg, p["distance_m"], p["min_count"])
    bad = np.flatnonzero(counts < p["min_count"])
    nearest = coverage.nearest_distance(tg[bad], fg)
    layer = rule.selections["target"].layer
    gaps = [
        _gap(rule, layer, targets.iloc[i], tg[i], d, "m",
             f"{counts[i]} of {p['min_count']} within {p['distance_m']:g} m; nearest {d:.0f} m" if np.isfinite(d)
             else f"no qualifying {rule.selections['facility'].layer} at all")
        for i, d in zip(bad.tolist(), nearest.tolist(), strict=True)
    ]  # fmt: skip
    return _Outcome(len(targets), len(targets) - len(bad), gaps, "" if len(targets) else NOTHING)


def _road_key(row_name, row_id) -> str:
    return row_name if isinstance(row_name, str) and row_name else f"#{row_id}"


def _roads_by_key(roads: gpd.GeoDataFrame) -> dict[str, list]:
    out: dict[str, list] = {}
    for name, rid, geom in zip(roads["name"], roads["id"], roads.geometry, strict=True):
        parts = list(geom.geoms) if geom.geom_type == "MultiLineString" else [geom]
        out.setdefault(_road_key(name, rid), []).extend(parts)
    return out


def _along(city: City, rule: Rule, today: dt.date) -> _Outcome:
    p = rule.params
    roads = _select(city, "roads", rule.selections["roads"].where, today)
    fac = _select(city, rule.selections["facility"].layer, rule.selections["facility"].where, today)
    stretches, total, covered = coverage.along_gaps(
        _roads_by_key(roads), fac.geometry.to_numpy(), p["snap_m"], p["max_gap_m"], p["include_ends"]
    )
    # a stretch belongs to the merged road: report it with the road key and its first segment's attributes
    keys = pd.Series([_road_key(n, i) for n, i in zip(roads["name"], roads["id"], strict=True)], index=roads.index)
    first = roads.assign(id=keys).drop_duplicates("id").set_index("id", drop=False)
    what = rule.selections["facility"].layer
    gaps = [
        _gap(rule, "roads", first.loc[s.road], s.geometry, s.length, "m",
             f"{s.length:.0f} m with no {what} within {p['snap_m']:g} m (from {s.start:.0f} m to {s.end:.0f} m along the road)")
        for s in stretches
    ]  # fmt: skip
    return _Outcome(total, covered, gaps, "" if total else NOTHING)


def _intersections(city: City, rule: Rule, today: dt.date) -> _Outcome:
    p = rule.params
    roads = _select(city, "roads", rule.selections["roads"].where, today)
    fac = _select(city, rule.selections["facility"].layer, rule.selections["facility"].where, today)
    lines, keys = [], []
    for key, parts in _roads_by_key(roads).items():
        lines += parts
        keys += [key] * len(parts)
    nodes = coverage.intersections(np.array(lines, dtype=object), keys, p["min_roads"])
    pts = np.array([pt for pt, _ in nodes], dtype=object)
    fg = fac.geometry.to_numpy()
    counts = coverage.count_within(pts, fg, p["distance_m"], 1)
    bad = np.flatnonzero(counts < 1)
    nearest = coverage.nearest_distance(pts[bad], fg)
    gaps = []
    for i, d in zip(bad.tolist(), nearest.tolist(), strict=True):
        names = nodes[i][1]
        row = pd.Series({"id": " × ".join(names), "name": " / ".join(names)})
        detail = f"no qualifying {rule.selections['facility'].layer} within {p['distance_m']:g} m"
        gaps.append(_gap(rule, "roads", row, pts[i], d, "m", detail + (f"; nearest {d:.0f} m" if np.isfinite(d) else "")))
    return _Outcome(len(nodes), len(nodes) - len(bad), gaps, "" if nodes else NOTHING)


def _density(city: City, rule: Rule, today: dt.date) -> _Outcome:
    p = rule.params
    zones = _select(city, "zones", rule.selections["zones"].where, today)
    fac = _select(city, rule.selections["facility"].layer, rule.selections["facility"].where, today)
    zg = zones.geometry.to_numpy()
    counts = coverage.count_in(zg, fac.geometry.to_numpy())
    km2 = zones.geometry.area.to_numpy() / 1e6
    density = np.divide(counts, km2, out=np.zeros(len(zg)), where=km2 > 0)
    bad = np.flatnonzero(density < p["min_per_km2"])
    gaps = [
        _gap(rule, "zones", zones.iloc[i], zg[i], density[i], "per km²",
             f"{counts[i]} in {km2[i]:.2f} km² = {density[i]:.2f}/km² < {p['min_per_km2']:g}/km²")
        for i in bad.tolist()
    ]  # fmt: skip
    return _Outcome(len(zones), len(zones) - len(bad), gaps, "" if len(zones) else NOTHING)


def _share(city: City, rule: Rule, today: dt.date) -> _Outcome:
    sel = rule.selections["target"]
    targets = _select(city, sel.layer, sel.where, today)
    ok = np.ones(len(targets), dtype=bool)
    measure = np.full(len(targets), np.nan)
    unit = "share"
    if rule.condition is not None:
        ok &= rule.condition.mask(targets, today)
    if rule.days is not None:
        start = pd.to_datetime(targets[rule.days.start])
        end = pd.to_datetime(targets[rule.days.end]).fillna(pd.Timestamp(today))
        days = (end - start).dt.days.to_numpy(dtype=float, na_value=np.nan)
        ok &= np.nan_to_num(days, nan=np.inf) <= rule.days.max
        measure, unit = days, "days"
    what = " and ".join(x for x in (
        rule.condition.describe() if rule.condition else "",
        f"{rule.days.start}→{rule.days.end or 'today'} ≤ {rule.days.max} days" if rule.days else "") if x)  # fmt: skip
    tg = targets.geometry.to_numpy()
    gaps = [_gap(rule, sel.layer, targets.iloc[i], tg[i], measure[i], unit, f"does not meet: {what}") for i in np.flatnonzero(~ok).tolist()]
    return _Outcome(len(targets), int(ok.sum()), gaps, "" if len(targets) else NOTHING)


KERNELS: dict[str, Callable[[City, Rule, dt.date], _Outcome]] = {
    "reach": _reach,
    "along": _along,
    "intersections": _intersections,
    "density": _density,
    "share": _share,
}


def check(
    city: City,
    rules: RuleSet,
    as_of: dt.date | None = None,
    progress: Callable[[int, int, Rule], None] | None = None,
) -> Result:
    """Evaluate every rule of ``rules`` on ``city``.

    Parameters
    ----------
    as_of : the reference date for "today" in filters and day counts (default: ``FACILITIES_AS_OF``,
        else the rules file's ``as_of``, else today's date; see :func:`facilities.settings.check_date`).
    progress : called as ``progress(i, n, rule)`` before each rule.
    """
    today = settings.check_date(as_of, rules.as_of)
    rows, gap_rows = [], []
    for i, rule in enumerate(rules):
        if progress is not None:
            progress(i, len(rules), rule)
        out = KERNELS[rule.kind](city, rule, today)
        if out.checked:
            share = out.compliant / out.checked
            passed = share >= rule.min_share - 1e-12
            points = rule.weight if passed else rule.weight * share / rule.min_share
        else:
            share, passed, points = np.nan, pd.NA, np.nan
        rows.append({
            "rule": rule.id, "title_zh": rule.title_zh, "title_en": rule.title_en, "kind": rule.kind,
            "checked": out.checked, "compliant": out.compliant, "share": share, "threshold": rule.min_share,
            "passed": passed, "points": round(points, 2), "weight": rule.weight, "source": rule.source, "note": out.note,
        })  # fmt: skip
        gap_rows += out.gaps
    summary = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    summary["passed"] = summary["passed"].astype("boolean")
    gaps = gpd.GeoDataFrame(pd.DataFrame(gap_rows, columns=GAP_COLUMNS), geometry="geometry", crs=city.metric_crs)
    gaps = gaps.to_crs(4326)
    applicable = summary["points"].notna()
    weight = float(summary.loc[applicable, "weight"].sum())
    total = float(summary.loc[applicable, "points"].sum()) * rules.total / weight if weight else 0.0
    return Result(summary, gaps, round(total, 1), rules.pass_mark, rules.total, today, rules)


def reach_areas(city: City, rule: Rule, as_of: dt.date | None = None) -> gpd.GeoDataFrame:
    """For a ``reach`` rule: the area within ``distance_m`` of each qualifying facility (WGS84), for maps."""
    if rule.kind != "reach":
        raise ValueError(f"rule {rule.id} is a {rule.kind} rule; reach areas exist for reach rules only")
    sel = rule.selections["facility"]
    fac = _select(city, sel.layer, sel.where, settings.check_date(as_of))
    areas = fac[["id", "name"]].copy()
    return gpd.GeoDataFrame(areas, geometry=fac.geometry.buffer(rule.params["distance_m"], quad_segs=16), crs=city.metric_crs).to_crs(4326)
