"""Import a table of points (``.csv``, ``.tsv``, ``.txt``, ``.xlsx``) into one layer of a city folder.

* **Encoding**: detected (:mod:`facilities.importers.encoding`), or ``--encoding``. A file whose rows mix
  encodings (UTF-8 and GBK or Big5) is refused, naming every odd row, its columns and their text
  (:func:`mixed_rows_message`); nothing is imported.
* **Headers**: stripped of spaces and a byte-order mark; a mapping's column names are also matched
  without case, spaces, ``_`` and ``-``.
* **Coordinates**: the columns named in ``--lon/--lat``, else in the mapping file, else found by name
  (:data:`LON_NAMES`, :data:`LAT_NAMES`: 经度/纬度, 經度/緯度, lng/lat, lon, longitude/latitude, x/y,
  XCOORD/YCOORD, …), converted from ``--crs`` to WGS84 (:mod:`facilities.importers.crs`).
* **Swapped columns**: when the points make sense only with the two columns exchanged (latitude beyond ±90°,
  or outside the target city's bounds, or outside China for GCJ-02/BD-09, or outside an EPSG system's area
  of use, e.g. X = northing in a Chinese survey table), the columns are exchanged for the whole file with a
  warning; a single row that makes sense only exchanged is fixed with a warning naming it.
  Where both readings are plausible (e.g. −77, 38.9 in a file with no city yet) nothing can tell, and
  nothing is changed.
* **Rows**: numbered as a spreadsheet shows them (header = row 1). A row is rejected, with its number,
  column, value and reason, when a cell cannot be read or the feature fails the layer model; the other
  rows are imported. Empty rows are skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from shapely.geometry import Point

from facilities.city_config import Bounds
from facilities.errors import ImportUsageError, MixedEncodingError
from facilities.importers import crs as crsmod
from facilities.importers.archive import check_archive
from facilities.importers.encoding import NAMES, Mixed, OddLine, decode, odd_line_text, ranges
from facilities.importers.mapping import Mapping, add_constants, apply, auto_mapping, mapping_and_layer, norm_header
from facilities.importers.new_city import NewCity
from facilities.importers.records import Record, reject
from facilities.importers.result import ImportResult
from facilities.importers.write import finish_import, open_target
from facilities.problems import Problem, ValidationReport, show_value
from facilities.schema import LAYERS, LayerSpec
from facilities.settings import REPORT_LINES_PER_KIND

LON_NAMES = (
    "longitude",
    "lon",
    "lng",
    "long",
    "经度",
    "經度",
    "x",
    "xcoord",
    "pointx",
    "coordx",
    "东经",
    "東經",
    "gpslongitude",
    "gps经度",
)
LAT_NAMES = ("latitude", "lat", "纬度", "緯度", "y", "ycoord", "pointy", "coordy", "北纬", "北緯", "gpslatitude", "gps纬度")
#: the rough box of China used by the GCJ-02 algorithm (points in GCJ-02 / BD-09 should lie inside)
CHINA = Bounds(72.004, 0.8293, 137.8347, 55.8271)
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")


@dataclass
class Table:
    """A table read as text cells: its headers, its rows (with their spreadsheet row numbers), its encoding."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells as text)
    encoding: str  # how it was read, for the report


def _clean_header(text: Any, i: int) -> str:
    header = str(text if text is not None else "").replace("\ufeff", "").strip()
    return header or f"column{i + 1}"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def read_table(path: Path, encoding: str | None = None, sheet: str | None = None) -> Table:
    """Read a CSV or XLSX file as text cells; raise ImportUsageError if it cannot be read."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix == ".xls":
        raise ImportUsageError(f"{path}: old Excel .xls files are not read; save it as .xlsx or .csv")
    try:
        text, used = decode(path.read_bytes(), path.name, encoding)
    except MixedEncodingError as exc:
        raise ImportUsageError(mixed_rows_message(path.name, exc.mixed, suffix)) from None
    dialect = _dialect(text, suffix)
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as exc:
        raise ImportUsageError(f"{path}: not a readable CSV file: {exc}") from None
    return _table(path, [[c.strip() for c in line] for line in lines], NAMES.get(used, used))


def _dialect(text: str, suffix: str) -> Any:
    try:
        return csv.Sniffer().sniff(text[:20000], delimiters=",\t;|")
    except csv.Error:
        return csv.excel_tab if suffix == ".tsv" else csv.excel


def mixed_rows_message(file: str, mixed: Mixed, suffix: str = ".csv", limit: int = REPORT_LINES_PER_KIND) -> str:
    """The report on a table mixing encodings: every odd row, with its columns and their text, and the fix.

    Rows are numbered as everywhere else (a spreadsheet's numbers: header = row 1; a row may span several
    lines in quotes). Lines are decoded keeping the odd bytes (``surrogateescape``), so each cell can say
    whether it holds them; its text is shown in the encoding it looks like.
    """
    raw, utf8 = mixed.raw, mixed.majority == "utf-8"
    odd = {o.number - 1: o for o in mixed.odd}

    def line_text(i: int, a: int, b: int) -> str:
        enc = "utf-8" if utf8 or i in odd else mixed.majority
        return raw[a:b].decode(enc, "surrogateescape") + ("\n" if b < len(raw) else "")

    lines = [line_text(i, a, b) for i, (a, b) in enumerate(mixed.line_spans)]
    reader = csv.reader(iter(lines), _dialect("".join(lines[:200]), suffix))
    records: list[tuple[int, int, list[str]]] = []  # first and last line (0-based), cells
    first = 0
    try:
        for cells in reader:
            records.append((first, reader.line_num - 1, cells))
            first = reader.line_num
    except csv.Error:
        pass  # a broken quote: the lines after it are named by line number
    header_at = next((r for r, (_, _, cells) in enumerate(records) if any(c.strip() for c in cells)), 0)
    header = records[header_at][2] if records else []
    items: list[tuple[int | None, str, OddLine]] = []  # row number (None: named by line), where, what
    done: set[int] = set()
    for r, (lo, hi, cells) in enumerate(records):
        hits = [odd[i] for i in range(lo, hi + 1) if i in odd]
        if not hits:
            continue
        done.update(o.number for o in hits)
        o = hits[0]
        cols, values, bad = [], [], b""
        for c, cell in enumerate(cells):
            data = cell.encode("utf-8", "surrogateescape")
            if (utf8 and data == cell.encode("utf-8", "replace")) or (not utf8 and cell.isascii()):
                continue  # this cell is in the file's encoding
            enc = o.encoding or ("utf-8" if not utf8 else None)
            cols.append(_clean_header(header[c], c) if r != header_at and c < len(header) else f"column{c + 1}")
            values.append(show_value(data.decode(enc or "utf-8", "replace").strip()))
            bad = bad or _first_bad(data, utf8)
        where = f"{file}, row {r + 1}" + (" (the header)" if r == header_at else "")
        if cols:
            shown = ", ".join(values[:3]) + (", …" if len(values) > 3 else "")
            where += f", column{'s' if len(cols) > 1 else ''} {', '.join(cols)}: {shown}"
        items.append((r + 1, where, OddLine(o.number, o.start, o.end, o.encoding, o.also, bad or o.bad, o.reading)))
    items += [(None, f"{file}, line {o.number}", o) for o in mixed.odd if o.number not in done]
    summary = mixed.summary()
    if all(n is not None for n, _, _ in items):
        summary = summary.replace(f"{len(mixed.odd)} of {mixed.lines} lines", f"{len(items)} row(s)", 1)
    out = [f"{file} mixes text encodings: {summary}; nothing was imported 未导入 (文件编码混杂)"]
    out += [f"  - {where} — {odd_line_text(o, mixed.majority)}" for _, where, o in items[:limit]]
    if len(items) > limit:
        rest = items[limit:]
        rows = ranges([n for n, _, _ in rest if n is not None])
        lines_ = ranges([o.number for n, _, o in rest if n is None])
        out.append(f"  - … and {len(rest)} more: " + "; ".join(x for x in (rows and f"rows {rows}", lines_ and f"lines {lines_}") if x))
    out.append(f"How to fix: {mixed.fix()} (accepted: UTF-8 text in every row)")
    return "\n".join(out)


def _first_bad(data: bytes, utf8_file: bool) -> bytes:
    """The first bytes of a cell that are not in the file's encoding (2 of a GBK/Big5 character, or one UTF-8 character)."""
    if utf8_file:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return data[exc.start : exc.start + 2]
        return b""
    i = next((i for i, b in enumerate(data) if b > 0x7F), None)
    if i is None:
        return b""
    j = i + 1
    while j < len(data) and 0x80 <= data[j] <= 0xBF and j - i < 4:
        j += 1
    return data[i:j]


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    import openpyxl  # local: only spreadsheets need it
    from openpyxl.utils.exceptions import InvalidFileException

    check_archive(path, "Excel workbook")  # an .xlsx is a zip archive: its limits before anything is unpacked
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")  # style/validation notes
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ImportUsageError(f"{path}: not a readable .xlsx workbook: {exc}") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise ImportUsageError(f"--sheet {sheet!r}: no such sheet in {path.name} (sheets: {', '.join(book.sheetnames)})")
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        lines = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        book.close()
    return _table(path, lines, f"xlsx sheet {sheet or book.sheetnames[0]}")


def _table(path: Path, lines: list[list[str]], encoding: str) -> Table:
    start = next((i for i, line in enumerate(lines) if any(line)), None)
    if start is None:
        raise ImportUsageError(f"{path}: the table is empty")
    headers = [_clean_header(h, i) for i, h in enumerate(lines[start])]
    while headers and headers[-1].startswith("column") and not any(len(r) >= len(headers) and r[len(headers) - 1] for r in lines):
        headers.pop()  # trailing empty header cells (a spreadsheet's formatted but empty columns)
    dupes = sorted({h for h in headers if headers.count(h) > 1})
    if dupes:
        raise ImportUsageError(f"{path}: the header repeats {', '.join(dupes)}; give each column its own name")
    rows = [(i + 1, line) for i, line in enumerate(lines) if i > start and any(c.strip() for c in line)]
    return Table(headers, rows, encoding)


# --------------------------------------------------------------------------- columns


def _find_column(headers: list[str], wanted: str, what: str) -> str:
    if wanted in headers:
        return wanted
    by_norm = {norm_header(h): h for h in headers}
    if norm_header(wanted) in by_norm:
        return by_norm[norm_header(wanted)]
    raise ImportUsageError(f"{what}: no column {wanted!r} (columns: {', '.join(headers)})")


def coordinate_columns(headers: list[str], lon: str | None, lat: str | None) -> tuple[str, str]:
    """The longitude and latitude columns: given, or found by name; raise ImportUsageError if unclear."""
    found = []
    for given, names, what in ((lon, LON_NAMES, "--lon"), (lat, LAT_NAMES, "--lat")):
        if given:
            found.append(_find_column(headers, given, what))
            continue
        normed = {norm_header(h): h for h in headers}
        exact = [normed[n] for n in names if n in normed]
        # a longer header holding a distinctive name, e.g. "经度(WGS84)", "GPS_Longitude"
        loose = [h for h in headers if any(n in norm_header(h) for n in names if (len(n) >= 2 and not n.isascii()) or len(n) >= 6)]
        hits = exact or loose
        if not hits:
            raise ImportUsageError(
                f"no {'longitude' if what == '--lon' else 'latitude'} column found by name "
                f"(columns: {', '.join(headers)}); name it with {what} COLUMN"
            )
        if len(set(hits)) > 1 and not exact:
            raise ImportUsageError(f"several possible {what[2:]} columns ({', '.join(hits)}); choose one with {what} COLUMN")
        found.append(hits[0])
    if found[0] == found[1]:
        raise ImportUsageError(f"longitude and latitude cannot both be column {found[0]!r}")
    return found[0], found[1]


def _resolve_columns(m: Mapping, headers: list[str]) -> None:
    """Point every column a mapping names at the file's own header (matched loosely); collect the missing."""
    missing = []

    def fix(name: str | None) -> str | None:
        if name is None:
            return None
        try:
            return _find_column(headers, name, "mapping")
        except ImportUsageError:
            missing.append(name)
            return name

    for rule in m.rules:
        rule.column = fix(rule.column)
        if rule.argmax:
            rule.argmax = {fix(k) or k: v for k, v in rule.argmax.items()}
    m.id_column = fix(m.id_column)
    if isinstance(m.keep, list):
        m.keep = [fix(k) or k for k in m.keep]
    if missing:
        where = m.path.name if m.path else "the mapping"
        raise ImportUsageError(f"{where}: the table has no column {', '.join(map(repr, missing))} (columns: {', '.join(headers)})")


# --------------------------------------------------------------------------- coordinates


def plausible(lon: np.ndarray, lat: np.ndarray, box: Bounds | None) -> np.ndarray:
    """Where positions are in range, and inside ``box`` if one is known."""
    ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    if box is not None:
        ok &= (lon >= box.west) & (lon <= box.east) & (lat >= box.south) & (lat <= box.north)
    return ok


def to_wgs84(
    xs: np.ndarray,
    ys: np.ndarray,
    crs: str,
    bounds: Bounds | None,
    labels: list[str],
    cols: tuple[str, str],
    file: str,
    report: ValidationReport,
) -> tuple[np.ndarray, np.ndarray]:
    """Convert to WGS84, exchanging the columns (whole file or single rows) where only that makes sense."""
    convert = crsmod.converter(crs)
    # where the points should be: the city; else China for GCJ-02/BD-09; else an EPSG system's area of use
    area = crsmod.area_of_use(crs)
    box = bounds or (CHINA if crsmod.is_china_system(crs) else Bounds(*area) if area else None)
    with np.errstate(all="ignore"):
        lon, lat = convert(xs, ys)
        lon2, lat2 = convert(ys, xs)
    ok, ok2 = plausible(lon, lat, box), plausible(lon2, lat2, box)
    n = len(xs)
    if n and ok2.sum() > ok.sum() and ok2.sum() >= n / 2:
        report.problems.append(
            Problem.warning(
                "swapped",
                file,
                f"{cols[0]}/{cols[1]}",
                f"{xs[0]}, {ys[0]}",
                f"the columns hold latitude and longitude the other way round: exchanged for every row "
                f"({int(ok2.sum())} of {n} rows make sense exchanged, {int(ok.sum())} as given)",
                f"{cols[0]} = longitude, {cols[1]} = latitude",
            )
        )
        lon, lat, lon2, lat2, ok, ok2 = lon2, lat2, lon, lat, ok2, ok
    # a single row that only makes sense exchanged, where that is certain (beyond ±90°, or a known box)
    fix = ~ok & ok2 & ((box is not None) | (np.abs(lat) > 90))
    for i in np.flatnonzero(fix).tolist():
        report.problems.append(
            Problem.warning(
                "swapped",
                file,
                f"{cols[0]}/{cols[1]}",
                f"{xs[i]}, {ys[i]}",
                "longitude and latitude exchanged in this row: fixed",
                f"{cols[0]} = longitude, {cols[1]} = latitude",
                labels[i],
            )
        )
    lon, lat = np.where(fix, lon2, lon), np.where(fix, lat2, lat)
    if crs not in ("wgs84", "cgcs2000"):
        lon, lat = np.round(lon, 9), np.round(lat, 9)  # converted: no float noise below 0.1 mm
    return lon, lat


# --------------------------------------------------------------------------- the import


def prepare_mapping(headers: list[str], spec: LayerSpec, mapping: Mapping | None, sets: list[str], file: str) -> Mapping:
    """The mapping to apply: the given one or one guessed from the headers, columns resolved, ``--set`` values added."""
    m = mapping or auto_mapping(headers, spec)
    _resolve_columns(m, headers)
    add_constants(m, spec, list(sets), file)
    given = {r.field for r in m.rules}
    missing = [f.name for f in spec.fields if f.required and f.name != "id" and f.name not in given]
    if missing:
        example = " ".join(f"--set {f}={(getattr(spec.field(f), 'allowed', None) or ('…',))[0]}" for f in missing)
        raise ImportUsageError(
            f"layer {spec.name} needs field(s) {', '.join(missing)}, and no column provides them: "
            f"name a column in a mapping file (--mapping), or give one value for every row ({example})"
        )
    return m


def kept_columns(m: Mapping, headers: list[str], exclude: set[str]) -> list[str]:
    """The columns kept as extra text properties (the mapping's ``keep``)."""
    if m.keep == "unmapped":
        return [h for h in headers if h not in m.used_columns() and h not in exclude]
    return [] if m.keep == "none" else list(m.keep)


def row_props(
    row: dict[str, str], m: Mapping, spec: LayerSpec, keep: list[str], *, label: str, default_id: str, file: str, report: ValidationReport,
    bad: list[tuple[str, str, str, str]] | None = None,
) -> tuple[dict[str, Any], dict[str, str]] | None:  # fmt: skip
    """A row's properties and their source columns, or None if a cell cannot be read (each one reported)."""
    props, columns, problems = apply(m, row)
    problems = [*(bad or []), *problems]
    if m.id_column:
        raw_id = row.get(m.id_column, "")
        if raw_id in m.null_values:
            problems.append((m.id_column, raw_id, "missing id", "a value in every row (the id column)"))
        props["id"] = f"{m.id_prefix or ''}{raw_id}"
        columns["id"] = m.id_column
    else:
        props["id"] = default_id
    if problems:
        for col, text, why, accepted in problems:
            reject(report, file, label, col, text, why, accepted)
        return None
    for col in keep:
        text = row.get(col, "")
        if text not in m.null_values and col not in props:
            props[col] = text
    ordered = {f.name: props.pop(f.name) for f in spec.fields if f.name in props}
    return ordered | props, columns


def rows_to_records(
    table: Table, m: Mapping, spec: LayerSpec, *, file: str, id_prefix: str, lon_col: str, lat_col: str, crs: str,
    bounds: Bounds | None, report: ValidationReport,
) -> list[Record]:  # fmt: skip
    """Rows → records (WGS84 points); rows that cannot be read are reported and left out."""
    headers = table.headers
    keep = kept_columns(m, headers, {lon_col, lat_col})
    built: list[tuple[str, dict, dict, float, float]] = []
    for number, cells in table.rows:
        label = f"row {number}"
        if len(cells) > len(headers) and any(c.strip() for c in cells[len(headers) :]):
            reject(report, file, label, None, len(cells), f"{len(cells)} cells but {len(headers)} columns", "one cell per column")
            continue
        row = dict(zip(headers, [*cells, *[""] * (len(headers) - len(cells))], strict=False))
        bad = []
        coords = []
        for col in (lon_col, lat_col):
            text = row.get(col, "")
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                bad.append((col, text, "missing coordinate" if not text else "not a number", "a decimal number (degrees, or --crs units)"))
            coords.append(value)
        if not bad and coords == [0.0, 0.0]:
            bad.append(
                (f"{lon_col}/{lat_col}", "0, 0", "a missing position written as zeros? (0, 0 is in the ocean off Africa)", "a position")
            )
        found = row_props(row, m, spec, keep, label=label, default_id=f"{id_prefix}{number}", file=file, report=report, bad=bad)
        if found is not None:
            built.append((label, found[0], found[1], coords[0], coords[1]))
    if not built:
        return []
    xs = np.array([b[3] for b in built])
    ys = np.array([b[4] for b in built])
    lon, lat = to_wgs84(xs, ys, crs, bounds, [b[0] for b in built], (lon_col, lat_col), file, report)
    return [
        Record(label, props, Point(float(x), float(y)), {**columns, "geometry": f"{lon_col}/{lat_col}"})
        for (label, props, columns, _, _), x, y in zip(built, lon.tolist(), lat.tolist(), strict=True)
    ]


def import_table(
    source: str | Path,
    out: str | Path,
    *,
    layer: str | None = None,
    mapping: str | Path | None = None,
    lon: str | None = None,
    lat: str | None = None,
    crs: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    sets: tuple[str, ...] | list[str] = (),
    mode: str = "new",
    name: str | None = None,
    name_en: str | None = None,
    bounds: Bounds | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import a CSV/XLSX table of points into ``layer`` of the city folder ``out``; see the module docstring."""
    source, out = Path(source), Path(out)
    m, layer = mapping_and_layer(source, mapping, layer)
    spec = LAYERS[layer]
    derive = m.derive_roads if m else None
    target = open_target(out, [layer] + (["roads"] if derive else []), mode)
    table = read_table(source, encoding or (m.encoding if m else None), sheet)
    m = prepare_mapping(table.headers, spec, m, list(sets), source.name)
    lon_col, lat_col = coordinate_columns(table.headers, lon or m.lon, lat or m.lat)
    crs_name = crsmod.normalise(crs or m.crs)
    report = ValidationReport(out)
    result = ImportResult(source, out, report, dry_run=dry_run)
    bounds_now = target.config.bounds if target.config else bounds
    id_prefix = m.id_prefix if m.id_prefix is not None else f"{source.stem}-"  # ids from row numbers
    records = rows_to_records(
        table,
        m,
        spec,
        file=source.name,
        id_prefix=id_prefix,
        lon_col=lon_col,
        lat_col=lat_col,
        crs=crs_name,
        bounds=bounds_now,
        report=report,
    )
    result.outcome(layer).rejected = len(table.rows) - len(records)
    result.outcome(layer).read = len(table.rows) - len(records)  # finish_import adds the records it checks
    result.notes.append(f"read {len(table.rows)} rows as {table.encoding}; coordinates {lon_col}/{lat_col} in {crs_name} → WGS84")
    stem = out.name
    meta = NewCity(name or stem, name_en or stem.replace("_", " ").title(), bounds)
    derive_fn = None
    if derive:
        from facilities.importers.derive import roads_from_points

        def derive_fn(accepted: dict[str, list[Record]]) -> dict[str, list[Record]]:
            return {"roads": roads_from_points(accepted.get(layer, []), derive, result)}

    return finish_import(result, target, {layer: records}, file=source.name, mode=mode, meta=meta, dry_run=dry_run, derive=derive_fn)


__all__ = [
    "LAT_NAMES",
    "LON_NAMES",
    "Table",
    "coordinate_columns",
    "import_table",
    "kept_columns",
    "prepare_mapping",
    "read_table",
    "row_props",
    "to_wgs84",
]
