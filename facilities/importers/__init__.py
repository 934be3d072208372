"""Importers: what cities actually have (OpenStreetMap, spreadsheets, GIS files) into a city.

``python -m facilities import osm|table|file …`` (the command line is :mod:`cli.imports`). Every importer
parses its input (:mod:`~facilities.importers.osm`, :mod:`~facilities.importers.table`,
:mod:`~facilities.importers.vector`; encodings in :mod:`~facilities.importers.encoding`, column mappings in
:mod:`~facilities.importers.mapping`, coordinate systems in :mod:`~facilities.importers.crs`, archives
opened safely in :mod:`~facilities.importers.archive`), converts to WGS84 and turns every feature into a
:class:`~facilities.importers.records.Record`; then :func:`~facilities.importers.write.finish_import` checks
every record with the validation machinery (rejected rows are reported with their row, field, value and
reason) and writes the accepted ones **only through the store** (:func:`facilities.store.write_layers`),
which never overwrites a layer silently (``--mode new|merge|replace``, backups kept), validates the result
before anything is moved, and writes atomically. :class:`~facilities.importers.result.ImportResult` says
what was done.

**Interrupted imports** (``kill -9``, a power cut) leave every layer all old or all new: the store stages
the files beside the city and moves them into place one rename each; a new city appears by one rename of
its staging folder (:mod:`facilities.store.staging`). What an interrupted run can leave is only the staging
folder (or a complete ``.<name>.<random>.tmp``): ``python -m facilities validate`` warns about both, and
about the partial backups and ``.<city>.import-*`` folders older versions left.

**Write errors** (disk full, permissions): :class:`~facilities.errors.ImportWriteError` (exit 2) names the
file that could not be written, says what was written before, and the files not yet replaced are left as
they were. Nothing here imports Streamlit or Folium.
"""

from facilities.importers.new_city import NewCity
from facilities.importers.osm import import_osm
from facilities.importers.records import Record
from facilities.importers.result import ImportResult
from facilities.importers.table import import_table
from facilities.importers.vector import import_file

__all__ = ["ImportResult", "NewCity", "Record", "import_file", "import_osm", "import_table"]
