"""The database backend of the store (SQLAlchemy 2 Core; SQLite by default, PostgreSQL + PostGIS via
``FACILITIES_DB``): :mod:`.engine` (connections, migrations), :mod:`.tables` (the schema, from the layer
model), :mod:`.rows` (features as rows), :mod:`.backend` (cities: load, dump, validate, write layers) and
:mod:`.edits` (saves with versions and the audit trail, history, revert)."""
