"""Connecting to the store's database, and bringing its tables up to date (Alembic, on first use).

Two backends, one code path (SQLAlchemy 2 Core):

* **SQLite** (the embedded default, a file): WAL journal, foreign keys on, and every write transaction
  starts with ``BEGIN IMMEDIATE``, so two writers queue for the lock (up to :data:`BUSY_SECONDS`) instead
  of failing half-way; readers never wait for writers.
* **PostgreSQL + PostGIS** (``FACILITIES_DB=postgresql+psycopg://…``): read-committed transactions; a
  change's ``UPDATE … WHERE version = :seen`` takes the row's lock, so of two saves on one version only the
  first commits (:mod:`facilities.store.db.edits`).

:func:`write` and :func:`read` are the only ways the store opens a transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from facilities import settings
from facilities.errors import StoreError

BUSY_SECONDS = 30
_MIGRATIONS = Path(__file__).parent / "migrations"
_lock = threading.Lock()
_engines: dict[str, tuple[Engine, Engine]] = {}


def url(database: str | None = None) -> str:
    """The database URL: the one given, else :func:`facilities.settings.database_url`."""
    return database or settings.database_url()


def _sqlite_engine(database: str, immediate: bool) -> Engine:
    path = Path(database.removeprefix("sqlite:///"))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{path.parent}: cannot create the database's folder ({exc.strerror or exc})") from None
    engine = sa.create_engine(database, connect_args={"timeout": BUSY_SECONDS, "check_same_thread": False}, poolclass=sa.pool.NullPool)

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def engines(database: str | None = None) -> tuple[Engine, Engine]:
    """The (reading, writing) engines of a database, created and migrated once per process."""
    key = url(database)
    with _lock:
        found = _engines.get(key)
        if found is None:
            if key.startswith("sqlite"):
                found = (_sqlite_engine(key, False), _sqlite_engine(key, True))
            else:
                engine = sa.create_engine(key, pool_pre_ping=True)
                found = (engine, engine)
            migrate(found[1])
            _engines[key] = found
    return found


def migrate(engine: Engine) -> None:
    """Bring the database's tables to the newest migration (creating them in an empty database)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")  # one migrating process at a time
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    except sa.exc.OperationalError as exc:
        raise StoreError(f"{safe_url(str(engine.url))}: cannot open the database: {exc.orig}") from None


def safe_url(database: str) -> str:
    """The URL without its password (for messages)."""
    return sa.engine.make_url(database).render_as_string(hide_password=True)


@contextmanager
def write(database: str | None = None) -> Iterator[Connection]:
    """One write transaction (committed at the end, rolled back on any error)."""
    _, engine = engines(database)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL facilities.writer = 'app'")
        yield conn


@contextmanager
def read(database: str | None = None) -> Iterator[Connection]:
    """One read-only transaction (a consistent snapshot)."""
    engine, _ = engines(database)
    with engine.begin() as conn:
        yield conn


def dispose() -> None:
    """Close every pooled connection (tests and benchmarks that stop a server call this)."""
    with _lock:
        for read_engine, write_engine in _engines.values():
            read_engine.dispose()
            write_engine.dispose()
        _engines.clear()


__all__ = ["BUSY_SECONDS", "dispose", "engines", "migrate", "read", "safe_url", "url", "write"]
