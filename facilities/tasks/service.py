"""Rectification tasks in the store: gaps filed as tasks, moved through the case flow
(:mod:`facilities.tasks.flow`), dispatched under numbered notices, with evidence photos.

Every call is one transaction: it reads the task with its write lock (PostgreSQL ``FOR UPDATE``; SQLite's
``BEGIN IMMEDIATE``), refuses what the flow does not allow (:class:`~facilities.errors.TaskRefused`, or
:class:`~facilities.errors.TaskConflict` when the task moved since the user's ``version``), then writes
the task, one row of its timeline (``task_events``: who, when, the step, note, data, photos) and one row of
the audit trail (``changes``, layer ``tasks``) together. Nothing is written when anything fails.

Every call takes the ``user`` (:class:`~facilities.auth.roles.User`) and refuses, inside the transaction,
what its role does not allow (:class:`~facilities.errors.Forbidden`): staff file, dispatch, verify and
close; a responsible unit's user accepts, returns, reports fixed and asks for extensions on its own unit's
tasks only; a leader decides extensions; the system reopens. The audit rows carry the user's login.

Dates: ``as_of`` is the check date (:func:`facilities.settings.check_date`), never the calendar; the
timestamps ``at`` are the wall clock (when it was recorded).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa
from shapely.geometry import mapping
from sqlalchemy.engine import Connection

from facilities.auth.roles import User, allow
from facilities.city import City
from facilities.city_config import CityConfig, parse_city_config
from facilities.errors import StoreError, TaskConflict, TaskRefused
from facilities.rules import RuleSet, parse_rules
from facilities.store.db import engine as db
from facilities.store.db import tables
from facilities.tasks import flow
from facilities.tasks.evidence import Photo
from facilities.tasks.units import responsible_units

#: a row as SQLAlchemy gives it (``RowMapping``)
Row = Mapping[Any, Any]
T = tables.tasks
E = tables.task_events
#: where a task's step came from (the audit trail's ``source``)
VIA = ("app", "cli", "system")
#: the action (:data:`facilities.auth.roles.ACTIONS`) a step is, by who takes it (``flow.Step.by``)
STEP_ACTIONS = {"staff": "staff_step", "unit": "unit_step", "system": "system"}


@dataclass(frozen=True)
class Task:
    """One task, as stored (see ``tables.tasks``); :meth:`overdue` and :meth:`days_left` are computed."""

    id: int
    city: str
    version: int
    state: str
    gap_id: str
    rule: str
    layer: str | None
    feature_id: str | None
    name: str | None
    district: str | None
    unit: str | None
    unit_from: str | None
    title_zh: str
    title_en: str
    standard: str | None
    measure: float | None
    measure_unit: str | None
    detail: str | None
    detail_zh: str | None  # NULL for tasks filed before migration 0006: shown as ``detail`` (see :meth:`detail_in`)
    lon: float | None
    lat: float | None
    geometry: str | None
    filed_on: dt.date
    due: dt.date | None
    notice: str | None
    rework: int
    reopened: int
    extension_due: dt.date | None
    extension_reason: str | None
    gap_present: bool | None
    closed_on: dt.date | None
    closed_revision: int | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def from_row(cls, row: Row) -> Task:
        """A task from a row of ``tasks``."""
        return cls(**{f.name: row[f.name] for f in fields(cls)})

    def detail_in(self, lang: str) -> str:
        """The gap's detail in ``lang`` ("zh": the Chinese one, else the English one where none was stored)."""
        return detail_text(self.detail_zh, self.detail, lang)

    def overdue(self, as_of: dt.date) -> bool:
        """Past due on ``as_of`` and not finished."""
        return flow.is_overdue(self.state, self.due, as_of)

    def days_left(self, as_of: dt.date) -> int | None:
        """Days to the due date on ``as_of`` (negative when overdue; None once finished)."""
        return None if self.state in flow.FINISHED else flow.days_left(self.due, as_of)


@dataclass
class Filed:
    """What filing did: the new tasks' ids, and the gaps that already had a task (gap id -> task id)."""

    created: list[int] = field(default_factory=list)
    already: dict[str, int] = field(default_factory=dict)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _city(conn: Connection, key: str, lock: bool = False) -> Row:
    """The city's row (its write lock taken when ``lock``: filings and notice numbers wait for each other)."""
    query = sa.select(tables.cities).where(tables.cities.c.key == key)
    row = conn.execute(query.with_for_update() if lock else query).mappings().one_or_none()
    if row is None:
        raise StoreError(f"{key!r}: no such city in the database (load it first: python -m facilities db load <folder>)")
    return row


@functools.lru_cache(maxsize=16)
def _parsed_config(text: str) -> CityConfig | None:
    return parse_city_config(text.encode("utf-8"))[0]


@functools.lru_cache(maxsize=16)
def _parsed_rules(text: str) -> RuleSet:
    return parse_rules(text.encode("utf-8"))


def _config(row: Row) -> CityConfig:
    """The city's ``city.toml`` (read once per text: a notice for hundreds of tasks asks for it each time)."""
    config = _parsed_config(row["config_toml"])
    if config is None:
        raise StoreError(f"{row['key']!r}: its city.toml cannot be read; fix it and load the city again")
    return config


def _rules(row: Row) -> RuleSet:
    """The city's rules file (read once per text)."""
    if row["rules_toml"] is None:
        raise StoreError(f"{row['key']!r}: the city has no rules file, so it has no gaps to file")
    return _parsed_rules(row["rules_toml"])


def _check_user(user: User, via: str, action: str | None = None) -> None:
    """The source is known; with ``action``: the user may take it (Forbidden otherwise)."""
    if action is not None:
        allow(user, action)
    if via not in VIA:
        raise StoreError(f"source {via!r}: accepted: {', '.join(VIA)}")


def _record(
    conn: Connection, task: Row, action: str, before: str | None, after: str | None, *, user: User, via: str,
    on: dt.date, note: str = "", data: Row | None = None, attachments: Sequence[str] = (), version: int,
) -> int:  # fmt: skip
    """Append one row to the task's timeline (with its photos' attachment rows) and one to the audit trail;
    the event's id."""
    at = _now()
    clean = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in (data or {}).items()}
    event = conn.execute(
        sa.insert(E).values(
            task=task["id"], city=task["city"], at=at, on=on, user=user.login, action=action, source_state=before,
            target_state=after, note=note or None, data=clean or None, attachments=list(attachments) or None,
        ).returning(E.c.id)
    ).scalar_one()  # fmt: skip
    revision = conn.execute(sa.select(tables.cities.c.revision).where(tables.cities.c.key == task["city"])).scalar_one()
    conn.execute(
        sa.insert(tables.changes).values(
            batch=revision, at=at, user=user.login, source=via, city=task["city"], layer=tables.TASKS_LAYER,
            feature_id=str(task["id"]), action=action, field="state", old=json.dumps(before), new=json.dumps(after),
            version=version, note=json.dumps(clean, ensure_ascii=False) if not note and clean else (note or None),
        )
    )  # fmt: skip
    for sha in attachments:
        _attach(conn, task["city"], sha, user.login, task=task["id"], event=int(event), note=note)
    return int(event)


def _task_of(conn: Connection, key: str, gap_ids: Sequence[str]) -> dict[str, int]:
    """The task of each gap that has one (any state: one case per gap — a closed one is reopened when its
    gap comes back, a rejected one stays rejected); the newest when there are several."""
    found: dict[str, int] = {}
    for start in range(0, len(gap_ids), 500):
        chunk = list(gap_ids[start : start + 500])
        rows = conn.execute(sa.select(T.c.gap_id, T.c.id).where(T.c.city == key, T.c.gap_id.in_(chunk)).order_by(T.c.id))
        found.update({g: int(i) for g, i in rows})
    return found


def file_tasks(
    key: str, city: City, gaps: gpd.GeoDataFrame, *, user: User, as_of: dt.date, unit: str | None = None,
    due: dt.date | None = None, note: str = "", via: str = "app", database: str | None = None,
) -> Filed:  # fmt: skip
    """File a task (立案) for each gap of ``gaps`` (rows of a check's gap table, WGS84) that has no task
    yet (``Filed.already`` names the gaps that have one, whatever its state). The unit comes from the gap
    (:func:`~facilities.tasks.units.responsible_units`) unless ``unit`` is given; the due date is
    ``as_of`` + the rule's ``deadline_days``, never after the inspection date, unless ``due`` is given
    (then it must not fall after it). Staff's action (Forbidden otherwise)."""
    _check_user(user, via, "file")
    if unit is not None and not unit.strip():
        raise TaskRefused("unit: empty (accepted: the name of a responsible unit 责任单位)")
    out = Filed()
    if gaps.empty:
        return out
    with db.write(database) as conn:
        row = _city(conn, key, lock=True)
        config, rules = _config(row), _rules(row)
        if due is not None:
            flow.check_due(due, as_of, config.inspection_date)
        units = responsible_units(city, rules, gaps)
        points = gaps.geometry.representative_point()
        out.already = _task_of(conn, key, list(gaps["gap_id"]))
        for i, gap in gaps.iterrows():
            if gap["gap_id"] in out.already:
                continue
            rule = rules.get(gap["rule"])
            if rule is None:
                raise TaskRefused(f"gap {gap['gap_id']}: rule {gap['rule']!r} is not in the city's rules file")
            who, source = (unit.strip(), "staff") if unit else (units.at[i, "unit"], units.at[i, "unit_from"])
            values = {
                "city": key, "version": 1, "state": "filed", "gap_id": gap["gap_id"], "rule": rule.id,
                "layer": _text(gap["layer"]), "feature_id": _text(gap["feature_id"]), "name": _text(gap["name"]),
                "district": _text(gap["district"]), "unit": who, "unit_from": source, "title_zh": rule.title_zh,
                "title_en": rule.title_en, "standard": rule.source, "measure": _number(gap["measure"]),
                "measure_unit": _text(gap["measure_unit"]), "detail": _text(gap["detail"]), "detail_zh": _text(gap.get("detail_zh")),
                "lon": float(points[i].x), "lat": float(points[i].y),
                "geometry": json.dumps(mapping(gap.geometry)) if gap.geometry is not None else None,
                "filed_on": as_of, "due": due or flow.default_due(as_of, rules.deadline(rule), config.inspection_date),
                "rework": 0, "reopened": 0, "created_at": _now(), "updated_at": _now(),
            }  # fmt: skip
            task_id = int(conn.execute(sa.insert(T).values(**values).returning(T.c.id)).scalar_one())
            data = {"unit": who, "unit_from": source, "due": values["due"], "measure": values["measure"]}
            _record(conn, {**values, "id": task_id}, "file", None, "filed", user=user, via=via, on=as_of, note=note, data=data, version=1)
            out.created.append(task_id)
            out.already[gap["gap_id"]] = task_id
        for gid in out.created:  # only the ones that were there before stay in ``already``
            out.already = {g: t for g, t in out.already.items() if t != gid}
    return out


def _text(value: Any) -> str | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def detail_text(detail_zh: Any, detail: Any, lang: str) -> str:
    """A gap's detail in ``lang``: the Chinese one for "zh" (the English one when no Chinese was stored:
    tasks filed before migration 0006; nothing is translated), else the English one; "" when there is none."""
    zh, en = _text(detail_zh), _text(detail)
    return (zh if lang == "zh" and zh else en) or ""


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _task(conn: Connection, task_id: int) -> Task:
    """The task as it stands inside the transaction (after a step)."""
    return Task.from_row(conn.execute(sa.select(T).where(T.c.id == task_id)).mappings().one())


def _locked(conn: Connection, key: str, task_id: int, version: int | None) -> Row:
    row = conn.execute(sa.select(T).where(T.c.city == key, T.c.id == task_id).with_for_update()).mappings().one_or_none()
    if row is None:
        raise TaskRefused(f"task {task_id}: no such task in city {key!r}")
    if version is not None and row["version"] != version:
        last = conn.execute(sa.select(E.c.user, E.c.action, E.c.at).where(E.c.task == task_id).order_by(E.c.id.desc()).limit(1)).one()
        raise TaskConflict(
            f"task {task_id} changed since you opened it (version {version}, now {row['version']}): "
            f"{last.user} took the step {last.action!r} at {last.at:%Y-%m-%d %H:%M}; reload it and try again"
        )
    return row


def _update(conn: Connection, row: Row, **values: Any) -> int:
    version = int(row["version"]) + 1
    done = conn.execute(
        sa.update(T).where(T.c.id == row["id"], T.c.version == row["version"]).values(version=version, updated_at=_now(), **values)
    )
    if done.rowcount != 1:
        raise TaskConflict(f"task {row['id']} changed while it was being saved; reload it and try again")
    return version


@dataclass(frozen=True)
class Recheck:
    """The current check's view of the gaps: gap id -> (measure, detail, detail_zh), and the revision it read."""

    gaps: Mapping[str, tuple[float | None, str, str]]
    revision: int
    city: str | None = None

    @classmethod
    def of(cls, gaps: pd.DataFrame, revision: int, city: str | None = None) -> Recheck:
        """From a check's gap table of ``city`` at ``revision`` (its ``detail_zh``, or ``detail`` where it has none)."""
        zh = gaps["detail_zh"] if "detail_zh" in gaps else gaps["detail"]
        found = {
            g: (_number(m), str(d), detail_text(z, d, "zh"))
            for g, m, d, z in zip(gaps["gap_id"], gaps["measure"], gaps["detail"], zh, strict=True)
        }
        return cls(found, revision, city)


def move(
    key: str, task_id: int, step: str, *, user: User, as_of: dt.date, note: str = "", version: int | None = None,
    unit: str | None = None, due: dt.date | None = None, photos: Sequence[Photo] = (), recheck: Recheck | None = None,
    via: str = "app", database: str | None = None,
) -> Task:  # fmt: skip
    """Take the step ``step`` (a name of :data:`~facilities.tasks.flow.STEPS`, or a target state) on a task.

    ``version``: the task's version the user saw (a TaskConflict when it moved since). ``unit``/``due``:
    for a dispatch (a notice number is given to it), a redispatch or a reopening. ``photos``: evidence
    (stored once by content hash). ``recheck``: the current check of the inventory, needed to verify and
    to close (a task whose gap is still there is not closed). Who may take it: the step's ``by``
    (:data:`STEP_ACTIONS`; a unit's user only on its own unit's tasks) — Forbidden otherwise."""
    _check_user(user, via)
    with db.write(database) as conn:
        city_row = _city(conn, key, lock=step in ("dispatch", "dispatched"))
        row = _locked(conn, key, task_id, version)
        chosen = flow.STEPS[step] if step in flow.STEPS else flow.step_to(row["state"], step)
        allow(user, STEP_ACTIONS[chosen.by], row["unit"], what=f"task {task_id}")
        chosen = flow.step_named(row["state"], chosen.name)
        _take(conn, city_row, row, chosen, user=user, via=via, as_of=as_of, note=note, unit=unit, due=due, photos=photos, recheck=recheck)
        return _task(conn, task_id)


def _take(
    conn: Connection, city_row: Row, row: Row, step: flow.Step, *, user: User, via: str, as_of: dt.date,
    note: str, unit: str | None, due: dt.date | None, photos: Sequence[Photo], recheck: Recheck | None, notice: str | None = None,
) -> None:  # fmt: skip
    """Check and write one step (inside the caller's transaction)."""
    note = note.strip()
    if step.needs_note and not note:
        raise TaskRefused(f"{flow.both(step.label)}: a reason is needed (accepted: a note saying why)")
    if step.needs_evidence and not (note or photos):
        raise TaskRefused(f"{flow.both(step.label)}: say what was done or attach a photo (accepted: a note, a photo or both)")
    values: dict[str, Any] = {"state": step.target}
    data: dict[str, Any] = {}
    if step.name in ("dispatch", "redispatch", "reopen"):
        _assignment(conn, city_row, row, step, values, data, user=user, as_of=as_of, unit=unit, due=due, notice=notice)
    if step.name in ("verify", "close"):
        _verification(conn, row, step, values, data, as_of=as_of, recheck=recheck)
    hashes = [store_photo(conn, p, user.login) for p in photos]
    version = _update(conn, row, **values)
    _record(conn, row, step.name, row["state"], step.target, user=user, via=via, on=as_of, note=note, data=data,
            attachments=hashes, version=version)  # fmt: skip


def _assignment(
    conn: Connection, city_row: Row, row: Row, step: flow.Step, values: dict[str, Any],
    data: dict[str, Any], *, user: User, as_of: dt.date, unit: str | None, due: dt.date | None, notice: str | None,
) -> None:  # fmt: skip
    """A dispatch, redispatch or reopening: the unit, the due date (checked), a notice number, the counts."""
    inspection = _config(city_row).inspection_date
    who = (unit or "").strip() or row["unit"]
    if not who:
        raise TaskRefused(f"task {row['id']}: no responsible unit; choose one before dispatching (accepted: a unit's name)")
    when = due or row["due"]
    if not due and (step.name == "reopen" or (step.name == "redispatch" and (when is None or when < as_of))):
        rules = _rules(city_row)
        rule = rules.get(row["rule"])
        when = flow.default_due(as_of, rules.deadline(rule) if rule else rules.deadline_days, inspection)
    if due is not None:
        flow.check_due(due, as_of, inspection)
    values.update(unit=who, due=when)
    if who != row["unit"]:
        values["unit_from"] = "staff"
    data.update(unit=who, due=when)
    if step.name == "dispatch":
        values["notice"] = notice or _new_notice(conn, city_row, who, [row["id"]], user.login, as_of)
        data["notice"] = values["notice"]
    if step.name == "redispatch":
        values["rework"] = row["rework"] + 1
    if step.name == "reopen":
        values.update(reopened=row["reopened"] + 1, closed_on=None, closed_revision=None)


def _verification(
    conn: Connection, row: Row, step: flow.Step, values: dict[str, Any], data: dict[str, Any], *,
    as_of: dt.date, recheck: Recheck | None,
) -> None:  # fmt: skip
    """A verification or a close: the current check (at the current revision) says whether the gap is there."""
    if recheck is None:
        raise TaskRefused(f"{flow.both(step.label)}: needs a check of the current inventory (none was given)")
    if recheck.city is not None and recheck.city != row["city"]:
        raise TaskRefused(f"that check is of city {recheck.city!r}, the task of city {row['city']!r}")
    current = conn.execute(sa.select(tables.cities.c.revision).where(tables.cities.c.key == row["city"])).scalar_one()
    if recheck.revision != current:
        raise TaskRefused(f"the inventory changed since that check (revision {recheck.revision}, now {current}); check again")
    present = row["gap_id"] in recheck.gaps
    measure, detail, detail_zh = recheck.gaps.get(row["gap_id"], (None, "", ""))
    data.update(gap_present=present, measure=measure, detail=detail, detail_zh=detail_zh, revision=current)
    values["gap_present"] = present
    if step.name == "close" and present:
        said = detail if detail_zh == detail else f"{detail_zh}; {detail}"
        raise TaskRefused(
            f"task {row['id']}: the gap is still there 缺口仍在 ({said}); it cannot be closed — send it back 重新派遣 (redispatch)"
        )
    if step.name == "close":
        values.update(closed_on=as_of, closed_revision=current)


def store_photo(conn: Connection, photo: Photo, user: str) -> str:
    """Store a checked photo under its content hash (kept as it is when already stored); its hash."""
    exists = conn.execute(sa.select(tables.evidence.c.sha256).where(tables.evidence.c.sha256 == photo.sha256)).first()
    if exists is None:
        conn.execute(
            sa.insert(tables.evidence).values(
                sha256=photo.sha256, media_type=photo.media_type, size=photo.size, width=photo.width, height=photo.height,
                data=photo.data, thumbnail=photo.thumbnail, filename=photo.filename, at=_now(), user=user,
            )
        )  # fmt: skip
    return photo.sha256


def _attach(
    conn: Connection, key: str, sha256: str, user: str, *, task: int | None = None, event: int | None = None,
    layer: str | None = None, feature_id: str | None = None, note: str = "",
) -> None:  # fmt: skip
    conn.execute(
        sa.insert(tables.attachments).values(
            city=key, sha256=sha256, task=task, event=event, layer=layer, feature_id=feature_id, at=_now(), user=user, note=note or None
        )
    )


def attach(
    key: str, photos: Sequence[Photo], *, user: User, as_of: dt.date, task_id: int | None = None, layer: str | None = None,
    feature_id: str | None = None, note: str = "", via: str = "app", database: str | None = None,
) -> list[str]:  # fmt: skip
    """Attach photos to a task (recorded in its timeline; staff, or the task's unit) or to a facility
    (``layer`` + ``feature_id``; staff); the hashes."""
    _check_user(user, via, "attach_task" if task_id is not None else "attach_feature")
    if not photos:
        raise StoreError("no photo was given (accepted: one or more JPEG, PNG or WebP photos)")
    if (task_id is None) == (layer is None or feature_id is None):
        raise StoreError("a photo is attached to a task or to a facility (layer and feature id), one of the two")
    with db.write(database) as conn:
        _city(conn, key)
        hashes = [store_photo(conn, p, user.login) for p in photos]
        if task_id is not None:
            row = _locked(conn, key, task_id, None)
            allow(user, "attach_task", row["unit"], what=f"task {task_id}")
            version = _update(conn, row)
            _record(conn, row, "attach", row["state"], row["state"], user=user, via=via, on=as_of, note=note, attachments=hashes,
                    version=version)  # fmt: skip
        else:
            from facilities.schema import LAYERS

            if layer not in LAYERS:
                raise StoreError(f"{layer!r}: not a layer (accepted: {', '.join(LAYERS)})")
            found = conn.execute(
                sa.select(tables.layers[layer].c.id).where(tables.layers[layer].c.city == key, tables.layers[layer].c.id == feature_id)
            )
            if found.first() is None:
                raise StoreError(f"{layer}/{feature_id}: no such feature in city {key!r}")
            for h in hashes:
                _attach(conn, key, h, user.login, layer=layer, feature_id=feature_id, note=note)
        return hashes


def _new_notice(conn: Connection, city_row: Row, unit: str, task_ids: Sequence[int], user: str, as_of: dt.date) -> str:
    """Give the next number of the year (per city) to a notice for ``unit`` listing ``task_ids``; the number.
    The city row is locked by the caller, so two notices never get one number."""
    key = city_row["key"]
    n = tables.notices.c
    seq = int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(n.seq), 0)).where(n.city == key, n.year == as_of.year)).scalar_one()) + 1
    number = f"{_config(city_row).office.short}〔{as_of.year}〕第{seq}号"
    conn.execute(
        sa.insert(tables.notices).values(
            city=key, year=as_of.year, seq=seq, number=number, unit=unit, issued=as_of, at=_now(), user=user, tasks=list(task_ids)
        )
    )
    return number


@dataclass(frozen=True)
class Issued:
    """A notice issued: its number, the unit, the tasks it dispatched."""

    number: str
    unit: str
    tasks: tuple[int, ...]


def issue_notices(
    key: str, *, user: User, as_of: dt.date, units: Iterable[str] | None = None, task_ids: Iterable[int] | None = None,
    due: dt.date | None = None, note: str = "", via: str = "app", database: str | None = None,
) -> list[Issued]:  # fmt: skip
    """Dispatch (派遣) the filed tasks — of ``units`` / ``task_ids`` when given — under one new numbered
    notice per unit; filed tasks without a unit are left (staff choose one first). One transaction. Staff's
    action (Forbidden otherwise)."""
    _check_user(user, via, "notices")
    with db.write(database) as conn:
        city_row = _city(conn, key, lock=True)
        query = sa.select(T).where(T.c.city == key, T.c.state == "filed", T.c.unit.is_not(None)).order_by(T.c.id).with_for_update()
        if units is not None:
            query = query.where(T.c.unit.in_(list(units)))
        if task_ids is not None:
            query = query.where(T.c.id.in_(list(task_ids)))
        by_unit: dict[str, list[Row]] = {}
        for found in conn.execute(query).mappings():
            by_unit.setdefault(found["unit"], []).append(found)
        issued = []
        for unit, of_unit in sorted(by_unit.items()):
            number = _new_notice(conn, city_row, unit, [r["id"] for r in of_unit], user.login, as_of)
            for row in of_unit:
                _take(
                    conn, city_row, row, flow.STEPS["dispatch"], user=user, via=via, as_of=as_of, note=note, unit=None,
                    due=due, photos=(), recheck=None, notice=number,
                )  # fmt: skip
            issued.append(Issued(number, unit, tuple(r["id"] for r in of_unit)))
        return issued


def request_extension(
    key: str, task_id: int, due: dt.date, *, reason: str, user: User, as_of: dt.date, version: int | None = None,
    via: str = "app", database: str | None = None,
) -> Task:  # fmt: skip
    """The unit asks for a later due date (申请延期), with a reason; a leader approves or refuses it. The
    task's unit's action (Forbidden otherwise)."""
    _check_user(user, via, "request_extension")
    with db.write(database) as conn:
        city_row = _city(conn, key)
        row = _locked(conn, key, task_id, version)
        allow(user, "request_extension", row["unit"], what=f"task {task_id}")
        if row["state"] not in flow.WITH_UNIT:
            raise TaskRefused(
                f"task {task_id}: an extension is asked for while the unit has the task (now {flow.both(flow.STATES[row['state']])})"
            )
        if not reason.strip():
            raise TaskRefused("申请延期 Extension: a reason is needed (accepted: a note saying why)")
        if row["due"] is not None and due <= row["due"]:
            raise TaskRefused(
                f"extension to {due.isoformat()}: not later than the due date {row['due'].isoformat()} (accepted: a later date)"
            )
        flow.check_due(due, as_of, _config(city_row).inspection_date)
        version = _update(conn, row, extension_due=due, extension_reason=reason.strip())
        _record(conn, row, "extension_requested", row["state"], row["state"], user=user, via=via, on=as_of, note=reason,
                data={"due": due}, version=version)  # fmt: skip
        return _task(conn, task_id)


def decide_extension(
    key: str, task_id: int, *, approve: bool, user: User, as_of: dt.date, note: str = "", version: int | None = None,
    via: str = "app", database: str | None = None,
) -> Task:  # fmt: skip
    """Approve (the due date becomes the one asked for) or refuse a pending extension (a leader's action)."""
    _check_user(user, via, "decide_extension")
    with db.write(database) as conn:
        _city(conn, key)
        row = _locked(conn, key, task_id, version)
        if row["extension_due"] is None:
            raise TaskRefused(f"task {task_id}: no extension has been asked for")
        values: dict[str, Any] = {"extension_due": None, "extension_reason": None}
        if approve:
            values["due"] = row["extension_due"]
        version = _update(conn, row, **values)
        action = "extension_approved" if approve else "extension_refused"
        data = {"due": row["extension_due"], "was": row["due"]}
        _record(conn, row, action, row["state"], row["state"], user=user, via=via, on=as_of, note=note, data=data, version=version)
        return _task(conn, task_id)


def reassign(
    key: str, task_id: int, unit: str, *, user: User, as_of: dt.date, note: str = "", version: int | None = None,
    via: str = "app", database: str | None = None,
) -> Task:  # fmt: skip
    """Change the responsible unit of a task not yet dispatched (a dispatched one is returned first); staff's."""
    _check_user(user, via, "reassign")
    if not unit.strip():
        raise TaskRefused("unit: empty (accepted: the name of a responsible unit 责任单位)")
    with db.write(database) as conn:
        _city(conn, key)
        row = _locked(conn, key, task_id, version)
        if row["state"] != "filed":
            raise TaskRefused(
                f"task {task_id}: the unit is changed before dispatch (now {flow.both(flow.STATES[row['state']])}; "
                "the unit returns it first)"
            )
        version = _update(conn, row, unit=unit.strip(), unit_from="staff")
        _record(conn, row, "reassign", "filed", "filed", user=user, via=via, on=as_of, note=note,
                data={"unit": unit.strip(), "was": row["unit"]}, version=version)  # fmt: skip
        return _task(conn, task_id)
