"""Filters written as data in a rules file, checked against the layer model, applied to a GeoDataFrame.

A filter is a TOML table ``field -> condition``; all conditions must hold. A condition is

- a value: equal to it (``status = "existing"``);
- a list: one of its values (``grade = ["A", "AA", "AAA"]``);
- a table of operators: ``{ ">=" = 2 }``, ``{ "!=" = "closed" }``, ``{ not_in = ["planned", "closed"] }``,
  ``{ in = [...] }``, ``{ null = true }`` (missing), several operators at once all holding.

**Missing values** (one rule, in :func:`missing`): a value is missing when it is absent, null (None, NaN,
NA, NaT) or, in a text field, blank (empty or only spaces). A missing value matches ``null = true`` and
nothing else: it never satisfies a comparison — ``==``, ``!=``, ``in``, ``not_in``, ``>``, ``>=``, ``<``,
``<=`` are all false for it — so ``{ "!=" = "missing" }`` selects only features whose value is known and
is not "missing". To include the unknown ones, say so: ``{ null = true }`` in another rule, or a list of
the values wanted.

Dates are written ``"YYYY-MM-DD"`` or ``"today"`` (the check's reference date). Nothing is ever
evaluated as code.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from facilities.problems import Problem
from facilities.schema import LayerSpec

OPERATORS = ("==", "!=", ">", ">=", "<", "<=", "in", "not_in", "null")
_ORDERED = (">", ">=", "<", "<=")


@dataclass(frozen=True)
class Clause:
    """One condition of a filter: a field, an operator (one of :data:`OPERATORS`) and the value it compares with."""

    field: str
    op: str
    value: Any


@dataclass(frozen=True)
class Filter:
    """The conditions a feature must all meet; no clauses selects every feature."""

    clauses: tuple[Clause, ...] = ()

    def mask(self, gdf: pd.DataFrame, today: dt.date) -> np.ndarray:
        """Boolean array: rows of ``gdf`` for which every clause holds (a missing value matches only ``null = true``)."""
        keep = np.ones(len(gdf), dtype=bool)
        for c in self.clauses:
            keep &= _clause_mask(gdf, c, today)
        return keep

    def describe(self) -> str:
        """The clauses as readable text, e.g. ``status != 'closed' and grade in ['A']`` (``all`` when there are none)."""
        return " and ".join(f"{c.field} {c.op} {c.value!r}" for c in self.clauses) or "all"


def _resolve(value: Any, today: dt.date) -> Any:
    if value == "today":
        return pd.Timestamp(today)
    return value


def missing(col: pd.Series) -> np.ndarray:
    """Boolean array: the values of ``col`` that are missing — null (None, NaN, NA, NaT) or blank text
    (empty or only spaces). The one definition every filter operator uses (see the module's docstring)."""
    empty = col.isna().to_numpy(dtype=bool)
    if isinstance(col.dtype, pd.StringDtype):
        empty = empty | col.str.strip().eq("").fillna(False).to_numpy(dtype=bool)
    elif col.dtype == object:
        empty = empty | np.fromiter((isinstance(v, str) and not v.strip() for v in col), dtype=bool, count=len(col))
    return empty


def _clause_mask(gdf: pd.DataFrame, c: Clause, today: dt.date) -> np.ndarray:
    col = pd.Series(pd.NA, index=gdf.index, dtype="object") if c.field not in gdf.columns else gdf[c.field]
    empty = missing(col)
    if c.op == "null":
        return empty if c.value else ~empty
    value = c.value
    if pd.api.types.is_datetime64_any_dtype(col):
        value = [pd.Timestamp(_resolve(v, today)) for v in value] if isinstance(value, list) else pd.Timestamp(_resolve(value, today))
    known = col[~empty]
    if c.op in ("in", "not_in"):
        hit = known.isin(value).to_numpy(dtype=bool)
        hit = hit if c.op == "in" else ~hit
    else:
        ops: dict[str, Any] = {
            "==": known.__eq__, "!=": known.__ne__, ">": known.__gt__, ">=": known.__ge__, "<": known.__lt__, "<=": known.__le__,
        }  # fmt: skip
        hit = pd.Series(ops[c.op](value), index=known.index).fillna(False).to_numpy(dtype=bool)
    out = np.zeros(len(col), dtype=bool)
    out[~empty] = hit
    return out


def _check_scalar(spec: LayerSpec, field: str, value: Any, op: str, where: str, file: str, rule: str) -> list[Problem]:
    f = spec.field(field)
    if f is None:
        return []  # an extra (undeclared) property: nothing to check it against
    if op == "null":
        if not isinstance(value, bool):
            return [Problem.error("rules", file, where, value, "null takes true or false", "true or false", rule)]
        return []
    if f.type == "date":
        if value == "today" or (isinstance(value, str) and _is_date(value)) or isinstance(value, dt.date):
            return []
        return [Problem.error("rules", file, where, value, "not a date", 'a date "YYYY-MM-DD" or "today"', rule)]
    if op in _ORDERED and f.type not in ("int", "float", "date"):
        return [
            Problem.error(
                "rules", file, where, value, f"{op} compares numbers or dates; {field} is {f.type}", "==, !=, in, not_in, null", rule
            )
        ]
    expected: Any = {"str": str, "int": (int, float), "float": (int, float), "bool": bool}[f.type]
    if not isinstance(value, expected) or (f.type in ("int", "float") and isinstance(value, bool)):
        return [Problem.error("rules", file, where, value, f"wrong type for {field}", f.accepted(), rule)]
    if f.allowed is not None and value not in f.allowed:
        return [Problem.error("rules", file, where, value, f"not a value {field} can take", f.accepted(), rule)]
    return []


def _is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def parse_filter(raw: Any, spec: LayerSpec, where: str, file: str, rule: str) -> tuple[Filter, list[Problem]]:
    """Parse and check a filter table against layer ``spec``; return it and every problem found."""
    if raw is None:
        return Filter(), []
    if not isinstance(raw, dict):
        return Filter(), [
            Problem.error(
                "rules", file, where, raw, "a filter is a table of field = condition", 'e.g. { status = ["existing", "new"] }', rule
            )
        ]
    clauses: list[Clause] = []
    problems: list[Problem] = []
    for field, cond in raw.items():
        here = f"{where}.{field}"
        if spec.field(field) is None:
            # a typo here would silently select nothing (or everything): refuse it
            close = difflib.get_close_matches(str(field), list(spec.field_names), n=1, cutoff=0.6)
            hint = f'; did you mean "{close[0]}"?' if close else ""
            problems.append(
                Problem.error(
                    "rules", file, here, field, f"the {spec.name} layer has no field {field!r}{hint}", ", ".join(spec.field_names), rule
                )
            )
            continue
        if isinstance(cond, list):
            items = [("in", cond)]
        elif isinstance(cond, dict):
            items = list(cond.items())
        else:
            items = [("==", cond)]
        for op, value in items:
            if op not in OPERATORS:
                problems.append(Problem.error("rules", file, f"{here}.{op}", op, "unknown operator", ", ".join(OPERATORS), rule))
                continue
            values = value if op in ("in", "not_in") else [value]
            if op in ("in", "not_in") and not isinstance(value, list):
                problems.append(Problem.error("rules", file, f"{here}.{op}", value, f"{op} takes a list", "a list of values", rule))
                continue
            found = [p for v in values for p in _check_scalar(spec, field, v, op, here, file, rule)]
            problems += found
            if not found:
                clauses.append(Clause(field, op, value))
    return Filter(tuple(clauses)), problems
