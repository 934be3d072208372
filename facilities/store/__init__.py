"""The store: every read and write of the inventory goes through these functions.

Two backends: :mod:`facilities.store.folder` (a city is a folder of GeoJSON layer files and a ``city.toml``:
the exchange format) and :mod:`facilities.store.db` (the system of record: SQLite by default,
PostgreSQL + PostGIS via ``FACILITIES_DB``; versions, transactions, an audit trail). The functions take a
*source* or *target* — a city folder (``str`` or ``Path``) or a city in the database (:class:`DbCity`;
:func:`resolve` turns what a user typed into one or the other) — and return cities, reports and results,
never paths to write to. The rest of the project never knows which backend it talks to.

Editing (database cities only): ``edit(city, edits, user=…)``, ``revert``, ``history``, ``feature``,
``revision``, ``cities``, ``load_folder`` (``db load``), ``dump`` — see :mod:`facilities.store.db.edits`
and :mod:`facilities.store.db.backend`.

Reading
    ``load(source) -> City``
        validate, then load every layer (a missing one is empty); :class:`~facilities.errors.CityValidationError`
        with the full report when the city has errors.
    ``validate(source) -> ValidationReport``
        every problem of the city, and per-layer counts; nothing loaded.
    ``describe(target) -> StoredCity``
        what a target holds before a write (its config, the layers stored), reading no layer;
        :class:`~facilities.errors.StoreError` when it cannot hold a city (a file, not a folder).

Writing
    ``write_layers(target, layers, *, mode="new", city_toml=None, rules=None, dry_run=False) -> WriteResult``
        write some layers (``{name: GeoDataFrame}``, WGS84, a missing value = no property) into a city.
        ``mode``: ``new`` refuses if one of the layers is stored already; ``merge`` replaces the stored
        features with the same ``id`` and adds the others; ``replace`` stores the frames instead (merge and
        replace keep the previous layer as a backup). ``city_toml``: the config of a new city (required when
        the target is not a city yet, refused when it is). ``rules``: called with the written city, returns
        the text of a rules file for it (or None), written only where the city has none. ``dry_run``: check
        and validate everything, change nothing. The result says, per layer, the action and the features
        added / updated / kept, and where the layer is; ``problems`` lists the errors that stopped the write.
        Validation comes before any change: when the result would not be a valid city, or a layer to merge
        into has errors, nothing is written. A database writes every layer in one transaction; the folder
        backend replaces one file per layer, each atomically (see :mod:`facilities.store.folder`), so a
        failure while moving files into place (:class:`~facilities.errors.StoreWriteError`) names what was
        already in place. A request that cannot be made as asked raises StoreError before anything is written.
    ``save_city(city, target)``
        a copy of a loaded city (its config and every non-empty layer).
    ``write_atomic(path, text_or_bytes)``
        one file that is not part of the inventory (an exported map, a scorecard, a CSV): the old file or the
        new one, whole, never half.

Frames and formats (shared by every backend)
    ``empty_layer(spec)``, ``coerce_layer(gdf, spec)`` (:mod:`facilities.store.frames`): layers with the
    declared dtypes; ``features_frame(props, geometries, spec)``: features as a frame to write;
    ``layer_to_geojson(gdf)`` (:mod:`facilities.store.geojson`): a layer as a GeoJSON dict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd

from facilities.auth.roles import User
from facilities.auth.scope import visible_city
from facilities.city import City
from facilities.errors import StoreError
from facilities.problems import ValidationReport
from facilities.store import folder
from facilities.store.atomic import write_atomic
from facilities.store.db import backend as db_backend
from facilities.store.db import edits as db_edits
from facilities.store.db.edits import Conflict, Edit, Saved, Stored, table_edits
from facilities.store.frames import coerce_layer, empty_layer, features_frame
from facilities.store.geojson import layer_to_geojson
from facilities.store.results import MODES, LayerWrite, StoredCity, WriteResult


@dataclass(frozen=True)
class DbCity:
    """A city in the database: its key (e.g. ``xiangyang``) and the database (None: ``FACILITIES_DB``)."""

    key: str
    database: str | None = None

    def __str__(self) -> str:
        return f"db:{self.key}"


#: where a city is: a folder, or a city in the database
Source = str | Path | DbCity

#: the prefix naming a city in the database on the command line (``db:xiangyang``)
DB_PREFIX = "db:"


def resolve(text: str | Path, database: str | None = None) -> Source:
    """What a user typed as a city: ``db:<key>`` is a city in the database; an existing folder is that
    folder; any other name is the database's city of that name if there is one, else the folder (whose
    absence the caller reports)."""
    if isinstance(text, Path):
        return text
    if text.startswith(DB_PREFIX):
        return DbCity(text[len(DB_PREFIX) :], database)
    path = Path(text)
    if path.exists() or "/" in text or "\\" in text:
        return path
    try:
        keys = {c["key"] for c in db_backend.cities(database)}
    except StoreError:
        return path
    return DbCity(text, database) if text in keys else path


def load(source: Source, *, user: User | None = None) -> City:
    """Validate and load a city; CityValidationError (its ``report`` lists every problem) if it has errors.
    With ``user``: the city as that user may see it (:func:`~facilities.auth.scope.visible_city`: a unit's
    user sees its own facilities only)."""
    city = db_backend.load(source.key, source.database) if isinstance(source, DbCity) else folder.load(source)
    return visible_city(city, user) if user is not None else city


def validate(source: Source) -> ValidationReport:
    """Every problem of a city and its per-layer counts, without loading it."""
    if isinstance(source, DbCity):
        return db_backend.validate(source.key, source.database)
    return folder.validate(source)


def describe(target: Source) -> StoredCity:
    """What ``target`` holds before a write (config, stored layers); StoreError if it cannot hold a city."""
    if isinstance(target, DbCity):
        return db_backend.describe(target.key, target.database)
    return folder.describe(target)


def write_layers(
    target: Source,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    mode: str = "new",
    city_toml: str | None = None,
    rules: Callable[[City], str | None] | None = None,
    dry_run: bool = False,
    user: User | None = None,
) -> WriteResult:
    """Write ``layers`` into the city ``target`` (see the module's docstring): validated first, then in place.
    Into the database, ``user`` is who imports (an administrator's action); a folder has no users."""
    if isinstance(target, DbCity):
        return db_backend.write_layers(
            target.key, layers, mode=mode, city_toml=city_toml, rules=rules, dry_run=dry_run, user=user, database=target.database
        )
    return folder.write_layers(target, layers, mode=mode, city_toml=city_toml, rules=rules, dry_run=dry_run)


def save_city(city: City, target: Source, *, user: User | None = None) -> None:
    """Write a copy of ``city`` (its config, rules and every non-empty layer) to ``target`` (into the
    database: by ``user``, an administrator)."""
    if isinstance(target, DbCity):
        layers = {name: gdf for name, gdf in city.layers.items() if len(gdf)}
        db_backend.write_layers(
            target.key, layers, mode="replace", city_toml=city.config_text, rules_text=city.rules_text,
            user=user, source="cli", database=target.database,
        )  # fmt: skip
        return
    folder.save_city(city, target)


# --------------------------------------------------------------------------- the database's own functions


def _db(source: Source) -> DbCity:
    if not isinstance(source, DbCity):
        raise StoreError(
            f"{source}: a city folder has no history or versions; load it into the database first (`python -m facilities db load {source}`)"
        )
    return source


def edit(city: Source, edits: list[Edit], *, user: User, note: str = "", source: str = "app") -> Saved:
    """Save ``edits`` in one transaction (EditConflict / EditRejected: nothing written)."""
    target = _db(city)
    return db_edits.edit(target.key, edits, user=user, note=note, source=source, database=target.database)


def revert(city: Source, change: int, *, user: User, note: str = "") -> Saved:
    """Undo one change of a field (recorded as a change itself)."""
    target = _db(city)
    return db_edits.revert(target.key, change, user=user, note=note, database=target.database)


def history(city: Source, *, by: User, **filters: Any) -> Any:
    """The audit trail of a city, newest first, for ``by`` (see :func:`facilities.store.db.edits.history`)."""
    target = _db(city)
    return db_edits.history(target.key, by=by, database=target.database, **filters)


def feature(city: Source, layer: str, feature_id: str) -> Stored | None:
    """One stored feature with its version."""
    target = _db(city)
    return db_edits.feature(target.key, layer, feature_id, database=target.database)


def snapshot(city: Source, layer: str) -> tuple[Any, dict[str, int]]:
    """A layer and its features' versions, read together (for a table editor)."""
    target = _db(city)
    return db_edits.snapshot(target.key, layer, database=target.database)


def revision(city: Source) -> int | None:
    """The city's revision (grows with every save), None when it is not in the database."""
    target = _db(city)
    return db_backend.revision(target.key, target.database)


def changed_layers(city: Source, since: int) -> frozenset[str]:
    """The layers of a city changed after revision ``since`` (``city``: its config or rules)."""
    target = _db(city)
    return db_backend.changed_layers(target.key, since, target.database)


def cities(database: str | None = None) -> list[DbCity]:
    """The cities in the database."""
    return [DbCity(c["key"], database) for c in db_backend.cities(database)]


def load_folder(path: str | Path, city: DbCity, *, user: User | None = None, dry_run: bool = False) -> tuple[WriteResult, ValidationReport]:
    """Load a city folder into the database (``db load``): validated first, then inserted or updated by id."""
    return db_backend.load_folder(path, city.key, user=user, dry_run=dry_run, database=city.database)


def dump(city: Source, out: str | Path) -> City:
    """A stored city as a city folder again (``db dump``)."""
    target = _db(city)
    return db_backend.dump(target.key, out, target.database)


__all__ = [
    "DB_PREFIX",
    "MODES",
    "Conflict",
    "DbCity",
    "Edit",
    "LayerWrite",
    "Saved",
    "Source",
    "Stored",
    "StoredCity",
    "WriteResult",
    "changed_layers",
    "cities",
    "coerce_layer",
    "describe",
    "dump",
    "edit",
    "empty_layer",
    "feature",
    "features_frame",
    "history",
    "layer_to_geojson",
    "load",
    "load_folder",
    "resolve",
    "revert",
    "revision",
    "save_city",
    "snapshot",
    "table_edits",
    "validate",
    "write_atomic",
    "write_layers",
]
