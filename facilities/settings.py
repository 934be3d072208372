"""Settings in one place: where cities live, which coordinate systems are accepted, limits.

Values here are defaults; a city's own ``city.toml`` overrides what it declares. A value that cannot be
used raises :class:`facilities.errors.SettingError` (also reachable as ``settings.SettingError``).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from facilities.errors import SettingError

#: Project root (the folder holding ``app.py``).
ROOT = Path(__file__).resolve().parent.parent

#: Folder holding one sub-folder per city (override with the environment variable FACILITIES_DATA_DIR).
DATA_DIR = Path(os.environ.get("FACILITIES_DATA_DIR", ROOT / "data")).resolve()

#: The city the app opens first (override with FACILITIES_CITY, a folder name under DATA_DIR).
DEMO_CITY = DATA_DIR / os.environ.get("FACILITIES_CITY", "xiangyang")

#: Environment variable naming the database the store uses (a SQLAlchemy URL).
DB_ENV = "FACILITIES_DB"


def database_url() -> str:
    """The store's database: ``FACILITIES_DB`` (read at every call), else the embedded SQLite file
    ``facilities.sqlite`` in the data directory (created, and migrated, on first use).

    Accepted: ``sqlite:///<path>`` or ``postgresql+psycopg://user:password@host:port/database`` (PostGIS).
    """
    raw = os.environ.get(DB_ENV, "").strip()
    if not raw:
        return f"sqlite:///{DATA_DIR / 'facilities.sqlite'}"
    if not raw.startswith(("sqlite:///", "postgresql+psycopg://", "postgresql://")):
        raise SettingError(
            f"{DB_ENV}: {raw.split('://')[0]!r}: not a database this app can use "
            "(accepted: sqlite:///<path> or postgresql+psycopg://user:password@host:port/database)"
        )
    return raw.replace("postgresql://", "postgresql+psycopg://", 1) if raw.startswith("postgresql://") else raw


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

#: Environment variable fixing the check date ("as of", YYYY-MM-DD) for a deployment or a test run.
AS_OF_ENV = "FACILITIES_AS_OF"


def parse_date(text: str, where: str) -> dt.date:
    """``text`` as a calendar date ``YYYY-MM-DD``; :class:`SettingError` naming ``where`` otherwise."""
    value = str(text).strip()
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise SettingError(f"{where}: {value!r} is not a date (accepted: a calendar date YYYY-MM-DD, e.g. 2026-11-29)") from None


def as_of_setting() -> dt.date | None:
    """The date fixed by ``FACILITIES_AS_OF``, or None when it is not set (read at every call)."""
    raw = os.environ.get(AS_OF_ENV, "").strip()
    return parse_date(raw, AS_OF_ENV) if raw else None


#: Environment variable choosing how the app knows who is there: ``local`` (the default: accounts in the
#: store, a sign-in page) or ``header`` (behind the intranet's single sign-on: a proxy on this machine puts
#: the user's login in a header, which Streamlit's ``server.trustedUserHeaders`` maps to ``st.user[SSO_KEY]``).
AUTH_ENV = "FACILITIES_AUTH"
AUTH_MODES = ("local", "header")
#: the key of ``st.user`` the single sign-on's header is mapped to (``{"X-Remote-User": "login"}``)
SSO_KEY = "login"


def auth_mode() -> str:
    """``FACILITIES_AUTH``: ``local`` (default) or ``header`` (read at every call); SettingError otherwise."""
    raw = os.environ.get(AUTH_ENV, "").strip().lower() or "local"
    if raw not in AUTH_MODES:
        raise SettingError(f"{AUTH_ENV}: {raw!r}: accepted: {', '.join(AUTH_MODES)}")
    return raw


def check_date(explicit: dt.date | None = None, rules_as_of: dt.date | None = None) -> dt.date:
    """The date a check is made as of: the one given, else ``FACILITIES_AS_OF``, else the rules file's
    ``as_of``, else today. The only place that reads the calendar."""
    return explicit or as_of_setting() or rules_as_of or dt.date.today()


#: Archives (a zipped Shapefile .zip, a .kmz, an .xlsx workbook) are refused before anything is unpacked
#: when their members would unpack to more than this many bytes in all, or when they hold more than this
#: many members. Override with FACILITIES_MAX_ARCHIVE_MB (MiB) and FACILITIES_MAX_ARCHIVE_MEMBERS.
MAX_ARCHIVE_BYTES = 512 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 10_000
MAX_ARCHIVE_BYTES_ENV = "FACILITIES_MAX_ARCHIVE_MB"
MAX_ARCHIVE_MEMBERS_ENV = "FACILITIES_MAX_ARCHIVE_MEMBERS"
