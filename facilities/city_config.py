"""A city's ``city.toml``: names, centre, zoom, bounds and the metric CRS for distances.

Example::

    name = "襄阳"
    name_en = "Xiangyang"
    zoom = 13
    crs = "auto"          # or e.g. "EPSG:4547"; "auto" = transverse Mercator centred on the city
    inspection_date = 2027-05-20   # optional: the inspection the campaign counts down to (before any [table])

    [center]
    lon = 112.14
    lat = 32.03

    [bounds]              # WGS84 degrees
    west = 111.95
    south = 31.88
    east = 112.35
    north = 32.15

    [office]              # optional: who issues rectification notices (整改通知书)
    name = "襄阳市创建中国优秀旅游城市工作办公室"
    short = "创优办"        # the notice numbers read 创优办〔2026〕第12号
    contact = "联系电话 0710-0000000"
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pyproj import CRS
from pyproj.exceptions import CRSError

from facilities.problems import Problem

CONFIG_FILE = "city.toml"


@dataclass(frozen=True)
class Bounds:
    """A box in WGS84 degrees: the city's extent, where its features must lie."""

    west: float
    south: float
    east: float
    north: float

    def contains(self, lon: float, lat: float) -> bool:
        """True when (lon, lat) is inside the box, edges included."""
        return self.west <= lon <= self.east and self.south <= lat <= self.north

    def as_tuple(self) -> tuple[float, float, float, float]:
        """(west, south, east, north)."""
        return (self.west, self.south, self.east, self.north)


@dataclass(frozen=True)
class Office:
    """Who issues the city's rectification notices: the office's full and short name and a contact line."""

    name: str = "创建中国优秀旅游城市工作办公室"
    short: str = "创优办"
    contact: str = ""


@dataclass(frozen=True)
class CityConfig:
    """A city's ``city.toml``: its names, the map's centre and zoom, its bounds and the CRS distances are measured in."""

    name: str
    name_en: str
    center_lon: float
    center_lat: float
    zoom: int
    bounds: Bounds
    crs: str = "auto"
    inspection_date: dt.date | None = None
    office: Office = field(default_factory=lambda: Office())

    @property
    def metric_crs(self) -> CRS:
        """The CRS used for every distance and area of this city.

        ``auto`` gives a transverse Mercator projection centred on the city (scale factor 1
        at the centre): its scale error is below 0.01 % within 90 km of the centre, at any
        latitude and on any side of a UTM zone edge, unlike a fixed UTM zone.
        """
        if self.crs == "auto":
            return local_metric_crs(self.center_lon, self.center_lat)
        return CRS.from_user_input(self.crs)


def local_metric_crs(lon: float, lat: float) -> CRS:
    """Transverse Mercator on the WGS84 ellipsoid, centred at (lon, lat), in metres."""
    return CRS.from_proj4(f"+proj=tmerc +lat_0={lat:.6f} +lon_0={lon:.6f} +k=1 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs")


def _number(table: dict, key: str, where: str, problems: list[Problem], lo: float, hi: float) -> float | None:
    value = table.get(key)
    if value is None:
        problems.append(Problem.error("config", CONFIG_FILE, f"{where}{key}", None, "missing", f"a number from {lo:g} to {hi:g}"))
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or not lo <= value <= hi:
        problems.append(
            Problem.error("config", CONFIG_FILE, f"{where}{key}", value, "out of range or not a number", f"a number from {lo:g} to {hi:g}")
        )
        return None
    return float(value)


def _read_toml(raw: bytes | None, problems: list[Problem]) -> dict | None:
    """``city.toml`` (its bytes, None when there is none) as a table, or None (the problem added) when it
    is missing or unreadable."""
    if raw is None:
        problems.append(
            Problem.error(
                "config",
                CONFIG_FILE,
                None,
                None,
                "the city folder has no city.toml",
                "a city.toml with name, name_en, center, zoom and bounds",
            )
        )
        return None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        problems.append(
            Problem.error("encoding", CONFIG_FILE, None, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})", "UTF-8 text")
        )
    except RecursionError:
        problems.append(Problem.error("config", CONFIG_FILE, None, None, "nested too deeply to read", "TOML (https://toml.io)"))
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem.error("config", CONFIG_FILE, None, None, f"not valid TOML: {exc}", "TOML (https://toml.io)"))
    return None


def _read_bounds(b: dict, problems: list[Problem]) -> Bounds | None:
    """The ``[bounds]`` table as a box, or None (the problems added)."""
    vals = {
        k: _number(b, k, "bounds.", problems, -180 if k in ("west", "east") else -90, 180 if k in ("west", "east") else 90)
        for k in ("west", "south", "east", "north")
    }
    if not all(v is not None for v in vals.values()):
        return None
    bounds = Bounds(**vals)  # type: ignore[arg-type]
    if not (bounds.west < bounds.east and bounds.south < bounds.north):
        problems.append(
            Problem.error("config", CONFIG_FILE, "bounds", str(bounds.as_tuple()), "empty box", "west < east and south < north")
        )
        return None
    return bounds


def _crs_problems(crs: object) -> list[Problem]:
    """Why ``crs`` cannot measure distances (none when it is ``auto`` or a projected CRS in metres)."""
    if crs == "auto":
        return []
    accepted = '"auto" or a projected CRS in metres, e.g. "EPSG:4547"'
    try:
        parsed = CRS.from_user_input(crs)
    except (CRSError, TypeError):
        return [Problem.error("config", CONFIG_FILE, "crs", crs, "not a known CRS", accepted)]
    unit = parsed.axis_info[0].unit_name if parsed.axis_info else ""
    if not parsed.is_projected or unit not in ("metre", "meter"):
        return [Problem.error("config", CONFIG_FILE, "crs", crs, "not a projected CRS in metres", accepted)]
    return []


def read_city_config(folder: Path) -> tuple[CityConfig | None, list[Problem]]:
    """Read and check ``folder/city.toml``; return the config (None if unusable) and every problem."""
    path = Path(folder) / CONFIG_FILE
    return parse_city_config(path.read_bytes() if path.is_file() else None)


def parse_city_config(raw: bytes | None) -> tuple[CityConfig | None, list[Problem]]:
    """Check the text of a ``city.toml`` (None: there is none); the config (None if unusable) and every problem."""
    problems: list[Problem] = []
    data = _read_toml(raw, problems)
    if data is None:
        return None, problems

    names = _read_names(data, problems)
    zoom = _read_zoom(data, problems)
    center = _table(data, "center", problems)
    lon = _number(center, "lon", "center.", problems, -180, 180) if center else None
    lat = _number(center, "lat", "center.", problems, -90, 90) if center else None
    b = _table(data, "bounds", problems)
    bounds = _read_bounds(b, problems) if b else None
    if bounds and lon is not None and lat is not None and not bounds.contains(lon, lat):
        problems.append(
            Problem.error(
                "config", CONFIG_FILE, "center", f"({lon}, {lat})", "the centre lies outside the bounds", "a centre inside [bounds]"
            )
        )
    crs = data.get("crs", "auto")
    problems += _crs_problems(crs)
    for table, keys in (("center", ("lon", "lat")), ("bounds", ("west", "south", "east", "north"))):
        for key in data.get(table, {}) if isinstance(data.get(table), dict) else ():
            if key not in keys:
                problems.append(
                    Problem.warning(
                        "config", CONFIG_FILE, f"{table}.{key}", data[table][key], f"unknown key in [{table}] (a key written after the"
                        f" [{table}] header belongs to it)", f"{', '.join(keys)}; top-level keys go before the first [table]",
                    )
                )  # fmt: skip

    inspection = data.get("inspection_date")
    if inspection is not None and (not isinstance(inspection, dt.date) or isinstance(inspection, dt.datetime)):
        problems.append(
            Problem.error(
                "config", CONFIG_FILE, "inspection_date", inspection, "not a date", "a TOML date, e.g. inspection_date = 2027-05-20"
            )
        )
        inspection = None
    office = _read_office(data, problems)

    if any(p.severity == "error" for p in problems) or bounds is None or lon is None or lat is None:
        return None, problems
    return CityConfig(names["name"], names["name_en"], lon, lat, zoom, bounds, crs, inspection, office), problems


def _read_office(data: dict, problems: list[Problem]) -> Office:
    """The optional ``[office]`` table (its defaults when missing; a problem per key that is not text)."""
    raw = data.get("office", {})
    if not isinstance(raw, dict):
        problems.append(Problem.error("config", CONFIG_FILE, "office", raw, "not a table", "an [office] table with name, short, contact"))
        return Office()
    values = {}
    for key in raw:
        if key not in ("name", "short", "contact"):
            problems.append(Problem.error("config", CONFIG_FILE, f"office.{key}", raw[key], "unknown key", "name, short, contact"))
        elif not isinstance(raw[key], str) or (key != "contact" and not raw[key].strip()):
            problems.append(Problem.error("config", CONFIG_FILE, f"office.{key}", raw[key], "not text", "a non-empty text string"))
        else:
            values[key] = raw[key].strip()
    return Office(**values)


def _read_names(data: dict, problems: list[Problem]) -> dict[str, str]:
    """The ``name`` and ``name_en`` texts ("" when not text; the problems added)."""
    names = {}
    for key in ("name", "name_en"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem.error("config", CONFIG_FILE, key, value, "missing or not text", "a non-empty text string"))
        names[key] = value if isinstance(value, str) else ""
    return names


def _read_zoom(data: dict, problems: list[Problem]) -> int:
    """The ``zoom`` level (13 when missing or invalid; the problem added)."""
    zoom = data.get("zoom", 13)
    if isinstance(zoom, bool) or not isinstance(zoom, int) or not 1 <= zoom <= 20:
        problems.append(Problem.error("config", CONFIG_FILE, "zoom", zoom, "not a valid zoom level", "a whole number from 1 to 20"))
        zoom = 13
    return zoom


def _table(data: dict, key: str, problems: list[Problem]) -> dict:
    """The ``[key]`` table, or {} (the problem added) when it is missing or not a table."""
    value = data.get(key)
    if not isinstance(value, dict):
        problems.append(Problem.error("config", CONFIG_FILE, key, value, f"missing [{key}] table", f"a [{key}] table"))
        return {}
    return value
