"""``share``: the share of targets meeting a ``condition`` (a filter), or whose ``days`` between two dates
are at most ``max``, is at least ``min_share``.

Gaps: the targets that do not meet it, about the target (``<rule>:<layer>/<id>``), measured in days for a
``days`` condition; drawn as rings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from facilities.filters import parse_filter
from facilities.kinds.base import SHARE, Context, Kind, Outcome, feature_gaps
from facilities.problems import Problem
from facilities.schema import LAYERS


@dataclass(frozen=True)
class DaysCondition:
    """Days from ``start`` to ``end`` (or to the check date when ``end`` is empty) at most ``max``."""

    start: str
    end: str
    max: int


def parse_extra(raw: dict, selections: dict, file: str, label: str) -> tuple[dict[str, Any], list[Problem]]:
    """Read ``condition = { … }`` and ``days = { start, end, max }`` (at least one of them)."""
    problems: list[Problem] = []
    target = selections.get("target")
    condition = days = None
    if "condition" not in raw and "days" not in raw:
        problems.append(
            Problem.error(
                "rules", file, "condition", None, "a share rule needs a condition or days",
                "condition = { … } or days = { start, end, max }", label,
            )
        )  # fmt: skip
    if "condition" in raw and target is not None:
        condition, cp = parse_filter(raw["condition"], LAYERS[target.layer], "condition", file, label)
        problems += cp
    if "days" in raw and target is not None:
        d = raw["days"]
        spec = LAYERS[target.layer]
        ok = isinstance(d, dict) and all(isinstance(d.get(k), str) for k in ("start", "end")) and isinstance(d.get("max"), int)
        bad_fields = [d.get(k) for k in ("start", "end") if ok and (spec.field(d[k]) is None or spec.field(d[k]).type != "date")]  # type: ignore[union-attr]
        if not ok or bad_fields:
            dates = [f.name for f in spec.fields if f.type == "date"]
            accepted = f'{{ start = "…", end = "…", max = N }} with date fields of {spec.name}: {", ".join(dates)}'
            problems.append(Problem.error("rules", file, "days", d, "not a valid days condition", accepted, label))
        else:
            days = DaysCondition(d["start"], d["end"], d["max"])
    return {"condition": condition, "days": days}, problems


def evaluate(ctx: Context) -> Outcome:
    """The targets meeting the condition (and the days limit) comply; the others are gaps."""
    rule = ctx.rule
    sel = rule.selections["target"]
    targets = ctx.select("target")
    ok = np.ones(len(targets), dtype=bool)
    measure = np.full(len(targets), np.nan)
    unit = "share"
    if rule.condition is not None:
        ok &= rule.condition.mask(targets, ctx.today)
    if rule.days is not None:
        start = pd.to_datetime(targets[rule.days.start])
        end = pd.to_datetime(targets[rule.days.end]).fillna(pd.Timestamp(ctx.today))
        days = (end - start).dt.days.to_numpy(dtype=float, na_value=np.nan)
        ok &= np.nan_to_num(days, nan=np.inf) <= rule.days.max
        measure, unit = days, "days"
    what = " and ".join(x for x in (
        rule.condition.describe() if rule.condition else "",
        f"{rule.days.start}→{rule.days.end or 'today'} ≤ {rule.days.max} days" if rule.days else "") if x)  # fmt: skip
    bad = np.flatnonzero(~ok).tolist()
    detail = (f"不符合：{rule.title_zh}", f"does not meet: {what}")
    gaps = feature_gaps(rule, sel.layer, targets, bad, measure[bad].tolist(), unit, [detail] * len(bad))
    return Outcome.of(len(targets), int(ok.sum()), gaps)


KIND = Kind(
    "share",
    {"target": None},
    (SHARE,),
    "the share of targets meeting `condition` ≥ min_share (`days` conditions count days between two dates)",
    evaluate,
    gap_shape="ring",
    extra_keys=frozenset({"condition", "days"}),
    parse_extra=parse_extra,
)
