"""``validate`` and ``check``: a city's problems, and its scorecard against the rules.

A city is a folder, or a city in the store's database (``db:<key>``, or its key when no folder of that name
is here): see :func:`facilities.store.resolve`.

``python -m facilities validate <city>``: counts and every problem; exit 0 valid, 1 invalid.
``python -m facilities check <city> [--rules FILE] [--out DIR]``: the scorecard; exit 0 if the city passes,
1 if it does not (failed, or incomplete: too little of the checklist assessed), 2 on invalid input (the
validation report is printed).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from cli.arguments import AS_OF_HELP, CITY_HELP, as_of_arg, pad
from facilities import store
from facilities.problems import ValidationReport


def counts_table(report: ValidationReport) -> str:
    """Per-layer counts: total, by status, by type."""
    frame = report.counts_frame()
    lines = [f"{pad('layer 图层', 26)} {'features':>8}  by status | by type"]
    for row in frame.itertuples(index=False):
        detail = " | ".join(str(x) for x in (row.by_status, row.by_type) if x) or ("" if row.features else "(no file: empty layer)")
        lines.append(f"{pad(f'{row.layer} {row.title_zh}', 26)} {row.features:>8}  {detail}")
    return "\n".join(lines)


def _validate(args: argparse.Namespace) -> int:
    report = store.validate(store.resolve(args.folder))
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
    columns = 30
    done = int(columns * i / n)
    sys.stderr.write(f"\r[{'#' * done}{'.' * (columns - done)}] {i}/{n} {rule.id:<32}")
    sys.stderr.flush()


def scorecard_table(result) -> str:
    """The scorecard as text: one line per rule, then the total against the pass mark, the assessed share
    of the checklist's weight and the verdict (passed, failed, or incomplete)."""
    from facilities.words import VERDICTS, both, number, percent

    s = result.summary
    walks = {r.id for r in result.rules or () if r.params.get("metric") == "walk"}
    lines = [f"{'rule 规则':<30} {'checked':>9} {'share':>7} {'need':>6} {'points':>12}  pass"]
    for r in s.itertuples(index=False):
        if r.rule in walks:
            r = r._replace(title_zh=f"{r.title_zh}（步行 on foot）")
        checked = number(r.checked, 0) + (" m" if r.kind in ("along", "illuminance") else "")
        need = percent(r.threshold, 0)
        if r.passed is pd.NA or pd.isna(r.points):
            mark = VERDICTS[r.assessment][1] if r.assessment in VERDICTS else "n/a"
            note = f"  ({r.note})" if r.assessment == "no_data" else ""
            lines.append(f"{r.rule:<30} {checked:>9} {'—':>7} {need:>6} {'—':>7}/{r.weight:<4.0f} {mark}  {r.title_zh}{note}")
            continue
        mark = "✔" if r.passed else "✘"
        points = number(r.points, 1)
        lines.append(f"{r.rule:<30} {checked:>9} {percent(r.share):>7} {need:>6} {points:>7}/{r.weight:<4.0f} {mark}  {r.title_zh}")
    zh, en = VERDICTS[result.verdict]
    lines.append("")
    lines.append(
        f"score 总分 {number(result.total)} / {result.max_points:.0f}; pass mark 达标线 {result.pass_mark:g}; "
        f"assessed share 已评估权重占比 {percent(result.assessed, 0)} (min 至少 {percent(result.min_assessed, 0)}) → {both(zh, en, 'en')}"
    )
    if result.incomplete:
        lines.append(
            "too little of the checklist was assessed for a verdict 已评估的分值不足，不予判定达标 "
            "(see the rules marked no data 无数据 / n/a 合理缺项)"
        )
    lines.append(f"gaps 缺口: {len(result.gaps)}; check date 核查日期 {result.as_of.isoformat()}")
    return "\n".join(lines)


def illuminance_tables(city, result) -> str:
    """For each illuminance rule of ``result``: the lit km its estimate finds meeting CJJ 45-2015, by road class
    against the class's levels (an estimate, said as one)."""
    from facilities import light, stats
    from facilities.schema import ROAD_CLASS_LABELS
    from facilities.words import number, percent

    out = []
    for rule in result.rules or ():
        if rule.kind != "illuminance":
            continue
        grade = rule.params["grade"]
        t = stats.illuminance_km(city, rule, result.as_of)
        t = t[t["district"] == stats.CITY]
        out += [
            "",
            f"{rule.id}: estimated road illuminance against CJJ 45-2015, {grade} grade "
            f"道路照度估算（{'低' if grade == 'low' else '高'}档值） — an estimate, not a measurement 按台账估算，非实测",
            f"{'road class 道路等级':<24} {'km':>8} {'meeting 达标 km':>16} {'share':>7} {'Eav ≥ lx':>9} {'U0 ≥':>6}",
        ]
        for row in t.itertuples(index=False):
            cls = str(row.road_class)
            levels = light.required(cls, grade)
            zh, en = ROAD_CLASS_LABELS.get(cls, ("全部", "all"))
            name = f"{en} {zh}"
            eav, u0 = (f"{levels[0]:g}", f"{levels[1]:g}") if levels else ("", "")
            km, meeting, share = number(row.checked_km, 1), number(row.meeting_km, 1), percent(row.meeting_share, 0)
            out.append(f"{name:<24} {km:>8} {meeting:>16} {share:>7} {eav:>9} {u0:>6}")
    return "\n".join(out)


def _check(args: argparse.Namespace) -> int:
    from facilities.check import check
    from facilities.errors import CityValidationError
    from facilities.rules import RULES_FILE, RulesError, city_rules, load_rules
    from facilities.spreadsheet import to_csv_bytes

    source = store.resolve(args.folder)
    try:
        city = store.load(source)
    except CityValidationError as exc:
        print(exc.report.to_text(limit=args.limit))
        return 2
    try:
        rules = load_rules(args.rules) if args.rules else city_rules(city)
    except RulesError as exc:
        print(exc.report.to_text(limit=args.limit))
        return 2
    if rules is None:
        print(
            f"error: {source}: no rules file {RULES_FILE}; write one (see data/xiangyang/{RULES_FILE}) or pass --rules FILE",
            file=sys.stderr,
        )
        return 2
    show = sys.stderr.isatty() and not args.quiet
    result = check(city, rules, as_of=args.as_of, progress=_progress if show else None)
    if show:
        sys.stderr.write("\r" + " " * 80 + "\r")
    print(scorecard_table(result))
    lighting = illuminance_tables(city, result)
    if lighting:
        print(lighting)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        store.write_atomic(out / "gaps.geojson", result.gaps.to_json(ensure_ascii=False, drop_id=True, to_wgs84=True))
        store.write_atomic(out / "summary.csv", to_csv_bytes(result.summary))
        print(f"wrote {out / 'gaps.geojson'} and {out / 'summary.csv'}")
    return 0 if result.passed else 1


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add ``validate`` and ``check`` to the sub-commands."""
    p = sub.add_parser("validate", help="check a city folder and print counts and every problem")
    p.add_argument("folder", help=CITY_HELP)
    p.add_argument("--json", action="store_true", help="print the counts and problems as JSON")
    p.add_argument("--limit", type=int, default=20, help="at most this many lines per file and problem kind (default 20)")
    p.set_defaults(func=_validate)

    c = sub.add_parser("check", help="evaluate the coverage rules and print the scorecard")
    c.add_argument("folder", help=CITY_HELP)
    c.add_argument("--rules", help="rules file (default: the city's rules.toml)")
    c.add_argument("--out", help="folder to write gaps.geojson and summary.csv into")
    c.add_argument("--as-of", type=as_of_arg, help=AS_OF_HELP)
    c.add_argument("--limit", type=int, default=20, help="report lines per file and problem kind")
    c.add_argument("--quiet", action="store_true", help="no progress bar")
    c.set_defaults(func=_check)


__all__ = ["add_parsers", "counts_table", "illuminance_tables", "scorecard_table"]
