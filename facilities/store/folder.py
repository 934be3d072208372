"""The folder backend: a city is a folder holding ``city.toml``, one ``<layer>.geojson`` per layer and,
optionally, ``rules.toml``.

Reading validates the folder first (:func:`facilities.validation.validate_city`) and reads each layer with
pyogrio/Arrow. Writing a set of layers (:func:`write_layers`):

1. checks the target and the mode before anything is written: ``new`` refuses if a layer is stored already;
2. for ``merge``, reads the stored layer (it must be valid: otherwise nothing is written) and replaces the
   features with the same ``id`` in place, appending the others;
3. writes every layer file in a staging folder (:mod:`facilities.store.staging`) and validates the staged
   result as a whole (``validate_city`` for a new city, ``validate_layer_file`` in an existing one): if that
   fails, nothing is written;
4. moves the staged files into the city folder, keeping the old layer as ``<layer>.geojson.bak-<timestamp>``;
5. writes ``rules.toml`` where the city has none, if asked (the text chosen from the written city).

What an interrupted write can leave is only the staging folder (or, killed inside :func:`write_atomic`, a
complete ``.<name>.<random>.tmp``): ``validate`` warns about both. A write error names the file and what was
in place before it (:class:`~facilities.errors.StoreWriteError`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
from pyproj import CRS
from shapely.geometry import shape

from facilities import settings
from facilities.city import City
from facilities.city_config import CONFIG_FILE, Bounds, read_city_config
from facilities.errors import CityValidationError, StoreError
from facilities.problems import Problem, ValidationReport
from facilities.rules import RULES_FILE
from facilities.schema import ALL_LAYERS, LayerSpec
from facilities.store import staging as stage
from facilities.store.atomic import write_atomic
from facilities.store.frames import coerce_layer, empty_layer, features_frame, frame_features
from facilities.store.geojson import layer_text
from facilities.store.results import LayerWrite, StoredCity, WriteResult, check_mode_and_layers
from facilities.validation import validate_city, validate_layer_file

Features = list[tuple[dict[str, Any], Any]]

# --------------------------------------------------------------------------- reading


def read_layer(path: Path, spec: LayerSpec) -> gpd.GeoDataFrame:
    """Read one (already validated) layer file with pyogrio/Arrow and coerce it to the schema."""
    if not path.exists():
        return empty_layer(spec)
    gdf = pyogrio.read_dataframe(path, use_arrow=True)
    if gdf.crs is None or not gdf.crs.equals(CRS.from_user_input(settings.STORAGE_CRS)):
        gdf = gdf.set_crs(settings.STORAGE_CRS, allow_override=True)
    if len(gdf) == 0:
        return empty_layer(spec)
    return coerce_layer(gdf, spec)


def validate(source: str | Path) -> ValidationReport:
    """Validate the city folder ``source``: ``city.toml`` and every layer file; the full report."""
    return validate_city(source)


def load(source: str | Path) -> City:
    """Validate and load the city folder ``source``; CityValidationError (with every problem) if it has errors."""
    folder = Path(source)
    report = validate_city(folder)
    if not report.ok:
        raise CityValidationError(report)
    config, _ = read_city_config(folder)
    assert config is not None  # a valid report implies a readable config
    layers = {name: read_layer(folder / spec.filename, spec) for name, spec in ALL_LAYERS.items()}
    rules = folder / RULES_FILE
    rules_text = rules.read_bytes().decode("utf-8", "replace") if rules.is_file() else None
    config_text = (folder / CONFIG_FILE).read_text(encoding="utf-8")
    return City(folder, config, layers, report, config_text, rules_text)


def describe(target: str | Path) -> StoredCity:
    """What the folder ``target`` holds (nothing read but ``city.toml``); StoreError if it is a file."""
    out = Path(target)
    if out.exists() and not out.is_dir():
        raise StoreError(f"{out}: exists and is not a folder")
    has_config = (out / CONFIG_FILE).is_file()
    config, problems = read_city_config(out) if has_config else (None, [])
    errors = tuple(p for p in problems if p.severity == "error") if config is None else ()
    layers = frozenset(name for name, spec in ALL_LAYERS.items() if (out / spec.filename).exists())
    return StoredCity(out.name, str(out), has_config, config, errors, layers)


# --------------------------------------------------------------------------- writing files


def save_layer(gdf: gpd.GeoDataFrame, path: str | Path) -> None:
    """Write a layer as the GeoJSON file ``path`` (one feature per line), atomically."""
    write_atomic(path, layer_text(gdf))


def save_city(city: City, target: str | Path) -> None:
    """Write every non-empty layer and ``city.toml`` of ``city`` to the folder ``target`` (no backups)."""
    folder = Path(target)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / CONFIG_FILE, city.config_text)
    if city.rules_text is not None:
        write_atomic(folder / RULES_FILE, city.rules_text)
    for name, gdf in city.layers.items():
        if len(gdf):
            save_layer(gdf, folder / ALL_LAYERS[name].filename)


# --------------------------------------------------------------------------- writing layers into a city


def _check_request(out: Path, layers: Mapping[str, gpd.GeoDataFrame], mode: str, city_toml: str | None) -> StoredCity:
    """Refuse (StoreError, nothing written) a write that cannot be made as asked."""
    check_mode_and_layers(mode, layers)
    info = describe(out)
    if info.has_config and info.config is None:
        text = "\n".join(f"  - {p.to_text()}" for p in info.problems)
        raise StoreError(f"{out / CONFIG_FILE} has errors; fix it first:\n{text}")
    if not info.has_config and city_toml is None:
        raise StoreError(f"{out}: not a city (no {CONFIG_FILE}); give the new city's {CONFIG_FILE}")
    if info.has_config and city_toml is not None:
        raise StoreError(f"{out}: already a city; its {CONFIG_FILE} is kept (give none)")
    if mode == "new":
        existing = [ALL_LAYERS[name].filename for name in layers if name in info.layers]
        if existing:
            raise StoreError(f"{out}: {', '.join(existing)} already exist(s); nothing was written")
    return info


def _stored_features(path: Path, spec: LayerSpec, bounds: Bounds | None, problems: list[Problem]) -> Features | None:
    """The features of a stored layer file (for merging), or None if the file has errors (added to ``problems``)."""
    found, _ = validate_layer_file(path, spec, bounds)
    errors = [p for p in found if p.severity == "error"]
    if errors:
        problems.extend(errors)
        problems.append(
            Problem.error(
                "merge",
                path.name,
                None,
                None,
                f"the existing layer has {len(errors)} error(s); nothing was merged into it",
                "a valid layer file (run `python -m facilities validate`), or --mode replace",
            )
        )
        return None
    data = json.loads(path.read_bytes().decode("utf-8-sig"))
    return [(dict(f.get("properties") or {}), shape(f["geometry"])) for f in data.get("features", [])]


def _merge(old: Features, new: Features, outcome: LayerWrite) -> Features:
    """``old`` with the features of ``new`` that share an id in their place, and the others after them."""
    new_by_id = {props["id"]: (props, geom) for props, geom in new}
    final = [new_by_id.pop(props.get("id"), (props, geom)) for props, geom in old]
    outcome.updated = len(new) - len(new_by_id)
    outcome.kept = len(old) - outcome.updated
    outcome.added = len(new_by_id)
    return final + list(new_by_id.values())


def _final_layers(
    out: Path, layers: Mapping[str, gpd.GeoDataFrame], mode: str, bounds: Bounds | None, result: WriteResult
) -> dict[str, gpd.GeoDataFrame]:
    """Each layer as it will be stored (merged with the stored one in ``merge`` mode); counts in ``result``."""
    final = {}
    for name, gdf in layers.items():
        spec = ALL_LAYERS[name]
        dest = out / spec.filename
        outcome = result.layers[name]
        if dest.exists() and mode == "merge":
            old = _stored_features(dest, spec, bounds, result.problems)
            if old is None:
                continue
            merged = _merge(old, frame_features(gdf), outcome)
            final[name] = features_frame([p for p, _ in merged], [g for _, g in merged], spec)
            outcome.action = "merged"
        else:
            final[name] = gdf
            outcome.added = len(gdf)
            outcome.action = "replaced" if dest.exists() else "new"
        outcome.path = dest
    return final


def _staged_problems(staging: Path, staged: list[str], new_city: bool, bounds: Bounds | None) -> list[Problem]:
    """The errors of the staged files, validated as a whole before anything is moved into place."""
    if new_city:
        problems = [p for p in validate_city(staging).problems if p.code not in ("unknown_file", "leftover")]
    else:
        problems = []
        for name in staged:
            problems += validate_layer_file(staging / ALL_LAYERS[name].filename, ALL_LAYERS[name], bounds)[0]
    return [p for p in problems if p.severity == "error"]


def _nothing_written(result: WriteResult) -> WriteResult:
    for outcome in result.layers.values():
        outcome.action, outcome.added, outcome.updated, outcome.kept = "", 0, 0, 0
    return result


def write_layers(
    target: str | Path,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    mode: str = "new",
    city_toml: str | None = None,
    rules: Callable[[City], str | None] | None = None,
    dry_run: bool = False,
) -> WriteResult:
    """Write ``layers`` into the city folder ``target``: see :func:`facilities.store.write_layers`."""
    out = Path(target)
    info = _check_request(out, layers, mode, city_toml)
    new_city = not info.has_config
    result = WriteResult(str(out), dry_run)
    to_write = {name: gdf for name, gdf in layers.items() if len(gdf)}
    result.layers = {name: LayerWrite(name) for name in to_write}
    if not to_write:
        return result
    staging = stage.make_staging(out, dry_run)
    try:
        bounds = info.config.bounds if info.config else None
        if city_toml is not None:
            with stage.writing(CONFIG_FILE, out):
                write_atomic(staging / CONFIG_FILE, city_toml)
            staged_config, _ = read_city_config(staging)
            bounds = staged_config.bounds if staged_config else None
        final = _final_layers(out, to_write, mode, bounds, result)
        if result.errors:
            return _nothing_written(result)
        for name, gdf in final.items():
            filename = ALL_LAYERS[name].filename
            with stage.writing(filename, out):
                save_layer(gdf, staging / filename)
        staged = list(final)
        errors = _staged_problems(staging, staged, new_city, bounds)
        if errors:
            result.problems.extend(errors)
            return _nothing_written(result)
        result.written, result.city_toml = True, new_city
        if dry_run:
            return result
        if new_city and stage.can_move_whole(staging, out):
            if rules is not None:
                _place_rules(result, staging, staging, out, rules)
            with stage.writing(out.name, out):
                stage.move_whole(staging, out)
            return result
        stage.commit(result, staging, out, staged, new_city)
        if rules is not None:
            _place_rules(result, out, staging, out, rules)
    finally:
        stage.remove_staging(staging)
    return result


def _place_rules(result: WriteResult, city: Path, staging: Path, out: Path, rules: Callable[[City], str | None]) -> None:
    """Write ``rules.toml`` (the text ``rules`` gives for the city in ``city``) into ``out`` if it has none, via ``staging``."""
    path = out / RULES_FILE
    if path.exists():
        result.rules = "kept"
        return
    try:
        loaded = load(city)
    except CityValidationError as exc:
        result.rules, result.rules_detail = "invalid", f"the city has errors ({len(exc.report.errors)})"
        return
    text = rules(loaded)
    if text is None:
        result.rules = "none"
        return
    try:
        write_atomic(staging / RULES_FILE, text)
        if staging != city:  # the city is in place: link the file in, unless one appeared meanwhile
            try:
                os.link(staging / RULES_FILE, path)
            except FileExistsError:
                result.rules = "kept"
                return
            except OSError:  # no hard links here
                os.replace(staging / RULES_FILE, path)
    except OSError as exc:
        if staging == city:  # a new city, staged whole: nothing is in place yet
            raise stage.write_error(exc, RULES_FILE, out) from None
        result.problems.append(
            Problem.warning(
                "write", RULES_FILE, None, None, f"could not be written: {exc.strerror or exc}; the layers were written",
                "a rules.toml (copy one from data/xiangyang/rules.toml, or run the import again with --mode merge)",
            )
        )  # fmt: skip
        result.rules = "failed"
        return
    result.rules = "written"


__all__ = ["describe", "load", "read_layer", "save_city", "save_layer", "validate", "write_layers"]
