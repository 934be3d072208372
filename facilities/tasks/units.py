"""Who is responsible for a gap (责任单位): the feature's own ``unit``; else the responsibility zone
(``zones`` with ``zone_type = responsibility``, 门前三包责任区) containing the gap; else the rule's default
``unit`` in the rules file; else nobody yet (staff choose one before dispatching).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from facilities.city import City
from facilities.rules import RuleSet

#: where a task's unit came from, with (zh, en) labels
UNIT_SOURCES: dict[str, tuple[str, str]] = {
    "feature": ("设施记录", "the feature's record"),
    "zone": ("责任区", "the responsibility zone"),
    "rule": ("规则默认", "the rule's default"),
    "staff": ("工作人员指定", "chosen by staff"),
    "none": ("未指定", "not known"),
}


def responsible_units(city: City, rules: RuleSet, gaps: gpd.GeoDataFrame) -> pd.DataFrame:
    """For each gap (WGS84 rows of a check's gap table): ``unit`` and ``unit_from`` (a key of
    :data:`UNIT_SOURCES`), indexed like ``gaps``. A zone is found by the gap's representative point; when
    zones overlap, the smallest containing zone is taken (the most specific)."""
    unit = gaps["unit"].astype("object").where(gaps["unit"].notna() & (gaps["unit"].astype("string").str.strip() != ""), None)
    source = pd.Series(np.where(unit.notna(), "feature", "none"), index=gaps.index, dtype="object")
    missing = unit.isna()
    if missing.any():
        zones = city.metric("zones")
        zones = zones[(zones["zone_type"] == "responsibility") & zones["unit"].notna() & ~zones.geometry.isna()]
        if len(zones):
            points = gaps.loc[missing].to_crs(city.metric_crs).geometry.representative_point()
            hits = gpd.GeoDataFrame(geometry=points.to_numpy(), index=points.index, crs=city.metric_crs).sjoin(
                zones[["unit", "geometry"]].assign(area=zones.geometry.area), predicate="within"
            )
            best = hits.sort_values("area").groupby(level=0)["unit"].first()
            unit.loc[best.index] = best
            source.loc[best.index] = "zone"
    by_rule = {r.id: r.unit for r in rules if r.unit}
    still = unit.isna() & gaps["rule"].isin(by_rule)
    unit.loc[still] = gaps.loc[still, "rule"].map(by_rule)
    source.loc[still] = "rule"
    return pd.DataFrame({"unit": unit, "unit_from": source}, index=gaps.index)


__all__ = ["UNIT_SOURCES", "responsible_units"]
