"""Validation problems and the report that collects them (as data for the app, as text for the CLI)."""

from __future__ import annotations

import reprlib
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from facilities import settings

_short = reprlib.Repr()
_short.maxstring = 60
_short.maxother = 60
_short.maxlist = 4


def show_value(value: Any) -> str:
    """A short, printable rendering of a bad value (strings quoted, long ones cut)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return '"' + text.replace("\n", "\\n") + '"'
    return _short.repr(value)


@dataclass(frozen=True)
class Problem:
    """One problem in a city's files.

    Attributes
    ----------
    severity : "error" (the city cannot be loaded) or "warning" (it loads; worth a look).
    code : the problem class, e.g. "json", "geometry_type", "allowed" (stable; for filtering).
    file : file name inside the city folder.
    feature : feature id if it has a usable one, else "#<row>" (1-based), or None for file-level problems.
    field : property (or "geometry", or a city.toml key), or None.
    value : the offending value, rendered short (None when there is none).
    message : what is wrong.
    accepted : what would be accepted.
    """

    severity: str
    code: str
    file: str
    feature: str | None
    field: str | None
    value: str | None
    message: str
    accepted: str

    @classmethod
    def make(
        cls,
        severity: str,
        code: str,
        file: str,
        field: str | None,
        value: Any,
        message: str,
        accepted: str,
        feature: str | None = None,
    ) -> Problem:
        """A problem of any severity, the value shown as the user typed it (shortened when long)."""
        shown = None if (value is None and field is None) else show_value(value)
        return cls(severity, code, file, feature, field, shown, message, accepted)

    @classmethod
    def error(cls, code, file, field, value, message, accepted, feature=None) -> Problem:
        """An error: the city (or file) cannot be used until it is fixed."""
        return cls.make("error", code, file, field, value, message, accepted, feature)

    @classmethod
    def warning(cls, code, file, field, value, message, accepted, feature=None) -> Problem:
        """A warning: worth fixing, but the city can be used."""
        return cls.make("warning", code, file, field, value, message, accepted, feature)

    def where(self) -> str:
        """File, feature and field, as far as known: ``toilets.geojson, feature T1 (#1), field grade``."""
        parts = [self.file]
        if self.feature is not None:
            parts.append(f"feature {self.feature}")
        if self.field is not None:
            parts.append(f"field {self.field}")
        return ", ".join(parts)

    def to_text(self) -> str:
        """One line: where, the value, what is wrong and what would be accepted."""
        value = f": {self.value}" if self.value is not None else ""
        text = f"{self.where()}{value} — {self.message}"
        if self.accepted:
            text += f" (accepted: {self.accepted})"
        return text


@dataclass
class LayerCounts:
    """Features of one layer, counted by status, type and district while validating."""

    features: int = 0
    by_status: Counter = field(default_factory=Counter)
    by_type: Counter = field(default_factory=Counter)
    by_district: Counter = field(default_factory=Counter)
    #: names of the district zones (zones layer only)
    district_zones: set[str] = field(default_factory=set)


@dataclass
class ValidationReport:
    """Every problem found in a city folder, plus per-layer counts read along the way."""

    folder: Path
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, LayerCounts] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        """The problems of severity error."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems of severity warning."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    def extend(self, problems: list[Problem]) -> None:
        """Add ``problems`` to the report."""
        self.problems.extend(problems)

    def counts_frame(self) -> pd.DataFrame:
        """Per-layer counts as a table: layer, titles, features, by status, by type."""
        from facilities.schema import ALL_LAYERS  # local: schema is data, keep this module light

        rows = []
        for name, c in self.counts.items():
            spec = ALL_LAYERS[name]
            rows.append(
                {
                    "layer": name,
                    "title_zh": spec.title_zh,
                    "title_en": spec.title_en,
                    "features": c.features,
                    "by_status": ", ".join(f"{k} {v}" for k, v in sorted(c.by_status.items()) if k != "None"),
                    "by_type": ", ".join(f"{k} {v}" for k, v in sorted(c.by_type.items())),
                }
            )
        return pd.DataFrame(rows, columns=["layer", "title_zh", "title_en", "features", "by_status", "by_type"])

    def to_frame(self) -> pd.DataFrame:
        """All problems as a table (one row each), errors first."""
        columns = list(Problem.__dataclass_fields__)
        frame = pd.DataFrame([asdict(p) for p in self.problems], columns=columns)
        order = {"error": 0, "warning": 1}
        return frame.sort_values("severity", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)

    def to_text(self, include_warnings: bool = True, limit: int = settings.REPORT_LINES_PER_KIND) -> str:
        """The report as plain text: a summary line, then problems grouped by file and kind."""
        shown = [p for p in self.problems if include_warnings or p.severity == "error"]
        lines = [self.summary()]
        for severity in ("error", "warning"):
            group = [p for p in shown if p.severity == severity]
            if not group:
                continue
            lines.append("")
            lines.append("ERRORS 错误:" if severity == "error" else "WARNINGS 警告:")
            # file by file, in the order found; at most `limit` lines per (file, kind)
            by_file: dict[str, list[Problem]] = defaultdict(list)
            for p in group:
                by_file[p.file].append(p)
            for file, items in by_file.items():
                per_kind: Counter = Counter()
                for p in items:
                    per_kind[p.code] += 1
                    if per_kind[p.code] <= limit:
                        lines.append(f"  - {p.to_text()}")
                for code, n in per_kind.items():
                    if n > limit:
                        lines.append(f"  - … and {n - limit} more {code} problems in {file}")
        return "\n".join(lines)

    def summary(self) -> str:
        """One line: the folder, valid or not, and how many errors and warnings."""
        e, w = len(self.errors), len(self.warnings)
        verdict = "valid 有效" if self.ok else "INVALID 无效"
        return f"{self.folder}: {verdict} — {e} error(s) 错误, {w} warning(s) 警告"
