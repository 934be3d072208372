"""A city's rules file (``rules.toml``): coverage rules as data, checked as strictly as a layer.

Example::

    pass_mark = 850          # out of `total`
    total = 1000
    min_assessed = 0.8       # share of the rules' weight that must be assessed for a verdict

    [[rule]]
    id = "toilet_reach"
    title_zh = "景区 500 米内有 A 级以上旅游厕所"
    title_en = "A graded tourist toilet within 500 m of every scenic spot"
    kind = "reach"
    weight = 100
    source = "City of Melbourne public toilet plan (500 m); city codes 300–500 m ⚠"
    target = { layer = "attractions" }
    facility = { layer = "toilets", where = { grade = ["A", "AA", "AAA"], status = { not_in = ["planned", "closed"] } } }
    distance_m = 500

Each kind declares its parameters in its module (:mod:`facilities.kinds`); a new rule of an existing kind needs no code.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from facilities.city import City
from facilities.errors import RulesError
from facilities.filters import Filter, parse_filter
from facilities.kinds import KINDS, Kind, Param
from facilities.kinds.share import DaysCondition
from facilities.problems import Problem, ValidationReport
from facilities.schema import LAYERS

RULES_FILE = "rules.toml"
#: days given to rectify a gap when neither its rule nor the file says (``deadline_days``)
DEFAULT_DEADLINE_DAYS = 30
_DEADLINE = Param("deadline_days", "int", DEFAULT_DEADLINE_DAYS, 1, 365, "days given to rectify a gap (the task's default due date)")
#: the share of the rules' weight that must be assessed for the city to pass or fail (below it: incomplete)
DEFAULT_MIN_ASSESSED = 0.8
_MIN_ASSESSED = Param(
    "min_assessed", "float", DEFAULT_MIN_ASSESSED, 0, 1, "share (0–1) of the rules' weight that must be assessed for a verdict"
)


@dataclass(frozen=True)
class Selection:
    """The features of one layer a rule looks at: the layer and a filter on its fields."""

    layer: str
    where: Filter = field(default_factory=Filter)


@dataclass(frozen=True)
class Rule:
    """One checked coverage rule: its id, titles, kind, weight, source, layer selections and parameters."""

    id: str
    title_zh: str
    title_en: str
    kind: str
    weight: float
    source: str
    selections: dict[str, Selection]
    params: dict[str, Any]
    condition: Filter | None = None
    days: DaysCondition | None = None
    #: days a responsible unit is given to rectify a gap of this rule (None: the file's ``deadline_days``)
    deadline_days: int | None = None
    #: the unit responsible for this rule's gaps when neither the feature nor a responsibility zone says
    unit: str | None = None
    #: a kind's own settings beyond its parameters (its ``extra_keys``, read by its ``parse_extra``), as sorted
    #: ``(key, value)`` pairs of immutable values, so that rules stay comparable (see :meth:`option`)
    options: tuple[tuple[str, Any], ...] = ()

    @property
    def min_share(self) -> float:
        """The share (0–1) of checked items that must comply for the rule to pass (the `min_share` parameter)."""
        return float(self.params["min_share"])

    def option(self, key: str, default: Any = None) -> Any:
        """The kind's own setting ``key`` (:attr:`options`), else ``default``."""
        return next((v for k, v in self.options if k == key), default)


@dataclass(frozen=True)
class RuleSet:
    """A city's checked rules with the pass mark, total points, as-of date and the warnings found reading them."""

    rules: tuple[Rule, ...]
    pass_mark: float = 850
    total: float = 1000
    as_of: dt.date | None = None
    path: Path | None = None
    #: warnings found while reading the file (errors raise RulesError)
    warnings: tuple[Problem, ...] = ()
    #: days given to rectify a gap when its rule sets none
    deadline_days: int = DEFAULT_DEADLINE_DAYS
    #: the share (0–1) of the rules' weight that must be assessed for a pass or a fail (below it: incomplete)
    min_assessed: float = DEFAULT_MIN_ASSESSED

    def deadline(self, rule: Rule) -> int:
        """Days a unit is given to rectify a gap of ``rule``."""
        return rule.deadline_days if rule.deadline_days is not None else self.deadline_days

    def get(self, rule_id: str) -> Rule | None:
        """The rule with id ``rule_id`` (None when there is none)."""
        return next((r for r in self.rules if r.id == rule_id), None)

    def __iter__(self):
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)


def _param(p: Param, raw: dict, file: str, rule: str) -> tuple[Any, list[Problem]]:
    value = raw.get(p.name, p.default)
    accepted = {"float": "a number", "int": "a whole number", "bool": "true or false", "str": "text"}[p.type]
    if p.min is not None and p.max is not None:
        accepted += f" from {p.min:g} to {p.max:g}"
    if value is None:
        return None, [Problem.error("rules", file, p.name, None, "missing required parameter", accepted, rule)]
    ok = {
        "float": isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "str": isinstance(value, str),
    }[p.type]
    if not ok:
        return None, [Problem.error("rules", file, p.name, value, "wrong type", accepted, rule)]
    if p.type in ("float", "int") and ((p.min is not None and value < p.min) or (p.max is not None and value > p.max)):
        return None, [Problem.error("rules", file, p.name, value, "out of range", accepted, rule)]
    if p.choices and value not in p.choices:
        return None, [Problem.error("rules", file, p.name, value, "not a value it takes", "one of " + ", ".join(p.choices), rule)]
    return value, []


_RULE_KEYS = {"id", "title_zh", "title_en", "kind", "weight", "source", "condition", "days", "deadline_days", "unit"}


def _parse_header(raw: dict, label: str, file: str, seen: set[str]) -> tuple[str, list[Problem]]:
    """Check a rule's id, titles, source and weight; return its label (with the id once known) and the problems."""
    problems: list[Problem] = []
    rid: Any = raw.get("id")
    if isinstance(rid, str) and rid:
        label = f"{rid} ({label})"
        if rid in seen:
            problems.append(Problem.error("rules", file, "id", rid, "duplicate rule id", "an id used once", label))
        seen.add(rid)
    else:
        problems.append(Problem.error("rules", file, "id", rid, "missing rule id", "a non-empty text id", label))
    for key in ("title_zh", "title_en", "source"):
        text = raw.get(key)
        if not isinstance(text, str) or not text.strip():
            problems.append(Problem.error("rules", file, key, raw.get(key), "missing or not text", "non-empty text", label))
    if "deadline_days" in raw:
        problems += _param(_DEADLINE, raw, file, label)[1]
    unit = raw.get("unit")
    if unit is not None and (not isinstance(unit, str) or not unit.strip()):
        problems.append(Problem.error("rules", file, "unit", unit, "not text", "the name of a responsible unit (责任单位)", label))
    weight: Any = raw.get("weight")
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 <= weight <= 1000:
        problems.append(Problem.error("rules", file, "weight", weight, "not a valid weight", "points from 0 to 1000", label))
    return label, problems


def _unknown_keys(raw: dict, kind: Kind, file: str, label: str) -> list[Problem]:
    """Report every key of a rule that neither the rule header nor its kind knows."""
    allowed_keys = _RULE_KEYS | set(kind.selections) | {p.name for p in kind.params} | set(kind.extra_keys)
    return [
        Problem.error("rules", file, key, raw[key], f"unknown key for a {kind.name} rule", ", ".join(sorted(allowed_keys)), label)
        for key in raw
        if key not in allowed_keys
    ]


def _parse_selections(raw: dict, kind: Kind, file: str, label: str) -> tuple[dict[str, Selection], list[Problem]]:
    """Read the layer selections a kind needs (``{ layer = …, where = … }``); return the usable ones and the problems."""
    problems: list[Problem] = []
    selections: dict[str, Selection] = {}
    for sel_name, fixed_layer in kind.selections.items():
        sel = raw.get(sel_name)
        if not isinstance(sel, dict):
            problems.append(Problem.error("rules", file, sel_name, sel, "missing selection", '{ layer = "…", where = { … } }', label))
            continue
        layer = sel.get("layer", fixed_layer)
        if layer not in LAYERS or (fixed_layer is not None and layer != fixed_layer):
            accepted = fixed_layer if fixed_layer else "one of " + ", ".join(LAYERS)
            problems.append(Problem.error("rules", file, f"{sel_name}.layer", layer, "not a usable layer here", accepted, label))
            continue
        for key in sel:
            if key not in ("layer", "where"):
                problems.append(Problem.error("rules", file, f"{sel_name}.{key}", sel[key], "unknown key", "layer, where", label))
        flt, fp = parse_filter(sel.get("where"), LAYERS[layer], f"{sel_name}.where", file, label)
        problems += fp
        selections[sel_name] = Selection(layer, flt)
    return selections, problems


def _parse_params(raw: dict, kind: Kind, file: str, label: str) -> tuple[dict[str, Any], list[Problem]]:
    """Read a kind's declared parameters; return them by name (None where unusable) and the problems."""
    problems: list[Problem] = []
    params: dict[str, Any] = {}
    for p in kind.params:
        value, pp = _param(p, raw, file, label)
        problems += pp
        params[p.name] = value
    return params, problems


def _parse_condition(
    raw: dict, kind: Kind, selections: dict[str, Selection], file: str, label: str
) -> tuple[dict[str, Any], list[Problem]]:
    """Read a kind's extra keys (a share rule's ``condition`` / ``days``, another kind's ``options``); flag a
    condition on a kind that takes none."""
    problems: list[Problem] = []
    extra: dict[str, Any] = {"condition": None, "days": None, "options": ()}
    if kind.parse_extra is not None:
        values, ep = kind.parse_extra(raw, selections, file, label)
        extra.update(values)
        problems += ep
    if ("condition" in raw or "days" in raw) and not kind.extra_keys & {"condition", "days"}:
        value = raw.get("condition", raw.get("days"))
        problems.append(Problem.error("rules", file, "condition", value, "only share rules take a condition", "no condition here", label))
    return extra, problems


def _parse_rule(raw: Any, row: int, file: str, seen: set[str]) -> tuple[Rule | None, list[Problem]]:
    """Check one ``[[rule]]`` table; return the rule (None if it has errors) and every problem, in file order."""
    label = f"#{row}"
    if not isinstance(raw, dict):
        return None, [Problem.error("rules", file, None, raw, "a rule is a [[rule]] table", "[[rule]] with id, kind, …", label)]
    label, problems = _parse_header(raw, label, file, seen)
    kind = KINDS.get(str(raw.get("kind")))
    if kind is None:
        problems.append(Problem.error("rules", file, "kind", raw.get("kind"), "unknown rule kind", "one of " + ", ".join(KINDS), label))
        return None, problems

    problems += _unknown_keys(raw, kind, file, label)
    selections, sp = _parse_selections(raw, kind, file, label)
    problems += sp
    params, pp = _parse_params(raw, kind, file, label)
    problems += pp
    extra, ep = _parse_condition(raw, kind, selections, file, label)
    problems += ep

    if any(p.severity == "error" for p in problems):
        return None, problems
    return (
        Rule(
            raw["id"],
            raw["title_zh"],
            raw["title_en"],
            kind.name,
            float(raw["weight"]),
            raw["source"],
            selections,
            params,
            extra["condition"],
            extra["days"],
            raw.get("deadline_days"),
            raw["unit"].strip() if isinstance(raw.get("unit"), str) else None,
            tuple(extra["options"]),
        ),
        problems,
    )


def load_rules(path: str | Path) -> RuleSet:
    """Read and check a rules file.

    Raises
    ------
    RulesError
        with a report of every problem in the file (each naming the rule, key, value and what is accepted).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        report = ValidationReport(path.parent)
        report.problems.append(
            Problem.error("rules", path.name, None, None, f"no rules file at {path}", "a rules.toml with [[rule]] tables")
        )
        raise RulesError(report) from None
    return parse_rules(raw, path)


def city_rules(city: City) -> RuleSet | None:
    """The rules file of a loaded city (folder or database), checked; None when it has none. A folder's
    ``rules.toml`` is read from the file itself (so its bytes are checked as ``load_rules`` checks them)."""
    path = city.folder / RULES_FILE
    if not city.revision and path.is_file():
        return load_rules(path)
    if city.rules_text is None:
        return None
    return parse_rules(city.rules_text.encode("utf-8"), city.folder / RULES_FILE)


def parse_rules(raw: bytes, path: str | Path = RULES_FILE) -> RuleSet:
    """Check the text of a rules file (``path`` names it in messages); RulesError with every problem."""
    path = Path(path)
    report = ValidationReport(path.parent)
    file = path.name
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        report.problems.append(
            Problem.error("encoding", file, None, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})", "UTF-8 text")
        )
        raise RulesError(report) from None
    except RecursionError:
        report.problems.append(Problem.error("rules", file, None, None, "nested too deeply to read", "TOML (https://toml.io)"))
        raise RulesError(report) from None
    except tomllib.TOMLDecodeError as exc:
        report.problems.append(Problem.error("rules", file, None, None, f"not valid TOML: {exc}", "TOML (https://toml.io)"))
        raise RulesError(report) from None

    total = data.get("total", 1000)
    pass_mark = data.get("pass_mark", 850)
    for key, value in (("total", total), ("pass_mark", pass_mark)):
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            report.problems.append(Problem.error("rules", file, key, value, "not a valid number of points", "a number ≥ 0"))
    deadline, dp = _param(_DEADLINE, data, file, "")
    report.extend(dp)
    min_assessed, mp = _param(_MIN_ASSESSED, data, file, "")
    report.extend(mp)
    as_of = data.get("as_of")
    if as_of is not None and not isinstance(as_of, dt.date):
        report.problems.append(Problem.error("rules", file, "as_of", as_of, "not a date", "a TOML date, e.g. as_of = 2026-11-29"))
    raw_rules = data.get("rule")
    if not isinstance(raw_rules, list) or not raw_rules:
        report.problems.append(Problem.error("rules", file, "rule", raw_rules, "no rules", "one or more [[rule]] tables"))
        raise RulesError(report)
    rules: list[Rule] = []
    seen: set[str] = set()
    for row, raw in enumerate(raw_rules, start=1):
        rule, problems = _parse_rule(raw, row, file, seen)
        report.extend(problems)
        if rule is not None:
            rules.append(rule)
    if report.ok:
        weights = sum(r.weight for r in rules)
        if isinstance(total, int | float) and abs(weights - total) > 1e-9:
            report.problems.append(
                Problem.warning(
                    "rules",
                    file,
                    "weight",
                    weights,
                    f"rule weights add up to {weights:g}, not total = {total:g}",
                    f"weights adding up to {total:g}",
                )
            )
    if not report.ok:
        raise RulesError(report)
    return RuleSet(
        tuple(rules),
        float(pass_mark),
        float(total),
        as_of if isinstance(as_of, dt.date) else None,
        path,
        tuple(report.warnings),
        int(deadline),
        float(min_assessed),
    )
