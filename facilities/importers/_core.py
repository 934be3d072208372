"""What every importer shares: records, row checks, the import report, archives, and writing layers safely.

An importer turns its input into :class:`Record` objects (one per feature, with the row or OSM id it came
from), then calls :func:`finish_import`, which

1. checks every record with the validation machinery (:func:`facilities.validation.check_properties` and
   ``check_geometry``): a record with an error is *rejected* and reported (row, field, value, reason);
2. builds each layer file in a staging folder, merged with the existing layer in ``--mode merge``, and
   validates it as a whole (``validate_city`` for a new city, ``validate_layer_file`` in an existing
   one): if that fails, nothing is written;
3. moves the staged files into the city folder, keeping the old layer as ``<layer>.geojson.bak-<timestamp>``
   in ``merge`` and ``replace`` mode;
4. writes ``city.toml`` for a new city (bounds from the data with a margin) and, where the folder has
   none, a ``rules.toml`` with the rules the data can answer (:mod:`facilities.importers.starter_rules`).

``--mode new`` (the default) never touches an existing layer file: it refuses before reading the input.

**Interrupted imports** (``kill -9``, a power cut): the staging folder is
``<parent>/.facilities-staging/<city>.import-<random>/`` *beside* the city folder, on its file system, so
every move is an atomic rename, and never inside a folder the app lists as a city (the app lists the
folders holding ``city.toml``; staging is one level deeper). A new city is staged whole (``city.toml``,
layers, ``rules.toml``) and appears by one rename of the staging folder; an existing city gets one
``os.replace`` per layer, so each layer file is always all old or all new. A backup is a hard link to the
old file (instant, no copy) or, where links are not possible, a copy made in the staging folder and
renamed into place: never a partial ``.bak``. What an interrupted run can leave is only the staging folder
(or, killed inside ``write_atomic``, a complete ``.<name>.<random>.tmp``): ``python -m facilities
validate`` warns about both, and about the partial backups and ``.<city>.import-*`` folders older versions
left. (Where the city folder is itself a mount point, staging falls back to ``<city>/.facilities-staging/``.)

**Write errors** (disk full, permissions): :class:`ImportWriteError` (exit 2) names the file that could
not be written, says what was written before, and the files not yet replaced are left as they were.

**Archives** (a zipped Shapefile ``.zip``, ``.kmz``, ``.xlsx``): :func:`check_archive` refuses one at
once, before anything is decompressed, when it holds more members than ``MAX_ARCHIVE_MEMBERS`` (counted
from the end-of-archive record, before the member list is even read) or declares more than
``MAX_ARCHIVE_BYTES`` unpacked (both in :mod:`facilities.settings`; ``FACILITIES_MAX_ARCHIVE_MEMBERS``,
``FACILITIES_MAX_ARCHIVE_MB`` override them). Declared sizes are not trusted alone: ``.zip``/``.kmz`` are
unpacked by :func:`unpack_archive`, streaming, with a byte cap, into a temporary folder outside the city
(GDAL never opens the archive), and Python's ``zipfile`` — which ``openpyxl`` uses for ``.xlsx`` too —
stops every member at its declared size and fails its CRC check if the data runs on, so an archive that
lies about its sizes is refused as damaged, never unpacked beyond them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import shutil
import struct
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from facilities import settings
from facilities.city_config import CONFIG_FILE, Bounds, CityConfig, read_city_config
from facilities.errors import ImportUsageError, ImportWriteError
from facilities.problems import Problem, ValidationReport
from facilities.schema import ALL_LAYERS, LAYERS, LayerSpec
from facilities.store import write_atomic
from facilities.store.folder import save_layer
from facilities.validation import STAGING_DIR, check_geometry, check_properties, validate_city, validate_layer_file

MODES = ("new", "merge", "replace")


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


# --------------------------------------------------------------------------- archives


def archive_limits() -> tuple[int, int]:
    """(bytes, members) an archive may unpack to: :mod:`facilities.settings`, or the environment."""
    limits = []
    for env, default, scale, example in (
        (settings.MAX_ARCHIVE_BYTES_ENV, settings.MAX_ARCHIVE_BYTES, 1024 * 1024, "a size in MiB, e.g. 512"),
        (settings.MAX_ARCHIVE_MEMBERS_ENV, settings.MAX_ARCHIVE_MEMBERS, 1, "a whole number, e.g. 10000"),
    ):
        raw = os.environ.get(env, "").strip().replace("_", "")
        if not raw:
            limits.append(default)
            continue
        try:
            value = float(raw) if scale > 1 else int(raw)
        except ValueError:
            value = -1
        if not (math.isfinite(value) and value > 0):
            raise ImportUsageError(f"{env}={os.environ[env]!r}: not a positive number (accepted: {example})")
        limits.append(int(value * scale))
    return limits[0], limits[1]


def _mib(n: int) -> str:
    return f"{n / 1024 / 1024:,.0f} MiB" if n >= 10 * 1024 * 1024 else f"{n / 1024 / 1024:,.2f} MiB".replace(".00 MiB", " MiB")


def _declared_members(path: Path) -> int | None:
    """The member count in a zip file's end-of-archive record (ZIP64 too), read without the member list."""
    try:
        with open(path, "rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            tail_len = min(size, 22 + 65535)
            fh.seek(size - tail_len)
            tail = fh.read(tail_len)
            i = tail.rfind(b"PK\x05\x06")
            if i < 0 or len(tail) - i < 22:
                return None
            total = struct.unpack("<H", tail[i + 10 : i + 12])[0]
            locator = tail[i - 20 : i] if i >= 20 else b""
            if total == 0xFFFF and locator[:4] == b"PK\x06\x07":
                fh.seek(struct.unpack("<Q", locator[8:16])[0])
                record = fh.read(56)
                if record[:4] == b"PK\x06\x06":
                    total = struct.unpack("<Q", record[32:40])[0]
            return total
    except (OSError, struct.error):
        return None


def check_archive(path: Path, kind: str) -> list[zipfile.ZipInfo]:
    """The members of the zip archive ``path`` (a ``kind``: "zipped GIS file", "KMZ file", "Excel workbook").

    Raises ImportUsageError — naming the file and the limit, before anything is decompressed — when it
    holds more than the member limit or declares more than the byte limit unpacked (:func:`archive_limits`),
    or when it is not a readable zip archive.
    """
    max_bytes, max_members = archive_limits()
    env_b, env_m = settings.MAX_ARCHIVE_BYTES_ENV, settings.MAX_ARCHIVE_MEMBERS_ENV
    nothing = "nothing was unpacked or imported"

    def too_many(n: int) -> ImportUsageError:
        return ImportUsageError(
            f"{path.name}: the {kind} holds {n:,} members, more than the limit of {max_members:,} ({env_m}); {nothing} "
            f"(accepted: at most {max_members:,} members). If the file is genuine, raise the limit, e.g. {env_m}={n}"
        )

    declared = _declared_members(path)
    if declared is not None and declared > max_members:
        raise too_many(declared)
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, struct.error) as exc:
        raise ImportUsageError(f"{path.name}: not a readable {kind} (a zip archive): {exc}") from None
    if len(infos) > max_members:
        raise too_many(len(infos))
    total = sum(i.file_size for i in infos)
    if total > max_bytes:
        packed = path.stat().st_size
        ratio = f", {total / max(packed, 1):,.0f} times its size of {packed:,} bytes" if packed else ""
        need = math.ceil(total / 1024 / 1024)
        raise ImportUsageError(
            f"{path.name}: the {kind} would unpack to {_mib(total)} ({total:,} bytes{ratio}), more than the limit of "
            f"{_mib(max_bytes)} ({env_b}); {nothing} (accepted: archives unpacking to at most {_mib(max_bytes)}). "
            f"If the file is genuine, raise the limit, e.g. {env_b}={need}"
        )
    return infos


def _member_path(name: str) -> PurePosixPath | None:
    """A member's path inside the unpacking folder, or None to skip it (folders, macOS metadata, unsafe names)."""
    parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", ".", "..", "/")]
    if not parts or name.endswith("/") or parts[0] == "__MACOSX" or parts[-1].startswith("._") or ":" in parts[0]:
        return None
    return PurePosixPath(*parts)


def unpack_archive(path: Path, infos: list[zipfile.ZipInfo], dest: Path, kind: str) -> list[Path]:
    """Unpack ``infos`` of ``path`` into ``dest``, streaming, stopping at the byte limit; return the files written.

    Python's zipfile never gives more than a member's declared size and fails the CRC check when the data
    runs on; the running total is capped as well. ImportUsageError (naming the file) on a damaged,
    encrypted or oversized archive.
    """
    max_bytes, _ = archive_limits()
    written, total = [], 0
    try:
        with zipfile.ZipFile(path) as z:
            for info in infos:
                rel = _member_path(info.filename)
                if rel is None or info.is_dir() or (info.external_attr >> 16) & 0o170000 == 0o120000:  # (symlinks: skipped)
                    continue
                target = dest.joinpath(*rel.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with z.open(info) as src, open(target, "wb") as out:
                    while chunk := src.read(1 << 20):
                        total += len(chunk)
                        if total > max_bytes:
                            raise ImportUsageError(
                                f"{path.name}: the {kind} unpacks to more than the limit of {_mib(max_bytes)} "
                                f"({settings.MAX_ARCHIVE_BYTES_ENV}), more than it declares; nothing was imported"
                            )
                        out.write(chunk)
                written.append(target)
    except ImportUsageError:
        raise
    except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        raise ImportUsageError(
            f"{path.name}: the {kind} is damaged, encrypted or uses an unknown compression ({exc}); nothing was imported "
            "(accepted: an unencrypted zip archive, deflate or stored)"
        ) from None
    return written


@contextlib.contextmanager
def unpacked(path: Path, kind: str) -> Iterator[tuple[Path, list[Path]]]:
    """Check and unpack a zip archive into a temporary folder (outside any city); yield it and its files."""
    infos = check_archive(path, kind)
    with tempfile.TemporaryDirectory(prefix="facilities-unpack-") as tmp:
        yield Path(tmp), unpack_archive(path, infos, Path(tmp), kind)


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

    staging = _make_staging(out, dry_run)
    try:
        if toml_text is not None:
            with _writing(CONFIG_FILE, out, staging):
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
            with _writing(spec.filename, out, staging):
                save_layer(_frame(final, spec), staging / spec.filename)
            outcome.path = dest
        staged = [n for n in to_write if (staging / LAYERS[n].filename).exists()]
        # the written files, validated as a whole before anything is moved into place
        if new_city:
            check = validate_city(staging)
            problems = [p for p in check.problems if p.code not in ("unknown_file", "leftover")]
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
        if new_city and _can_move_whole(staging, out):
            _stage_rules(result, staging, staging, out)
            try:
                _move_whole(staging, out)
            except OSError as exc:
                raise _write_error(exc, out.name, out, staging, []) from None
            result.notes.append(f"city.toml written 已写入: bounds {bounds.as_tuple() if bounds else ''} (edit name and bounds as needed)")
            return result
        _commit(result, staging, out, staged, toml_text is not None)
        if toml_text is not None:
            result.notes.append(f"city.toml written 已写入: bounds {bounds.as_tuple() if bounds else ''} (edit name and bounds as needed)")
        _stage_rules(result, out, staging, out)
    finally:
        _remove_staging(staging)
    return result


# --------------------------------------------------------------------------- staging and moving into place


def _staging_root(out: Path) -> Path:
    """``.facilities-staging`` beside the city folder, on its file system (inside it if it is a mount point)."""
    real = out.resolve()
    if real.is_dir():
        try:
            if os.stat(real).st_dev != os.stat(real.parent).st_dev:
                return real / STAGING_DIR
        except OSError:
            return real / STAGING_DIR
    return real.parent / STAGING_DIR


def _make_staging(out: Path, dry_run: bool) -> Path:
    if dry_run:  # nothing is moved: anywhere will do
        return Path(tempfile.mkdtemp(prefix=f"facilities-dry-run-{out.name}-"))
    root = _staging_root(out)
    try:
        root.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f"{out.name}.import-", dir=root))
    except OSError as exc:
        if root.parent != out.resolve() and out.is_dir():  # the parent is not writable: stage inside the city folder
            try:
                inner = out.resolve() / STAGING_DIR
                inner.mkdir(exist_ok=True)
                return Path(tempfile.mkdtemp(prefix=f"{out.name}.import-", dir=inner))
            except OSError:
                pass
        raise _write_error(exc, STAGING_DIR, out, None, []) from None


def _remove_staging(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
    if staging.parent.name == STAGING_DIR:
        with contextlib.suppress(OSError):
            staging.parent.rmdir()  # only when empty (another import may be staging beside this one)


@contextlib.contextmanager
def _writing(name: str, out: Path, staging: Path | None, written: list[str] | None = None) -> Iterator[None]:
    """Turn an OSError while writing ``name`` into an ImportWriteError naming it."""
    try:
        yield
    except OSError as exc:
        raise _write_error(exc, name, out, staging, written or []) from None


def _write_error(exc: OSError, name: str, out: Path, staging: Path | None, written: list[str]) -> ImportWriteError:
    filename = str(exc.filename) if exc.filename else None
    return ImportWriteError(name, str(out), exc.strerror or str(exc), errno=exc.errno, filename=filename, written=written)


def _can_move_whole(staging: Path, out: Path) -> bool:
    """A new city can appear by one rename of its staging folder: the target is absent (or an empty folder)."""
    if staging.parent.parent != out.resolve().parent or out.is_symlink():
        return False
    if not out.exists():
        return True
    return out.is_dir() and not any(out.iterdir())


def _move_whole(staging: Path, out: Path) -> None:
    if out.is_dir():
        out.rmdir()  # empty (checked): rename needs the name free everywhere
    os.rename(staging, out)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(out, 0o777 & ~umask)  # mkdtemp makes 0700; give the city folder the usual permissions


def _backup(dest: Path, staging: Path) -> Path:
    """Keep the current ``dest`` as ``<name>.bak-<time>``: a hard link (instant), else a copy renamed into place."""
    backup = _backup_name(dest)
    try:
        os.link(dest, backup)
    except OSError:
        tmp = staging / f"{dest.name}.bak"
        shutil.copy2(dest, tmp)
        os.replace(tmp, backup)
    return backup


def _commit(result: ImportResult, staging: Path, out: Path, staged: list[str], toml: bool) -> None:
    """Move the staged layers into ``out`` one rename each (after its backup), then ``city.toml`` (a new city)."""
    written: list[str] = []
    with _writing(out.name, out, staging):
        out.mkdir(parents=True, exist_ok=True)
    for name in staged:
        filename = LAYERS[name].filename
        dest = out / filename
        with _writing(filename, out, staging, written):
            if dest.exists():
                result.outcome(name).backup = _backup(dest, staging)
            os.replace(staging / filename, dest)
        written.append(filename)
    if toml:  # last: the folder is a city only once every layer is in place
        with _writing(CONFIG_FILE, out, staging, written):
            os.replace(staging / CONFIG_FILE, out / CONFIG_FILE)


def _stage_rules(result: ImportResult, city: Path, staging: Path, out: Path) -> None:
    """Write ``rules.toml`` (the rules the data of ``city`` can answer) into ``out`` if it has none, via ``staging``."""
    from facilities.importers.starter_rules import RULES_FILE, rules_for_city

    path = out / RULES_FILE
    if path.exists():
        result.notes.append(f"{RULES_FILE} kept as it is 未改动 (add rules for the new layers by hand if needed)")
        return
    text, chosen, skipped = rules_for_city(city)
    if text is None:
        result.notes.append(f"no {RULES_FILE} written: {skipped}")
        return
    try:
        write_atomic(staging / RULES_FILE, text)
        if staging != city:  # the city is in place: link the file in, unless one appeared meanwhile
            try:
                os.link(staging / RULES_FILE, path)
            except FileExistsError:
                result.notes.append(f"{RULES_FILE} kept as it is 未改动")
                return
            except OSError:  # no hard links here
                os.replace(staging / RULES_FILE, path)
    except OSError as exc:
        if staging == city:  # a new city, staged whole: nothing is in place yet
            raise _write_error(exc, RULES_FILE, out, staging, []) from None
        result.report.problems.append(
            Problem.warning(
                "write", RULES_FILE, None, None, f"could not be written: {exc.strerror or exc}; the layers were imported",
                "a rules.toml (copy one from data/xiangyang/rules.toml, or run the import again with --mode merge)",
            )
        )  # fmt: skip
        return
    result.notes.append(f"{RULES_FILE} written 已写入: {len(chosen)} rule(s) the data can answer: {', '.join(chosen)}")


__all__ = [
    "MODES",
    "ImportResult",
    "ImportUsageError",
    "ImportWriteError",
    "LayerOutcome",
    "NewCity",
    "Record",
    "Target",
    "archive_limits",
    "check_archive",
    "check_records",
    "city_toml",
    "finish_import",
    "open_target",
    "reject",
    "unpack_archive",
    "unpacked",
]
