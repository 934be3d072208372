"""What every rule kind shares: its declaration (:class:`Kind`), what it is given (:class:`Context`) and
what it returns (:class:`Outcome`), and the helpers that make a gap row with a stable id.

A gap's id is ``<rule>:<what it is about>``: the same on every run while the gap is the same thing, so a
rectification task can follow it across re-checks (each kind's module says what "about" is).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from facilities.distance import Distance
from facilities.schema import ALL_LAYERS, Pair
from facilities.walk import walking

if TYPE_CHECKING:
    from facilities.city import City
    from facilities.problems import Problem
    from facilities.rules import Rule, Selection

NOTHING = "not applicable: nothing to check 合理缺项"


@dataclass(frozen=True)
class Param:
    """A parameter of a rule kind, as written in ``rules.toml``; ``default`` None means required."""

    name: str
    type: str  # "float" | "int" | "bool" | "str"
    default: Any = None
    min: float | None = None
    max: float | None = None
    doc: str = ""
    #: for a "str" parameter, the values it takes (empty: any text)
    choices: tuple[str, ...] = ()


SHARE = Param("min_share", "float", 1.0, 0, 1, "share of checked items that must comply for the rule to pass")


@dataclass(frozen=True)
class Context:
    """What a kind's evaluation is given: the city, the rule, the check date and the distance measure."""

    city: City
    rule: Rule
    today: dt.date
    distance: Distance

    def measure(self, metric: str) -> Distance:
        """The distance a rule with ``metric`` measures by: ``straight`` (this context's, straight lines by
        default) or ``walk`` (the city's walking network, :mod:`facilities.walk`)."""
        if metric == "walk":
            return walking(self.city)
        return self.distance

    def select(self, name: str) -> gpd.GeoDataFrame:
        """The features of the rule's selection ``name`` (metric CRS), with a geometry."""
        return select(self.city, self.rule.selections[name], self.today)


@dataclass
class Outcome:
    """A rule's result: how many items were checked, how many comply, one dict per gap (see :func:`gap`)."""

    checked: float
    compliant: float
    gaps: list[dict]
    note: str = ""

    @classmethod
    def of(cls, checked: float, compliant: float, gaps: list[dict]) -> Outcome:
        """An outcome; "not applicable" when nothing was checked."""
        return cls(checked, compliant, gaps, "" if checked else NOTHING)


#: how a kind's gaps are drawn on the map: ``ring`` (a point), ``line`` (a stretch), ``outline`` (an area)
GAP_SHAPES = ("ring", "line", "outline")


@dataclass(frozen=True)
class Kind:
    """A rule kind: its selections (name -> fixed layer, or None for any), parameters, evaluation and gaps.

    ``parse_extra(raw, selections, file, label) -> (values for Rule fields, problems)`` reads keys of its
    own beyond its parameters (``extra_keys``; values for ``options``, say); ``gap_shape`` says how the map
    draws its gaps; ``against`` names the selection targets are measured against.
    """

    name: str
    selections: dict[str, str | None]
    params: tuple[Param, ...]
    doc: str
    evaluate: Callable[[Context], Outcome]
    gap_shape: str
    extra_keys: frozenset[str] = field(default_factory=frozenset)
    parse_extra: Callable[[dict, dict[str, Selection], str, str], tuple[dict[str, Any], list[Problem]]] | None = None
    #: the selection a rule measures its targets against: when its layer records nothing at all, the rule has
    #: no data (:func:`facilities.check.no_data`); kinds without one (``share``) simply have no such selection
    against: str = "facility"

    def __post_init__(self) -> None:
        if self.gap_shape not in GAP_SHAPES:
            raise ValueError(f"kind {self.name}: gap_shape should be one of {GAP_SHAPES}, got {self.gap_shape!r}")


# --------------------------------------------------------------------------- shared helpers


def select(city: City, selection: Selection, today: dt.date) -> gpd.GeoDataFrame:
    """The features of ``selection`` (metric CRS) that match its filter on ``today`` and have a geometry."""
    gdf = city.metric(selection.layer)
    mask = selection.where.mask(gdf, today)
    return gdf[mask & ~(gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy()]


def road_key(name: Any, rid: Any) -> str:
    """The key a road is checked under: its name (segments of one name are one road), else ``#<id>``."""
    return name if isinstance(name, str) and name else f"#{rid}"


def road_keys(roads: gpd.GeoDataFrame) -> pd.Series:
    """:func:`road_key` of every segment of ``roads``."""
    return pd.Series([road_key(n, i) for n, i in zip(roads["name"], roads["id"], strict=True)], index=roads.index, dtype="object")


def _value(row: pd.Series | dict | None, name: str) -> Any:
    if row is None or name not in row:
        return None
    v = row[name]
    return None if v is None or v is pd.NA or (not isinstance(v, str) and pd.isna(v)) else v


def gap_id(rule: Rule, about: str) -> str:
    """A gap's stable id: ``<rule>:<what it is about>``."""
    return f"{rule.id}:{about}"


def layer_title(layer: str) -> str:
    """A layer's Chinese title, for the Chinese half of a gap's detail (its name if it is not a layer)."""
    spec = ALL_LAYERS.get(layer)
    return spec.title_zh if spec is not None else layer


def feature_about(layer: str, feature_id: Any) -> str:
    """What a gap about a feature is about: ``<layer>/<feature id>``."""
    return f"{layer}/{feature_id}"


def gap(
    rule: Rule, about: str, layer: str, row: pd.Series | dict | None, geometry: Any, measure: float | None, unit: str, detail: Pair
) -> dict:
    """One gap row: its stable id ``<rule>:<about>``, the rule, the feature it is about, a measure and a detail
    (``detail``: Chinese, English; kept as ``detail_zh`` and ``detail``)."""
    return {
        "gap_id": gap_id(rule, about),
        "rule": rule.id,
        "layer": layer,
        "feature_id": _value(row, "id"),
        "name": _value(row, "name"),
        "district": _value(row, "district"),
        "unit": _value(row, "unit"),
        "measure": float(measure) if measure is not None and np.isfinite(measure) else np.nan,
        "measure_unit": unit,
        "straight_m": np.nan,
        "detail": detail[1],
        "detail_zh": detail[0],
        "geometry": geometry,
    }


def feature_gaps(
    rule: Rule, layer: str, rows: gpd.GeoDataFrame, positions: list[int], measures: list[float], unit: str, details: list[Pair]
) -> list[dict]:
    """Gaps about features of ``layer`` (rows at ``positions``): the id is ``<rule>:<layer>/<feature id>``."""
    geoms = rows.geometry.to_numpy()
    return [
        gap(rule, feature_about(layer, rows["id"].iloc[i]), layer, rows.iloc[i], geoms[i], m, unit, d)
        for i, m, d in zip(positions, measures, details, strict=True)
    ]
