"""Benchmark concurrent edits of the store, and the time from a save to the new score, on SQLite and PostGIS.

    .venv/bin/python bench/edits.py                 # 10 writers × 200 edits, then 20 edit → new score runs
    .venv/bin/python bench/edits.py --writers 4 --edits 50 --runs 5 --no-postgis

**Concurrent writers.** The demo city is loaded into a fresh database (a SQLite file; a throw-away
PostgreSQL + PostGIS server on 127.0.0.1, :class:`bench.postgis.TempPostGIS`, skipped with the reason when
it cannot be started). ``--writers`` processes (multiprocessing, spawn), released together, each make
``--edits`` edits: pick a lamp (one of the 30 hot lamps with probability 0.5, else any lamp), read it with
its version (``edits.feature``), save ``working`` toggled and the writer's own ``circuit`` (``edits.edit``
with the version seen); a refusal (``EditConflict``, the lamp changed since it was read) is counted and the
writer moves on. Then, from the audit trail (``edits.history``) and the final state:

- **lost updates**: for every lamp and field, replaying its audit rows in order, each row's ``old`` must be
  the previous row's ``new`` (the folder's value for the first), and the stored value must be the last
  row's ``new``; every violation counts (must be 0);
- **stale commits**: a committed edit whose audit row says the field was not what the writer read, or whose
  version is not the one read + 1 (must be 0);
- the version chain of every lamp (1, 2, 3, … in audit order; the stored version is the last), commits
  without audit rows, and stored values that differ from the folder without an audit row (all must be 0).

**Edit → new score** (the app's path after a save, :mod:`ui.state`), on a second copy of the demo city in
the same database, before the writers run: save one lamp's ``working`` (``edits.edit``), load the city from
the store (``backend.load``), re-check it (``check`` with the previous result: only the rules reading a
changed layer run again; the score is compared with a full re-check); median of ``--runs`` runs, aim ≤ 1 s.
Also shown: the same with every rule re-checked, and the plain alternative, re-reading the GeoJSON folder +
``check``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import queue
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd

from facilities.auth import User
from facilities.check import check, rule_layers
from facilities.errors import EditConflict
from facilities.rules import parse_rules
from facilities.settings import ROOT
from facilities.store import folder as folder_store
from facilities.store.db import backend, edits, engine
from facilities.store.db.rows import from_json, plain, same

DEMO = ROOT / "data" / "xiangyang"
KEY = "xiangyang"
#: a second copy of the demo city for the edit → new score runs (the writers' audit check starts from the folder)
SCORE_KEY = "xiangyang-score"
HOT_LAMPS = 30
HOT_SHARE = 0.5
AS_OF = dt.date(2026, 11, 29)
#: who the benchmark acts as (an administrator)
BENCH = User("bench", "bench", "admin")
AIM_SECONDS = 1.0


# --------------------------------------------------------------------------- concurrent writers


def writer(url: str, w: int, n_edits: int, lamp_ids: list[str], hot: list[str], seed: int, barrier: Any, out: Any) -> None:
    """One writer process: ``n_edits`` read-then-save edits of lamps; puts its tally and its commits on ``out``."""
    rng = random.Random(seed * 1000 + w)
    engine.engines(url)  # connected (and the migrations checked) before the start
    edits.feature(KEY, "lamps", hot[0], database=url)
    barrier.wait(timeout=300)
    commits, refused, errors = [], 0, []
    me = User(f"writer-{w:02d}", f"writer-{w:02d}", "staff")
    t0 = time.perf_counter()
    for _ in range(n_edits):
        fid = rng.choice(hot) if rng.random() < HOT_SHARE else rng.choice(lamp_ids)
        try:
            seen = edits.feature(KEY, "lamps", fid, database=url)
            assert seen is not None
            values = {"working": not seen.props.get("working", False), "circuit": f"W{w:02d}"}
            saved = edits.edit(KEY, [edits.Edit("lamps", fid, seen.version, values)], user=me, database=url)
        except EditConflict:
            refused += 1
            continue
        except Exception as exc:  # counted and reported: a writer must not die silently
            errors.append(f"{type(exc).__name__}: {exc}"[:300])
            continue
        commits.append((fid, seen.version, {k: seen.props.get(k) for k in values}, values, saved.revision))
    elapsed = time.perf_counter() - t0
    engine.dispose()
    out.put((w, n_edits, refused, errors, commits, elapsed))


def run_writers(url: str, n_writers: int, n_edits: int, lamp_ids: list[str], seed: int) -> list[tuple]:
    """Start the writer processes together (spawn) and collect what each did."""
    ctx = mp.get_context("spawn")
    hot = random.Random(seed).sample(lamp_ids, HOT_LAMPS)
    barrier, out = ctx.Barrier(n_writers), ctx.Queue()
    procs = [ctx.Process(target=writer, args=(url, w, n_edits, lamp_ids, hot, seed, barrier, out)) for w in range(n_writers)]
    for p in procs:
        p.start()
    results: list[tuple] = []
    try:
        while len(results) < len(procs):
            try:
                results.append(out.get(timeout=1))
            except queue.Empty:
                failed = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
                if failed:
                    raise SystemExit(f"writer processes failed (exit codes {failed}); see their tracebacks above") from None
    finally:
        for p in procs:
            p.join(60)
            if p.is_alive():
                p.terminate()
    return results


def values_by_id(lamps: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Every lamp's declared field values as plain values (None when missing), by id."""
    columns = [c for c in lamps.columns if c not in ("id", "geometry")]
    return {fid: {c: plain(v) for c, v in zip(columns, row, strict=True)} for fid, *row in lamps[["id", *columns]].itertuples(index=False)}


def audit_check(url: str, initial: dict[str, dict[str, Any]], results: list[tuple]) -> dict[str, Any]:
    """Count lost updates and every other inconsistency between the commits, the audit trail and the final state."""
    trail = edits.history(KEY, by=BENCH, layer="lamps", database=url)
    trail = trail[trail["action"] == "update"].sort_values("change")
    final = values_by_id(backend.load(KEY, database=url)["lamps"])
    stored_versions = edits.versions(KEY, "lamps", database=url)
    lost = 0
    by_field: dict[tuple[str, str], list[Any]] = defaultdict(list)
    versions: dict[str, list[int]] = defaultdict(list)  # lamp -> its version after each save, in audit order
    last_batch: dict[str, int] = {}
    for row in trail.itertuples(index=False):
        by_field[(row.feature_id, row.field)].append(row)
        if last_batch.get(row.feature_id) != row.batch:
            versions[row.feature_id].append(int(row.version))
            last_batch[row.feature_id] = row.batch
    for (fid, name), rows in by_field.items():
        expected = initial[fid].get(name)
        for row in rows:
            if not same(from_json(row.old), expected):
                lost += 1
            expected = from_json(row.new)
        if not same(final[fid].get(name), expected):
            lost += 1
    chain_breaks = sum(chain != list(range(2, len(chain) + 2)) or stored_versions[fid] != chain[-1] for fid, chain in versions.items())
    chain_breaks += sum(v != 1 for fid, v in stored_versions.items() if fid not in versions)
    unaudited = sum(
        not same(final[fid].get(name), initial[fid].get(name))
        for fid in initial
        for name in ("working", "circuit")
        if (fid, name) not in by_field
    )
    rows_of = {(r.batch, r.feature_id, r.field): r for r in trail.itertuples(index=False)}
    stale = missing = 0
    for _, _, _, _, commits, _ in results:
        for fid, seen_version, seen, values, revision in commits:
            audited = [rows_of.get((revision, fid, name)) for name in values]
            if all(r is None for r in audited):
                missing += 1
                continue
            for name, r in zip(values, audited, strict=True):
                if r is not None and (not same(from_json(r.old), plain(seen[name])) or r.version != seen_version + 1):
                    stale += 1
    batches = trail.loc[trail["user"].str.startswith("writer-"), "batch"].nunique()
    return {"lost": lost, "stale": stale, "missing": missing, "chain": chain_breaks, "unaudited": unaudited, "batches": batches}


def concurrency(name: str, url: str, args: argparse.Namespace, initial: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Run the writers on one backend and check the audit trail; the figures of the table."""
    print(f"{name}: {args.writers} writers × {args.edits} edits …", flush=True)
    results = run_writers(url, args.writers, args.edits, sorted(initial), args.seed)
    committed = sum(len(r[4]) for r in results)
    errors = [e for r in results for e in r[3]]
    for e in errors[:3]:
        print(f"  error: {e}")
    wall = max(r[5] for r in results)
    figures = {
        "attempted": sum(r[1] for r in results), "committed": committed, "refused": sum(r[2] for r in results),
        "errors": len(errors), "wall": wall, **audit_check(url, initial, results),
    }  # fmt: skip
    print(f"  {figures}", flush=True)
    return figures


# --------------------------------------------------------------------------- edit -> new score


def edit_to_score(url: str, key: str, runs: int, seed: int) -> dict[str, list[float]]:
    """The app's path after a save, ``runs`` times: save one lamp's ``working``, load the city from the store,
    re-check (only the rules reading a changed layer; then, for comparison, every rule); seconds per step."""
    rng = random.Random(seed)
    city = backend.load(key, database=url)
    rules = parse_rules(city.rules_text.encode("utf-8"))
    previous = (city.revision, check(city, rules, as_of=AS_OF))
    lamp_ids = list(city["lamps"]["id"])
    times: dict[str, list[float]] = defaultdict(list)
    agree = 0
    for _ in range(runs):
        fid = rng.choice(lamp_ids)
        seen = edits.feature(key, "lamps", fid, database=url)  # the edit form shows it (not timed)
        assert seen is not None
        change = edits.Edit("lamps", fid, seen.version, {"working": not seen.props.get("working", False)})
        t0 = time.perf_counter()
        edits.edit(key, [change], user=BENCH, database=url)
        t1 = time.perf_counter()
        revision = backend.revision(key, database=url)
        city = backend.load(key, database=url)
        t2 = time.perf_counter()
        rules = parse_rules(city.rules_text.encode("utf-8"))
        changed = backend.changed_layers(key, previous[0], database=url)
        result = check(city, rules, as_of=AS_OF, previous=previous[1], changed=changed)
        t3 = time.perf_counter()
        full = check(city, rules, as_of=AS_OF)
        t4 = time.perf_counter()
        previous = (revision, result)
        agree += full.total == result.total and len(full.gaps) == len(result.gaps)
        times["save"].append(t1 - t0)
        times["load"].append(t2 - t1)
        times["check"].append(t3 - t2)
        times["total"].append(t3 - t0)
        times["full_check"].append(t4 - t3)
        times["full_total"].append(t2 - t0 + t4 - t3)
    rerun = sum(1 for r in rules if "lamps" in rule_layers(r))
    times["notes"] = [agree, rerun, len(rules)]
    return times


def folder_to_score(runs: int) -> dict[str, list[float]]:
    """The plain alternative, ``runs`` times: re-read the GeoJSON folder (validated) and check every rule."""
    times: dict[str, list[float]] = defaultdict(list)
    for _ in range(runs):
        t0 = time.perf_counter()
        city = folder_store.load(DEMO)
        t1 = time.perf_counter()
        check(city, parse_rules(city.rules_text.encode("utf-8")), as_of=AS_OF)
        t2 = time.perf_counter()
        times["load"].append(t1 - t0)
        times["check"].append(t2 - t1)
        times["total"].append(t2 - t0)
    return times


# --------------------------------------------------------------------------- the tables


def print_tables(args: argparse.Namespace, concurrent: dict[str, Any], scores: dict[str, Any], plain_times: dict[str, list[float]]) -> None:
    """Print the two Markdown tables and the aims."""
    names = list(concurrent)
    print("\n| concurrent writers | " + " | ".join(names) + " |")
    print("| --- |" + " ---: |" * len(names))

    def line(label: str, fmt) -> None:
        print(f"| {label} | " + " | ".join(fmt(concurrent[n]) if isinstance(concurrent[n], dict) else concurrent[n] for n in names) + " |")

    line("writer processes × edits each", lambda _: f"{args.writers} × {args.edits}")
    line("edits attempted", lambda f: f"{f['attempted']:,}")
    line("committed", lambda f: f"{f['committed']:,} ({f['committed'] / f['attempted']:.0%})")
    line("refused as conflicts (stale version)", lambda f: f"{f['refused']:,} ({f['refused'] / f['attempted']:.0%})")
    line("other errors", lambda f: f"{f['errors']}")
    line("**LOST UPDATES** (audit replay + final state)", lambda f: f"**{f['lost']}**")
    line("commits on a stale read", lambda f: f"{f['stale']}")
    line("commits without audit rows / saves in the trail", lambda f: f"{f['missing']} / {f['batches']:,}")
    line("version-chain breaks", lambda f: f"{f['chain']}")
    line("stored changes without an audit row", lambda f: f"{f['unaudited']}")
    line("wall time (commits per second)", lambda f: f"{f['wall']:.1f} s ({f['committed'] / f['wall']:.0f}/s)")

    med = statistics.median
    print(f"\n| edit → new score (demo city, median of {args.runs}) | backend | save | load | check | total | aim ≤ {AIM_SECONDS:g} s |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    for name, t in scores.items():
        if isinstance(t, str):
            print(f"| app path | {name} | | | | {t} | |")
            continue
        agree, rerun, n_rules = t["notes"]
        verdict = "aim met" if med(t["total"]) <= AIM_SECONDS else "not met"
        print(
            f"| **app: save, load from the store, re-check the {rerun} of {n_rules} rules reading lamps** | {name} | "
            f"{med(t['save']):.3f} s | {med(t['load']):.2f} s | {med(t['check']):.2f} s | **{med(t['total']):.2f} s** | {verdict} |"
        )
        print(
            f"| same, every rule re-checked | {name} | {med(t['save']):.3f} s | {med(t['load']):.2f} s | "
            f"{med(t['full_check']):.2f} s | {med(t['full_total']):.2f} s | |"
        )
        print(f"|   (incremental score = full re-check: {agree} of {args.runs} runs) | {name} | | | | | |")
    p = plain_times
    print(
        f"| plain: re-read the GeoJSON folder + check every rule | folder | — | {med(p['load']):.2f} s | "
        f"{med(p['check']):.2f} s | {med(p['total']):.2f} s | |"
    )


def main() -> None:
    """Run the concurrent writers and the edit → new score timing on SQLite and PostGIS; print the tables."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--writers", type=int, default=10, help="writer processes (default 10)")
    ap.add_argument("--edits", type=int, default=200, help="edits per writer (default 200)")
    ap.add_argument("--runs", type=int, default=20, help="edit → new score runs (the median is shown; default 20)")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--no-postgis", action="store_true", help="SQLite only")
    args = ap.parse_args()
    from bench.postgis import TempPostGIS, postgis_available

    started = time.perf_counter()
    demo = folder_store.load(DEMO)
    initial = values_by_id(demo["lamps"])
    reason = "disabled (--no-postgis)" if args.no_postgis else postgis_available()
    concurrent: dict[str, Any] = {}
    scores: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-edits-") as tmp:
        backends: list[tuple[str, Any]] = [("SQLite", None), ("PostGIS", None)]
        for name, _ in backends:
            if name == "PostGIS" and reason is not None:
                concurrent[name] = scores[name] = f"skipped: {reason}"
                continue
            pg = TempPostGIS().__enter__() if name == "PostGIS" else None
            try:
                url = pg.url if pg is not None else f"sqlite:///{Path(tmp) / 'edits.sqlite'}"
                for key in (SCORE_KEY, KEY):
                    result, report = backend.load_folder(DEMO, key, user=BENCH, database=url)
                    if not result.written:
                        raise SystemExit(f"{DEMO}: not loaded: {report.errors[:3]}")
                print(f"{name}: edit → new score, {args.runs} runs …", flush=True)
                scores[name] = edit_to_score(url, SCORE_KEY, args.runs, args.seed)
                concurrent[name] = concurrency(name, url, args, initial)
            finally:
                engine.dispose()
                if pg is not None:
                    pg.__exit__(None, None, None)
    print(f"folder: re-read + check, {args.runs} runs …", flush=True)
    plain_times = folder_to_score(args.runs)
    print_tables(args, concurrent, scores, plain_times)
    print(f"\n(total run time {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    if __package__ in (None, ""):  # run as a file (python bench/edits.py): the project root on the path, for bench.postgis
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
