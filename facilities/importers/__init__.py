"""Importers: what cities actually have (OpenStreetMap, spreadsheets, GIS files) into a city folder.

``python -m facilities import osm|table|file …`` (see :mod:`facilities.importers.cli`). Every importer
converts to WGS84, checks every row with the validation machinery (rejected rows are reported with their
row, field, value and reason), never overwrites a layer silently (``--mode new|merge|replace``, backups
kept) and writes atomically. Nothing here imports Streamlit or Folium.
"""

from facilities.importers._core import ImportResult, NewCity, Record
from facilities.importers.osm import import_osm
from facilities.importers.table import import_table
from facilities.importers.vector import import_file

__all__ = ["ImportResult", "NewCity", "Record", "import_file", "import_osm", "import_table"]
