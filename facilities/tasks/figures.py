"""The leaders' figures on tasks: by responsible unit, the countdown to the inspection, and what closing
the open tasks would add to the score.

The gain is an estimate, said as one: a rule's shortfall (items checked − items compliant) is shared
equally among its gaps, and each gap with an open task is taken as fixed. For rules whose gaps are one
item each (reach, share, the dock and stop rules) that is exact; for stretch and area rules (along,
density) it is proportional.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from facilities.check import Result, score, total_score
from facilities.tasks import flow
from facilities.tasks.queries import rows

BY_UNIT_COLUMNS = ["unit", "open", "overdue", "closed", "rejected", "rework", "median_days_to_close"]
GAIN_COLUMNS = ["rule", "title_zh", "title_en", "gaps", "open_tasks", "points", "points_if_closed", "gain"]


def countdown(inspection: dt.date | None, as_of: dt.date) -> int | None:
    """Days from ``as_of`` to the inspection (negative once it has passed); None without a date."""
    return None if inspection is None else (inspection - as_of).days


def by_unit(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """One row per responsible unit (most open tasks first): open, overdue on ``as_of``, closed, rejected,
    reworks, and the median days from filing to closing (NaN when none closed)."""
    if frame.empty:
        return pd.DataFrame(columns=BY_UNIT_COLUMNS)
    unit = frame["unit"].fillna("—")
    finished = frame["state"].isin(list(flow.FINISHED))
    overdue = [flow.is_overdue(s, d, as_of) for s, d in zip(frame["state"], frame["due"], strict=True)]
    closed = frame["state"] == "closed"
    days = [(c - f).days if isinstance(c, dt.date) else np.nan for c, f in zip(frame["closed_on"], frame["filed_on"], strict=True)]
    parts = pd.DataFrame({
        "unit": unit, "open": ~finished, "overdue": overdue, "closed": closed, "rejected": frame["state"] == "rejected",
        "rework": frame["rework"].astype(int), "days": pd.Series(days, index=frame.index, dtype=float).where(closed),
    })  # fmt: skip
    out = parts.groupby("unit").agg(
        open=("open", "sum"), overdue=("overdue", "sum"), closed=("closed", "sum"), rejected=("rejected", "sum"),
        rework=("rework", "sum"), median_days_to_close=("days", "median"),
    )  # fmt: skip
    out = out.reset_index().sort_values(["open", "overdue", "unit"], ascending=[False, False, True], kind="stable")
    return out[BY_UNIT_COLUMNS].reset_index(drop=True)


def gain(result: Result, frame: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """Per rule with open tasks: its gaps, open tasks on those gaps, points now and if they were closed;
    and the total score if every open task were closed (see the module's docstring)."""
    open_gaps = set(frame.loc[~frame["state"].isin(list(flow.FINISHED)), "gap_id"]) if not frame.empty else set()
    gaps = result.gaps
    found: list[dict] = []
    points_after = []
    for r in rows(result.summary):
        of_rule = gaps["gap_id"][gaps["rule"] == r.rule]
        tasked = int(of_rule.isin(open_gaps).sum())
        after = r.points
        if tasked and len(of_rule):
            fixed = (r.checked - r.compliant) * tasked / len(of_rule)
            after = round(score(r.weight, r.threshold, r.checked, r.compliant + fixed)[2], 2)
            found.append({
                "rule": r.rule, "title_zh": r.title_zh, "title_en": r.title_en, "gaps": len(of_rule), "open_tasks": tasked,
                "points": r.points, "points_if_closed": after, "gain": round(after - r.points, 2),
            })  # fmt: skip
        points_after.append(after)
    total = total_score(pd.Series(points_after, dtype=float), result.summary["weight"].reset_index(drop=True), result.max_points)
    table = pd.DataFrame(found, columns=GAIN_COLUMNS).sort_values("gain", ascending=False, kind="stable").reset_index(drop=True)
    return table, total


__all__ = ["BY_UNIT_COLUMNS", "GAIN_COLUMNS", "by_unit", "countdown", "gain"]
