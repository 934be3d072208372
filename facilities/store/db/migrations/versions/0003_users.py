"""Users, their sessions, the responsible units of each city, and the accounts' audit trail.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

Frozen like 0001: the columns are written here, not imported.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from facilities.store.db.tables import json_type

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")
_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the account tables."""
    op.create_table(
        "users",
        sa.Column("login", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("unit", sa.Text),
        sa.Column("password_hash", sa.Text),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("demo", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("failed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", _AT),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("updated_at", _AT, nullable=False),
        sa.Column("last_sign_in", _AT),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.Text, primary_key=True),
        sa.Column("login", sa.Text, sa.ForeignKey("users.login", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("seen_at", _AT, nullable=False),
        sa.Column("expires_at", _AT, nullable=False),
    )
    op.create_index("ix_sessions_login", "sessions", ["login"])
    op.create_table(
        "units",
        sa.Column("city", sa.Text, sa.ForeignKey("cities.key", ondelete="CASCADE"), primary_key=True),
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("contact", sa.Text),
        sa.Column("phone", sa.Text),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", _AT, nullable=False),
    )
    op.create_table(
        "user_events",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("at", _AT, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("login", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("detail", json_type()),
    )
    op.create_index("ix_user_events_login", "user_events", ["login"])


def downgrade() -> None:
    """Drop the account tables."""
    for table in ("user_events", "units", "sessions", "users"):
        op.drop_table(table)
