"""Filter a layer's rows by the values of any of its fields, and count them: what the inventory page asks.

Which filter a field gets comes from the layer model (:mod:`facilities.schema`), never from a list of names
(:func:`kind_of`):

- a field with a closed set of values (``grade``, ``status``…) or a yes/no field: one of the chosen values
  (:class:`OneOf`), each value offered with the number of rows that have it (:func:`counts`,
  :func:`facet_counts`);
- a free-text field with few different values (``district``, ``unit``…): the same, over the values found;
  one with many (``name``, ``id``, ``notes``): the rows whose text contains a piece (:class:`Contains`);
- a number (``int``, ``float``) or a date: a range, both ends included (:class:`Between`).

Every condition's rows are combined with AND (:func:`mask`). A condition that chooses nothing (no values,
no ends, no text) keeps every row.

**Missing values** are those of :func:`facilities.filters.missing`, the one definition the rules' filters use
too: absent, null (None, NaN, NA, NaT) or blank text. For a choice they are an option of their own,
:data:`NO_VALUE`, counted like any value. A range never holds a missing value: a row with no value is kept
only when the condition says ``keep_missing`` (the page offers it, with their number). A range whose lower
end is above its upper end (:func:`reversed_range`) holds no value at all (missing values still follow
``keep_missing``); it never raises.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from facilities.filters import missing
from facilities.schema import ALL_LAYERS, Field

#: the option of a choice that stands for the rows with no value
NO_VALUE = None
#: a free-text field with at most this many different values is offered as a choice; with more, as a text search
MAX_CHOICES = 100
#: the kinds of filter a field can have (see :func:`kind_of`)
KINDS = ("choice", "values", "range", "dates", "text")


@dataclass(frozen=True)
class OneOf:
    """Rows whose value of ``field`` is one of ``values`` (:data:`NO_VALUE` among them: the rows with none).
    No values: every row."""

    field: str
    values: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Between:
    """Rows whose value of ``field`` (a number or a date) is from ``low`` to ``high``, both included; an end
    that is None is open. A row with no value is kept only when ``keep_missing``. No ends and not
    ``keep_missing``: the rows with a value."""

    field: str
    low: Any = None
    high: Any = None
    keep_missing: bool = False


@dataclass(frozen=True)
class Contains:
    """Rows whose text of ``field`` contains ``text`` (any case, spaces at either end ignored). Empty: every row."""

    field: str
    text: str = ""


Condition = OneOf | Between | Contains


def _field(layer: str, name: str) -> Field | None:
    spec = ALL_LAYERS.get(layer)
    return spec.field(name) if spec is not None else None


def kind_of(layer: str, name: str, column: pd.Series | None = None) -> str | None:
    """The filter ``name`` of ``layer`` gets (one of :data:`KINDS`), from its declaration: ``choice`` (allowed
    values or yes/no), ``range`` (numbers), ``dates``, and for free text ``values`` (at most
    :data:`MAX_CHOICES` different values in ``column``) or ``text``. None for a field the layer does not declare."""
    f = _field(layer, name)
    if f is None:
        return None
    if f.allowed is not None or f.type == "bool":
        return "choice"
    if f.type in ("int", "float"):
        return "range"
    if f.type == "date":
        return "dates"
    if column is not None and _known(column).nunique() <= MAX_CHOICES:
        return "values"
    return "text"


def filterable(layer: str, gdf: pd.DataFrame) -> list[tuple[str, str]]:
    """(field, kind) for every declared field of ``layer`` that ``gdf`` has, in the order of the layer model."""
    spec = ALL_LAYERS[layer]
    out = []
    for f in spec.fields:
        if f.name in gdf.columns:
            kind = kind_of(layer, f.name, gdf[f.name])
            if kind is not None:
                out.append((f.name, kind))
    return out


def _known(col: pd.Series) -> pd.Series:
    return col[~missing(col)]


def _plain(value: Any) -> Any:
    """A value as a plain Python one (numpy's and pandas' booleans as bool), so counts and choices agree."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def counts(gdf: pd.DataFrame, name: str) -> dict[Any, int]:
    """How many rows of ``gdf`` have each value of ``name`` (:data:`NO_VALUE`: how many have none; only
    values that occur)."""
    if name not in gdf.columns:
        return {NO_VALUE: len(gdf)} if len(gdf) else {}
    col = gdf[name]
    empty = missing(col)
    out: dict[Any, int] = dict(Counter(_plain(v) for v in col[~empty].tolist()))
    if empty.any():
        out[NO_VALUE] = int(empty.sum())
    return out


def options(layer: str, name: str, gdf: pd.DataFrame) -> list[Any]:
    """What a choice of ``name`` offers for ``gdf``: the allowed values in the layer model's order (yes, no for
    a yes/no field), else the values found, the most frequent first; then any other value found (a code the
    model does not know); last :data:`NO_VALUE` when some row has none."""
    f = _field(layer, name)
    found = counts(gdf, name)
    if f is not None and f.type == "bool":
        declared: list[Any] = [True, False]
    elif f is not None and f.allowed is not None:
        declared = list(f.allowed)
    else:
        declared = []
    others = sorted((v for v in found if v is not NO_VALUE and v not in declared), key=lambda v: (-found[v], str(v)))
    return declared + others + ([NO_VALUE] if NO_VALUE in found else [])


def _numbers(col: pd.Series) -> np.ndarray:
    return pd.to_numeric(col.astype(object).where(~missing(col), None), errors="coerce").to_numpy(dtype=float)


def _days(col: pd.Series) -> pd.Series:
    return pd.to_datetime(col.astype(object).where(~missing(col), None), errors="coerce", format="mixed").dt.normalize()


def _day(value: Any) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def reversed_range(cond: Between) -> bool:
    """Whether the lower end of ``cond`` is above its upper end (then it holds no value)."""
    if cond.low is None or cond.high is None:
        return False
    if _is_date(cond.low) or _is_date(cond.high):
        return bool(_day(cond.low) > _day(cond.high))
    return float(cond.low) > float(cond.high)


def _is_date(value: Any) -> bool:
    return isinstance(value, dt.date | pd.Timestamp | np.datetime64)


def _is_date_field(layer: str, cond: Between, col: pd.Series) -> bool:
    f = _field(layer, cond.field)
    if f is not None:
        return f.type == "date"
    return pd.api.types.is_datetime64_any_dtype(col) or _is_date(cond.low) or _is_date(cond.high)


def condition_mask(gdf: pd.DataFrame, layer: str, cond: Condition) -> np.ndarray:
    """Boolean array: the rows of ``gdf`` (of ``layer``) that ``cond`` keeps (see the module's docstring)."""
    n = len(gdf)
    col = gdf[cond.field] if cond.field in gdf.columns else pd.Series([None] * n, index=gdf.index, dtype=object)
    empty = missing(col)
    if isinstance(cond, OneOf):
        if not cond.values:
            return np.ones(n, dtype=bool)
        wanted = {_plain(v) for v in cond.values if v is not NO_VALUE}
        known = np.fromiter((_plain(v) in wanted for v in col.tolist()), dtype=bool, count=n) & ~empty
        return known | (empty & any(v is NO_VALUE for v in cond.values))
    if isinstance(cond, Contains):
        piece = cond.text.strip().casefold()
        if not piece:
            return np.ones(n, dtype=bool)
        return np.fromiter((not m and piece in str(v).casefold() for v, m in zip(col.tolist(), empty, strict=True)), dtype=bool, count=n)
    return _between_mask(col, empty, layer, cond)


def _between_mask(col: pd.Series, empty: np.ndarray, layer: str, cond: Between) -> np.ndarray:
    """The rows a range keeps: a value from ``low`` to ``high`` (both included), or none when ``keep_missing``."""
    if reversed_range(cond):
        return empty & cond.keep_missing
    if _is_date_field(layer, cond, col):
        days = _days(col)
        keep = days.notna().to_numpy(dtype=bool, copy=True)
        if cond.low is not None:
            keep &= (days >= _day(cond.low)).fillna(False).to_numpy(dtype=bool)
        if cond.high is not None:
            keep &= (days <= _day(cond.high)).fillna(False).to_numpy(dtype=bool)
    else:
        values = _numbers(col)
        keep = ~np.isnan(values)
        with np.errstate(invalid="ignore"):
            if cond.low is not None:
                keep &= values >= float(cond.low)
            if cond.high is not None:
                keep &= values <= float(cond.high)
    keep &= ~empty
    return keep | (empty & cond.keep_missing)


def mask(gdf: pd.DataFrame, layer: str, conditions: list[Condition] | tuple[Condition, ...]) -> np.ndarray:
    """Boolean array: the rows of ``gdf`` that every condition keeps (AND); no conditions keep every row."""
    keep = np.ones(len(gdf), dtype=bool)
    for cond in conditions:
        keep &= condition_mask(gdf, layer, cond)
    return keep


def apply(gdf: pd.DataFrame, layer: str, conditions: list[Condition] | tuple[Condition, ...]) -> Any:
    """The rows of ``gdf`` (a frame of ``layer``, its type kept) that every condition keeps, in their order."""
    return gdf[mask(gdf, layer, conditions)]


def facet_counts(gdf: pd.DataFrame, layer: str, conditions: list[Condition] | tuple[Condition, ...], name: str) -> dict[Any, int]:
    """:func:`counts` of ``name`` over the rows the *other* fields' conditions keep: how many rows choosing
    each value would show, the other filters as they are."""
    others = [c for c in conditions if c.field != name]
    return counts(gdf[mask(gdf, layer, others)], name)


def bounds(gdf: pd.DataFrame, layer: str, name: str) -> tuple[Any, Any] | None:
    """The smallest and largest value of ``name`` in ``gdf`` (numbers as int for an ``int`` field, else
    float; dates as :class:`datetime.date`); None when no row has one."""
    if name not in gdf.columns:
        return None
    col = gdf[name]
    f = _field(layer, name)
    if (f is not None and f.type == "date") or (f is None and pd.api.types.is_datetime64_any_dtype(col)):
        days = _days(col).dropna()
        return None if days.empty else (days.min().date(), days.max().date())
    values = _numbers(col)
    values = values[~np.isnan(values)]
    if not len(values):
        return None
    low, high = float(values.min()), float(values.max())
    if f is not None and f.type == "int":
        return int(np.floor(low)), int(np.ceil(high))
    return low, high


#: the columns the page's free-text search looks in (those a layer has)
SEARCHED = ("id", "name", "name_en", "name_zh", "road", "unit", "district")


def search(gdf: pd.DataFrame, query: str) -> Any:
    """The rows of ``gdf`` whose id, names, road, unit or district contain ``query`` (any case; empty: all)."""
    query = query.strip()
    if not query or not len(gdf):
        return gdf
    text = gdf[[c for c in SEARCHED if c in gdf.columns]].astype("string").fillna("")
    hit = text.apply(lambda col: col.str.contains(query, case=False, regex=False)).any(axis=1)
    return gdf[hit.to_numpy(dtype=bool)]


__all__ = [
    "KINDS",
    "MAX_CHOICES",
    "NO_VALUE",
    "Between",
    "Condition",
    "Contains",
    "OneOf",
    "apply",
    "bounds",
    "condition_mask",
    "counts",
    "facet_counts",
    "filterable",
    "kind_of",
    "mask",
    "options",
    "reversed_range",
    "search",
]
