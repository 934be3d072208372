"""The carriageway width of a road, ``width_m`` (where an illuminance rule puts its calculation points).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

Frozen like 0001: the column is written here, not imported. The PostGIS edit triggers of 0001 read whole rows
(``to_jsonb``), so the new column is tracked without changing them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column."""
    op.add_column("roads", sa.Column("width_m", sa.Float))  # ALTER TABLE … ADD COLUMN, SQLite included


def downgrade() -> None:
    """Drop it."""
    with op.batch_alter_table("roads") as batch:
        batch.drop_column("width_m")
