"""A task's gap detail in Chinese, ``tasks.detail_zh`` (next to ``detail``, the English one).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04

Frozen like 0001: the column is written here, not imported. Nullable and not filled: a task filed before this
migration keeps ``NULL`` (the readers show its English ``detail`` instead; no translation is made up). The
tasks table has no edit triggers (those of 0001 are on the layers), so nothing else changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column."""
    op.add_column("tasks", sa.Column("detail_zh", sa.Text))  # ALTER TABLE … ADD COLUMN, SQLite included


def downgrade() -> None:
    """Drop it."""
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("detail_zh")
