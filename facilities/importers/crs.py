"""Source coordinate systems: every import is converted to WGS84 longitude/latitude on the way in.

``--crs`` accepts ``wgs84`` (EPSG:4326, the default), ``cgcs2000`` (EPSG:4490, China's datum: within
centimetres of WGS84, stored as is), ``gcj02`` (Gaode/AutoNavi, Tencent), ``bd09`` (Baidu) and any
``EPSG:n`` pyproj knows (e.g. ``EPSG:4547``, CGCS2000 / 3-degree Gauss-Kruger CM 114E). GCJ-02 and BD-09
are undone with :mod:`facilities.chinacrs`; EPSG systems are reprojected with pyproj (x = easting, y =
northing, whatever the CRS's own axis order).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from facilities import chinacrs
from facilities.errors import ImportUsageError

ACCEPTED = "wgs84, cgcs2000, gcj02, bd09 or EPSG:<code> (e.g. EPSG:4547)"

Converter = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def normalise(name: str | None) -> str:
    """The canonical spelling of a --crs value (``wgs84`` when None); raise ImportUsageError if unknown."""
    if name is None:
        return "wgs84"
    key = name.strip().lower().replace("-", "").replace("_", "")
    aliases = {"wgs84": "wgs84", "epsg4326": "wgs84", "4326": "wgs84", "cgcs2000": "cgcs2000", "epsg4490": "cgcs2000"}
    aliases |= {"gcj02": "gcj02", "gcj": "gcj02", "gaode": "gcj02", "amap": "gcj02", "bd09": "bd09", "baidu": "bd09", "bd09ll": "bd09"}
    if key in aliases:
        return aliases[key]
    try:
        crs = CRS.from_user_input(name.strip())
    except CRSError:
        raise ImportUsageError(f"--crs {name!r}: not a known coordinate system (accepted: {ACCEPTED})") from None
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_string()


def is_china_system(name: str) -> bool:
    """True for systems only used in China (their points should lie in China)."""
    return name in ("gcj02", "bd09")


def area_of_use(name: str) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) where an EPSG system is meant to be used (None for the others, or if unknown)."""
    if not name.startswith("EPSG:") or name == "EPSG:4326":
        return None
    area = CRS.from_user_input(name).area_of_use
    return None if area is None else (area.west, area.south, area.east, area.north)


def converter(name: str) -> Converter:
    """A function (x, y) -> (lon, lat) in WGS84 for the normalised CRS ``name``."""
    if name in ("wgs84", "cgcs2000"):
        return lambda x, y: (np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    if name == "gcj02":
        return chinacrs.gcj02_to_wgs84
    if name == "bd09":
        return chinacrs.bd09_to_wgs84
    transformer = Transformer.from_crs(CRS.from_user_input(name), "EPSG:4326", always_xy=True)

    def project(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lon, lat = transformer.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float), errcheck=False)
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)

    return project


__all__ = ["ACCEPTED", "area_of_use", "converter", "is_china_system", "normalise"]
