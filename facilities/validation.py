"""Validation of a city folder: every problem in every file, collected, never stopping at the first.

The checks read the raw bytes and the parsed JSON (not a GeoDataFrame), so they can say what a
GIS reader would silently fix or refuse: the encoding, the JSON syntax, a feature's exact value.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape

from facilities import settings
from facilities.city_config import Bounds, read_city_config
from facilities.problems import LayerCounts, Problem, ValidationReport
from facilities.schema import ALL_LAYERS, GEOMETRY_TYPES, Field, LayerSpec

Json = dict[str, Any]

#: Where ``python -m facilities import`` stages a city's files: ``<parent>/.facilities-staging/<city>.import-*/``
#: (beside the city folder, never inside a folder the app lists as a city).
STAGING_DIR = ".facilities-staging"


# --------------------------------------------------------------------------- text and JSON


def decode_text(raw: bytes, file: str) -> tuple[str, list[Problem], str]:
    """Decode a file's bytes as UTF-8; if that fails, say what it looks like and decode it anyway.

    Returns the text, the problems, and the encoding used ("utf-8", "gb18030" or "utf-8/replace").
    """
    problems: list[Problem] = []
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.append(Problem.warning("encoding", file, None, None, "starts with a UTF-8 byte-order mark (BOM)", "UTF-8 without BOM"))
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), problems, "utf-8"
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        bad = raw[exc.start : exc.start + 2].hex(" ")
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            pass
        else:
            problems.append(
                Problem.error(
                    "encoding",
                    file,
                    None,
                    None,
                    f"text is not UTF-8 (bytes {bad} at line {line}); it looks like GBK/GB18030. "
                    "Re-save it as UTF-8, e.g. `iconv -f GB18030 -t UTF-8`",
                    "UTF-8 text",
                )
            )
            return text, problems, "gb18030"
        problems.append(Problem.error("encoding", file, None, None, f"text is not UTF-8 (bytes {bad} at line {line})", "UTF-8 text"))
        return raw.decode("utf-8", errors="replace"), problems, "utf-8/replace"


def _reject_constant(name: str) -> float:
    # json accepts NaN / Infinity; keep them so the geometry check can name the feature
    return float(name.replace("Infinity", "inf"))


def parse_json(text: str, file: str) -> tuple[Any, list[Problem]]:
    """``text`` as JSON (NaN and Infinity kept, for the geometry check to name), or None and the problem: where and why."""
    try:
        return json.loads(text, parse_constant=_reject_constant), []
    except json.JSONDecodeError as exc:
        return None, [
            Problem.error(
                "json",
                file,
                None,
                None,
                f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                "a GeoJSON FeatureCollection (RFC 7946)",
            )
        ]
    except RecursionError:
        return None, [
            Problem.error(
                "json", file, None, None, "JSON nested too deeply to read (arrays or objects inside each other thousands of levels deep)",
                "a GeoJSON FeatureCollection (RFC 7946): coordinates nest at most 4 levels",
            )
        ]  # fmt: skip


# --------------------------------------------------------------------------- geometry


def _positions(coords: Any, depth: int) -> Iterator[Any]:
    """Yield every position of a GeoJSON coordinates array of the given nesting depth."""
    if depth == 0:
        yield coords
        return
    if not isinstance(coords, list):
        yield coords  # malformed: let the caller report it
        return
    for item in coords:
        yield from _positions(item, depth - 1)


_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


Err = Callable[..., list[Problem]]


def _structure(geom: Any, spec: LayerSpec, err: Err) -> tuple[str, list[Any]] | list[Problem]:
    """The geometry's type and positions, or the problem that makes it unreadable."""
    if geom is None:
        return err("geometry_missing", None, "the feature has no geometry (null)")
    if not isinstance(geom, dict) or "type" not in geom:
        return err("geometry_invalid", geom, "not a GeoJSON geometry object")
    gtype = geom.get("type")
    if gtype not in spec.geometry_types:
        known = gtype in GEOMETRY_TYPES or gtype == "GeometryCollection"
        message = f"geometry type {gtype} is not accepted in layer {spec.name}" if known else "unknown geometry type"
        return err("geometry_type", gtype, message)
    coords = geom.get("coordinates")
    if coords is None or coords == []:
        return err("geometry_empty", coords, "empty geometry (no coordinates)", "at least one position")
    positions = list(_positions(coords, _DEPTH[gtype]))
    for pos in positions:
        if not isinstance(pos, list) or len(pos) not in (2, 3) or not all(_is_number(v) for v in pos):
            return err("geometry_invalid", pos, f"malformed position in a {gtype}", "[longitude, latitude] numbers")
        if not all(math.isfinite(v) for v in pos):
            return err("geometry_nonfinite", pos, "non-finite coordinate (NaN or Infinity)", "finite numbers")
    if not positions:
        return err("geometry_empty", coords, "empty geometry (no positions)", "at least one position")
    return gtype, positions


def _out_of_range(positions: list[Any], bounds: Bounds | None, err: Err) -> list[Problem]:
    """A position outside the WGS84 range (or the whole geometry with latitude and longitude swapped)."""
    lons, lats = [p[0] for p in positions], [p[1] for p in positions]
    if min(lons) >= -180 and max(lons) <= 180 and min(lats) >= -90 and max(lats) <= 90:
        return []
    first_bad = next(p for p in positions if not (-180 <= p[0] <= 180 and -90 <= p[1] <= 90))
    swapped_ok = all(-180 <= p[1] <= 180 and -90 <= p[0] <= 90 for p in positions)
    if swapped_ok and bounds is not None and all(bounds.contains(p[1], p[0]) for p in positions):
        return err("swapped", first_bad, "latitude and longitude are swapped: GeoJSON wants [longitude, latitude]", "[longitude, latitude]")
    wgs84 = "longitude −180…180, latitude −90…90 (WGS84 degrees)"
    return err("out_of_range", first_bad, "coordinate outside the WGS84 range (projected coordinates?)", wgs84)


def _shape_problems(geom: dict, gtype: str, err: Err) -> tuple[list[Problem], bool]:
    """The problems of the shape a line or polygon makes, and whether they leave nothing to check further."""
    if gtype == "Point":  # a point with finite, in-range coordinates is always valid
        return [], False
    try:
        geometry = shape(geom)
    except (ValueError, TypeError, AttributeError, shapely.errors.ShapelyError) as exc:
        return err("geometry_invalid", gtype, f"cannot build the {gtype}: {str(exc).strip()}"), True
    if geometry.is_empty:
        return err("geometry_empty", gtype, "empty geometry", "at least one position"), True
    if not geometry.is_valid:
        reason = shapely.is_valid_reason(geometry)
        accepted = "a valid (OGC simple features) geometry, e.g. no self-intersection"
        return err("geometry_invalid", reason, "invalid geometry", accepted), False
    return [], False


def _bounds_problems(positions: list[Any], bounds: Bounds, err: Err, file: str, feature: str) -> list[Problem]:
    """A geometry outside the city's bounds (an error), or partly outside (a warning)."""
    inside = [bounds.contains(p[0], p[1]) for p in positions]
    if all(inside):
        return []
    if any(inside):
        return [
            Problem.warning(
                "out_of_bounds", file, "geometry", positions[inside.index(False)], "partly outside the city's bounds",
                "a geometry inside city.toml [bounds]", feature,
            )
        ]  # fmt: skip
    box = f"west {bounds.west}, south {bounds.south}, east {bounds.east}, north {bounds.north}"
    if all(bounds.contains(p[1], p[0]) for p in positions):
        return err(
            "swapped",
            positions[0],
            "latitude and longitude are swapped: GeoJSON wants [longitude, latitude]",
            f"a position inside the city's bounds ({box})",
        )
    return err("out_of_bounds", positions[0], "outside the city's bounds (city.toml [bounds])", f"a position inside {box}")


def check_geometry(geom: Any, spec: LayerSpec, file: str, feature: str, bounds: Bounds | None) -> list[Problem]:
    """Check one feature's geometry; return its problems."""
    accepted = " or ".join(spec.geometry_types)

    def err(code: str, value: Any, message: str, acc: str = accepted) -> list[Problem]:
        return [Problem.error(code, file, "geometry", value, message, acc, feature)]

    found = _structure(geom, spec, err)
    if isinstance(found, list):
        return found
    gtype, positions = found
    problems = _out_of_range(positions, bounds, err)
    if problems:
        return problems
    problems, fatal = _shape_problems(geom, gtype, err)
    if fatal or bounds is None:
        return problems
    return problems + _bounds_problems(positions, bounds, err, file, feature)


# --------------------------------------------------------------------------- properties


def check_value(f: Field, value: Any, file: str, feature: str) -> list[Problem]:
    """Check one property value against its declaration."""
    if value is None or (isinstance(value, str) and not value.strip() and f.required):
        if f.required:
            return [Problem.error("required", file, f.name, value, "missing required field", f.accepted(), feature)]
        return []
    ok = {
        "str": isinstance(value, str),
        "int": _is_number(value) and math.isfinite(value) and float(value).is_integer(),
        "float": _is_number(value) and math.isfinite(value),
        "bool": isinstance(value, bool),
        "date": isinstance(value, str) and _is_date(value),
    }[f.type]
    if not ok:
        hint = ""
        if f.type == "bool" and isinstance(value, str | int):
            hint = " (write true or false without quotes)"
        elif f.type in ("int", "float") and isinstance(value, str):
            hint = " (write the number without quotes)"
        elif f.type == "str" and _is_number(value):
            hint = " (write it as text in quotes)"
        return [Problem.error("type", file, f.name, value, f"wrong type: {type(value).__name__}{hint}", f.accepted(), feature)]
    if f.allowed is not None and value not in f.allowed:
        close = difflib.get_close_matches(str(value), f.allowed, n=1, cutoff=0.6)
        folded = [a for a in f.allowed if a.lower() == str(value).strip().lower()]
        guess = (folded or close or [None])[0]
        hint = f'; did you mean "{guess}"?' if guess else ""
        return [Problem.error("allowed", file, f.name, value, f"not an accepted value{hint}", f.accepted(), feature)]
    if f.type in ("int", "float") and ((f.min is not None and value < f.min) or (f.max is not None and value > f.max)):
        return [Problem.error("range", file, f.name, value, "out of range", f.accepted(), feature)]
    return []


def _plainly_valid(f: Field, value: Any) -> bool:
    """A quick yes for the common, valid case (most values of most files); anything else gets check_value."""
    kind = type(value)
    if f.type == "str":
        return kind is str and (f.allowed is None or value in f.allowed) and (not f.required or bool(value.strip()))
    if f.type == "bool":
        return kind is bool
    if f.type == "float" or f.type == "int":
        if kind is not int and not (kind is float and math.isfinite(value) and (f.type == "float" or value.is_integer())):
            return False
        return (f.min is None or value >= f.min) and (f.max is None or value <= f.max)
    return False  # dates: the full check


def _is_date(value: str) -> bool:
    if len(value) != 10:
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _gbk_fields(props: Json, file: str, feature: str, encoding: str) -> list[Problem]:
    """In a file decoded as GBK/GB18030, name the fields whose text is not UTF-8 in the file."""
    out = []
    for key, value in props.items():
        if isinstance(value, str) and not value.isascii():
            try:
                value.encode(encoding).decode("utf-8")
            except UnicodeError:
                out.append(Problem.error("encoding", file, key, value, "text stored as GBK/GB18030, not UTF-8", "UTF-8 text", feature))
    return out


@functools.cache
def _fields_of(spec: LayerSpec) -> tuple[dict[str, Field], tuple[Field, ...]]:
    return {f.name: f for f in spec.fields}, tuple(f for f in spec.fields if f.required and f.name != "id")


def check_properties(props: Json, spec: LayerSpec, file: str, label: str, seen: dict[str, str], here: str) -> list[Problem]:
    """One feature's properties: its id (missing, or already used — ``seen`` maps ids to where they were
    first used, ``here`` names this feature for later duplicates), every present field, every absent
    required one. Shared by validation and the importers."""
    problems: list[Problem] = []
    fid = props.get("id")
    if isinstance(fid, str) and fid.strip():
        if fid in seen:
            message = f"duplicate id (first used by {seen[fid]})"
            problems.append(Problem.error("id_duplicate", file, "id", fid, message, "an id used once in the layer", label))
        else:
            seen[fid] = here
    elif fid is None or (isinstance(fid, str) and not fid.strip()):
        problems.append(Problem.error("id_missing", file, "id", fid, "missing id", "a unique non-empty text id", label))
    # (a non-text id is reported by the type check below)
    declared, required = _fields_of(spec)
    for key, value in props.items():
        f = declared.get(key)
        if f is None or value is None or _plainly_valid(f, value):
            continue
        if key != "id" or fid is not None:
            problems += check_value(f, value, file, label)
    for f in required:
        if props.get(f.name) is None:
            problems += check_value(f, None, file, label)
    return problems


# --------------------------------------------------------------------------- a layer file


def _check_crs(fc: Json, file: str) -> tuple[list[Problem], bool]:
    """Check the obsolete ``crs`` member; return the problems and whether coordinates can be trusted as WGS84."""
    crs = fc.get("crs")
    if crs is None:
        return [], True
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) and isinstance(crs.get("properties"), dict) else None
    accepted = "WGS84 longitude/latitude (no crs member, or urn:ogc:def:crs:OGC:1.3:CRS84 / EPSG:4326)"
    if name in settings.WGS84_CRS_NAMES:
        return [], True
    if name in settings.CGCS2000_CRS_NAMES:
        return [Problem.warning("crs", file, "crs", name, "CGCS2000 declared; within centimetres of WGS84, read as WGS84", accepted)], True
    return [
        Problem.error(
            "crs",
            file,
            "crs",
            name if name is not None else crs,
            "declared coordinate reference system is not WGS84; reproject to WGS84 (coordinate checks skipped)",
            accepted,
        )
    ], False


def validate_layer_file(path: Path, spec: LayerSpec, bounds: Bounds | None) -> tuple[list[Problem], LayerCounts]:
    """Validate one ``<layer>.geojson`` file against its declaration."""
    file = path.name
    counts = LayerCounts()
    text, problems, encoding = decode_text(path.read_bytes(), file)
    data, json_problems = parse_json(text, file)
    problems += json_problems
    if json_problems:
        return problems, counts
    accepted_fc = 'a GeoJSON object with "type": "FeatureCollection" and a "features" list'
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        got = data.get("type") if isinstance(data, dict) else type(data).__name__
        problems.append(Problem.error("not_feature_collection", file, "type", got, "not a FeatureCollection", accepted_fc))
        return problems, counts
    features = data.get("features")
    if not isinstance(features, list):
        problems.append(
            Problem.error("not_feature_collection", file, "features", features, "the features member is not a list", accepted_fc)
        )
        return problems, counts
    crs_problems, trust_coords = _check_crs(data, file)
    problems += crs_problems

    seen_ids: dict[str, str] = {}
    for row, feat in enumerate(features, start=1):
        label = f"#{row}"
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            got = feat.get("type") if isinstance(feat, dict) else type(feat).__name__
            problems.append(Problem.error("not_feature_collection", file, "type", got, "not a Feature", '{"type": "Feature", ...}', label))
            continue
        props = feat.get("properties")
        if props is None:
            props = {}
        if not isinstance(props, dict):
            problems.append(Problem.error("type", file, "properties", props, "properties is not an object", "a JSON object", label))
            props = {}
        fid = props.get("id")
        if isinstance(fid, str) and fid.strip():
            label = f"{fid} (#{row})"
        problems += check_properties(props, spec, file, label, seen_ids, f"feature #{row}")
        if encoding == "gb18030":
            problems += _gbk_fields(props, file, label, encoding)
        geom_problems = check_geometry(feat.get("geometry"), spec, file, label, bounds if trust_coords else None)
        if not trust_coords:
            geom_problems = [p for p in geom_problems if p.code not in ("out_of_range", "out_of_bounds", "swapped")]
        problems += geom_problems

        counts.features += 1
        status, kind = props.get("status"), props.get(spec.type_field) if spec.type_field else None
        counts.by_status[str(status)] += 1
        if spec.type_field:
            counts.by_type[str(kind)] += 1
        district = props.get("district")
        if isinstance(district, str) and district:
            counts.by_district[district] += 1
        if spec.name == "zones" and kind == "district" and isinstance(props.get("name"), str):
            counts.district_zones.add(props["name"])
    return problems, counts


# --------------------------------------------------------------------------- a city


def _district_problems(report: ValidationReport) -> list[Problem]:
    """Warn about ``district`` values that name no district zone (a typo splits a district's counts)."""
    districts = report.counts["zones"].district_zones if "zones" in report.counts else set()
    if not districts:
        return []
    problems = []
    for name, counts in report.counts.items():
        for d, n in sorted(counts.by_district.items()):
            if d not in districts:
                problems.append(
                    Problem.warning(
                        "district",
                        ALL_LAYERS[name].filename,
                        "district",
                        d,
                        f"names no district zone in zones.geojson ({n} feature{'s' if n > 1 else ''})",
                        "one of " + ", ".join(sorted(districts)),
                    )
                )
    return problems


def validate_city(folder: str | Path) -> ValidationReport:
    """Validate a city folder: ``city.toml`` and every layer file; return the full report."""
    folder = Path(folder)
    report = ValidationReport(folder)
    if not folder.is_dir():
        report.problems.append(
            Problem.error("config", str(folder), None, None, "no such folder", "a city folder with city.toml and <layer>.geojson files")
        )
        return report
    config, problems = read_city_config(folder)
    report.extend(problems)
    bounds = config.bounds if config else None
    for name, spec in ALL_LAYERS.items():
        path = folder / spec.filename
        if not path.exists():
            report.counts[name] = LayerCounts()
            continue
        layer_problems, counts = validate_layer_file(path, spec, bounds)
        report.extend(layer_problems)
        report.counts[name] = counts
    for path in sorted(folder.glob("*.geojson")):
        if path.stem not in ALL_LAYERS:
            close = difflib.get_close_matches(path.stem, list(ALL_LAYERS), n=1)
            hint = f'; did you mean "{close[0]}.geojson"?' if close else ""
            report.problems.append(
                Problem.warning(
                    "unknown_file",
                    path.name,
                    None,
                    None,
                    f"not a known layer, ignored{hint}",
                    "one of " + ", ".join(s.filename for s in ALL_LAYERS.values()),
                )
            )
    report.extend(_district_problems(report))
    report.extend(leftover_problems(folder))
    return report


# --------------------------------------------------------------------------- leftovers of interrupted writes

_PARTIAL_CACHE: dict[tuple[str, int, int], bool] = {}


def _partial_backup(path: Path) -> bool:
    """True when a ``.bak-*`` copy is cut off (not valid JSON): a copy interrupted by an older version."""
    try:
        st = path.stat()
        key = (str(path), st.st_size, st.st_mtime_ns)
        if key not in _PARTIAL_CACHE:
            if st.st_size == 0:
                _PARTIAL_CACHE[key] = True
            elif st.st_size > 256 * 1024 * 1024:  # too big to read for a warning: complete unless its end is cut off
                with open(path, "rb") as fh:
                    fh.seek(-min(st.st_size, 64), 2)
                    _PARTIAL_CACHE[key] = not fh.read().rstrip().endswith(b"}")
            else:
                try:
                    json.loads(path.read_bytes().decode("utf-8-sig", errors="replace"))
                    _PARTIAL_CACHE[key] = False
                except (json.JSONDecodeError, RecursionError):
                    _PARTIAL_CACHE[key] = True
        return _PARTIAL_CACHE[key]
    except OSError:
        return False


def leftover_problems(folder: Path) -> list[Problem]:
    """Warnings (each naming the file, each safe to delete) about what interrupted writes and imports left:

    * ``.<name>.<random>.tmp`` in the city folder (``write_atomic`` killed between writing and renaming);
    * staging folders: ``../.facilities-staging/<city>.import-*/`` beside the city folder (or inside it,
      where the city folder is a mount point), and ``.<city>.import-*/`` from older versions, beside or inside;
    * ``<layer>.geojson.bak-*`` backups that are cut off (not valid JSON), from older versions' copies.
    """
    name = folder.name
    accepted = "no files left by interrupted imports or writes"

    def warn(file: str, message: str) -> Problem:
        return Problem.warning("leftover", file, None, None, message, accepted)

    problems: list[Problem] = []
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return problems
    for p in entries:
        n = p.name
        if n.startswith(".") and n.endswith(".tmp") and p.is_file():
            target = n[1:-4].rsplit(".", 1)[0]
            problems.append(
                warn(
                    n,
                    f"temporary file left by an interrupted write of {target}; safe to delete when no import is running",
                )
            )
        elif p.is_dir() and (n == STAGING_DIR or (n.startswith(".") and ".import-" in n)):
            problems.append(warn(n + "/", "staging folder left by an interrupted import; safe to delete when no import is running"))
        elif ".geojson.bak-" in n and p.is_file() and _partial_backup(p):
            problems.append(
                warn(n, "partial backup (cut off: not valid JSON) left by an interrupted import; the layer itself is whole; safe to delete")
            )
    parent = folder.resolve().parent
    staged = parent / STAGING_DIR
    candidates = [p for p in _entries(parent) if p.name.startswith(f".{name}.import-") and p.is_dir()]
    candidates += [p for p in _entries(staged) if p.name.startswith(f"{name}.import-") and p.is_dir()]
    for p in candidates:
        rel = f"../{p.relative_to(parent).as_posix()}/"
        problems.append(warn(rel, f"staging folder left by an interrupted import into {name}; safe to delete when no import is running"))
    return problems


def _entries(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except OSError:
        return []
