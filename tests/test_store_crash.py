"""A writer killed with SIGKILL at random moments leaves the store whole: every save is there with all its
audit rows, or not at all.

A child process (``python -c``) loops saving edits to random lamps of the demo city (three lamps per save,
three fields each: ``circuit`` and ``notes`` set to text no save used before, ``power_w`` to a new number,
at the versions it just read), and is killed after a random delay (seeded). After each kill the store must
load, the SQLite file pass ``PRAGMA integrity_check``, and the audit trail account for every value and
version: each lamp's field holds the ``new`` value of its latest audit row (the loaded value if none), its
version is 1 + the number of saves that touched it, and every save's batch has all its rows.

To keep the whole under a minute, the next children are started (Python and the project imported) while
the current one runs; a child waits for ``go`` on its stdin before it opens the database, and is killed
only once it has saved at least once (the delay then runs from there).
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from facilities.store.db import backend, edits, engine
from tests.helpers import ADMIN, DEMO, ROOT, TempPostGIS, clean_env, postgis_available

REASON = postgis_available()
KEY = "xiangyang"
FEATURES_PER_SAVE = 3
FIELDS = ("circuit", "notes", "power_w")
K = FEATURES_PER_SAVE * len(FIELDS)  # audit rows of every save the child makes
AHEAD = 2  # children started in advance
MAX_DELAY = 0.25  # seconds from the child's first save to its kill

pytestmark = pytest.mark.slow

CHILD = f"""
import random, sys
from facilities.store.db import edits
from facilities.store.db.edits import Edit
from facilities.auth import User

CRASH = User("crash", "crash", "staff")
database, seed, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if sys.stdin.readline().strip() != "go":
    sys.exit(0)
rng = random.Random(seed)
ids = sorted(edits.versions({KEY!r}, "lamps", database=database))
with open(log, "a", buffering=1, encoding="utf-8") as out:
    n = 0
    while True:
        n += 1
        save = []
        for j, fid in enumerate(rng.sample(ids, {FEATURES_PER_SAVE})):
            stored = edits.feature({KEY!r}, "lamps", fid, database=database)
            power = stored.props.get("power_w")
            values = {{
                "circuit": f"C{{seed}}-{{n}}-{{j}}",
                "notes": f"第{{n}}次保存 ({{seed}})",
                "power_w": 100.0 if power is None or power >= 4000 else float(power) + 1,
            }}
            save.append(Edit("lamps", fid, stored.version, values))
        saved = edits.edit({KEY!r}, save, user=CRASH, note=f"{{seed}}/{{n}}", database=database)
        out.write(f"{{saved.revision}}\\n")
"""


@dataclass
class Child:
    proc: subprocess.Popen
    log: Path
    err: Path

    def saves(self) -> list[int]:
        """The revisions the child reported as saved (complete lines only)."""
        if not self.log.exists():
            return []
        return [int(line) for line in self.log.read_text(encoding="utf-8").split("\n")[:-1]]

    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8", errors="replace")[-3000:]


def spawn(database: str, tmp: Path, number: int, seed: int) -> Child:
    log, err = tmp / f"child{number}.log", tmp / f"child{number}.err"
    with err.open("w") as err_file:
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, database, str(seed), str(log)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err_file, cwd=ROOT, env=clean_env(), text=True,
        )  # fmt: skip
    return Child(proc, log, err)


def wait_for_first_save(child: Child) -> None:
    deadline = time.monotonic() + 60
    while not child.saves():
        if child.proc.poll() is not None:
            pytest.fail(f"the writer exited ({child.proc.returncode}) before saving:\n{child.stderr()}")
        if time.monotonic() > deadline:
            pytest.fail(f"the writer saved nothing within 60 s:\n{child.stderr()}")
        time.sleep(0.01)


@dataclass
class Start:
    """The store right after the demo city was loaded."""

    lamps: pd.DataFrame  # by id, without geometry
    import_rows: int
    others: dict[str, int]  # features per other layer


def start_state(database: str) -> Start:
    result, report = backend.load_folder(DEMO, user=ADMIN, database=database)
    assert result.written and report.ok
    city = backend.load(KEY, database)
    lamps = city["lamps"].set_index("id").drop(columns="geometry")
    assert len(lamps) == len(json.loads((DEMO / "lamps.geojson").read_text(encoding="utf-8"))["features"])
    others = {name: len(gdf) for name, gdf in city.layers.items() if name != "lamps"}
    return Start(lamps, len(edits.history(KEY, by=ADMIN, database=database)), others)


def check_store(database: str, start: Start, reported: int) -> int:
    """Every invariant of the store after a kill; the number of saves found."""
    city = backend.load(KEY, database)  # the store loads
    trail = edits.history(KEY, by=ADMIN, database=database)
    revision = backend.revision(KEY, database)
    # a save the writer saw committed is there; at most one more (killed between its commit and its report)
    assert reported <= revision <= reported + 1

    # every save has all its rows: batches 1 (the load) … revision, each whole
    sizes = trail.groupby("batch").size()
    assert list(sizes.index) == list(range(1, revision + 1))
    assert sizes[1] == start.import_rows
    saves = trail[trail["batch"] > 1].sort_values("change")
    assert (sizes.drop(1) == K).all(), sizes[sizes != K]
    assert set(saves["user"]) <= {"crash"} and set(saves["layer"]) <= {"lamps"} and set(saves["action"]) <= {"update"}
    assert (saves.groupby("batch")["feature_id"].nunique() == FEATURES_PER_SAVE).all()
    assert set(saves.groupby(["batch", "feature_id"])["field"].agg(frozenset)) <= {frozenset(FIELDS)}

    # each value is the newest audit row's (or the loaded one)
    expected = start.lamps.copy()
    for row in saves.itertuples():
        expected.at[row.feature_id, row.field] = json.loads(row.new)
    actual = city["lamps"].set_index("id").drop(columns="geometry")
    pd.testing.assert_frame_equal(actual, expected)

    # each version is 1 + the saves that touched the lamp, and the audit rows number them 2, 3, …
    touched = saves.groupby("feature_id")["batch"].nunique()
    versions = edits.versions(KEY, "lamps", database=database)
    assert versions == {fid: 1 + int(touched.get(fid, 0)) for fid in expected.index}
    per_save = saves[["feature_id", "batch", "version"]].drop_duplicates().sort_values(["feature_id", "batch"])
    assert not per_save.duplicated(["feature_id", "batch"]).any()  # one version per lamp and save
    numbered = per_save.groupby("feature_id").cumcount() + 2
    assert (per_save["version"].astype(int) == numbered).all(), per_save[per_save["version"] != numbered]
    assert {name: len(gdf) for name, gdf in city.layers.items() if name != "lamps"} == start.others
    return revision - 1


def crash_rounds(database: str, tmp: Path, rounds: int, seed: int, after_kill: Callable[[], None]) -> None:
    rng = random.Random(seed)
    start = start_state(database)
    engine.dispose()
    ahead: deque[Child] = deque()
    started = 0

    def start_next() -> None:
        nonlocal started
        if started < rounds:
            ahead.append(spawn(database, tmp, started, seed * 1000 + started))
            started += 1

    for _ in range(AHEAD):
        start_next()
    reported, saves = 0, 0
    try:
        for _ in range(rounds):
            child = ahead.popleft()
            start_next()
            assert child.proc.stdin is not None
            child.proc.stdin.write("go\n")
            child.proc.stdin.flush()
            wait_for_first_save(child)
            time.sleep(rng.uniform(0, MAX_DELAY))
            child.proc.send_signal(signal.SIGKILL)
            child.proc.wait(30)
            child.proc.stdin.close()
            assert child.proc.returncode == -signal.SIGKILL, f"the writer failed on its own:\n{child.stderr()}"
            after_kill()
            reported = max(reported, *child.saves())
            found = check_store(database, start, reported)
            assert found > saves  # this child saved at least once
            saves = found
    finally:
        for child in ahead:  # started, never told to go: EOF on stdin ends them
            assert child.proc.stdin is not None
            child.proc.stdin.close()
            try:
                child.proc.wait(30)
            except subprocess.TimeoutExpired:
                child.proc.kill()
                child.proc.wait(30)
    assert saves >= rounds


def test_sigkill_of_a_writer_on_sqlite(tmp_path):
    path = tmp_path / "store.sqlite"

    def integrity() -> None:
        conn = sqlite3.connect(path)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            conn.close()

    crash_rounds(f"sqlite:///{path}", tmp_path, rounds=30, seed=20261202, after_kill=integrity)


@pytest.mark.skipif(REASON is not None, reason=f"no PostGIS here: {REASON}; .ci/run installs it")
def test_sigkill_of_a_writer_on_postgis(tmp_path):
    with TempPostGIS() as pg:
        try:
            with pg.connect() as conn:
                conn.execute("CREATE DATABASE t_crash")
            database = pg.url.rsplit("/", 1)[0] + "/t_crash"

            def sessions_gone() -> None:
                # the killed writer's server process ends once it sees the socket closed (rolling back an
                # unfinished transaction); the checks read only after that (this process holds no session)
                engine.dispose()
                deadline = time.monotonic() + 30
                with pg.connect() as conn:
                    while conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = 't_crash'").fetchone()[0]:
                        assert time.monotonic() < deadline, "the killed writer's session did not end"
                        time.sleep(0.02)

            crash_rounds(database, tmp_path, rounds=10, seed=20261203, after_kill=sessions_gone)
        finally:
            engine.dispose()
