"""What every importer shares: records, row checks, the import report, and writing layers safely.

An importer turns its input into :class:`Record` objects (one per feature, with the row or OSM id it came
from), then calls :func:`finish_import`, which

1. checks every record with the validation machinery (:func:`facilities._validate.check_properties` and
   ``check_geometry``): a record with an error is *rejected* and reported (row, field, value, reason);
2. builds each layer file in a staging folder (``save_layer``: atomic), merged with the existing layer in
   ``--mode merge``, and validates it as a whole (``validate_city`` for a new city, ``validate_layer_file``
   in an existing one): if that fails, nothing is written;
3. moves the staged files into the city folder (``os.replace``: atomic), keeping the old layer as
   ``<layer>.geojson.bak-<timestamp>`` in ``merge`` and ``replace`` mode;
4. writes ``city.toml`` for a new city (bounds from the data with a margin) and, where the folder has
   none, a ``rules.toml`` with the rules the data can answer (:mod:`facilities.importers.rules`).

``--mode new`` (the default) never touches an existing layer file: it refuses before reading the input.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from facilities import settings
from facilities._report import Problem, ValidationReport
from facilities._validate import check_geometry, check_properties, validate_city, validate_layer_file
from facilities.city import save_layer, write_atomic
from facilities.config import CONFIG_FILE, Bounds, CityConfig, read_city_config
from facilities.schema import ALL_LAYERS, LAYERS, LayerSpec

MODES = ("new", "merge", "replace")


class ImportUsageError(ValueError):
    """Bad usage or unreadable input: nothing was imported (exit code 2). The message says what to do."""


@dataclass
class Record:
    """One feature on its way in.

    Attributes
    ----------
    label : where it came from, as the user would find it: ``row 12`` (spreadsheet row, header = row 1),
        ``#3`` (feature of a GIS file), ``n123`` / ``w456`` / ``r789`` (OSM node, way, relation).
    props : its properties (layer fields and extra properties).
    geometry : WGS84 shapely geometry.
    columns : layer field -> source column or tag, to name the source in messages.
    """

    label: str
    props: dict[str, Any]
    geometry: BaseGeometry | None
    columns: dict[str, str] = field(default_factory=dict)


@dataclass
class LayerOutcome:
    layer: str
    read: int = 0
    rejected: int = 0
    added: int = 0
    updated: int = 0
    kept: int = 0
    path: Path | None = None
    backup: Path | None = None
    action: str = ""  # "new", "merged", "replaced", "would write …", or why nothing was written

    @property
    def written(self) -> int:
        return self.added + self.updated + self.kept


@dataclass
class ImportResult:
    """What an import did: per layer counts, files written, and every problem (rejected rows are errors)."""

    source: Path
    out: Path
    report: ValidationReport
    layers: dict[str, LayerOutcome] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def rejected(self) -> int:
        return sum(o.rejected for o in self.layers.values())

    @property
    def exit_code(self) -> int:
        """0: imported with no error; 1: rows rejected or other problems."""
        return 1 if self.report.errors else 0

    def outcome(self, layer: str) -> LayerOutcome:
        return self.layers.setdefault(layer, LayerOutcome(layer))

    def to_text(self, limit: int = settings.REPORT_LINES_PER_KIND) -> str:
        head = "dry run (nothing written) 试运行" if self.dry_run else "import 导入"
        lines = [f"{head}: {self.source.name} → {self.out}"]
        lines.append(f"  {_pad('layer 图层', 24)} {'read':>7} {'rejected':>9} {'written':>8}  file")
        for o in self.layers.values():
            spec = ALL_LAYERS[o.layer]
            detail = o.action
            if o.added or o.updated:
                detail += f" (added {o.added}, updated {o.updated}, kept {o.kept})" if o.action.startswith("merged") else ""
            if o.backup is not None:
                detail += f"; backup {o.backup.name}"
            lines.append(f"  {_pad(f'{o.layer} {spec.title_zh}', 24)} {o.read:>7} {o.rejected:>9} {o.written:>8}  {detail}")
        lines += [f"  {n}" for n in self.notes]
        e, w = len(self.report.errors), len(self.report.warnings)
        verdict = "ok 成功" if not e else f"{self.rejected} row(s) rejected 行被拒绝" if self.rejected else "problems 有问题"
        lines.append(f"{verdict} — {e} error(s) 错误, {w} warning(s) 警告")
        body = self.report.to_text(limit=limit).splitlines()[1:]
        return "\n".join(lines + body)


def _pad(text: str, width: int) -> str:
    """Pad to a terminal width (CJK characters take two columns)."""
    return text + " " * max(0, width - sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text))


# --------------------------------------------------------------------------- checking records


def _json_geometry(geom: BaseGeometry | None) -> Any:
    return None if geom is None else json.loads(shapely.to_geojson(geom))


def _name_source(p: Problem, columns: dict[str, str]) -> Problem:
    """Say which source column a field came from (``座數 → seats``) so the user knows what to fix."""
    col = columns.get(p.field or "")
    if col and col != p.field:
        return replace(p, field=f"{col} → {p.field}")
    return p


def check_records(records: list[Record], spec: LayerSpec, file: str, bounds: Bounds | None, report: ValidationReport) -> list[Record]:
    """Check records against the layer model; report the rejected ones; return the accepted ones."""
    seen: dict[str, str] = {}
    accepted = []
    for rec in records:
        problems = check_properties(rec.props, spec, file, rec.label, seen, rec.label)
        problems += check_geometry(_json_geometry(rec.geometry), spec, file, rec.label, bounds)
        problems = [_name_source(p, rec.columns) for p in problems]
        report.extend(problems)
        if any(p.severity == "error" for p in problems):
            continue
        accepted.append(rec)
    return accepted


def reject(report: ValidationReport, file: str, label: str, fld: str | None, value: Any, message: str, accepted: str) -> None:
    """Report a row that cannot become a feature at all (e.g. unreadable coordinates)."""
    report.problems.append(Problem.error("rejected", file, fld, value, message, accepted, label))


# --------------------------------------------------------------------------- the target city


@dataclass(frozen=True)
class NewCity:
    """What to write in ``city.toml`` when the target folder has none."""

    name: str
    name_en: str
    bounds: Bounds | None = None  # None: from the data, with a margin


@dataclass
class Target:
    folder: Path
    config: CityConfig | None  # None: a new city (no city.toml yet)


def open_target(out: Path, layers: list[str], mode: str) -> Target:
    """Check the output folder and the mode before anything is read; raise ImportUsageError if unusable."""
    if mode not in MODES:
        raise ImportUsageError(f"--mode {mode!r}: accepted: {', '.join(MODES)}")
    if out.exists() and not out.is_dir():
        raise ImportUsageError(f"--out {out}: exists and is not a folder")
    config = None
    if (out / CONFIG_FILE).is_file():
        config, problems = read_city_config(out)
        if config is None:
            text = "\n".join(f"  - {p.to_text()}" for p in problems if p.severity == "error")
            raise ImportUsageError(f"{out / CONFIG_FILE} has errors; fix it first (or import into a new folder):\n{text}")
    if mode == "new":
        existing = [LAYERS[name].filename for name in layers if (out / LAYERS[name].filename).exists()]
        if existing:
            raise ImportUsageError(
                f"{out}: {', '.join(existing)} already exist(s); nothing was imported. "
                "Use --mode merge (add and update features by id) or --mode replace (a backup of the old file is kept)."
            )
    return Target(out, config)


def _round_out(value: float, up: bool) -> float:
    return (math.ceil if up else math.floor)(value * 1e4) / 1e4


def city_toml(meta: NewCity, records: list[Record]) -> tuple[str, Bounds]:
    """``city.toml`` text for a new city: bounds from the data (10 % margin, at least ~500 m), centre, zoom."""
    geoms = [r.geometry for r in records if r.geometry is not None]
    if meta.bounds is not None:
        b = meta.bounds
        data = (b.west, b.south, b.east, b.north)
    else:
        data = tuple(shapely.total_bounds(geoms))  # type: ignore[assignment]
    w, s, e, n = data
    pad_x, pad_y = max(0.1 * (e - w), 0.005), max(0.1 * (n - s), 0.005)
    if meta.bounds is None:
        w, s, e, n = (
            _round_out(max(w - pad_x, -180), False),
            _round_out(max(s - pad_y, -90), False),
            _round_out(min(e + pad_x, 180), True),
            _round_out(min(n + pad_y, 90), True),
        )
    bounds = Bounds(w, s, e, n)
    lon, lat = round((data[0] + data[2]) / 2, 5), round((data[1] + data[3]) / 2, 5)
    # the zoom at which the data fit in about 900 × 600 pixels (256-pixel tiles)
    span_x = max(data[2] - data[0], 1e-4)
    span_y = max((data[3] - data[1]) / max(math.cos(math.radians(lat)), 0.1), 1e-4)
    zoom = int(max(3, min(17, math.floor(math.log2(min(360 * 900 / (256 * span_x), 360 * 600 / (256 * span_y)))))))
    text = (
        f"# written by `python -m facilities import` on {dt.date.today().isoformat()}; edit freely\n"
        f"name = {json.dumps(meta.name, ensure_ascii=False)}\n"
        f"name_en = {json.dumps(meta.name_en, ensure_ascii=False)}\n"
        f"zoom = {zoom}\n"
        'crs = "auto"\n\n'
        f"[center]\nlon = {lon}\nlat = {lat}\n\n"
        "[bounds]  # WGS84 degrees: the imported data with a margin\n"
        f"west = {w}\nsouth = {s}\neast = {e}\nnorth = {n}\n"
    )
    return text, bounds


# --------------------------------------------------------------------------- writing


def _frame(records: list[Record], spec: LayerSpec) -> gpd.GeoDataFrame:
    """Records as a GeoDataFrame with object columns (ints stay ints, missing values stay missing)."""
    columns = list(spec.field_names)
    for rec in records:
        columns += [k for k in rec.props if k not in columns]
    rows = [[rec.props.get(c) for c in columns] for rec in records]
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    present = [c for c in columns if frame[c].notna().any()]
    return gpd.GeoDataFrame(frame[present], geometry=[r.geometry for r in records], crs=settings.STORAGE_CRS)


def _existing_records(path: Path, spec: LayerSpec, bounds: Bounds | None, report: ValidationReport) -> list[Record] | None:
    """The features of an existing layer file (for merging), or None if the file has errors (reported)."""
    problems, _ = validate_layer_file(path, spec, bounds)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        report.extend(errors)
        report.problems.append(
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
    return [
        Record(f"{path.name} #{i}", dict(f.get("properties") or {}), shape(f["geometry"]))
        for i, f in enumerate(data.get("features", []), start=1)
    ]


def _backup_name(path: Path) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    candidate = path.with_name(f"{path.name}.bak-{stamp}")
    n = 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}.bak-{stamp}-{n}")
    return candidate


def finish_import(
    result: ImportResult,
    target: Target,
    records: dict[str, list[Record]],
    *,
    file: str,
    mode: str,
    meta: NewCity,
    dry_run: bool = False,
    derive=None,
) -> ImportResult:
    """Check, stage, validate and write the records of every layer; fill and return ``result``.

    ``derive(accepted: dict[layer, list[Record]]) -> dict[layer, list[Record]]`` may add layers built from
    the accepted records (e.g. roads from street lamps); they are checked and written like the others.
    """
    report = result.report
    bounds = target.config.bounds if target.config else meta.bounds
    accepted: dict[str, list[Record]] = {}
    for name, recs in records.items():
        outcome = result.outcome(name)
        outcome.read += len(recs)
        ok = check_records(recs, LAYERS[name], file, bounds, report)
        outcome.rejected += len(recs) - len(ok)
        accepted[name] = ok
    if derive is not None:
        for name, recs in derive(accepted).items():
            open_target(target.folder, [name], mode)  # the same protection for a derived layer
            outcome = result.outcome(name)
            outcome.read += len(recs)
            ok = check_records(recs, LAYERS[name], f"{name} (derived)", bounds, report)
            outcome.rejected += len(recs) - len(ok)
            accepted[name] = accepted.get(name, []) + ok
    to_write = {name: recs for name, recs in accepted.items() if recs}
    for name, recs in accepted.items():
        if not recs:
            result.outcome(name).action = (
                "nothing to write 无数据" if not result.outcome(name).read else "nothing written: every row rejected"
            )
    if not to_write:
        return result

    out = target.folder
    new_city = target.config is None
    all_records = [r for recs in to_write.values() for r in recs]
    toml_text = None
    if new_city:
        toml_text, bounds = city_toml(meta, all_records)

    # staged next to the target (so the final moves are atomic renames on one file system)
    parent = out if out.is_dir() else out.parent
    if not dry_run:
        parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.import-", dir=None if dry_run else parent))
    try:
        if toml_text is not None:
            write_atomic(staging / CONFIG_FILE, toml_text)
        for name, recs in to_write.items():
            spec = LAYERS[name]
            dest = out / spec.filename
            outcome = result.outcome(name)
            final = recs
            if dest.exists() and mode == "merge":
                old = _existing_records(dest, spec, bounds, report)
                if old is None:
                    outcome.action = "nothing written: the existing layer has errors"
                    continue
                new_by_id = {r.props["id"]: r for r in recs}
                final = [new_by_id.pop(r.props.get("id"), r) for r in old]
                outcome.updated = len(recs) - len(new_by_id)
                outcome.kept = len(old) - outcome.updated
                final += list(new_by_id.values())
                outcome.added = len(new_by_id)
                outcome.action = "merged 合并"
            else:
                outcome.added = len(recs)
                outcome.action = "replaced 替换" if dest.exists() else "new 新建"
            save_layer(_frame(final, spec), staging / spec.filename)
            outcome.path = dest
        staged = [n for n in to_write if (staging / LAYERS[n].filename).exists()]
        # the written files, validated as a whole before anything is moved into place
        if new_city:
            check = validate_city(staging)
            problems = [p for p in check.problems if p.code != "unknown_file"]
        else:
            problems = []
            for name in staged:
                problems += validate_layer_file(staging / LAYERS[name].filename, LAYERS[name], bounds)[0]
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            report.extend(errors)
            report.problems.append(
                Problem.error("import", file, None, None, "the result would not be a valid layer; nothing was written", "a valid city")
            )
            for name in staged:
                result.outcome(name).action = "nothing written 未写入"
                result.outcome(name).added = result.outcome(name).updated = result.outcome(name).kept = 0
            return result
        if dry_run:
            for name in staged:
                result.outcome(name).action = "would be " + result.outcome(name).action
            return result
        out.mkdir(parents=True, exist_ok=True)
        for name in staged:
            dest = out / LAYERS[name].filename
            if dest.exists():
                backup = _backup_name(dest)
                shutil.copy2(dest, backup)
                result.outcome(name).backup = backup
            os.replace(staging / LAYERS[name].filename, dest)
        if toml_text is not None:
            os.replace(staging / CONFIG_FILE, out / CONFIG_FILE)
            result.notes.append(f"city.toml written 已写入: bounds {bounds.as_tuple() if bounds else ''} (edit name and bounds as needed)")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _write_rules(result, out)
    return result


def _write_rules(result: ImportResult, out: Path) -> None:
    from facilities.importers.rules import RULES_FILE, rules_for_city

    path = out / RULES_FILE
    if path.exists():
        result.notes.append(f"{RULES_FILE} kept as it is 未改动 (add rules for the new layers by hand if needed)")
        return
    text, chosen, skipped = rules_for_city(out)
    if text is None:
        result.notes.append(f"no {RULES_FILE} written: {skipped}")
        return
    write_atomic(path, text)
    result.notes.append(f"{RULES_FILE} written 已写入: {len(chosen)} rule(s) the data can answer: {', '.join(chosen)}")


__all__ = [
    "MODES",
    "ImportResult",
    "ImportUsageError",
    "LayerOutcome",
    "NewCity",
    "Record",
    "Target",
    "check_records",
    "city_toml",
    "finish_import",
    "open_target",
    "reject",
]
