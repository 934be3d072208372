"""Alembic's environment: run by :func:`facilities.store.db.engine.migrate` on the connection it passes."""

from __future__ import annotations

from alembic import context

from facilities.store.db.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
