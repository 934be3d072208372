"""Fields for walking and for names in several languages: ``name_zh`` on every facility layer, and on roads
``tunnel``, ``layer`` (vertical level) and ``area`` (the outline of a pedestrian area).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

Frozen like 0001: the columns are written here, not imported. The PostGIS edit triggers of 0001 read whole
rows (``to_jsonb``), so the new columns are tracked without changing them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

FACILITY_LAYERS = ("attractions", "toilets", "signs", "docks", "lamps", "roads", "stops", "billboards", "zones", "reports")
ROAD_COLUMNS = (("tunnel", sa.Boolean), ("layer", sa.BigInteger), ("area", sa.Boolean))


def upgrade() -> None:
    """Add the columns."""
    for layer in FACILITY_LAYERS:
        op.add_column(layer, sa.Column("name_zh", sa.Text))  # ALTER TABLE … ADD COLUMN, SQLite included
    for name, type_ in ROAD_COLUMNS:
        op.add_column("roads", sa.Column(name, type_))


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("roads") as batch:
        for name, _ in ROAD_COLUMNS:
            batch.drop_column(name)
    for layer in FACILITY_LAYERS:
        with op.batch_alter_table(layer) as batch:
            batch.drop_column("name_zh")
