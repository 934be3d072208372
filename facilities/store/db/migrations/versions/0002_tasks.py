"""Rectification tasks: the tasks, their timeline (task_events), evidence photos stored by content hash,
attachments, numbered notices (整改通知书) and the stored check runs (the score over time).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

Frozen like 0001: the columns are written here, not imported.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from facilities.store.db.tables import json_type

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")

INDEXES = (
    ("ix_tasks_city_state", "tasks", "city", "state"),
    ("ix_tasks_gap", "tasks", "city", "gap_id"),
    ("ix_task_events_task", "task_events", "task"),
    ("ix_attachments_task", "attachments", "task"),
    ("ix_attachments_feature", "attachments", "city", "layer", "feature_id"),
)


def upgrade() -> None:
    """Create the task tables."""
    op.create_table(
        "tasks",
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
        sa.Column("detail", sa.Text),
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
    )
    op.create_table(
        "task_events",
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
    )
    op.create_table(
        "evidence",
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
    op.create_table(
        "attachments",
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
    )
    op.create_table(
        "notices",
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
    op.create_table(
        "check_runs",
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

    for name, table, *columns in INDEXES:
        op.create_index(name, table, list(columns))


def downgrade() -> None:
    """Drop the task tables."""
    for table in ("check_runs", "notices", "attachments", "evidence", "task_events", "tasks"):
        op.drop_table(table)
