"""``check(city, rules) -> Result``: every rule evaluated, one gaps table, a scorecard.

Scoring: a rule that meets its threshold (share ≥ min_share) earns its full weight; one that does not
earns ``weight × share / min_share`` (linear partial credit), so fixing any gap raises the score. A rule
with nothing to check (e.g. a city with no docks) is not applicable (合理缺项): ``passed`` and ``points``
are empty, its ``note`` says why, and the total is pro-rated over the applicable rules'
weights (total = Σ points × max_points / Σ applicable weights).

A rule with targets but nothing at all recorded in the layer it measures them against (its ``facility``
selection's layer: no lamps in the city, say) has **no data** (无数据): it is not scored either — a 0 %
would blame every target for a missing layer — its note names the layer, and it lists no gap (every target
would be one, which says nothing a missing layer does not). ``share`` rules have no facility side.

How much the score knows: the **assessed share** is the weight of the rules scored (neither not applicable
nor no data) over the checklist's ``total`` (or the rules' weights, when they add up to more): rules that
cover only 270 of 1000 points assess 27 % of the checklist. Below the rules file's ``min_assessed`` (default 0.8) the
verdict is *incomplete*, never passed, whatever the pro-rated total.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from facilities import settings
from facilities.city import City
from facilities.distance import EUCLIDEAN, Distance
from facilities.kinds import KINDS, NOTHING, Context, Outcome, illuminance, reach
from facilities.rules import DEFAULT_MIN_ASSESSED, Rule, RuleSet
from facilities.words import no_data_note

__all__ = [
    "GAP_COLUMNS", "NOTHING", "SUMMARY_COLUMNS", "VERDICT_KEYS", "Result", "assessed_share", "check", "illuminance_stretches",
    "no_data", "reach_areas", "rule_layers", "score", "total_score", "walk_routes",
]  # fmt: skip

#: one row per rule; ``assessment`` is passed, failed, not_applicable or no_data (labels: facilities.words.VERDICTS)
SUMMARY_COLUMNS = [
    "rule", "title_zh", "title_en", "kind", "checked", "compliant", "share", "threshold", "passed",
    "points", "weight", "assessment", "source", "note",
]  # fmt: skip
#: a scorecard's verdicts (labels: facilities.words.VERDICTS)
VERDICT_KEYS = ("passed", "failed", "incomplete")
#: one row per gap; ``gap_id`` is stable across runs while the gap is the same thing (see facilities.kinds)
#: ``straight_m``: for a measure on foot, the straight-line distance beside it (else empty)
GAP_COLUMNS = [
    "gap_id", "rule", "layer", "feature_id", "name", "district", "unit", "measure", "measure_unit", "straight_m", "detail", "detail_zh",
    "geometry",
]  # fmt: skip


@dataclass
class Result:
    """The outcome of a check.

    Attributes
    ----------
    summary : one row per rule (see :data:`SUMMARY_COLUMNS`).
    gaps : one row per gap, WGS84 geometry (see :data:`GAP_COLUMNS`).
    total, pass_mark, max_points : the scorecard.
    assessed : the share (0–1) of the checklist's weight that was assessed (:func:`assessed_share`).
    min_assessed : the share below which the verdict is incomplete (the rules file's ``min_assessed``).
    """

    summary: pd.DataFrame
    gaps: gpd.GeoDataFrame
    total: float
    pass_mark: float
    max_points: float
    as_of: dt.date
    rules: RuleSet | None = None
    assessed: float = 1.0
    min_assessed: float = DEFAULT_MIN_ASSESSED

    @property
    def incomplete(self) -> bool:
        """Whether too little of the checklist's weight was assessed for a verdict."""
        return self.assessed < self.min_assessed - 1e-12

    @property
    def verdict(self) -> str:
        """``incomplete`` below ``min_assessed``, else ``passed`` when the total reaches the pass mark, else ``failed``."""
        if self.incomplete:
            return "incomplete"
        return "passed" if self.total >= self.pass_mark else "failed"

    @property
    def passed(self) -> bool:
        """Whether the city passes: enough of the checklist assessed, and the total at the pass mark."""
        return self.verdict == "passed"


def check(
    city: City,
    rules: RuleSet,
    as_of: dt.date | None = None,
    progress: Callable[[int, int, Rule], None] | None = None,
    distance: Distance = EUCLIDEAN,
    previous: Result | None = None,
    changed: Collection[str] | None = None,
) -> Result:
    """Evaluate every rule of ``rules`` on ``city``.

    Parameters
    ----------
    as_of : the reference date for "today" in filters and day counts (default: ``FACILITIES_AS_OF``,
        else the rules file's ``as_of``, else today's date; see :func:`facilities.settings.check_date`).
    progress : called as ``progress(i, n, rule)`` before each rule.
    distance : how distances are measured (:mod:`facilities.distance`; straight lines by default).
    previous, changed : a check of the same rules on the same date before some layers changed, and the
        names of those layers: the rules that read none of them (:func:`rule_layers`) are taken from
        ``previous`` instead of being run again (what the app does after a save).
    """
    today = settings.check_date(as_of, rules.as_of)
    reusable = previous is not None and changed is not None and previous.as_of == today and previous.rules == rules
    rows, gap_rows, kept_gaps = [], [], []
    for i, rule in enumerate(rules):
        if progress is not None:
            progress(i, len(rules), rule)
        if reusable and previous is not None and changed is not None and not rule_layers(rule) & set(changed):
            rows.append(previous.summary.loc[previous.summary["rule"] == rule.id].iloc[0].to_dict())
            kept_gaps.append(previous.gaps[previous.gaps["rule"] == rule.id])
            continue
        out = KINDS[rule.kind].evaluate(Context(city, rule, today, distance))
        share, passed, points = score(rule.weight, rule.min_share, out.checked, out.compliant)

        missing = no_data(city, rule) if out.checked else None
        if missing is not None:  # targets, and nothing recorded to measure them against: not assessed, no gap
            out, share, passed, points = Outcome(out.checked, np.nan, [], no_data_note(missing)), np.nan, pd.NA, np.nan
        assessment = "no_data" if missing is not None else "not_applicable" if passed is pd.NA else "passed" if passed else "failed"
        rows.append({
            "rule": rule.id, "title_zh": rule.title_zh, "title_en": rule.title_en, "kind": rule.kind,
            "checked": out.checked, "compliant": out.compliant, "share": share, "threshold": rule.min_share,
            "passed": passed, "points": round(points, 2) + 0.0, "weight": rule.weight, "assessment": assessment,
            "source": rule.source, "note": out.note,
        })  # fmt: skip
        gap_rows += out.gaps
    summary = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    summary["passed"] = summary["passed"].astype("boolean")
    gaps = gpd.GeoDataFrame(pd.DataFrame(gap_rows, columns=GAP_COLUMNS), geometry="geometry", crs=city.metric_crs)
    gaps = gaps.to_crs(4326)
    if kept_gaps:
        order = {rule.id: i for i, rule in enumerate(rules)}
        gaps = pd.concat([gaps, *kept_gaps], ignore_index=True)
        gaps = gaps.iloc[gaps["rule"].map(order).argsort(kind="stable")].reset_index(drop=True)
    total = total_score(summary["points"], summary["weight"], rules.total)
    assessed = assessed_share(summary["points"], summary["weight"], rules.total)
    return Result(summary, gaps, total, rules.pass_mark, rules.total, today, rules, assessed, rules.min_assessed)


def score(weight: float, min_share: float, checked: float, compliant: float) -> tuple[float, Any, float]:
    """A rule's (share, passed, points) from its items checked and compliant (the scoring rule of this
    module's docstring); (NaN, NA, NaN) when nothing was checked (not applicable)."""
    if not checked:
        return np.nan, pd.NA, np.nan
    share = min(max(compliant / checked, 0.0), 1.0) + 0.0  # within 0–1, and never -0.0
    passed = share >= min_share - 1e-12
    return share, passed, weight if passed else weight * share / min_share


def total_score(points: pd.Series, weights: pd.Series, total: float) -> float:
    """The total: the applicable rules' points pro-rated to ``total`` over their weights (one decimal)."""
    applicable = points.notna()
    weight = float(weights[applicable].sum())
    return round(float(points[applicable].sum()) * total / weight if weight else 0.0, 1) + 0.0


def assessed_share(points: pd.Series, weights: pd.Series, total: float = 0.0) -> float:
    """The share (0–1) of the checklist's weight that was assessed: Σ weights of the rules scored (points
    not empty) / the checklist's ``total`` (the rules file's; the rules' own weights when they add up to
    more): a checklist whose rules cover only part of its points is assessed only that far. 0 when there is
    no weight at all."""
    weight = max(float(weights.sum()), float(total))
    return float(weights[points.notna()].sum()) / weight if weight else 0.0


def no_data(city: City, rule: Rule) -> str | None:
    """The layer a rule measures its targets against (its ``facility`` selection's — its kind's ``against``, the
    ``lamps`` of an illuminance rule; for a walking rule also the roads) when the city records nothing at all in
    it, else None (also for kinds without a facility side, such as ``share``)."""
    facility = rule.selections.get(KINDS[rule.kind].against)
    if facility is None:
        return None
    if not len(city[facility.layer]):
        return facility.layer
    if rule.params.get("metric") == "walk" and not len(city["roads"]):  # no network to walk along
        return "roads"
    return None


def rule_layers(rule: Rule) -> frozenset[str]:
    """The layers a rule reads (its selections'): a change elsewhere cannot change its outcome."""
    return frozenset(sel.layer for sel in rule.selections.values())


def reach_areas(city: City, rule: Rule, as_of: dt.date | None = None) -> gpd.GeoDataFrame:
    """For a ``reach`` rule: the area within ``distance_m`` of each qualifying facility (WGS84), for maps
    (circles; for a walking rule, the streets within that walk)."""
    if rule.kind != "reach":
        raise ValueError(f"rule {rule.id} is a {rule.kind} rule; reach areas exist for reach rules only")
    return reach.areas(Context(city, rule, settings.check_date(as_of), EUCLIDEAN))


def illuminance_stretches(city: City, rule: Rule, as_of: dt.date | None = None) -> gpd.GeoDataFrame:
    """For an ``illuminance`` rule: every stretch of its roads with the estimated Eav, Emin, U0, the CJJ 45 levels
    and ``ok`` (WGS84; columns :data:`facilities.kinds.illuminance.STRETCH_COLUMNS`), for maps and the lighting page."""
    if rule.kind != "illuminance":
        raise ValueError(f"rule {rule.id} is a {rule.kind} rule; illuminance stretches exist for illuminance rules only")
    return illuminance.stretches(Context(city, rule, settings.check_date(as_of), EUCLIDEAN)).to_crs(4326)


def walk_routes(city: City, rule: Rule, result: Result) -> gpd.GeoDataFrame:
    """For a walking ``reach`` rule: the walk from each of its gaps in ``result`` to the nearest qualifying
    facility (WGS84 lines with ``gap_id``; empty for any other rule), for maps."""
    if rule.kind != "reach" or rule.params.get("metric") != "walk":
        return gpd.GeoDataFrame({"gap_id": [], "name": []}, geometry=gpd.GeoSeries([], crs=4326), crs=4326)
    ids = result.gaps.loc[result.gaps["rule"] == rule.id, "feature_id"].tolist()
    return reach.routes(Context(city, rule, result.as_of, EUCLIDEAN), ids)
