"""``density``: in every zone, facilities per km² ≥ ``min_per_km2``.

Gaps: the zones below it, about the zone (``<rule>:zones/<id>``), measured in facilities per km²; drawn
as outlines.
"""

from __future__ import annotations

import numpy as np

from facilities import coverage
from facilities.kinds.base import SHARE, Context, Kind, Outcome, Param, feature_gaps


def evaluate(ctx: Context) -> Outcome:
    """Facilities inside each zone per km² of it; the zones below the threshold are gaps."""
    p, rule = ctx.rule.params, ctx.rule
    zones, fac = ctx.select("zones"), ctx.select("facility")
    counts = coverage.count_in(zones.geometry.to_numpy(), fac.geometry.to_numpy())
    km2 = zones.geometry.area.to_numpy() / 1e6
    density = np.divide(counts, km2, out=np.zeros(len(zones)), where=km2 > 0)
    bad = np.flatnonzero(density < p["min_per_km2"]).tolist()
    details = [
        (
            f"{km2[i]:.2f} 平方公里内 {counts[i]} 座 = {density[i]:.2f} 座/平方公里，低于 {p['min_per_km2']:g} 座/平方公里",
            f"{counts[i]} in {km2[i]:.2f} km² = {density[i]:.2f}/km² < {p['min_per_km2']:g}/km²",
        )
        for i in bad
    ]
    gaps = feature_gaps(rule, "zones", zones, bad, density[bad].tolist(), "per km²", details)
    return Outcome.of(len(zones), len(zones) - len(bad), gaps)


KIND = Kind(
    "density",
    {"zones": "zones", "facility": None},
    (Param("min_per_km2", "float", None, 0, 1_000_000), SHARE),
    "in every zone, facilities per km² ≥ min_per_km2",
    evaluate,
    gap_shape="outline",
)
