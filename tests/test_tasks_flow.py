"""The rectification-task case flow on the store, on SQLite and on PostgreSQL + PostGIS: every move of
STATES × STATES against a table written here by hand, what each step needs, versions and conflicts, and
writers racing each other (two moves of one task, two filings of the same gaps, notices numbered at once).

The demo city is loaded once per module and backend; every test works on a copy of it under a key of its
own (its rows copied in SQL), so no test depends on another. Every date is explicit (``AS_OF``): nothing
depends on today's date. The tasks' gap is ``toilet_reach:attractions/A08`` (习家池, whose record names its
unit); a task is "closed" after a re-check whose gap table is the real check's without that gap.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from PIL import Image

from facilities import store
from facilities.errors import TaskConflict, TaskRefused
from facilities.store.db import engine, tables
from facilities.tasks import queries, service
from facilities.tasks.evidence import inspect_photo
from facilities.tasks.flow import STATES, STEPS
from tests.helpers import ADMIN, STAFF, TempPostGIS, actor_for, postgis_available, unit_user
from tests.store_demo import Demo, load_demo

REASON = postgis_available()
AS_OF = dt.date(2026, 11, 29)
GAP = "toilet_reach:attractions/A08"
#: the responsible unit of GAP (习家池's own management office), as its user
UNIT = unit_user("习家池景区管理处", "li")

#: the states, written here by hand
STATE_NAMES = ("filed", "dispatched", "accepted", "submitted", "verifying", "closed", "rejected")
#: every allowed move (source state, target state), written here by hand from the case flow
ALLOWED = {
    ("filed", "dispatched"),
    ("filed", "rejected"),
    ("dispatched", "accepted"),
    ("dispatched", "filed"),  # return
    ("accepted", "submitted"),
    ("submitted", "verifying"),
    ("verifying", "closed"),
    ("verifying", "dispatched"),  # redispatch
    ("closed", "dispatched"),  # reopen
}
#: how a filed task is brought into each state: the target states of its moves, in order
PATH = {
    "filed": (),
    "dispatched": ("dispatched",),
    "accepted": ("dispatched", "accepted"),
    "submitted": ("dispatched", "accepted", "submitted"),
    "verifying": ("dispatched", "accepted", "submitted", "verifying"),
    "closed": ("dispatched", "accepted", "submitted", "verifying", "closed"),
    "rejected": ("rejected",),
}


# --------------------------------------------------------------------------- the demo on both backends


@pytest.fixture(scope="module")
def sq(tmp_path_factory) -> Iterator[Demo]:
    yield load_demo(f"sqlite:///{tmp_path_factory.mktemp('tasks')}/store.sqlite", AS_OF)
    engine.dispose()


@pytest.fixture(scope="module")
def pg() -> Iterator[Demo]:
    if REASON:
        pytest.skip(f"no PostGIS here: {REASON}; .ci/run installs it")
    with TempPostGIS() as server:
        with server.connect() as conn:
            conn.execute("CREATE DATABASE tasks_flow")
        yield load_demo(server.url.rsplit("/", 1)[0] + "/tasks_flow", AS_OF)
        engine.dispose()  # before the server stops


@pytest.fixture(params=["sqlite", "postgis"])
def demo(request) -> Demo:
    return request.getfixturevalue("sq" if request.param == "sqlite" else "pg")


# --------------------------------------------------------------------------- helpers


def file_one(demo: Demo, key: str, gap_id: str = GAP, **kw: Any) -> int:
    filed = service.file_tasks(key, demo.city, demo.gaps(gap_id), user=STAFF, as_of=AS_OF, database=demo.database, **kw)
    assert len(filed.created) == 1 and filed.already == {}
    return filed.created[0]


def step(demo: Demo, key: str, task_id: int, target: str, **kw: Any) -> service.Task:
    kw.setdefault("note", "见现场 see on site")
    kw.setdefault("recheck", demo.gone(GAP))
    who = kw.pop("user", None) or actor_for(key, task_id, target, demo.database)  # staff, GAP's unit or the system
    return service.move(key, task_id, target, user=who, as_of=AS_OF, database=demo.database, **kw)


def drive(demo: Demo, key: str, state: str) -> int:
    """A new task of ``key`` brought into ``state`` through the service."""
    task_id = file_one(demo, key)
    for target in PATH[state]:
        assert step(demo, key, task_id, target).state == target
    return task_id


@dataclass(frozen=True)
class Seen:
    version: int
    state: str
    events: int
    changes: int


def seen(demo: Demo, key: str, task_id: int) -> Seen:
    t = queries.task(key, task_id, user=ADMIN, database=demo.database)
    events = len(queries.timeline(key, task_id, user=ADMIN, database=demo.database))
    return Seen(t.version, t.state, events, len(store.history(store.DbCity(key, demo.database), by=ADMIN, layer="tasks")))


def race(n: int, job: Callable[[int], Any]) -> list[Any]:
    """Run ``job(0)`` … ``job(n - 1)`` in threads released together; each one's result or exception."""
    gate = threading.Barrier(n)
    out: list[Any] = [None] * n

    def run(i: int) -> None:
        gate.wait()
        try:
            out[i] = job(i)
        except Exception as exc:  # collected, asserted on by the caller
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()  # no timeout: a timed wait hangs under faketime
    return out


def label(state: str) -> str:
    return f"{STATES[state][0]} {STATES[state][1]}"


# --------------------------------------------------------------------------- the transition table


def test_the_declared_flow_is_the_hand_written_table():
    assert tuple(STATES) == STATE_NAMES
    assert {(s.source, s.target) for s in STEPS.values()} == ALLOWED
    assert all(s.needs_note == (s.name in {"reject", "return", "redispatch", "reopen"}) for s in STEPS.values())


def try_move(demo: Demo, source: str, target: str) -> None:
    key = demo.fresh()
    task_id = drive(demo, key, source)
    before = seen(demo, key, task_id)
    assert before.state == source
    if (source, target) in ALLOWED:
        who = actor_for(key, task_id, target, demo.database)
        task = step(demo, key, task_id, target, user=who)
        assert (task.state, task.version) == (target, before.version + 1)
        after = seen(demo, key, task_id)
        assert (after.events, after.changes) == (before.events + 1, before.changes + 1)
        last = queries.timeline(key, task_id, user=ADMIN, database=demo.database).iloc[-1]
        assert (last["user"], last["source_state"], last["target_state"]) == (who.login, source, target)
        return
    with pytest.raises(TaskRefused) as refused:
        step(demo, key, task_id, target, user=ADMIN)
    assert not isinstance(refused.value, TaskConflict)
    message = str(refused.value)
    assert f"in state {label(source)}" in message
    allowed = message.split("(allowed: ", 1)[1]
    for other in STATE_NAMES:
        assert (f"→ {label(other)}" in allowed) == ((source, other) in ALLOWED), (other, message)
    if source == "rejected":
        assert "nothing" in allowed
    assert seen(demo, key, task_id) == before


@pytest.mark.parametrize(("source", "target"), list(itertools.product(STATE_NAMES, STATE_NAMES)))
def test_every_move_on_sqlite(sq, source, target):
    try_move(sq, source, target)


PG_PAIRS = [
    ("filed", "dispatched"),
    ("filed", "accepted"),
    ("dispatched", "filed"),
    ("submitted", "closed"),
    ("verifying", "closed"),
    ("closed", "dispatched"),
    ("closed", "verifying"),
    ("rejected", "filed"),
]


@pytest.mark.parametrize(("source", "target"), PG_PAIRS)
def test_moves_on_postgis(pg, source, target):
    try_move(pg, source, target)


def test_steps_by_name_and_unknown_names(sq):
    key = sq.fresh()
    task_id = drive(sq, key, "filed")
    before = seen(sq, key, task_id)
    with pytest.raises(TaskRefused, match=r"in state 立案 Filed cannot move 签收 Accept"):
        service.move(key, task_id, "accept", user=UNIT, as_of=AS_OF, database=sq.database)
    with pytest.raises(TaskRefused, match="'explode'"):
        service.move(key, task_id, "explode", user=UNIT, as_of=AS_OF, database=sq.database)
    other = sq.fresh()  # a task is moved in its own city only
    with pytest.raises(TaskRefused, match=f"task {task_id}: no such task in city '{other}'"):
        service.move(other, task_id, "dispatch", user=STAFF, as_of=AS_OF, database=sq.database)
    assert seen(sq, key, task_id) == before
    assert service.move(key, task_id, "dispatch", user=STAFF, as_of=AS_OF, database=sq.database).state == "dispatched"


# --------------------------------------------------------------------------- what a step needs


NEED_A_REASON = [("filed", "rejected"), ("dispatched", "filed"), ("verifying", "dispatched"), ("closed", "dispatched")]


@pytest.mark.parametrize(("source", "target"), NEED_A_REASON)
@pytest.mark.parametrize("note", ["", "  \n"])
def test_steps_that_need_a_reason_are_refused_without_one(sq, source, target, note):
    key = sq.fresh()
    task_id = drive(sq, key, source)
    before = seen(sq, key, task_id)
    with pytest.raises(TaskRefused, match="a reason is needed"):
        step(sq, key, task_id, target, note=note)
    assert seen(sq, key, task_id) == before


def test_submit_needs_a_note_or_a_photo(sq):
    key = sq.fresh()
    task_id = drive(sq, key, "accepted")
    before = seen(sq, key, task_id)
    with pytest.raises(TaskRefused, match="say what was done or attach a photo"):
        step(sq, key, task_id, "submitted", note=" ")
    assert seen(sq, key, task_id) == before
    buf = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buf, "PNG")
    photo = inspect_photo(buf.getvalue(), "现场.png")
    task = step(sq, key, task_id, "submitted", note="", photos=[photo])
    assert task.state == "submitted"
    last = queries.timeline(key, task_id, user=ADMIN, database=sq.database).iloc[-1]
    assert last["attachments"] == [photo.sha256]


def test_a_task_without_a_unit_is_not_dispatched_until_one_is_chosen(sq):
    key = sq.fresh()
    no_unit = sq.gaps(GAP).assign(unit=None)  # 习家池 is in no responsibility zone and toilet_reach names no unit
    filed = service.file_tasks(key, sq.city, no_unit, user=STAFF, as_of=AS_OF, database=sq.database)
    (task_id,) = filed.created
    task = queries.task(key, task_id, user=ADMIN, database=sq.database)
    assert (task.unit, task.unit_from) == (None, "none")
    before = seen(sq, key, task_id)
    with pytest.raises(TaskRefused, match="no responsible unit"):
        step(sq, key, task_id, "dispatched")
    assert service.issue_notices(key, user=STAFF, as_of=AS_OF, database=sq.database) == []
    assert seen(sq, key, task_id) == before
    task = step(sq, key, task_id, "dispatched", unit="市文化和旅游局")
    assert (task.state, task.unit, task.unit_from, task.notice) == ("dispatched", "市文化和旅游局", "staff", "创优办〔2026〕第1号")


# --------------------------------------------------------------------------- versions and racing writers


def test_a_stale_version_is_a_conflict(demo):
    key = demo.fresh()
    task_id = drive(demo, key, "dispatched")
    before = seen(demo, key, task_id)
    assert before.version == 2  # filed 1, dispatched 2
    with pytest.raises(TaskConflict, match=r"version 1, now 2"):
        step(demo, key, task_id, "accepted", version=1)
    assert seen(demo, key, task_id) == before
    assert step(demo, key, task_id, "accepted", version=2).version == 3


def test_two_moves_of_one_task_at_once_one_wins(demo):
    key = demo.fresh()
    task_id = drive(demo, key, "dispatched")
    version = queries.task(key, task_id, user=ADMIN, database=demo.database).version
    users = [UNIT, unit_user("习家池景区管理处", "zhang")]
    out = race(2, lambda i: step(demo, key, task_id, "accepted", version=version, user=users[i]))
    won = [r for r in out if isinstance(r, service.Task)]
    lost = [r for r in out if isinstance(r, Exception)]
    assert len(won) == 1 and len(lost) == 1 and isinstance(lost[0], TaskConflict), out
    tl = queries.timeline(key, task_id, user=ADMIN, database=demo.database)
    assert list(tl["action"]) == ["file", "dispatch", "accept"]
    assert tl.iloc[-1]["user"] in {u.login for u in users}
    assert queries.task(key, task_id, user=ADMIN, database=demo.database).version == version + 1
    # without a version, the second one finds the task accepted already
    out = race(2, lambda i: step(demo, key, task_id, "submitted", user=users[i]))
    assert sorted(type(r).__name__ for r in out) == ["Task", "TaskRefused"], out


def test_two_filings_of_the_same_gaps_at_once_make_one_task_each(demo):
    key = demo.fresh()
    reach = demo.result.gaps[demo.result.gaps["rule"] == "toilet_reach"]
    out = race(2, lambda i: service.file_tasks(key, demo.city, reach, user=STAFF, as_of=AS_OF, database=demo.database))
    assert all(isinstance(r, service.Filed) for r in out), out
    frame = queries.tasks(key, user=ADMIN, database=demo.database)
    assert sorted(frame["gap_id"]) == sorted(reach["gap_id"])  # one task per gap
    assert sorted(out[0].created + out[1].created) == sorted(frame["id"])
    late = out[0] if not out[0].created else out[1]
    assert late.already == dict(zip(frame["gap_id"], frame["id"], strict=True))


def test_notices_issued_at_once_never_share_a_number(demo):
    key = demo.fresh()
    g = demo.result.gaps
    one_per_unit = g[g["unit"].notna()].drop_duplicates("unit").head(8)
    assert len(one_per_unit) == 8
    filed = service.file_tasks(key, demo.city, one_per_unit, user=STAFF, as_of=AS_OF, database=demo.database)
    ids = filed.created

    def job(i: int) -> Any:
        if i < 2:  # two batches of notices …
            return service.issue_notices(key, user=STAFF, as_of=AS_OF, task_ids=ids[i * 3 : i * 3 + 3], database=demo.database)
        return step(demo, key, ids[4 + i], "dispatched")  # … and two single dispatches, all at once

    out = race(4, job)
    assert not [r for r in out if isinstance(r, Exception)], out
    numbers = list(queries.notices(key, user=ADMIN, database=demo.database)["number"])
    assert sorted(numbers) == sorted(f"创优办〔2026〕第{n}号" for n in range(1, 9))
    tasks = queries.tasks(key, user=ADMIN, database=demo.database)
    assert set(tasks["state"]) == {"dispatched"} and tasks["notice"].is_unique


# --------------------------------------------------------------------------- sync against other writers (bugs found)


def test_a_gap_back_after_its_task_was_closed_has_one_open_task(sq):
    key = sq.fresh()
    closed = drive(sq, key, "closed")
    again = service.file_tasks(key, sq.city, sq.gaps(GAP), user=STAFF, as_of=AS_OF, database=sq.database)  # the gap is back
    queries.sync(key, sq.result, sq.revision, database=sq.database)  # the check that shows it back
    tasks = queries.tasks(key, user=ADMIN, database=sq.database)
    still_open = tasks[~tasks["state"].isin(["closed", "rejected"])]
    assert list(still_open["gap_id"]) == [GAP], (closed, again, tasks[["id", "state"]])


def test_a_sync_that_finds_a_task_reopened_meanwhile_does_not_fail(demo, monkeypatch):
    key = demo.fresh()
    task_id = drive(demo, key, "closed")
    real, meanwhile = queries.tasks, list[Any]()

    def read_then_another_sync(*args: Any, **kw: Any) -> Any:
        frame = real(*args, **kw)
        if not meanwhile:  # another process syncs between this sync's read and its write
            meanwhile.append(None)
            meanwhile[0] = queries.sync(key, demo.result, demo.revision, database=demo.database)
        return frame

    monkeypatch.setattr(queries, "tasks", read_then_another_sync)
    synced = queries.sync(key, demo.result, demo.revision, database=demo.database)
    assert meanwhile[0].reopened == [task_id] and synced.reopened == []
    assert queries.task(key, task_id, user=ADMIN, database=demo.database).reopened == 1


def test_a_run_recorded_by_two_writers_at_once_is_stored_once(pg):
    key = pg.fresh()
    out: list[Any] = []
    run = {"city": key, "at": dt.datetime.now(dt.UTC), "as_of": AS_OF, "revision": pg.revision, "total": pg.result.total}
    run.update(max_points=pg.result.max_points, pass_mark=pg.result.pass_mark, rules=[], gap_ids=[])
    with engine.write(pg.database) as first:  # one writer has inserted the run and not committed yet …
        first.execute(sa.insert(tables.check_runs).values(**run))
        other = threading.Thread(target=lambda: out.append(_recorded(pg, key)))
        other.start()  # … when the other one records it too
        for _ in range(200):
            with engine.read(pg.database) as conn:
                waiting = conn.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                ).scalar_one()
            if waiting:
                break
            time.sleep(0.05)  # a relative sleep: a timed wait on a lock hangs under faketime
        assert waiting, "the second writer never waited for the first"
    other.join()
    assert out == [False]
    assert len(queries.runs(key, database=pg.database)) == 1


def _recorded(demo: Demo, key: str) -> Any:
    try:
        return queries.record_run(key, demo.result, demo.revision, demo.database)
    except Exception as exc:  # the bug: IntegrityError
        return exc
