"""Command line: ``python -m facilities validate <city folder>``.

Exit codes: 0 valid, 1 invalid (the report lists every problem), 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict

from facilities._report import ValidationReport
from facilities._validate import validate_city


def _width(text: str) -> int:
    """Display width in a terminal (CJK characters take two columns)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def counts_table(report: ValidationReport) -> str:
    """Per-layer counts: total, by status, by type."""
    frame = report.counts_frame()
    lines = [f"{_pad('layer 图层', 26)} {'features':>8}  by status | by type"]
    for row in frame.itertuples(index=False):
        detail = " | ".join(x for x in (row.by_status, row.by_type) if x) or "(no file: empty layer)"
        lines.append(f"{_pad(f'{row.layer} {row.title_zh}', 26)} {row.features:>8}  {detail}")
    return "\n".join(lines)


def _validate(args: argparse.Namespace) -> int:
    report = validate_city(args.folder)
    if args.json:
        out = {
            "folder": str(report.folder),
            "ok": report.ok,
            "counts": {
                k: {"features": c.features, "by_status": dict(c.by_status), "by_type": dict(c.by_type)} for k, c in report.counts.items()
            },
            "problems": [asdict(p) for p in report.problems],
        }
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        if report.counts:
            print(counts_table(report))
            print()
        print(report.to_text(limit=args.limit))
    return 0 if report.ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m facilities", description="Tourist-city facility inventory 旅游城市设施清单")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check a city folder and print counts and every problem")
    p.add_argument("folder", help="city folder (city.toml + <layer>.geojson files)")
    p.add_argument("--json", action="store_true", help="print the counts and problems as JSON")
    p.add_argument("--limit", type=int, default=20, help="at most this many lines per file and problem kind (default 20)")
    p.set_defaults(func=_validate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # unreadable folder or file: a clear line, no traceback
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
