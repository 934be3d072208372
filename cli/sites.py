"""``sites``: where to build next for one rule (:mod:`facilities.siting`).

``python -m facilities sites <city> --rule ID [-k 5] [--exact] [--time-limit 30] [--step 50]
[--candidates FILE.geojson] [--as-of DATE] [--json] [--out sites.geojson]``

A ``reach`` rule: the ``k`` sites that would cover the most uncovered targets, one line each (rank, gain,
cumulative covered, points gained, road, lon/lat), then a summary line. An ``along`` rule: the positions
along each gap stretch where new facilities would close it. Exit 0 when it ran; 2 on bad usage or input
(an unknown rule, a rule of another kind, an unreadable candidates file).
"""

from __future__ import annotations

import argparse
import json
import sys

from cli.arguments import AS_OF_HELP, CITY_HELP, as_of_arg, pad
from facilities import store


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def reach_table(siting) -> str:
    """A reach rule's sites as text: one line per site, then the summary."""
    lines = [f"{'rank':>4} {'gain':>5} {'covered':>8} {'points':>7}  {pad('road 道路', 18)} {'lon':>11} {'lat':>10}  covers"]
    for r in siting.sites.itertuples(index=False):
        names = ", ".join(f"{i} {n}".strip() for i, n in zip(r.covered, r.covered_names, strict=True))
        road = r.road if isinstance(r.road, str) else "—"
        lines.append(
            f"{r.rank:>4} {r.gain:>5} {r.cumulative_covered:>8} {r.points:>+7.1f}  {pad(road, 18)} "
            f"{r.geometry.x:>11.6f} {r.geometry.y:>10.6f}  {names}"
        )
    gained = siting.sites["points"].iloc[-1] if len(siting.sites) else 0.0
    lines.append("")
    how = siting.method if siting.status == siting.method else f"{siting.method}, {siting.status}"
    lines.append(
        f"{siting.rule}: {len(siting.sites)} sites ({how}; {siting.candidates} candidates, "
        f"{siting.seconds:.2f} s): uncovered 未覆盖 {siting.uncovered_before} → {siting.uncovered_after}, score 总分 {gained:+.1f}"
    )
    return "\n".join(lines)


def along_table(rule_id: str, sites) -> str:
    """An along rule's positions as text: per gap, its sites along the stretch, then the summary."""
    lines = []
    for gap_id, group in sites.groupby("gap_id", sort=False):
        first = group.iloc[0]
        road = first["road"] if isinstance(first["road"], str) else "—"
        lines.append(f"{gap_id}  ({road}): {int(first['needed'])} new")
        for r in group.itertuples(index=False):
            lines.append(f"  {r.rank:>3}  at {r.at_m:>7.1f} m  {r.geometry.x:>11.6f} {r.geometry.y:>10.6f}")
    lines.append("")
    lines.append(f"{rule_id}: {sites['gap_id'].nunique()} gaps closed by {len(sites)} new facilities 新增设施")
    return "\n".join(lines)


def _sites(args: argparse.Namespace) -> int:
    import geopandas as gpd

    from facilities.check import check
    from facilities.errors import CityValidationError
    from facilities.rules import RULES_FILE, RulesError, city_rules
    from facilities.siting import along_sites, suggest_sites

    source = store.resolve(args.folder)
    try:
        city = store.load(source)
        rules = city_rules(city)
    except (CityValidationError, RulesError) as exc:
        print(exc.report.to_text(limit=20))
        return 2
    if rules is None:
        return _fail(f"{source}: no rules file {RULES_FILE}")
    rule = rules.get(args.rule)
    if rule is None:
        return _fail(f"--rule {args.rule!r}: no such rule; the city's rules: {', '.join(r.id for r in rules)}")
    if rule.kind not in ("reach", "along"):
        return _fail(f"--rule {rule.id} is a {rule.kind} rule; sites are suggested for reach and along rules")
    candidates = None
    if args.candidates:
        try:
            candidates = gpd.read_file(args.candidates)
        except Exception as exc:  # pyogrio's errors are many; name the file and what it said
            return _fail(f"--candidates {args.candidates}: cannot be read as GeoJSON ({exc})")
    result = check(city, rules, as_of=args.as_of)
    if rule.kind == "along":
        frame = along_sites(city, rule, result)
        text = along_table(rule.id, frame)
        payload = {"rule": rule.id, "kind": "along", "gaps": int(frame["gap_id"].nunique()), "sites": len(frame)}
    else:
        try:
            siting = suggest_sites(
                city, rule, result, k=args.k, method="exact" if args.exact else "greedy",
                step_m=args.step, candidates=candidates, time_limit_s=args.time_limit,
            )  # fmt: skip
        except ValueError as exc:
            return _fail(str(exc))
        frame = siting.sites
        text = reach_table(siting)
        payload = {
            "rule": rule.id, "kind": "reach", "method": siting.method, "status": siting.status, "seconds": siting.seconds,
            "candidates": siting.candidates, "uncovered_before": siting.uncovered_before, "uncovered_after": siting.uncovered_after,
        }  # fmt: skip
    if args.json:
        payload["features"] = json.loads(frame.to_json(ensure_ascii=False, drop_id=True))["features"]
        print(json.dumps(payload, ensure_ascii=False, indent=1))
    else:
        print(text)
    if args.out:
        store.write_atomic(args.out, frame.to_json(ensure_ascii=False, drop_id=True))
        print(f"wrote {args.out}", file=sys.stderr if args.json else sys.stdout)
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add ``sites`` to the sub-commands."""
    p = sub.add_parser("sites", help="where to build next: sites for new facilities that close a rule's gaps")
    p.add_argument("folder", help=CITY_HELP)
    p.add_argument("--rule", required=True, help="the id of a reach or along rule of the city's rules.toml")
    p.add_argument("-k", type=int, default=5, help="sites to suggest for a reach rule (default 5)")
    p.add_argument("--exact", action="store_true", help="solve exactly (maximal covering location problem, CBC) instead of greedily")
    p.add_argument("--time-limit", type=float, default=30.0, help="the exact solver's time limit in seconds (default 30)")
    p.add_argument("--step", type=float, default=50.0, help="spacing of candidate sites along the roads in metres (default 50)")
    p.add_argument("--candidates", help="a GeoJSON file of candidate sites (points, WGS84) instead of points along the roads")
    p.add_argument("--as-of", type=as_of_arg, help=AS_OF_HELP)
    p.add_argument("--json", action="store_true", help="print the sites as JSON")
    p.add_argument("--out", help="write the sites to this GeoJSON file")
    p.set_defaults(func=_sites)


__all__ = ["add_parsers", "along_table", "reach_table"]
