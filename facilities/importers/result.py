"""What an import did: per layer counts, files written, notes, and every problem (rejected rows are errors)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from facilities import settings
from facilities.problems import ValidationReport
from facilities.schema import ALL_LAYERS


@dataclass
class LayerOutcome:
    """What an import did to one layer: rows read and rejected, features added / updated / kept, the file and its backup."""

    layer: str
    read: int = 0
    rejected: int = 0
    added: int = 0
    updated: int = 0
    kept: int = 0
    path: Path | None = None
    backup: Path | None = None
    action: str = ""  # "new", "merged", "replaced", "would write …", or why nothing was written

    @property
    def written(self) -> int:
        """Features in the layer after the import."""
        return self.added + self.updated + self.kept


@dataclass
class ImportResult:
    """What an import did: per layer counts, files written, and every problem (rejected rows are errors)."""

    source: Path
    out: Path
    report: ValidationReport
    layers: dict[str, LayerOutcome] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def rejected(self) -> int:
        """Rows rejected, over every layer."""
        return sum(o.rejected for o in self.layers.values())

    @property
    def exit_code(self) -> int:
        """0: imported with no error; 1: rows rejected or other problems."""
        return 1 if self.report.errors else 0

    def outcome(self, layer: str) -> LayerOutcome:
        """The outcome of ``layer`` (created empty on first use)."""
        return self.layers.setdefault(layer, LayerOutcome(layer))

    def to_text(self, limit: int = settings.REPORT_LINES_PER_KIND) -> str:
        """The report as the command line prints it: one line per layer, the notes, then every problem."""
        head = "dry run (nothing written) 试运行" if self.dry_run else "import 导入"
        lines = [f"{head}: {self.source.name} → {self.out}"]
        lines.append(f"  {_pad('layer 图层', 24)} {'read':>7} {'rejected':>9} {'written':>8}  file")
        for o in self.layers.values():
            spec = ALL_LAYERS[o.layer]
            detail = o.action
            if o.added or o.updated:
                detail += f" (added {o.added}, updated {o.updated}, kept {o.kept})" if o.action.startswith("merged") else ""
            if o.backup is not None:
                detail += f"; backup {o.backup.name}"
            lines.append(f"  {_pad(f'{o.layer} {spec.title_zh}', 24)} {o.read:>7} {o.rejected:>9} {o.written:>8}  {detail}")
        lines += [f"  {n}" for n in self.notes]
        e, w = len(self.report.errors), len(self.report.warnings)
        verdict = "ok 成功" if not e else f"{self.rejected} row(s) rejected 行被拒绝" if self.rejected else "problems 有问题"
        lines.append(f"{verdict} — {e} error(s) 错误, {w} warning(s) 警告")
        body = self.report.to_text(limit=limit).splitlines()[1:]
        return "\n".join(lines + body)


def _pad(text: str, width: int) -> str:
    """Pad to a terminal width (CJK characters take two columns)."""
    return text + " " * max(0, width - sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text))


__all__ = ["ImportResult", "LayerOutcome"]
