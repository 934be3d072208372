"""Column mappings: how a table's columns become a layer's fields (a TOML file, or found by column name).

A mapping file (see ``mappings/*.toml`` for two complete ones)::

    layer = "toilets"            # optional when --layer is given
    crs = "wgs84"                # wgs84 | cgcs2000 | gcj02 | bd09 | EPSG:n (--crs overrides)
    lon = "longitude"            # coordinate columns (found by name when left out; --lon/--lat override)
    lat = "latitude"
    keep = "unmapped"            # extra columns kept as text properties: "unmapped" (default), "none", or a list
    null_values = ["", "N/A"]    # cells read as empty (default: "", N/A, n/a, NA, NULL, null, None, -)

    [id]                         # feature ids: column value or row number, with a prefix
    column = "FACILITYID"        # left out: the spreadsheet row number (header = row 1)
    prefix = "DC-"

    [defaults]                   # fixed values for every row (a mapped column wins when it has a value)
    status = "existing"

    [fields]                     # layer field (or a new extra property) = column, or a table:
    district = "行政區"
    seats = { column = "座數", type = "int" }                       # type of an extra property
    height_m = { column = "POLEHEIGHT_DESC", regex = '([0-9.]+)\\s*ft', scale = 0.3048 }
    lamp_type = { column = "FIXTURESTYLE_DESC", map = { "Spot Light" = "floodlight" }, other = "street" }
    family_room = { column = "親子廁座數", at_least = 1 }           # a bool: the number is at least 1
    grade = { argmax = { "特優級" = "AAA", "優等級" = "AA" }, other = "none" }  # the value whose column is largest
    district = { column = "WARD", format = "Ward {}" }
    updated = { column = "EDITED", date_format = "%m/%d/%Y %H:%M:%S" }

Keys of a field table: ``column``, ``type`` (str, int, float, bool, date; a layer field has its declared
type), ``map`` (cell text → value; a value not in the map rejects the row unless ``other`` gives one),
``other``, ``regex`` (the first group, else the match, is read), ``scale`` (a number is multiplied),
``format``, ``at_least``, ``argmax`` (ties go to the later column: list them best first, so a tie counts as
the lower grade), ``date_format`` (strptime; default: ISO, 2026/1/2, 2026.1.2, 2026年1月2日) and ``default``
(the value when the cell is empty).

Without a mapping file, a column whose header is a field's name (any case) or one of :data:`ALIASES`
fills that field; every other column is kept as a text property.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from facilities.errors import ImportUsageError
from facilities.problems import Problem
from facilities.schema import Field, LayerSpec
from facilities.validation import check_value

MAPPINGS_DIR = Path(__file__).with_name("mappings")
NULL_VALUES = ("", "N/A", "n/a", "NA", "NULL", "null", "None", "-")
_MISSING = object()
BOOL_TRUE = {"true", "yes", "y", "t", "1", "是", "有", "✓", "√"}
BOOL_FALSE = {"false", "no", "n", "f", "0", "否", "无", "無", "✗", "×"}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S")

#: column headers (compared without case, spaces, '_' and '-') that fill a field when no mapping is given
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号", "編號", "fid", "objectid"),
    "name": ("name", "名称", "名稱", "namezh", "中文名", "中文名称"),
    "name_en": ("nameen", "英文名", "英文名称", "英文名稱", "englishname"),
    "district": ("district", "行政区", "行政區", "所属区", "所屬區", "区县", "區縣"),
    "unit": ("unit", "管理单位", "管理單位", "责任单位", "責任單位", "管理部门", "管理部門"),
    "notes": ("notes", "备注", "備註"),
    "updated": ("updated", "更新日期", "更新時間", "更新时间"),
}
_KEYS = {"column", "type", "map", "other", "regex", "scale", "format", "at_least", "argmax", "date_format", "default"}
_TOP_KEYS = {"layer", "crs", "lon", "lat", "keep", "null_values", "encoding", "id", "defaults", "fields", "derive_roads"}


def norm_header(text: str) -> str:
    """A header as written by people: BOM, spaces (also full-width and no-break) and case removed."""
    return re.sub(r"[\s\ufeff\u3000_\-]+", "", text).lower()


@dataclass
class FieldRule:
    """How one field gets its value (see the module docstring)."""

    field: str
    type: str = "str"
    column: str | None = None
    value: Any = None
    map: dict[str, Any] | None = None
    other: Any = _MISSING
    regex: re.Pattern | None = None
    scale: float | None = None
    format: str | None = None
    at_least: float | None = None
    argmax: dict[str, Any] | None = None
    date_format: str | None = None
    default: Any = None

    @property
    def columns(self) -> list[str]:
        """The source columns this field is read from."""
        return list(self.argmax) if self.argmax else [self.column] if self.column else []

    def accepted(self) -> str:
        """What a cell may hold, for messages."""
        if self.map is not None:
            keys = list(self.map)
            return "one of " + ", ".join(keys[:12]) + (", …" if len(keys) > 12 else "") + " (the mapping's map)"
        if self.regex is not None:
            return f"text matching {self.regex.pattern}"
        if self.at_least is not None or self.argmax is not None:
            return "a number"
        return {
            "str": "text",
            "int": "a whole number",
            "float": "a number",
            "bool": "yes/no (true/false, yes/no, 1/0, 是/否, 有/无)",
            "date": self.date_format or "a date: YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD or YYYY年MM月DD日",
        }[self.type]


@dataclass
class Mapping:
    """A column mapping (a TOML file, or one guessed from the headers): source columns to layer fields."""

    layer: str | None = None
    crs: str | None = None
    lon: str | None = None
    lat: str | None = None
    encoding: str | None = None
    id_column: str | None = None
    id_prefix: str | None = None
    rules: list[FieldRule] = field(default_factory=list)
    keep: str | list[str] = "unmapped"
    null_values: frozenset[str] = frozenset(NULL_VALUES)
    derive_roads: dict[str, Any] | None = None
    path: Path | None = None

    def used_columns(self) -> set[str]:
        """Every source column the mapping reads (fields, id, coordinates)."""
        cols = {c for r in self.rules for c in r.columns}
        return cols | {c for c in (self.id_column, self.lon, self.lat) if c}


# --------------------------------------------------------------------------- reading a mapping file


def resolve(name: str) -> Path:
    """A mapping file by path, or by the name of a shipped one (``taipei_toilets``)."""
    path = Path(name)
    if path.is_file():
        return path
    shipped = MAPPINGS_DIR / (name if name.endswith(".toml") else f"{name}.toml")
    if shipped.is_file():
        return shipped
    names = ", ".join(sorted(p.stem for p in MAPPINGS_DIR.glob("*.toml")))
    raise ImportUsageError(f"--mapping {name}: no such file, and no shipped mapping of that name (shipped: {names})")


def _typed(value: Any, ftype: str) -> bool:
    return {
        "str": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, int | float) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "date": isinstance(value, str | dt.date),
    }[ftype]


def _check_constant(value: Any, f: Field | None, ftype: str, file: str, where: str, problems: list[Problem]) -> Any:
    if isinstance(value, dt.date):
        value = value.isoformat()
    if f is not None:
        found = check_value(f, value, file, where)
        if found:
            problems.extend(found)
    elif value is not None and not _typed(value, ftype):
        problems.append(Problem.error("mapping", file, where, value, f"not a {ftype} value", f"a {ftype} value"))
    return value


def load_mapping(path: Path, layer_from_cli: str | None) -> Mapping:
    """Read and check a mapping file against the layer model; raise ImportUsageError listing every problem."""
    from facilities.schema import LAYERS

    file = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ImportUsageError(f"{path}: not a valid UTF-8 TOML mapping file: {exc}") from None
    problems: list[Problem] = []
    layer = _mapping_layer(data, path, layer_from_cli)
    spec = LAYERS[layer]
    for key in data:
        if key not in _TOP_KEYS:
            problems.append(Problem.error("mapping", file, key, data[key], "unknown key", ", ".join(sorted(_TOP_KEYS))))
    m = Mapping(layer=layer, path=path)
    _read_options(data, m, file, problems)
    _read_rules(data, spec, m, file, problems)
    _read_derive_roads(data, m, file, problems)
    if any(p.severity == "error" for p in problems):
        raise ImportUsageError(f"{path}: the mapping file has errors:\n" + "\n".join(f"  - {p.to_text()}" for p in problems))
    return m


def _mapping_layer(data: dict[str, Any], path: Path, layer_from_cli: str | None) -> str:
    """The layer the mapping is for (the file's or --layer); raise ImportUsageError if they differ or it is unknown."""
    from facilities.schema import LAYERS

    layer = data.get("layer")
    if layer_from_cli and layer and layer != layer_from_cli:
        raise ImportUsageError(f"{path}: maps to layer {layer!r}, but --layer {layer_from_cli} was given")
    layer = layer_from_cli or layer
    if layer not in LAYERS:
        raise ImportUsageError(f"{path}: layer {layer!r} is not a layer (accepted: {', '.join(LAYERS)}); give --layer")
    return str(layer)


def _read_options(data: dict[str, Any], m: Mapping, file: str, problems: list[Problem]) -> None:
    """Set crs, lon, lat, encoding, keep, null_values and the [id] table on ``m``, reporting bad values."""
    for key in ("crs", "lon", "lat", "encoding"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            problems.append(Problem.error("mapping", file, key, value, "not text", "a text string"))
        else:
            setattr(m, key, value)
    keep = data.get("keep", "unmapped")
    if keep not in ("unmapped", "none") and not (isinstance(keep, list) and all(isinstance(k, str) for k in keep)):
        problems.append(Problem.error("mapping", file, "keep", keep, "not a valid keep", '"unmapped", "none" or a list of columns'))
    else:
        m.keep = keep
    nulls = data.get("null_values")
    if nulls is not None:
        if isinstance(nulls, list) and all(isinstance(v, str) for v in nulls):
            m.null_values = frozenset(nulls) | {""}
        else:
            problems.append(Problem.error("mapping", file, "null_values", nulls, "not a list of text", 'e.g. ["", "N/A"]'))
    ident = data.get("id", {})
    if not isinstance(ident, dict) or set(ident) - {"column", "prefix"}:
        problems.append(Problem.error("mapping", file, "id", ident, "not a valid [id] table", "column and/or prefix"))
    else:
        m.id_column, m.id_prefix = ident.get("column"), ident.get("prefix")


def _read_rules(data: dict[str, Any], spec: LayerSpec, m: Mapping, file: str, problems: list[Problem]) -> None:
    """Add the [defaults] constants and the [fields] rules to ``m``, reporting bad ones."""
    declared = {f.name: f for f in spec.fields}
    for name, value in (data.get("defaults") or {}).items():
        f = declared.get(name)
        value = _check_constant(value, f, f.type if f else _guess_type(value), file, f"defaults.{name}", problems)
        m.rules.append(FieldRule(name, f.type if f else _guess_type(value), value=value))
    for name, raw in (data.get("fields") or {}).items():
        rule = _field_rule(name, raw, declared.get(name), file, problems)
        if rule is not None:
            m.rules.append(rule)
    if "id" in {r.field for r in m.rules}:
        problems.append(Problem.error("mapping", file, "fields.id", None, "ids come from the [id] table", "[id] column = …, prefix = …"))


def _read_derive_roads(data: dict[str, Any], m: Mapping, file: str, problems: list[Problem]) -> None:
    """Set the [derive_roads] table on ``m`` if it is valid; report it otherwise."""
    derive = data.get("derive_roads")
    if derive is None:
        return
    need = {"group", "name", "road_class"}
    if not isinstance(derive, dict) or not need <= set(derive) or set(derive) - need - {"id_prefix", "min_points"}:
        problems.append(
            Problem.error("mapping", file, "derive_roads", derive, "not a valid table", "group, name, road_class[, id_prefix, min_points]")
        )
    else:
        m.derive_roads = derive


def _guess_type(value: Any) -> str:
    return "bool" if isinstance(value, bool) else "int" if isinstance(value, int) else "float" if isinstance(value, float) else "str"


def _field_rule(name: str, raw: Any, f: Field | None, file: str, problems: list[Problem]) -> FieldRule | None:
    """One [fields] entry as a rule (None if it cannot be used), reporting its problems."""
    where = f"fields.{name}"
    if isinstance(raw, str):
        return FieldRule(name, f.type if f else "str", column=raw)
    if not isinstance(raw, dict):
        problems.append(Problem.error("mapping", file, where, raw, "not a column name or a table", '"column" or { column = "…", … }'))
        return None
    ftype = _rule_type(name, raw, f, file, where, problems)
    if ftype is None:
        return None
    if "column" not in raw and "argmax" not in raw:
        problems.append(Problem.error("mapping", file, where, raw, "needs a column or an argmax", 'column = "…"'))
        return None
    rule = FieldRule(name, ftype, column=raw.get("column"), format=raw.get("format"), date_format=raw.get("date_format"))
    _rule_constants(rule, raw, f, file, where, problems)
    _rule_patterns(rule, raw, file, where, problems)
    _rule_numbers(rule, raw, file, where, problems)
    return rule


def _rule_type(name: str, raw: dict[str, Any], f: Field | None, file: str, where: str, problems: list[Problem]) -> str | None:
    """Report unknown keys of a field table and return its type (None if the type is unknown)."""
    for key in raw:
        if key not in _KEYS:
            problems.append(Problem.error("mapping", file, f"{where}.{key}", raw[key], "unknown key", ", ".join(sorted(_KEYS))))
    ftype = raw.get("type", "bool" if "at_least" in raw else "str")
    if f is not None:
        if "type" in raw and raw["type"] != f.type:
            problems.append(
                Problem.error("mapping", file, f"{where}.type", raw["type"], f"{name} is a layer field of type {f.type}", f.type)
            )
        ftype = f.type
    if ftype not in ("str", "int", "float", "bool", "date"):
        problems.append(Problem.error("mapping", file, f"{where}.type", ftype, "unknown type", "str, int, float, bool, date"))
        return None
    return str(ftype)


def _rule_constants(rule: FieldRule, raw: dict[str, Any], f: Field | None, file: str, where: str, problems: list[Problem]) -> None:
    """Set a rule's map, argmax, other and default values, checking each against the field."""
    ftype = rule.type
    for key in ("map", "argmax"):
        table = raw.get(key)
        if table is None:
            continue
        if not isinstance(table, dict) or not table:
            problems.append(Problem.error("mapping", file, f"{where}.{key}", table, "not a table", '{ "text" = value, … }'))
            continue
        setattr(rule, key, {str(k): _check_constant(v, f, ftype, file, f"{where}.{key}.{k}", problems) for k, v in table.items()})
    for key in ("other", "default"):
        if key in raw:
            setattr(rule, key, _check_constant(raw[key], f, ftype, file, f"{where}.{key}", problems))


def _rule_patterns(rule: FieldRule, raw: dict[str, Any], file: str, where: str, problems: list[Problem]) -> None:
    """Check a rule's format string and compile its regex, reporting unusable ones."""
    if rule.format is not None:
        try:
            rule.format.format("x")
        except (IndexError, KeyError, ValueError) as exc:
            problems.append(
                Problem.error("mapping", file, f"{where}.format", rule.format, f"not a usable format: {exc!r}", 'e.g. "Ward {}"')
            )
    if "regex" in raw:
        try:
            rule.regex = re.compile(raw["regex"])
        except (re.error, TypeError) as exc:
            problems.append(Problem.error("mapping", file, f"{where}.regex", raw["regex"], f"not a regular expression: {exc}", "a regex"))


def _rule_numbers(rule: FieldRule, raw: dict[str, Any], file: str, where: str, problems: list[Problem]) -> None:
    """Set a rule's scale and at_least, reporting values that are not numbers."""
    for key in ("scale", "at_least"):
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            problems.append(Problem.error("mapping", file, f"{where}.{key}", value, "not a number", "a number"))
        elif value is not None:
            setattr(rule, key, float(value))


# --------------------------------------------------------------------------- mapping by column names


def auto_mapping(headers: list[str], spec: LayerSpec) -> Mapping:
    """Fields found by column name (a field's own name, any case, or an alias)."""
    by_norm = {norm_header(h): h for h in headers}
    m = Mapping(layer=spec.name)
    for f in spec.fields:
        names = (norm_header(f.name), *ALIASES.get(f.name, ()))
        column = next((by_norm[n] for n in names if n in by_norm), None)
        if column is None:
            continue
        if f.name == "id":
            m.id_column = column
        else:
            m.rules.append(FieldRule(f.name, f.type, column=column))
    return m


def add_constants(m: Mapping, spec: LayerSpec, sets: list[str], file: str) -> None:
    """Apply ``--set field=value`` (typed by the layer model) and the defaults status=existing, source=import."""
    declared = {f.name: f for f in spec.fields}
    given = {r.field for r in m.rules}
    for name, value in (("status", "existing"), ("source", "import")):
        if name not in given and name in declared:
            m.rules.insert(0, FieldRule(name, "str", value=value))
    for item in sets:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ImportUsageError(f"--set {item!r}: write FIELD=VALUE, e.g. --set grade=none")
        f = declared.get(name)
        rule = FieldRule(name, f.type if f else "str")
        value, problem = convert(rule, text.strip(), m.null_values)
        if problem:
            raise ImportUsageError(f"--set {item}: {problem} (accepted: {f.accepted() if f else 'text'})")
        if f is not None and check_value(f, value, file, "--set"):
            raise ImportUsageError(f"--set {item}: not accepted for {spec.name}.{name} (accepted: {f.accepted()})")
        m.rules = [r for r in m.rules if r.field != name or r.column is not None]  # a column still wins when it has a value
        m.rules.append(FieldRule(name, rule.type, value=value))


# --------------------------------------------------------------------------- applying a mapping to a row


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", "")) if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?", text) else float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def convert(rule: FieldRule, text: str, nulls: frozenset[str]) -> tuple[Any, str | None]:
    """One cell's text as the field's value: (value, None) or (None, why it cannot be read)."""
    if text in nulls:
        return rule.default, None
    if rule.map is not None:
        return _convert_mapped(rule, rule.map, text)
    if rule.regex is not None:
        found = rule.regex.search(text)
        if found is None:
            return None, f"does not match the pattern {rule.regex.pattern}"
        text = found.group(1) if found.groups() else found.group(0)
    if rule.at_least is not None:
        number = _number(text)
        return (None, "not a number") if number is None else (number >= rule.at_least, None)
    if rule.type in ("int", "float"):
        return _convert_number(rule, text)
    if rule.type == "bool":
        return _convert_bool(text)
    if rule.type == "date":
        return _convert_date(rule, text)
    value: Any = text
    if rule.format is not None:
        value = rule.format.format(value)
    return value, None


def _convert_mapped(rule: FieldRule, table: dict[str, Any], text: str) -> tuple[Any, str | None]:
    """A cell's value through the rule's map (or its ``other`` value)."""
    if text in table:
        return table[text], None
    if rule.other is not _MISSING:
        return rule.other, None
    return None, f"no mapping for this value (mapped: {', '.join(list(table)[:8])}{', …' if len(table) > 8 else ''})"


def _convert_number(rule: FieldRule, text: str) -> tuple[Any, str | None]:
    """A cell's text as an int or float field's value, scaled if the rule says so."""
    number = _number(text)
    if number is None:
        return None, "not a number"
    number = number * rule.scale if rule.scale is not None else number
    if rule.type == "int":
        if not float(number).is_integer():
            return None, "not a whole number"
        return int(number), None
    return round(number, 6) if rule.scale is not None else number, None


def _convert_bool(text: str) -> tuple[Any, str | None]:
    """A cell's text as a yes/no value."""
    low = text.strip().lower()
    if low in BOOL_TRUE:
        return True, None
    if low in BOOL_FALSE:
        return False, None
    return None, "not a yes/no value"


def _convert_date(rule: FieldRule, text: str) -> tuple[Any, str | None]:
    """A cell's text as an ISO date, read with the rule's date format or the accepted ones."""
    for fmt in (rule.date_format,) if rule.date_format else DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat(), None
        except ValueError:
            continue
    return None, f"not a date ({rule.date_format or 'YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD or YYYY年MM月DD日'})"


def apply(m: Mapping, row: dict[str, str]) -> tuple[dict[str, Any], dict[str, str], list[tuple[str, str, str, str]]]:
    """A row's properties; the source column of each; the cells that cannot be read (column, text, why, accepted)."""
    props: dict[str, Any] = {}
    columns: dict[str, str] = {}
    bad: list[tuple[str, str, str, str]] = []
    for rule in m.rules:
        if rule.argmax is not None:
            best: tuple[float, Any] | None = None
            for col, value in rule.argmax.items():
                text = row.get(col, "")
                n = 0.0 if text in m.null_values else _number(text)
                if n is None:
                    bad.append((col, text, "not a number", "a number"))
                    break
                if best is None or n >= best[0]:
                    best = (n, value)
            else:
                if best is not None and best[0] > 0:
                    props[rule.field] = best[1]
                elif rule.other is not _MISSING:
                    props[rule.field] = rule.other
                columns[rule.field] = "/".join(rule.argmax)
            continue
        if rule.column is None:
            props.setdefault(rule.field, rule.value)  # a constant: a mapped column (set later) wins
            continue
        text = row.get(rule.column, "")
        value, why = convert(rule, text, m.null_values)
        if why:
            if not any(b[:3] == (rule.column, text, why) for b in bad):  # two fields read from one column
                bad.append((rule.column, text, why, rule.accepted()))
            continue
        if value is not None or rule.field not in props:
            props[rule.field] = value
        columns[rule.field] = rule.column
    return {k: v for k, v in props.items() if v is not None}, columns, bad


__all__ = [
    "ALIASES",
    "MAPPINGS_DIR",
    "FieldRule",
    "Mapping",
    "add_constants",
    "apply",
    "auto_mapping",
    "convert",
    "load_mapping",
    "resolve",
]


def mapping_and_layer(source: Path, mapping: str | Path | None, layer: str | None) -> tuple[Mapping | None, str]:
    """Check the input file exists, read the mapping (if any) and settle the target layer (the option, else
    the mapping's); raise ImportUsageError when either is unusable."""
    from facilities.errors import ImportUsageError
    from facilities.schema import LAYERS

    if not Path(source).exists():
        raise ImportUsageError(f"{source}: no such file")
    m = load_mapping(resolve(str(mapping)), layer) if mapping else None
    layer = layer or (m.layer if m else None)
    if layer not in LAYERS:
        raise ImportUsageError(f"--layer {layer!r}: accepted: {', '.join(LAYERS)}")
    return m, layer
