"""Settings in one place: where cities live, which coordinate systems are accepted, limits.

Values here are defaults; a city's own ``city.toml`` overrides what it declares.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Project root (the folder holding ``app.py``).
ROOT = Path(__file__).resolve().parent.parent

#: Folder holding one sub-folder per city (override with the environment variable FACILITIES_DATA_DIR).
DATA_DIR = Path(os.environ.get("FACILITIES_DATA_DIR", ROOT / "data")).resolve()

#: The city the app opens first (override with FACILITIES_CITY, a folder name under DATA_DIR).
DEMO_CITY = DATA_DIR / os.environ.get("FACILITIES_CITY", "xiangyang")

#: Geographic CRS of every stored layer.
STORAGE_CRS = "EPSG:4326"

#: ``crs`` names in a GeoJSON file's (obsolete) ``crs`` member taken as WGS84 longitude/latitude.
WGS84_CRS_NAMES = frozenset(
    {
        "urn:ogc:def:crs:OGC:1.3:CRS84",
        "urn:ogc:def:crs:OGC::CRS84",
        "OGC:CRS84",
        "CRS84",
        "EPSG:4326",
        "urn:ogc:def:crs:EPSG::4326",
        "urn:ogc:def:crs:EPSG:6.6:4326",
        "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        "http://www.opengis.net/def/crs/EPSG/0/4326",
    }
)

#: CGCS2000 (China's geodetic datum) is within centimetres of WGS84: accepted with a warning.
CGCS2000_CRS_NAMES = frozenset({"EPSG:4490", "urn:ogc:def:crs:EPSG::4490", "http://www.opengis.net/def/crs/EPSG/0/4490"})

#: At most this many lines per (file, problem kind) in the text report; the data report keeps all.
REPORT_LINES_PER_KIND = 20
