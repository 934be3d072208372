"""Reading tasks, their timelines, photos and notices; the stored check runs (the score over time) and
:func:`sync`, which keeps tasks and the check in step (a closed task whose gap comes back is reopened).

Every read of tasks, photos and notices takes the ``user`` and is scoped by it: a responsible unit's user
reads only its own unit's (another unit's task is Forbidden, a list holds only its own); staff, leaders and
administrators read all; a viewer none (:data:`facilities.auth.roles.ACTIONS` ``read_tasks``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import sqlalchemy as sa

from facilities.auth.roles import SYSTEM, User, allow, scope_unit
from facilities.check import Result
from facilities.errors import StoreError, TaskRefused
from facilities.store.db import engine as db
from facilities.store.db import tables
from facilities.tasks import flow
from facilities.tasks.service import Task, detail_text, move

#: a row as SQLAlchemy gives it (``RowMapping``)
Row = Mapping[Any, Any]
T = tables.tasks
E = tables.task_events
#: the columns of :func:`tasks` (every stored column; :func:`annotate` adds the computed ones)
TASK_COLUMNS = tuple(c.name for c in T.columns)


def rows(frame: pd.DataFrame) -> Iterator[Any]:
    """The rows of ``frame`` as named tuples (typed loosely: the columns are known by name, not by type)."""
    return frame.itertuples()


def tasks(
    key: str, *, user: User, states: Iterable[str] | None = None, units: Iterable[str] | None = None,
    rules: Iterable[str] | None = None, districts: Iterable[str] | None = None, ids: Iterable[int] | None = None,
    database: str | None = None,
) -> pd.DataFrame:  # fmt: skip
    """The city's tasks that ``user`` may read (newest first), filtered by state, unit, rule, district or
    id when given."""
    allow(user, "read_tasks")
    query = sa.select(T).where(T.c.city == key).order_by(T.c.id.desc())
    own = scope_unit(user)
    if own is not None:
        query = query.where(T.c.unit == own)
    for column, values in ((T.c.state, states), (T.c.unit, units), (T.c.rule, rules), (T.c.district, districts), (T.c.id, ids)):
        if values is not None:
            query = query.where(column.in_(list(values)))
    with db.read(database) as conn:
        rows = conn.execute(query).mappings().all()
    frame = pd.DataFrame([dict(r) for r in rows], columns=list(TASK_COLUMNS))
    for name in ("filed_on", "due", "extension_due", "closed_on"):
        frame[name] = frame[name].astype("object")
    return frame


def annotate(frame: pd.DataFrame, as_of: dt.date, gap_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Add the computed columns: ``overdue``, ``days_left`` (to the due date on ``as_of``; none once
    finished) and, given the
    current check's gap ids, ``fixed_pending`` (the gap is gone while the task is open: fixed, awaiting
    verification) and ``gap_back`` (a closed task whose gap is there again)."""
    out = frame.copy()
    out["overdue"] = [flow.is_overdue(s, d, as_of) for s, d in zip(out["state"], out["due"], strict=True)]
    out["days_left"] = pd.array(
        [None if s in flow.FINISHED else flow.days_left(d, as_of) for s, d in zip(out["state"], out["due"], strict=True)], dtype="Int64"
    )
    if gap_ids is not None:
        present = set(gap_ids)
        here = out["gap_id"].isin(present)
        out["fixed_pending"] = ~here & ~out["state"].isin(list(flow.FINISHED))
        out["gap_back"] = here & (out["state"] == "closed")
    return out


def task(key: str, task_id: int, *, user: User, database: str | None = None) -> Task:
    """One task; TaskRefused when there is none, Forbidden when ``user`` may not read it."""
    allow(user, "read_tasks")
    with db.read(database) as conn:
        row = conn.execute(sa.select(T).where(T.c.city == key, T.c.id == task_id)).mappings().one_or_none()
    if row is None:
        raise TaskRefused(f"task {task_id}: no such task in city {key!r}")
    allow(user, "read_tasks", row["unit"], what=f"task {task_id}")
    return Task.from_row(row)


def timeline(key: str, task_id: int, *, user: User, database: str | None = None) -> pd.DataFrame:
    """Every step and event of a task, oldest first: at, on, user, action, source_state, target_state,
    note, data, attachments (photo hashes)."""
    task(key, task_id, user=user, database=database)
    query = sa.select(E).where(E.c.city == key, E.c.task == task_id).order_by(E.c.id)
    with db.read(database) as conn:
        found = conn.execute(query).mappings().all()
    frame = pd.DataFrame([dict(r) for r in found], columns=[c.name for c in E.columns])
    frame["at"] = pd.to_datetime(frame["at"], utc=True)  # (SQLite gives it back naive: it was stored in UTC)
    return frame


def photo(sha256: str, *, user: User, thumbnail: bool = False, database: str | None = None) -> tuple[bytes, str]:
    """A stored photo's bytes (or its JPEG thumbnail) and media type (a unit's user: only photos of its
    own unit's tasks)."""
    allow(user, "read_tasks")
    ev = tables.evidence.c
    own = scope_unit(user)
    with db.read(database) as conn:
        if own is not None:
            a = tables.attachments.c
            mine = sa.select(a.id).join(T, T.c.id == a.task).where(a.sha256 == sha256, T.c.unit == own).limit(1)
            if conn.execute(mine).first() is None:
                allow(user, "read_tasks", "", what=f"photo {sha256[:12]}…")
        row = conn.execute(sa.select(ev.data, ev.thumbnail, ev.media_type).where(ev.sha256 == sha256)).one_or_none()
    if row is None:
        raise StoreError(f"photo {sha256[:12]}…: not stored")
    return (bytes(row.thumbnail), "image/jpeg") if thumbnail else (bytes(row.data), row.media_type)


def photos_of(
    key: str, *, user: User, task_id: int | None = None, layer: str | None = None, feature_id: str | None = None,
    database: str | None = None,
) -> pd.DataFrame:  # fmt: skip
    """The photos attached to a task or a facility: sha256, at, user, note, event, media type, size."""
    if task_id is not None:
        task(key, task_id, user=user, database=database)
    else:  # a facility's photos: whoever reads the whole inventory and the tasks (staff, leaders, admins)
        allow(user, "read_tasks")
        allow(user, "read_all")
    a, ev = tables.attachments.c, tables.evidence.c
    query = (
        sa.select(a.sha256, a.at, a.user, a.note, a.event, ev.media_type, ev.size, ev.filename)
        .join(tables.evidence, ev.sha256 == a.sha256)
        .where(a.city == key)
        .order_by(a.id)
    )
    query = query.where(a.task == task_id) if task_id is not None else query.where(a.layer == layer, a.feature_id == feature_id)
    with db.read(database) as conn:
        return pd.DataFrame(
            [dict(r) for r in conn.execute(query).mappings()],
            columns=["sha256", "at", "user", "note", "event", "media_type", "size", "filename"],
        )


def notices(key: str, *, user: User, unit: str | None = None, database: str | None = None) -> pd.DataFrame:
    """The notices issued that ``user`` may read (newest first): number, unit, issued, user, tasks."""
    allow(user, "read_tasks")
    n = tables.notices.c
    query = sa.select(n.number, n.unit, n.issued, n.user, n.tasks, n.year, n.seq).where(n.city == key).order_by(n.year.desc(), n.seq.desc())
    if unit is not None:
        query = query.where(n.unit == unit)
    if scope_unit(user) is not None:
        query = query.where(n.unit == scope_unit(user))
    with db.read(database) as conn:
        return pd.DataFrame(
            [dict(r) for r in conn.execute(query).mappings()], columns=["number", "unit", "issued", "user", "tasks", "year", "seq"]
        )


def notice(key: str, number: str, *, user: User, database: str | None = None) -> dict[str, Any]:
    """One notice's record (number, unit, issued, user, tasks); TaskRefused when there is none."""
    allow(user, "read_tasks")
    n = tables.notices.c
    with db.read(database) as conn:
        row = conn.execute(sa.select(tables.notices).where(n.city == key, n.number == number)).mappings().one_or_none()
    if row is None:
        raise TaskRefused(f"notice {number!r}: no such notice in city {key!r}")
    allow(user, "read_tasks", row["unit"], what=f"notice {number}")
    return dict(row)


# --------------------------------------------------------------------------- check runs


def record_run(key: str, result: Result, revision: int, database: str | None = None) -> bool:
    """Store a check run (its date, score, rule results and gap ids) once per (revision, check date);
    True when it was new."""
    c = tables.check_runs.c
    text = ("rule", "assessment")  # kept as text; "passed" as a boolean; the figures as numbers
    rules = [
        {k: (None if pd.isna(v) else (bool(v) if k == "passed" else v if k in text else float(v))) for k, v in row.items()}
        for row in result.summary[["rule", "checked", "compliant", "share", "points", "weight", "passed", "assessment"]].to_dict("records")
    ]
    with db.write(database) as conn:
        # the city's row locked first: two processes storing the same run wait for each other (PostgreSQL)
        conn.execute(sa.select(tables.cities.c.key).where(tables.cities.c.key == key).with_for_update())
        found = conn.execute(sa.select(c.id).where(c.city == key, c.revision == revision, c.as_of == result.as_of)).first()
        if found is not None:
            return False
        conn.execute(
            sa.insert(tables.check_runs).values(
                city=key, at=dt.datetime.now(dt.UTC), as_of=result.as_of, revision=revision, total=result.total,
                max_points=result.max_points, pass_mark=result.pass_mark, rules=rules, gap_ids=sorted(result.gaps["gap_id"]),
            )
        )  # fmt: skip
    return True


def runs(key: str, database: str | None = None) -> pd.DataFrame:
    """The stored check runs, oldest first: as_of, revision, total, max_points, pass_mark, gaps (a count), at."""
    c = tables.check_runs.c
    query = (
        sa.select(c.as_of, c.revision, c.total, c.max_points, c.pass_mark, c.gap_ids, c.at)
        .where(c.city == key)
        .order_by(c.as_of, c.revision)
    )
    with db.read(database) as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    frame = pd.DataFrame(rows, columns=["as_of", "revision", "total", "max_points", "pass_mark", "gap_ids", "at"])
    frame["gaps"] = [len(g or []) for g in frame["gap_ids"]]
    return frame.drop(columns="gap_ids")


@dataclass
class Synced:
    """What :func:`sync` did: whether the run was new, and the tasks it reopened."""

    recorded: bool = False
    reopened: list[int] = field(default_factory=list)


def sync(key: str, result: Result, revision: int, *, user: User = SYSTEM, database: str | None = None) -> Synced:
    """Record the check run and reopen (重新打开) every closed task whose gap is in ``result`` again — only
    when ``result`` read the inventory at or after the revision the task was closed at (an older check
    still shows the gap as it was before the fix)."""
    out = Synced(record_run(key, result, revision, database))
    present = set(result.gaps["gap_id"])
    every = tasks(key, user=user, database=database)
    open_gaps = set(every.loc[~every["state"].isin(list(flow.FINISHED)), "gap_id"])
    for row in rows(every[every["state"] == "closed"]):
        after_close = row.closed_revision is None or pd.isna(row.closed_revision) or revision >= row.closed_revision
        if row.gap_id not in present or row.gap_id in open_gaps or not after_close or (row.closed_on and result.as_of < row.closed_on):
            continue
        gap = result.gaps.loc[result.gaps["gap_id"] == row.gap_id].iloc[0]
        zh, en = detail_text(gap.get("detail_zh"), gap["detail"], "zh"), detail_text(None, gap["detail"], "en")
        note = f"the gap is there again 缺口重现: {zh}" + ("" if zh == en else f" / {en}")  # both languages: the timeline shows it as is
        try:
            move(key, int(row.id), "reopen", user=user, as_of=result.as_of, note=note, version=int(row.version), via="system",
                 database=database)  # fmt: skip
        except TaskRefused:  # moved meanwhile (another sync reopened it first): nothing to do
            continue
        out.reopened.append(int(row.id))
    return out


__all__ = [
    "TASK_COLUMNS",
    "Synced",
    "annotate",
    "detail_text",
    "notice",
    "notices",
    "photo",
    "photos_of",
    "record_run",
    "runs",
    "sync",
    "task",
    "tasks",
    "timeline",
]
