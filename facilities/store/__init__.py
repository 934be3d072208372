"""The store: every read and write of the inventory goes through these functions.

One backend today, :mod:`facilities.store.folder` (a city is a folder of GeoJSON layer files and a
``city.toml``); a later issue adds a database backend (SQLAlchemy: SQLite by default, PostgreSQL/PostGIS via
``FACILITIES_DB``) behind the same functions. So the functions take a *source* or *target* — a city folder
today (``str`` or ``Path``), a city's name in the database later — and return cities, reports and results,
never paths to write to. The rest of the project never knows which backend it talks to.

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
from pathlib import Path
from types import ModuleType

import geopandas as gpd

from facilities.city import City
from facilities.problems import ValidationReport
from facilities.store import folder
from facilities.store.atomic import write_atomic
from facilities.store.frames import coerce_layer, empty_layer, features_frame
from facilities.store.geojson import layer_to_geojson
from facilities.store.results import MODES, LayerWrite, StoredCity, WriteResult

#: where a city is: a folder today (a city's name in the database later)
Source = str | Path


def _backend(source: Source) -> ModuleType:
    """The backend holding ``source``: the folder backend (the database backend will be chosen by FACILITIES_DB)."""
    return folder


def load(source: Source) -> City:
    """Validate and load a city; CityValidationError (its ``report`` lists every problem) if it has errors."""
    return _backend(source).load(source)


def validate(source: Source) -> ValidationReport:
    """Every problem of a city and its per-layer counts, without loading it."""
    return _backend(source).validate(source)


def describe(target: Source) -> StoredCity:
    """What ``target`` holds before a write (config, stored layers); StoreError if it cannot hold a city."""
    return _backend(target).describe(target)


def write_layers(
    target: Source,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    mode: str = "new",
    city_toml: str | None = None,
    rules: Callable[[City], str | None] | None = None,
    dry_run: bool = False,
) -> WriteResult:
    """Write ``layers`` into the city ``target`` (see the module's docstring): validated first, then in place."""
    return _backend(target).write_layers(target, layers, mode=mode, city_toml=city_toml, rules=rules, dry_run=dry_run)


def save_city(city: City, target: Source) -> None:
    """Write a copy of ``city`` (its config and every non-empty layer) to ``target``."""
    _backend(target).save_city(city, target)


__all__ = [
    "MODES",
    "LayerWrite",
    "Source",
    "StoredCity",
    "WriteResult",
    "coerce_layer",
    "describe",
    "empty_layer",
    "features_frame",
    "layer_to_geojson",
    "load",
    "save_city",
    "validate",
    "write_atomic",
    "write_layers",
]
