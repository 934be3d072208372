"""The database backend: cities in SQLite (the default) or PostgreSQL + PostGIS, behind the store's functions.

A city is named by its *key* (the name of the folder it was first loaded from, e.g. ``xiangyang``).
Reading (:func:`load`) takes one snapshot of every layer; :func:`validate` checks a stored city exactly as
``validate`` checks a folder (it is dumped to a temporary folder and validated there), which also finds what
a GIS user may have typed straight into a table. Writing layers (:func:`write_layers`, used by ``db load``
and by the importers) validates the result as the folder backend does — nothing is written when it has
errors — then writes every layer, the city's config and rules, and the audit rows in **one transaction**:
features are inserted or updated by id (``merge``), or the stored layer is replaced, and only features
that change get a new version and an audit row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from facilities.auth.roles import User, allow
from facilities.city import City
from facilities.city_config import CONFIG_FILE, parse_city_config
from facilities.errors import CityValidationError, StoreError
from facilities.problems import Problem, ValidationReport
from facilities.rules import RULES_FILE
from facilities.schema import ALL_LAYERS, LayerSpec
from facilities.store import folder as folder_backend
from facilities.store.db import engine as db
from facilities.store.db import tables
from facilities.store.db.edits import _Change, bump, geometry_json, record
from facilities.store.db.rows import geometry_bind, plain_props, read_features, read_layer, same, to_row, to_wkb
from facilities.store.frames import features_frame, frame_features
from facilities.store.results import LayerWrite, StoredCity, WriteResult, check_mode_and_layers
from facilities.validation import validate_city

#: the audit trail's layer and feature for a city's own files
CITY_LAYER = "city"


def cities(database: str | None = None) -> list[dict[str, Any]]:
    """The cities in the database: key, name and revision, sorted by key."""
    c = tables.cities.c
    with db.read(database) as conn:
        return [dict(r) for r in conn.execute(sa.select(c.key, c.name, c.revision).order_by(c.key)).mappings()]


def revision(key: str, database: str | None = None) -> int | None:
    """The city's revision (None when there is no such city): it changes with every saved change."""
    with db.read(database) as conn:
        return conn.execute(sa.select(tables.cities.c.revision).where(tables.cities.c.key == key)).scalar_one_or_none()


def changed_layers(key: str, since: int, database: str | None = None) -> frozenset[str]:
    """The layers changed in city ``key`` after revision ``since`` (from the audit trail; ``city`` when its
    config or rules changed)."""
    c = tables.changes.c
    with db.read(database) as conn:
        return frozenset(
            conn.execute(sa.select(c.layer).where(c.city == key, c.batch > since, c.layer != tables.TASKS_LAYER).distinct()).scalars()
        )


def _city_row(conn: Connection, key: str) -> Any:
    return conn.execute(sa.select(tables.cities).where(tables.cities.c.key == key)).mappings().one_or_none()


def _missing(conn: Connection, key: str) -> StoreError:
    from facilities.store.db.edits import city_keys

    return StoreError(
        f"{key!r}: no such city in the database (cities: {', '.join(city_keys(conn)) or 'none'}); "
        "load one with `python -m facilities db load <folder>`"
    )


def load(key: str, database: str | None = None) -> City:
    """City ``key`` from the database: every layer, read in one snapshot (sorted by id)."""
    with db.read(database) as conn:
        row = _city_row(conn, key)
        if row is None:
            raise _missing(conn, key)
        layers = {name: read_layer(conn, key, spec) for name, spec in ALL_LAYERS.items()}
    config, problems = parse_city_config(row["config_toml"].encode("utf-8"))
    report = ValidationReport(Path(key), [p for p in problems if p.severity != "error"])
    if config is None:
        report.problems = problems
        raise CityValidationError(report)
    return City(Path(key), config, layers, report, row["config_toml"], row["rules_toml"], key, int(row["revision"]))


def dump(key: str, out: str | Path, database: str | None = None) -> City:
    """Write city ``key`` as a city folder (``city.toml``, ``rules.toml``, one file per non-empty layer)."""
    city = load(key, database)
    folder_backend.save_city(city, out)
    return city


def validate(key: str, database: str | None = None) -> ValidationReport:
    """Every problem of the stored city, found by the checks ``validate`` makes on a folder."""
    with tempfile.TemporaryDirectory(prefix="facilities-validate-") as tmp:
        try:
            dump(key, tmp, database)
        except CityValidationError as exc:
            return exc.report
        report = validate_city(tmp)
    report.folder = Path(key)
    return report


def describe(key: str, database: str | None = None) -> StoredCity:
    """What the database holds for ``key`` (its config, the layers that have features)."""
    with db.read(database) as conn:
        row = _city_row(conn, key)
        stored = frozenset(
            name for name, table in tables.layers.items()
            if row is not None and conn.execute(sa.select(table.c.id).where(table.c.city == key).limit(1)).first() is not None
        )  # fmt: skip
    where = f"db:{key}"
    if row is None:
        return StoredCity(key, where, False, None)
    config, problems = parse_city_config(row["config_toml"].encode("utf-8"))
    errors = tuple(p for p in problems if p.severity == "error") if config is None else ()
    return StoredCity(key, where, True, config, errors, stored)


# --------------------------------------------------------------------------- writing layers


def _check_request(info: StoredCity, layers: Mapping[str, gpd.GeoDataFrame], mode: str, city_toml: str | None) -> None:
    check_mode_and_layers(mode, layers)
    if not info.has_config and city_toml is None:
        raise StoreError(f"{info.where}: no such city; give the new city's {CONFIG_FILE}")
    if mode == "new":
        existing = [name for name in layers if name in info.layers]
        if existing:
            raise StoreError(f"{info.where}: layer(s) {', '.join(existing)} already stored; nothing was written")


def _merged(stored: gpd.GeoDataFrame, new: gpd.GeoDataFrame, spec: LayerSpec, outcome: LayerWrite) -> gpd.GeoDataFrame:
    old = frame_features(stored)
    incoming = frame_features(new)
    by_id = {p["id"]: (p, g) for p, g in incoming}
    final = [by_id.pop(p.get("id"), (p, g)) for p, g in old]
    outcome.updated = len(incoming) - len(by_id)
    outcome.kept = len(old) - outcome.updated
    outcome.added = len(by_id)
    final += list(by_id.values())
    return features_frame([p for p, _ in final], [g for _, g in final], spec)


def write_layers(
    key: str,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    mode: str = "new",
    city_toml: str | None = None,
    rules: Callable[[City], str | None] | None = None,
    dry_run: bool = False,
    rules_text: str | None = None,
    user: User | None = None,
    source: str = "import",
    database: str | None = None,
) -> WriteResult:
    """Write ``layers`` into city ``key`` (see :func:`facilities.store.write_layers`): validated as a folder
    would be, then in one transaction. ``city_toml`` for a city that is stored already replaces its config
    (recorded in the audit trail). ``rules_text``: the city's rules file (stored, replacing the one
    there, with an audit row); ``rules``: called for a new city's rules when no ``rules_text`` is given.
    ``user``: who imports (an administrator's action: Forbidden otherwise, nothing written)."""
    user = allow(user, "import")
    info = describe(key, database)
    _check_request(info, layers, mode, city_toml)
    result = WriteResult(f"db:{key}", dry_run)
    to_write = {name: gdf for name, gdf in layers.items() if len(gdf)}
    result.layers = {name: LayerWrite(name) for name in to_write}
    current = load(key, database) if info.has_config else None
    config_text = city_toml if city_toml is not None else (current.config_text if current else "")
    final: dict[str, gpd.GeoDataFrame] = {}
    for name, gdf in to_write.items():
        outcome = result.layers[name]
        spec = ALL_LAYERS[name]
        if current is not None and name in info.layers and mode == "merge":
            final[name] = _merged(current[name], gdf, spec, outcome)
            outcome.action = "merged"
        else:
            final[name] = gdf
            outcome.added = len(gdf)
            outcome.action = "replaced" if name in info.layers else "new"
    with tempfile.TemporaryDirectory(prefix="facilities-stage-") as tmp:
        staging = Path(tmp)
        (staging / CONFIG_FILE).write_text(config_text, encoding="utf-8")
        for name, gdf in final.items():
            folder_backend.save_layer(gdf, staging / ALL_LAYERS[name].filename)
        bounds = info.config.bounds if info.config and city_toml is None else None
        if city_toml is not None:
            staged_config, _ = parse_city_config(city_toml.encode("utf-8"))
            bounds = staged_config.bounds if staged_config else None
        errors = folder_backend._staged_problems(staging, list(final), current is None, bounds)
        if errors:
            result.problems.extend(errors)
            return folder_backend._nothing_written(result)
        if rules_text is None and current is None and rules is not None:
            try:
                rules_text = rules(folder_backend.load(staging))
            except CityValidationError as exc:
                result.rules, result.rules_detail = "invalid", f"the city has errors ({len(exc.report.errors)})"
            result.rules = result.rules or ("written" if rules_text is not None else "none")
        elif current is not None and rules is not None and rules_text is None:
            result.rules = "kept" if current.rules_text is not None else "none"
    result.written, result.city_toml = True, current is None
    if dry_run:
        return result
    # the same features as stored: rolled back, no new revision (the caches stay valid)
    with contextlib.suppress(_NoChange):
        _write_all(key, config_text, rules_text, current is None, to_write, final, info, mode, result, user.login, source, database)
    return result


class _NoChange(Exception):
    """A write that changes nothing (rolls its transaction back)."""


def _write_all(
    key: str, config_text: str, rules_text: str | None, new: bool, to_write: Mapping[str, gpd.GeoDataFrame],
    final: Mapping[str, gpd.GeoDataFrame], info: StoredCity, mode: str, result: WriteResult, user: str, source: str,
    database: str | None,
) -> None:  # fmt: skip
    """The transaction of :func:`write_layers`: the city, every layer, the audit rows."""
    with db.write(database) as conn:
        changes = _write_city(conn, key, config_text, rules_text, new)
        if new and rules_text is not None:
            changes.append(_Change(CITY_LAYER, RULES_FILE, "insert", "*", None, rules_text, 1))
        batch = bump(conn, key)
        for name, gdf in to_write.items():
            layer_changes = _write_layer(conn, key, ALL_LAYERS[name], gdf, replace=mode == "replace" and name in info.layers)
            outcome = result.layers[name]
            touched = {c.feature_id for c in layer_changes if c.action == "update"}
            outcome.added = sum(c.action == "insert" for c in layer_changes)
            outcome.updated = len(touched)
            outcome.kept = len(final[name]) - outcome.added - outcome.updated
            changes += layer_changes
        if not changes:
            raise _NoChange
        record(conn, key, batch, changes, user, source, "")


def _write_city(conn: Connection, key: str, config_text: str, rules_text: str | None, new: bool) -> list[_Change]:
    """Insert the city, or update its config and rules where they differ; the audit rows."""
    config, _ = parse_city_config(config_text.encode("utf-8"))
    name = config.name if config else key
    if new:
        conn.execute(sa.insert(tables.cities).values(key=key, name=name, config_toml=config_text, rules_toml=rules_text, revision=0))
        return [_Change(CITY_LAYER, CONFIG_FILE, "insert", "*", None, config_text, 1)]
    row = _city_row(conn, key)
    assert row is not None
    changes = []
    values: dict[str, Any] = {}
    if row["config_toml"] != config_text:
        values.update(config_toml=config_text, name=name)
        changes.append(_Change(CITY_LAYER, CONFIG_FILE, "update", "text", row["config_toml"], config_text, None))
    if rules_text is not None and row["rules_toml"] != rules_text:
        values["rules_toml"] = rules_text
        changes.append(
            _Change(CITY_LAYER, RULES_FILE, "update" if row["rules_toml"] else "insert", "text", row["rules_toml"], rules_text, None)
        )
    if values:
        conn.execute(sa.update(tables.cities).where(tables.cities.c.key == key).values(**values))
    return changes


def set_rules(key: str, text: str, *, user: User, source: str = "app", note: str = "", database: str | None = None) -> int:
    """Store a new rules file for city ``key`` (checked first: RulesError, nothing written); the revision.
    An administrator's action (Forbidden otherwise)."""
    from facilities.rules import parse_rules

    allow(user, "rules")
    parse_rules(text.encode("utf-8"))
    with db.write(database) as conn:
        row = _city_row(conn, key)
        if row is None:
            raise _missing(conn, key)
        changes = _write_city(conn, key, row["config_toml"], text, False)
        batch = bump(conn, key)
        record(conn, key, batch, changes, user.login, source, note)
        return batch


def _write_layer(conn: Connection, key: str, spec: LayerSpec, gdf: gpd.GeoDataFrame, replace: bool) -> list[_Change]:
    """Insert or update the features of ``gdf`` by id (and, with ``replace``, delete the others); bulk
    statements; only features that differ get a new version and audit rows."""
    table = tables.layers[spec.name]
    stored = read_features(conn, key, spec)
    inserts, updates, changes = [], [], []
    incoming = set()
    for props, geom in frame_features(gdf):
        props = plain_props(props)
        fid = str(props["id"])
        incoming.add(fid)
        wkb = to_wkb(geom)
        old = stored.get(fid)
        if old is None:
            inserts.append({"city": key, "id": fid, "version": 1, **to_row(props, spec), "wkb": wkb})
            changes.append(_Change(spec.name, fid, "insert", "*", None, props, 1))
            continue
        version, old_props, old_wkb = old
        diff = [
            _Change(spec.name, fid, "update", k, old_props.get(k), props.get(k), version + 1)
            for k in sorted(set(props) | set(old_props))
            if k != "id" and not same(old_props.get(k), props.get(k))
        ]
        if geometry_json(old_wkb) != geometry_json(wkb):
            diff.append(_Change(spec.name, fid, "update", "geometry", geometry_json(old_wkb), geometry_json(wkb), version + 1))
        if diff:
            row = {f"v_{k}": v for k, v in to_row(props, spec).items()}
            updates.append({"b_id": fid, "b_version": version, "v_version": version + 1, "wkb": wkb, **row})
            changes += diff
    if inserts:
        conn.execute(sa.insert(table).values(geom=geometry_bind(conn)), inserts)
    if updates:
        columns = [c for c in updates[0] if c.startswith("v_")]
        query = (
            sa.update(table)
            .where(table.c.city == key, table.c.id == sa.bindparam("b_id"), table.c.version == sa.bindparam("b_version"))
            .values(geom=geometry_bind(conn), **{c[2:]: sa.bindparam(c) for c in columns})
        )
        conn.execute(query, updates)
    if replace:
        gone = [fid for fid in stored if fid not in incoming]
        for start in range(0, len(gone), 500):
            conn.execute(sa.delete(table).where(table.c.city == key, table.c.id.in_(gone[start : start + 500])))
        changes += [_Change(spec.name, fid, "delete", "*", stored[fid][1], None, stored[fid][0]) for fid in gone]
    return changes


def load_folder(
    folder: str | Path,
    key: str | None = None,
    *,
    user: User | None = None,
    source: str = "import",
    dry_run: bool = False,
    database: str | None = None,
) -> tuple[WriteResult, ValidationReport]:
    """``db load``: validate the city folder as ``validate`` does (nothing is loaded when it has errors),
    then insert or update its features by id in city ``key`` (the folder's name by default), with its
    ``city.toml`` and ``rules.toml``, in one transaction. ``user``: who loads it (an administrator, or the
    command line's operator: Forbidden otherwise)."""
    allow(user, "import")
    path = Path(folder)
    key = key or path.resolve().name
    result = WriteResult(f"db:{key}", dry_run)
    try:
        city = folder_backend.load(path)  # validates first, as `validate` does
    except CityValidationError as exc:
        result.problems = exc.report.errors
        return result, exc.report
    layers = {name: gdf for name, gdf in city.layers.items() if len(gdf)}
    written = write_layers(
        key, layers, mode="merge", city_toml=city.config_text, dry_run=dry_run,
        rules_text=city.rules_text, user=user, source=source, database=database,
    )  # fmt: skip
    return written, city.report


def delete_city(key: str, *, database: str | None = None) -> None:
    """Remove a city and its features (the audit trail keeps its history)."""
    with db.write(database) as conn:
        conn.execute(sa.delete(tables.cities).where(tables.cities.c.key == key))


def when(value: Any) -> str:
    """A timestamp of the audit trail as ``YYYY-MM-DD HH:MM:SS`` (UTC)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S") if value.tzinfo else value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


__all__ = [
    "CITY_LAYER",
    "changed_layers",
    "cities",
    "delete_city",
    "describe",
    "dump",
    "load",
    "load_folder",
    "revision",
    "set_rules",
    "validate",
    "when",
    "write_layers",
]

_ = Problem  # re-exported type for the backends' signatures
