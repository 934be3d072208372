"""Benchmark the rectification-task service on SQLite and PostGIS: filing every gap, notices, a step, sync,
and concurrent steps on one task.

    .venv/bin/python bench/tasks.py                  # the demo city's 400 gaps, 20 step runs, 4 × 50 racing steps
    .venv/bin/python bench/tasks.py --runs 5 --no-postgis

For each backend (a SQLite file; a throw-away PostgreSQL + PostGIS on 127.0.0.1, skipped with the reason
when it cannot be started) the demo city is loaded and checked (as of 2026-11-29), then:

- **file every gap** (400): ours, one transaction for all (``service.file_tasks``), against the plain
  approach, one transaction per gap (each ``file_tasks`` call with one row — what a loop over the gap
  list does);
- **notices**: ``service.issue_notices`` for every unit (one numbered notice each, every filed task
  dispatched), then the content and a Word file for each (``letters.notice_content`` + ``notice_docx``);
- **one step** (``service.move`` round the cycle below; median of ``--runs``) and ``queries.sync``
  (the check run stored once, reopening looked for) and listing + annotating every task;
- **racing steps**: ``--threads`` threads each try ``--steps`` times to take the next step of one shared
  task (accept → submit → verify → redispatch → accept …) with the version they read; a refusal is a
  ``TaskConflict``; afterwards the task's timeline must have one row per successful step and its version
  must be 2 + the steps (lost steps and version off must be 0).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from facilities.auth import User
from facilities.check import check
from facilities.errors import TaskConflict, TaskRefused
from facilities.rules import city_rules
from facilities.settings import ROOT
from facilities.store import DbCity, load
from facilities.store.db import backend, engine
from facilities.tasks import letters, queries, service

DEMO = ROOT / "data" / "xiangyang"
AS_OF = dt.date(2026, 11, 29)
#: who the benchmark acts as (an administrator: every step of the flow is allowed)
BENCH = User("bench", "bench", "admin")


def timed(func: Any, *args: Any, **kwargs: Any) -> tuple[float, Any]:
    """(seconds, result) of one call."""
    start = time.perf_counter()
    out = func(*args, **kwargs)
    return time.perf_counter() - start, out


#: the cycle the racing threads drive a task round: each state's next step
CYCLE = {"dispatched": "accept", "accepted": "submit", "submitted": "verify", "verifying": "redispatch"}


def race(url: str, key: str, task_id: int, recheck: service.Recheck, threads: int, steps: int) -> dict[str, int]:
    """``threads`` threads, each ``steps`` attempts to take the next step of one task with the version it read."""
    done, refused = [0] * threads, [0] * threads
    barrier = threading.Barrier(threads)

    def run(i: int) -> None:
        worker = User(f"w{i}", f"w{i}", "admin")
        barrier.wait()
        for _ in range(steps):
            t = queries.task(key, task_id, user=BENCH, database=url)
            try:
                service.move(key, task_id, CYCLE[t.state], user=worker, as_of=AS_OF, note="bench", version=t.version,
                             recheck=recheck, database=url)  # fmt: skip
                done[i] += 1
            except (TaskConflict, TaskRefused):
                refused[i] += 1

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    task = queries.task(key, task_id, user=BENCH, database=url)
    steps_recorded = len(queries.timeline(key, task_id, user=BENCH, database=url)) - 2  # after file and dispatch
    return {"succeeded": sum(done), "refused": sum(refused), "lost steps": sum(done) - steps_recorded,
            "version off": task.version - (2 + sum(done))}  # fmt: skip


def one_backend(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """Every figure on one database."""
    out: dict[str, Any] = {}
    for key in ("bench", "bench-plain", "bench-race"):
        backend.load_folder(DEMO, key, user=BENCH, database=url)
    city = load(DbCity("bench", url))
    rules = city_rules(city)
    assert rules is not None
    result = check(city, rules, AS_OF)
    gaps = result.gaps
    out["gaps"] = len(gaps)
    out["file (ours, one transaction)"], filed = timed(service.file_tasks, "bench", city, gaps, user=BENCH, as_of=AS_OF, database=url)
    assert len(filed.created) == len(gaps)
    start = time.perf_counter()
    for i in range(len(gaps)):
        service.file_tasks("bench-plain", city, gaps.iloc[i : i + 1], user=BENCH, as_of=AS_OF, database=url)
    out["file (plain, a transaction per gap)"] = time.perf_counter() - start
    out["issue notices (all units)"], issued = timed(service.issue_notices, "bench", user=BENCH, as_of=AS_OF, database=url)
    out["notices"] = len(issued)
    from documents.notice import notice_docx

    start = time.perf_counter()
    for n in issued:
        notice_docx(letters.notice_content("bench", n.number, city, rules, user=BENCH, database=url))
    out["Word files (all notices)"] = time.perf_counter() - start
    task_id = issued[0].tasks[0]
    times = []
    recheck = service.Recheck.of(gaps, city.revision)
    for _ in range(args.runs):
        t = queries.task("bench", task_id, user=BENCH, database=url)
        step = CYCLE[t.state]
        times.append(timed(service.move, "bench", task_id, step, user=BENCH, as_of=AS_OF, note="bench", version=t.version,
                           recheck=recheck, database=url)[0])  # fmt: skip
    out["one step (median)"] = statistics.median(times)
    out["sync (store the run, look for reopenings)"] = timed(queries.sync, "bench", result, city.revision, database=url)[0]

    def every_task() -> Any:
        return queries.annotate(queries.tasks("bench", user=BENCH, database=url), AS_OF, gaps["gap_id"])

    out["list + annotate every task"] = timed(every_task)[0]
    race_city = load(DbCity("bench-race", url))
    one = service.file_tasks("bench-race", race_city, gaps.iloc[:1], user=BENCH, as_of=AS_OF, database=url).created[0]
    service.issue_notices("bench-race", user=BENCH, as_of=AS_OF, task_ids=[one], database=url)
    out["race"] = race(url, "bench-race", one, service.Recheck.of(gaps, race_city.revision), args.threads, args.steps)
    return out


def main() -> None:
    """Run on SQLite and PostGIS; print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=20, help="step runs (median shown; default 20)")
    ap.add_argument("--threads", type=int, default=4, help="racing threads (default 4)")
    ap.add_argument("--steps", type=int, default=50, help="attempts per racing thread (default 50)")
    ap.add_argument("--no-postgis", action="store_true", help="SQLite only")
    args = ap.parse_args()
    from bench.postgis import TempPostGIS, postgis_available

    figures: dict[str, Any] = {}
    reason = "disabled (--no-postgis)" if args.no_postgis else postgis_available()
    with tempfile.TemporaryDirectory(prefix="bench-tasks-") as tmp:
        for name in ("SQLite", "PostGIS"):
            if name == "PostGIS" and reason is not None:
                figures[name] = f"skipped: {reason}"
                continue
            pg = TempPostGIS().__enter__() if name == "PostGIS" else None
            try:
                url = pg.url if pg is not None else f"sqlite:///{Path(tmp) / 'tasks.sqlite'}"
                print(f"{name} …", flush=True)
                figures[name] = one_backend(url, args)
            finally:
                engine.dispose()
                if pg is not None:
                    pg.__exit__(None, None, None)
    names = list(figures)
    print("\n| tasks (demo city, as of 2026-11-29) | " + " | ".join(names) + " |")
    print("| --- |" + " ---: |" * len(names))
    rows = [k for f in figures.values() if isinstance(f, dict) for k in f if k != "race"]
    for row in dict.fromkeys(rows):
        cells = []
        for n in names:
            f = figures[n]
            v = f.get(row) if isinstance(f, dict) else f
            cells.append(f"{v:.3f} s" if isinstance(v, float) else str(v))
        print(f"| {row} | " + " | ".join(cells) + " |")
    for n in names:
        f = figures[n]
        if isinstance(f, dict):
            ratio = f["file (plain, a transaction per gap)"] / f["file (ours, one transaction)"]
            print(f"\n{n}: filing in one transaction is {ratio:.1f}× faster than a transaction per gap; racing steps: {f['race']}")


if __name__ == "__main__":
    if __package__ in (None, ""):
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
