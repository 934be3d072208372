"""The database's tables, derived from the layer model (:mod:`facilities.schema`): one table per layer.

``cities``
    one row per city: its ``key`` (the folder name it was loaded from), ``city.toml`` and rules text, and
    its ``revision`` (grows with every saved change: the app's caches are keyed on it).
``<layer>`` (``toilets``, ``lamps``, … one per layer of :data:`~facilities.schema.ALL_LAYERS`)
    one row per feature: ``city``, ``id`` (the key is both), ``version`` (1 when created, +1 at every
    change: optimistic concurrency), one typed column per declared field, ``extra`` (JSON: properties the
    layer model does not declare, e.g. ``osm_tags``) and ``geom`` (WGS84: a PostGIS ``geometry`` column,
    SRID 4326 with a GiST index, on PostgreSQL — QGIS opens and edits it; WKB on SQLite).
``changes``
    the audit trail: one row per changed field (``field = '*'`` for a feature created or deleted), with
    who, when, the old and new value (JSON text; a geometry as GeoJSON), the note, the source (``app``,
    ``import``, ``cli``, ``gis``), the feature's version after the change, the ``batch`` (one save) and,
    for a revert, the change it reverts. Appended in the same transaction as the change.

The tables are created and changed by the Alembic migrations in ``migrations/`` only; a test checks that
the migrated database matches these declarations, so a field added to the layer model needs a migration.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from facilities.schema import ALL_LAYERS, LayerSpec

SRID = 4326

_TYPES: dict[str, Any] = {"str": sa.Text, "int": sa.BigInteger, "float": sa.Float, "bool": sa.Boolean, "date": sa.Date}


class Geometry(TypeDecorator):
    """A geometry column: PostGIS ``geometry(Geometry, 4326)`` on PostgreSQL, WKB bytes on SQLite.

    Values are read and written as WKB by :mod:`facilities.store.db.rows` (``ST_AsBinary`` /
    ``ST_GeomFromWKB`` on PostGIS), so this type only decides the column's type.
    """

    impl = sa.LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        """PostGIS geometry on PostgreSQL, a blob elsewhere."""
        if dialect.name == "postgresql":
            from geoalchemy2 import Geometry as PostGISGeometry

            return dialect.type_descriptor(PostGISGeometry("GEOMETRY", srid=SRID, spatial_index=False))
        return dialect.type_descriptor(sa.LargeBinary())


def json_type() -> Any:
    """JSON (JSONB on PostgreSQL)."""
    from sqlalchemy.dialects.postgresql import JSONB

    return sa.JSON().with_variant(JSONB(), "postgresql")


metadata = sa.MetaData()

cities = sa.Table(
    "cities",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("config_toml", sa.Text, nullable=False),
    sa.Column("rules_toml", sa.Text),
    sa.Column("revision", sa.BigInteger, nullable=False, server_default="0"),
)


def column_type(ftype: str) -> Any:
    """The column type of a field type of the layer model."""
    return _TYPES[ftype]


def _layer_table(spec: LayerSpec) -> sa.Table:
    own = [sa.Column(f.name, column_type(f.type)) for f in spec.fields if f.name != "id"]
    return sa.Table(
        spec.name,
        metadata,
        sa.Column("city", sa.Text, sa.ForeignKey("cities.key", ondelete="CASCADE"), primary_key=True),
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False, server_default="1"),
        *own,
        sa.Column("extra", json_type()),
        sa.Column("geom", Geometry()),
    )


#: one table per layer, by layer name
layers: dict[str, sa.Table] = {name: _layer_table(spec) for name, spec in ALL_LAYERS.items()}

changes = sa.Table(
    "changes",
    metadata,
    sa.Column("change", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("batch", sa.BigInteger, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("city", sa.Text, nullable=False),
    sa.Column("layer", sa.Text, nullable=False),
    sa.Column("feature_id", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("field", sa.Text, nullable=False),
    sa.Column("old", sa.Text),
    sa.Column("new", sa.Text),
    sa.Column("version", sa.BigInteger),
    sa.Column("note", sa.Text),
    sa.Column("reverts", sa.BigInteger),
    sa.Index("ix_changes_feature", "city", "layer", "feature_id"),
    sa.Index("ix_changes_at", "city", "at"),
)

#: the audit trail's own columns, in the order the history table shows them
CHANGE_COLUMNS = (
    "change",
    "batch",
    "at",
    "user",
    "source",
    "city",
    "layer",
    "feature_id",
    "action",
    "field",
    "old",
    "new",
    "version",
    "note",
    "reverts",
)

# --------------------------------------------------------------------------- rectification tasks (0002)

_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")
#: the ``layer`` of a task's steps in the audit trail (``changes``): not a layer of the inventory
TASKS_LAYER = "tasks"

tasks = sa.Table(
    "tasks",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("city", sa.Text, sa.ForeignKey("cities.key", ondelete="CASCADE"), nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False, server_default="1"),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("gap_id", sa.Text, nullable=False),
    sa.Column("rule", sa.Text, nullable=False),
    sa.Column("layer", sa.Text),
    sa.Column("feature_id", sa.Text),
    sa.Column("name", sa.Text),
    sa.Column("district", sa.Text),
    sa.Column("unit", sa.Text),
    sa.Column("unit_from", sa.Text),  # feature | zone | rule | staff
    sa.Column("title_zh", sa.Text, nullable=False),
    sa.Column("title_en", sa.Text, nullable=False),
    sa.Column("standard", sa.Text),
    sa.Column("measure", sa.Float),
    sa.Column("measure_unit", sa.Text),
    sa.Column("detail", sa.Text),  # the gap's detail in English
    sa.Column("detail_zh", sa.Text),  # … and in Chinese (0006; NULL for tasks filed before it)
    sa.Column("lon", sa.Float),
    sa.Column("lat", sa.Float),
    sa.Column("geometry", sa.Text),  # GeoJSON of the gap when filed (WGS84)
    sa.Column("filed_on", sa.Date, nullable=False),
    sa.Column("due", sa.Date),
    sa.Column("notice", sa.Text),
    sa.Column("rework", sa.Integer, nullable=False, server_default="0"),
    sa.Column("reopened", sa.Integer, nullable=False, server_default="0"),
    sa.Column("extension_due", sa.Date),
    sa.Column("extension_reason", sa.Text),
    sa.Column("gap_present", sa.Boolean),  # at the last verification
    sa.Column("closed_on", sa.Date),
    sa.Column("closed_revision", sa.BigInteger),  # the inventory revision the task was closed at
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_tasks_city_state", "city", "state"),
    sa.Index("ix_tasks_gap", "city", "gap_id"),
)

task_events = sa.Table(
    "task_events",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("task", _ID, sa.ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False),
    sa.Column("city", sa.Text, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("on", sa.Date, nullable=False),  # the check date the step was taken on
    sa.Column("user", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("source_state", sa.Text),
    sa.Column("target_state", sa.Text),
    sa.Column("note", sa.Text),
    sa.Column("data", json_type()),
    sa.Column("attachments", json_type()),
    sa.Index("ix_task_events_task", "task"),
)

evidence = sa.Table(
    "evidence",
    metadata,
    sa.Column("sha256", sa.Text, primary_key=True),
    sa.Column("media_type", sa.Text, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("thumbnail", sa.LargeBinary, nullable=False),
    sa.Column("filename", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user", sa.Text, nullable=False),
)

attachments = sa.Table(
    "attachments",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("city", sa.Text, sa.ForeignKey("cities.key", ondelete="CASCADE"), nullable=False),
    sa.Column("sha256", sa.Text, sa.ForeignKey("evidence.sha256"), nullable=False),
    sa.Column("task", _ID, sa.ForeignKey("tasks.id", ondelete="CASCADE")),
    sa.Column("event", _ID),
    sa.Column("layer", sa.Text),
    sa.Column("feature_id", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user", sa.Text, nullable=False),
    sa.Column("note", sa.Text),
    sa.Index("ix_attachments_task", "task"),
    sa.Index("ix_attachments_feature", "city", "layer", "feature_id"),
)

notices = sa.Table(
    "notices",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("city", sa.Text, sa.ForeignKey("cities.key", ondelete="CASCADE"), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("number", sa.Text, nullable=False),
    sa.Column("unit", sa.Text, nullable=False),
    sa.Column("issued", sa.Date, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user", sa.Text, nullable=False),
    sa.Column("tasks", json_type(), nullable=False),
    sa.UniqueConstraint("city", "year", "seq", name="uq_notices_number"),
)

check_runs = sa.Table(
    "check_runs",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("city", sa.Text, sa.ForeignKey("cities.key", ondelete="CASCADE"), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("revision", sa.BigInteger, nullable=False),
    sa.Column("total", sa.Float, nullable=False),
    sa.Column("max_points", sa.Float, nullable=False),
    sa.Column("pass_mark", sa.Float, nullable=False),
    sa.Column("rules", json_type(), nullable=False),
    sa.Column("gap_ids", json_type(), nullable=False),
    sa.UniqueConstraint("city", "revision", "as_of", name="uq_check_runs"),
)

# --------------------------------------------------------------------------- users, sessions and units (0003)

users = sa.Table(
    "users",
    metadata,
    sa.Column("login", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("unit", sa.Text),  # a responsible unit's user: its unit
    sa.Column("password_hash", sa.Text),  # argon2id; None: signs in through the intranet's single sign-on only
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("demo", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("failed", sa.Integer, nullable=False, server_default="0"),  # wrong passwords in a row
    sa.Column("locked_until", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_sign_in", sa.DateTime(timezone=True)),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.Text, primary_key=True),  # sha256 of the token: the token itself is never stored
    sa.Column("login", sa.Text, sa.ForeignKey("users.login", ondelete="CASCADE"), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_sessions_login", "login"),
)

units = sa.Table(
    "units",
    metadata,
    sa.Column("city", sa.Text, sa.ForeignKey("cities.key", ondelete="CASCADE"), primary_key=True),
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("contact", sa.Text),
    sa.Column("phone", sa.Text),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

#: the accounts' audit trail: who added, changed, disabled a user or a unit; every sign-in, failed or not
user_events = sa.Table(
    "user_events",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("login", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("detail", json_type()),
    sa.Index("ix_user_events_login", "login"),
)

__all__ = [
    "CHANGE_COLUMNS",
    "SRID",
    "Geometry",
    "attachments",
    "changes",
    "check_runs",
    "cities",
    "column_type",
    "evidence",
    "json_type",
    "layers",
    "metadata",
    "notices",
    "sessions",
    "task_events",
    "tasks",
    "units",
    "user_events",
    "users",
]
