"""Changing features in the database: one transaction per save, a version per feature, an audit trail.

Every change goes through :func:`apply` (edits from the app or the command line, and imports), which in
one transaction

1. reads the features concerned with their write locks (PostgreSQL ``FOR UPDATE``; on SQLite the whole
   write transaction holds the database's lock, ``BEGIN IMMEDIATE``);
2. refuses the save if a feature's version is not the one the user saw (:class:`~facilities.errors.EditConflict`
   with who changed what since), or if the result breaks a record check of the layer model
   (:class:`~facilities.errors.EditRejected`, one problem per field, the same checks as ``validate``);
3. bumps the city's revision (the number of the save: ``batch`` in the audit trail);
4. writes the rows (``UPDATE … WHERE version = :seen``, so a write that lost a race changes nothing) and
   one audit row per changed field, in the same transaction.

Nothing is written when anything fails. The history (:func:`history`) and a revert (:func:`revert`) read
and append to the same audit trail.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import shapely
import sqlalchemy as sa
from shapely.geometry.base import BaseGeometry
from sqlalchemy.engine import Connection

from facilities.auth.roles import User, allow
from facilities.city_config import Bounds, parse_city_config
from facilities.errors import EditConflict, EditRejected, StoreError
from facilities.problems import Problem
from facilities.schema import ALL_LAYERS, LayerSpec
from facilities.store.db import engine as db
from facilities.store.db import tables
from facilities.store.db.rows import Props, from_json, geometry_bind, plain, plain_props, read_features, same, to_json, to_row, to_wkb
from facilities.validation import check_geometry, check_properties

#: where a change came from
SOURCES = ("app", "import", "cli", "gis", "revert")


@dataclass(frozen=True)
class Edit:
    """One feature's change.

    ``version``: the version the user saw (None for a new feature: ``values`` then hold all its
    properties and ``geometry`` is required). ``values``: field -> new value (None removes the value).
    ``geometry``: the new geometry (WGS84), or None to keep it. ``delete``: remove the feature.
    """

    layer: str
    feature_id: str
    version: int | None
    values: Mapping[str, Any] = field(default_factory=dict)
    geometry: BaseGeometry | None = None
    delete: bool = False


@dataclass(frozen=True)
class Conflict:
    """A feature saved by someone else since the user opened it: the version edited, the current one, and
    the changes made since (rows of the audit trail)."""

    layer: str
    feature_id: str
    seen: int | None
    current: int | None
    since: tuple[Mapping[str, Any], ...] = ()

    def to_text(self) -> str:
        """One line per change since the user's version: who, when, field, old → new."""
        head = f"{self.layer}/{self.feature_id}: you edited version {self.seen}, it is now " + (
            f"version {self.current}" if self.current is not None else "deleted 已删除"
        )
        if self.current is not None and self.seen is None:
            head = f"{self.layer}/{self.feature_id}: the id is used already (version {self.current}) 编号已存在"
        lines = [head]
        for c in self.since:
            lines.append(f"    {c['at']:%Y-%m-%d %H:%M} {c['user']} ({c['source']}): {c['field']} {c['old']} → {c['new']}")
        return "\n".join(lines)


@dataclass
class Saved:
    """What a save did: the city's new ``revision`` (the save's number), each feature's new version
    (``(layer, id) -> version``, None for a deleted one) and the number of audit rows written."""

    revision: int
    versions: dict[tuple[str, str], int | None] = field(default_factory=dict)
    changes: int = 0


@dataclass
class _Change:
    """One row of the audit trail, before it is written."""

    layer: str
    feature_id: str
    action: str
    field: str
    old: Any
    new: Any
    version: int | None
    reverts: int | None = None


def _bounds(conn: Connection, key: str) -> Bounds | None:
    # the city row is locked first: every save of a city waits for the one before (two new features of one id
    # cannot both pass the check below)
    query = sa.select(tables.cities.c.config_toml).where(tables.cities.c.key == key).with_for_update()
    text = conn.execute(query).scalar_one_or_none()
    if text is None:
        raise StoreError(f"{key!r}: no such city in the database (cities: {', '.join(city_keys(conn)) or 'none'})")
    config, _ = parse_city_config(text.encode("utf-8"))
    return config.bounds if config else None


def city_keys(conn: Connection) -> list[str]:
    """The keys of the cities in the database, sorted."""
    return list(conn.execute(sa.select(tables.cities.c.key).order_by(tables.cities.c.key)).scalars())


def bump(conn: Connection, key: str) -> int:
    """Increase the city's revision; the new revision (the number of this save)."""
    revision = conn.execute(
        sa.update(tables.cities)
        .where(tables.cities.c.key == key)
        .values(revision=tables.cities.c.revision + 1)
        .returning(tables.cities.c.revision)
    ).scalar_one_or_none()
    if revision is None:
        raise StoreError(f"{key!r}: no such city in the database")
    return int(revision)


def geometry_json(wkb: bytes | None) -> Any:
    """A WKB geometry as a GeoJSON geometry object (coordinates rounded to 7 decimals, ~1 cm)."""
    if wkb is None:
        return None
    return json.loads(shapely.to_geojson(shapely.set_precision(shapely.from_wkb(wkb), 1e-7)))


def _problems(props: Props, geom: BaseGeometry | None, spec: LayerSpec, bounds: Bounds | None) -> list[Problem]:
    """The record checks of ``validate`` on one feature as it would be saved."""
    label = str(props.get("id"))
    found = check_properties(props, spec, spec.filename, label, {}, label)
    if geom is None:
        found.append(
            Problem.error("geometry", spec.filename, "geometry", None, "no geometry", "a " + " or ".join(spec.geometry_types), label)
        )
    else:
        found += check_geometry(json.loads(shapely.to_geojson(geom)), spec, spec.filename, label, bounds)
    return [p for p in found if p.severity == "error"]


def _since(conn: Connection, key: str, layer: str, fid: str, version: int | None) -> tuple[Mapping[str, Any], ...]:
    c = tables.changes.c
    query = sa.select(tables.changes).where(c.city == key, c.layer == layer, c.feature_id == fid)
    if version is not None:
        query = query.where(c.version > version)
    return tuple(dict(r) for r in conn.execute(query.order_by(c.change)).mappings())


def _plan(
    edit: Edit, current: tuple[int, Props, bytes | None] | None, spec: LayerSpec, bounds: Bounds | None
) -> tuple[Props | None, bytes | None, list[_Change], list[Problem]]:
    """The feature after ``edit`` (properties, WKB), its audit rows, and its problems."""
    if edit.delete:
        assert current is not None
        version, props, wkb = current
        return None, None, [_Change(spec.name, edit.feature_id, "delete", "*", props, None, version)], []
    if current is None:
        props = plain_props({**edit.values, "id": edit.feature_id})
        problems = _problems(props, edit.geometry, spec, bounds)
        return props, to_wkb(edit.geometry), [_Change(spec.name, edit.feature_id, "insert", "*", None, props, 1)], problems
    version, props, wkb = current
    new = dict(props)
    changes = []
    for name, value in edit.values.items():
        value = plain(value)
        if value == "":
            value = None
        if name == "id":
            continue
        if not same(props.get(name), value):
            changes.append(_Change(spec.name, edit.feature_id, "update", name, props.get(name), value, version + 1))
            if value is None:
                new.pop(name, None)
            else:
                new[name] = value
    new_wkb = wkb
    if edit.geometry is not None:
        candidate = to_wkb(edit.geometry)
        if geometry_json(candidate) != geometry_json(wkb):
            new_wkb = candidate
            changes.append(
                _Change(spec.name, edit.feature_id, "update", "geometry", geometry_json(wkb), geometry_json(candidate), version + 1)
            )
    geom = shapely.from_wkb(new_wkb) if new_wkb is not None else None
    return new, new_wkb, changes, (_problems(new, geom, spec, bounds) if changes else [])


def _write_row(conn: Connection, key: str, spec: LayerSpec, fid: str, seen: int | None, props: Props | None, wkb: bytes | None) -> bool:
    """Write one feature as planned; False when the row was not the version seen (lost a race)."""
    table = tables.layers[spec.name]
    if props is None:
        done = conn.execute(sa.delete(table).where(table.c.city == key, table.c.id == fid, table.c.version == seen))
        return done.rowcount == 1
    values = to_row(props, spec)
    if seen is None:
        conn.execute(sa.insert(table).values(geom=geometry_bind(conn)), [{"city": key, "id": fid, "version": 1, **values, "wkb": wkb}])
        return True
    query = (
        sa.update(table)
        .where(table.c.city == key, table.c.id == fid, table.c.version == seen)
        .values(version=seen + 1, geom=geometry_bind(conn), **values)
    )
    return conn.execute(query, {"wkb": wkb}).rowcount == 1


def record(
    conn: Connection, key: str, batch: int, changes: Sequence[_Change], user: str, source: str, note: str, at: dt.datetime | None = None
) -> int:
    """Append the audit rows of one save; how many."""
    if not changes:
        return 0
    when = at or dt.datetime.now(dt.UTC)
    rows = [
        {
            "batch": batch, "at": when, "user": user, "source": source, "city": key, "layer": c.layer,
            "feature_id": c.feature_id, "action": c.action, "field": c.field, "old": to_json(c.old),
            "new": to_json(c.new), "version": c.version, "note": note or None, "reverts": c.reverts,
        }
        for c in changes
    ]  # fmt: skip
    conn.execute(sa.insert(tables.changes), rows)
    return len(rows)


def _check_edits(edits: Sequence[Edit]) -> None:
    for e in edits:
        if e.layer not in ALL_LAYERS:
            raise StoreError(f"{e.layer!r}: not a layer (accepted: {', '.join(ALL_LAYERS)})")
        if not isinstance(e.feature_id, str) or not e.feature_id.strip():
            raise StoreError(f"{e.layer}: {e.feature_id!r}: not a feature id (accepted: a non-empty text)")
    ids = [(e.layer, e.feature_id) for e in edits]
    if len(set(ids)) != len(ids):
        raise StoreError("one save changes each feature once; the same feature was given twice")


def apply(conn: Connection, key: str, edits: Sequence[Edit], user: User, source: str, note: str = "", reverts: int | None = None) -> Saved:
    """Apply ``edits`` to city ``key`` inside the open write transaction ``conn`` (see the module's
    docstring); raises Forbidden (the user's role may not edit, or not delete), EditConflict or
    EditRejected (the caller's transaction is then rolled back). ``reverts``: the change these edits undo
    (recorded with them; the caller checked that the user may revert)."""
    allow(user, "revert" if reverts is not None else "delete" if any(e.delete for e in edits) else "edit")
    _check_edits(edits)
    if source not in SOURCES:
        raise StoreError(f"source {source!r}: accepted: {', '.join(SOURCES)}")
    bounds = _bounds(conn, key)
    by_layer: dict[str, list[Edit]] = {}
    for e in edits:
        by_layer.setdefault(e.layer, []).append(e)
    conflicts, problems = [], []
    planned: list[tuple[Edit, LayerSpec, Props | None, bytes | None, list[_Change]]] = []
    for layer, group in by_layer.items():
        spec = ALL_LAYERS[layer]
        current = read_features(conn, key, spec, [e.feature_id for e in group], lock=True)
        for e in group:
            stored = current.get(e.feature_id)
            version = stored[0] if stored else None
            if version != e.version:
                conflicts.append(Conflict(layer, e.feature_id, e.version, version, _since(conn, key, layer, e.feature_id, e.version)))
                continue
            if e.delete and stored is None:
                continue
            props, wkb, changes, found = _plan(e, stored, spec, bounds)
            problems += found
            planned.append((e, spec, props, wkb, changes))
    if conflicts:
        raise EditConflict(conflicts)
    if problems:
        raise EditRejected(problems)
    if not any(changes for *_, changes in planned):  # nothing differs: no new revision, nothing recorded
        revision = conn.execute(sa.select(tables.cities.c.revision).where(tables.cities.c.key == key)).scalar_one()
        return Saved(int(revision), {(e.layer, e.feature_id): e.version for e, *_ in planned})
    saved = Saved(bump(conn, key))
    all_changes: list[_Change] = []
    for e, spec, props, wkb, changes in planned:
        if not changes:
            saved.versions[(e.layer, e.feature_id)] = e.version
            continue
        if not _write_row(conn, key, spec, e.feature_id, e.version, props, wkb):
            raise EditConflict([Conflict(e.layer, e.feature_id, e.version, None, _since(conn, key, e.layer, e.feature_id, e.version))])
        saved.versions[(e.layer, e.feature_id)] = None if props is None else (1 if e.version is None else e.version + 1)
        for c in changes:
            c.reverts = reverts
        all_changes += changes
    saved.changes = record(conn, key, saved.revision, all_changes, user.login, source, note)
    return saved


def edit(key: str, edits: Sequence[Edit], *, user: User, note: str = "", source: str = "app", database: str | None = None) -> Saved:
    """Save ``edits`` to city ``key`` in one transaction (all or nothing); see :func:`apply`."""
    with db.write(database) as conn:
        return apply(conn, key, edits, user, source, note)


def revert(key: str, change: int, *, user: User, note: str = "", database: str | None = None) -> Saved:
    """Undo one change of a field (``action = update``): set the field back to its old value, recorded as a
    new change (``source = revert``, ``reverts`` = the change). Refused (EditConflict) when the field has
    been changed again since; a feature created or deleted is not reverted here (retire it, or re-import).
    An administrator's action (Forbidden otherwise)."""
    allow(user, "revert")
    with db.write(database) as conn:
        c = tables.changes.c
        row = conn.execute(sa.select(tables.changes).where(c.change == change, c.city == key)).mappings().one_or_none()
        if row is None:
            raise StoreError(f"change {change}: no such change in city {key!r}")
        if row["layer"] == tables.TASKS_LAYER:
            raise StoreError(
                f"change {change}: a step of task {row['feature_id']} cannot be reverted (a task changes by its next step: "
                f"python -m facilities tasks move {key} {row['feature_id']} --to <state>)"
            )
        if row["layer"] not in ALL_LAYERS:
            raise StoreError(
                f"change {change}: a change of the city's {row['feature_id']} cannot be reverted here "
                "(accepted: a change of one field of a feature; load the earlier file again with `db load`)"
            )
        if row["action"] != "update":
            raise StoreError(f"change {change}: a feature {row['action']} cannot be reverted here (accepted: a change of one field)")
        spec = ALL_LAYERS[row["layer"]]
        current = read_features(conn, key, spec, [row["feature_id"]], lock=True).get(row["feature_id"])
        later = [r for r in _since(conn, key, row["layer"], row["feature_id"], row["version"]) if r["field"] == row["field"]]
        if current is None or later:
            raise EditConflict([Conflict(row["layer"], row["feature_id"], row["version"], current[0] if current else None, tuple(later))])
        old = from_json(row["old"])
        if row["field"] == "geometry":
            e = Edit(row["layer"], row["feature_id"], current[0], geometry=shapely.geometry.shape(old) if old else None)
        else:
            e = Edit(row["layer"], row["feature_id"], current[0], {row["field"]: old})
        return apply(conn, key, [e], user, "revert", note or f"revert of change {change}", reverts=change)


def history(
    key: str,
    *,
    by: User,
    layer: str | None = None,
    feature: str | None = None,
    user: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int | None = None,
    database: str | None = None,
) -> pd.DataFrame:
    """The audit trail of city ``key``, newest first (columns :data:`~facilities.store.db.tables.CHANGE_COLUMNS`),
    narrowed to a layer, a feature id, a user, or dates (inclusive, UTC). ``by``: who asks (staff, leaders
    and admins read the trail: it names who changed what)."""
    allow(by, "history")
    c = tables.changes.c
    query = sa.select(*(c[n] for n in tables.CHANGE_COLUMNS)).where(c.city == key)
    if layer:
        query = query.where(c.layer == layer)
    if feature:
        query = query.where(c.feature_id == feature)
    if user:
        query = query.where(c.user == user)
    if since:
        query = query.where(c.at >= dt.datetime.combine(since, dt.time(), dt.UTC))
    if until:
        query = query.where(c.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC))
    query = query.order_by(c.change.desc())
    if limit:
        query = query.limit(limit)
    with db.read(database) as conn:
        rows = conn.execute(query).mappings().all()
    frame = pd.DataFrame(rows, columns=list(tables.CHANGE_COLUMNS))
    if len(frame):
        frame["at"] = pd.to_datetime(frame["at"], utc=True)
    for name in ("change", "batch", "version", "reverts"):
        frame[name] = frame[name].astype("Int64")
    return frame


@dataclass(frozen=True)
class Stored:
    """One stored feature: its properties, geometry (WGS84) and version."""

    layer: str
    feature_id: str
    version: int
    props: Props
    geometry: BaseGeometry | None


def feature(key: str, layer: str, feature_id: str, *, database: str | None = None) -> Stored | None:
    """The stored feature ``layer/feature_id`` of city ``key`` with its version (None if there is none)."""
    if layer not in ALL_LAYERS:
        raise StoreError(f"{layer!r}: not a layer (accepted: {', '.join(ALL_LAYERS)})")
    with db.read(database) as conn:
        found = read_features(conn, key, ALL_LAYERS[layer], [feature_id]).get(feature_id)
    if found is None:
        return None
    version, props, wkb = found
    return Stored(layer, feature_id, version, props, shapely.from_wkb(wkb) if wkb is not None else None)


def snapshot(key: str, layer: str, *, database: str | None = None) -> tuple[Any, dict[str, int]]:
    """A layer of city ``key`` as a GeoDataFrame and every feature's version, read in one snapshot (what a
    table editor edits: a save then names the versions the user saw)."""
    from facilities.store.db.rows import read_layer

    table = tables.layers[layer]
    with db.read(database) as conn:
        gdf = read_layer(conn, key, ALL_LAYERS[layer])
        found = dict(conn.execute(sa.select(table.c.id, table.c.version).where(table.c.city == key)).all())
    return gdf, found


def table_edits(layer: str, before: pd.DataFrame, after: pd.DataFrame, versions: Mapping[str, int]) -> list[Edit]:
    """The edits a table editor made: for each row (matched by ``id``), the cells that differ, at the
    version the table was read at; unchanged rows and cells give nothing."""
    out = []
    spec = ALL_LAYERS[layer]
    fields = [f.name for f in spec.fields if f.name != "id" and f.name in before.columns and f.name in after.columns]
    old_rows = {str(r["id"]): r for r in before.to_dict(orient="records")}
    for row in after.to_dict(orient="records"):
        fid = str(row["id"])
        old = old_rows.get(fid)
        if old is None:
            continue
        values = {f: plain(row[f]) for f in fields if not same(plain(old[f]), plain(row[f]))}
        if values:
            out.append(Edit(layer, fid, versions.get(fid), values))
    return out


def versions(key: str, layer: str, *, database: str | None = None) -> dict[str, int]:
    """Every feature's version in a layer of city ``key`` (id -> version)."""
    table = tables.layers[layer]
    with db.read(database) as conn:
        return dict(conn.execute(sa.select(table.c.id, table.c.version).where(table.c.city == key)).all())


__all__ = [
    "SOURCES", "Conflict", "Edit", "Saved", "Stored", "apply", "bump", "edit", "feature", "history", "record", "revert",
    "snapshot", "table_edits", "versions",
]  # fmt: skip
