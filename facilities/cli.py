"""Command line.

``python -m facilities validate <city>``: counts and every problem; exit 0 valid, 1 invalid.
``python -m facilities check <city> [--rules FILE] [--out DIR]``: the scorecard; exit 0 if the city passes,
1 if it does not, 2 on invalid input (the validation report is printed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict

import pandas as pd

from facilities import settings
from facilities.problems import ValidationReport
from facilities.validation import validate_city
from facilities.importers.cli import add_import_parser


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
        detail = " | ".join(x for x in (row.by_status, row.by_type) if x) or ("" if row.features else "(no file: empty layer)")
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


def _progress(i: int, n: int, rule) -> None:
    width = 30
    done = int(width * i / n)
    sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {i}/{n} {rule.id:<32}")
    sys.stderr.flush()


def scorecard_table(result) -> str:
    """The scorecard as text: one line per rule, then the total against the pass mark."""
    s = result.summary
    lines = [f"{'rule 规则':<30} {'checked':>9} {'share':>7} {'need':>6} {'points':>12}  pass"]
    for r in s.itertuples(index=False):
        checked = f"{r.checked:.0f}" + (" m" if r.kind == "along" else "")
        if r.passed is pd.NA or pd.isna(r.points):
            lines.append(f"{r.rule:<30} {checked:>9} {'—':>7} {r.threshold:>6.0%} {'—':>7}/{r.weight:<4.0f} n/a  {r.title_zh}")
            continue
        mark = "✔" if r.passed else "✘"
        lines.append(
            f"{r.rule:<30} {checked:>9} {r.share:>7.1%} {r.threshold:>6.0%} {r.points:>7.1f}/{r.weight:<4.0f} {mark}  {r.title_zh}"
        )
    verdict = "PASS 达标" if result.passed else "FAIL 未达标"
    lines.append("")
    lines.append(f"score 总分 {result.total:.1f} / {result.max_points:.0f}; pass mark 达标线 {result.pass_mark:g} → {verdict}")
    lines.append(f"gaps 缺口: {len(result.gaps)}; check date 核查日期 {result.as_of.isoformat()}")
    return "\n".join(lines)


def _check(args: argparse.Namespace) -> int:
    from pathlib import Path

    from facilities.errors import CityValidationError
    from facilities.check import check
    from facilities.store import load as load_city
    from facilities.store import write_atomic
    from facilities.rules import RULES_FILE, RulesError, load_rules
    from facilities.spreadsheet import to_csv_bytes

    folder = Path(args.folder)
    try:
        city = load_city(folder)
    except CityValidationError as exc:
        print(exc.report.to_text(limit=args.limit))
        return 2
    rules_path = Path(args.rules) if args.rules else folder / RULES_FILE
    if not rules_path.is_file():
        print(f"error: no rules file {rules_path}; write one (see data/xiangyang/{RULES_FILE}) or pass --rules FILE", file=sys.stderr)
        return 2
    try:
        rules = load_rules(rules_path)
    except RulesError as exc:
        print(exc.report.to_text(limit=args.limit))
        return 2
    as_of = args.as_of
    show = sys.stderr.isatty() and not args.quiet
    result = check(city, rules, as_of=as_of, progress=_progress if show else None)
    if show:
        sys.stderr.write("\r" + " " * 80 + "\r")
    print(scorecard_table(result))
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        write_atomic(out / "gaps.geojson", result.gaps.to_json(ensure_ascii=False, drop_id=True, to_wgs84=True))
        write_atomic(out / "summary.csv", to_csv_bytes(result.summary))
        print(f"wrote {out / 'gaps.geojson'} and {out / 'summary.csv'}")
    return 0 if result.passed else 1


def _map(args: argparse.Namespace) -> int:
    # the command line is where the layers meet: facilities itself never imports folium
    from maps.export import export_command

    return export_command(args)


AS_OF_HELP = (
    f"the check date YYYY-MM-DD: 'today' in the rules and in day counts "
    f"(default: ${settings.AS_OF_ENV}, else the rules file's as_of, else today)"
)


def as_of_arg(text: str) -> dt.date:
    """``--as-of``: a date, or argparse's clear usage error (never a traceback)."""
    try:
        return settings.parse_date(text, "--as-of")
    except settings.SettingError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--as-of: ")) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m facilities", description="Tourist-city facility inventory 旅游城市设施清单")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check a city folder and print counts and every problem")
    p.add_argument("folder", help="city folder (city.toml + <layer>.geojson files)")
    p.add_argument("--json", action="store_true", help="print the counts and problems as JSON")
    p.add_argument("--limit", type=int, default=20, help="at most this many lines per file and problem kind (default 20)")
    p.set_defaults(func=_validate)

    c = sub.add_parser("check", help="evaluate the coverage rules and print the scorecard")
    c.add_argument("folder", help="city folder")
    c.add_argument("--rules", help="rules file (default: <folder>/rules.toml)")
    c.add_argument("--out", help="folder to write gaps.geojson and summary.csv into")
    c.add_argument("--as-of", type=as_of_arg, help=AS_OF_HELP)
    c.add_argument("--limit", type=int, default=20, help="report lines per file and problem kind")
    c.add_argument("--quiet", action="store_true", help="no progress bar")
    c.set_defaults(func=_check)

    m = sub.add_parser("map", help="write the city's map as one HTML file that works offline")
    m.add_argument("folder", help="city folder")
    m.add_argument("--out", required=True, help="HTML file to write, e.g. map.html")
    m.add_argument("--rules", help="rules file: draw the gaps of every rule (default: <folder>/rules.toml if present)")
    m.add_argument("--no-gaps", action="store_true", help="do not run the rules; facilities only")
    m.add_argument("--basemap", default="none", help="none (default; works offline), osm, cartodb, gaode, tianditu")
    m.add_argument("--lang", default="zh", choices=["zh", "en"])
    m.add_argument("--as-of", type=as_of_arg, help=AS_OF_HELP)
    m.set_defaults(func=_map)
    add_import_parser(sub)
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
    except settings.SettingError as exc:  # e.g. FACILITIES_AS_OF=2026-13-45
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug of ours: one clear line for the user, the traceback only on request
        if os.environ.get("FACILITIES_DEBUG"):
            raise
        print(
            f"error: unexpected {type(exc).__name__}: {exc}\n"
            "This is a bug in the program, not in your data. Run again with FACILITIES_DEBUG=1 to see the details and report them.",
            file=sys.stderr,
        )
        return 3
