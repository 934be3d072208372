"""A throw-away PostgreSQL + PostGIS server (Debian's packages) on 127.0.0.1, for benchmarks and tests.

    with TempPostGIS() as pg:
        with pg.connect() as conn: ...

It runs ``initdb`` into a temporary folder, starts ``postgres`` on a free loopback port with trust
authentication, creates the postgis extension and removes everything on exit. As root, the server runs
as the ``postgres`` system user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench.local import free_port


def pg_bindir() -> Path | None:
    """Debian's PostgreSQL binaries (newest version), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def postgis_available() -> str | None:
    """None if a PostGIS server can be started here, else the reason why not."""
    bindir = pg_bindir()
    if bindir is None:
        return "PostgreSQL server binaries not found (Debian package postgresql)"
    version = bindir.parent.name
    if not glob.glob(f"/usr/share/postgresql/{version}/extension/postgis.control"):
        return f"PostGIS not installed (Debian package postgresql-{version}-postgis-3)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser"
    return None


class TempPostGIS:
    def __init__(self) -> None:
        reason = postgis_available()
        if reason:
            raise RuntimeError(reason)
        self.bindir = pg_bindir()
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="pgbench-"))
        self.data = self.dir / "data"

    def _run(self, *args: str) -> None:
        cmd = [str(a) for a in args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, text=True)

    def __enter__(self) -> TempPostGIS:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(self.bindir / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        opts = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off -c synchronous_commit=off"
            " -c shared_buffers=512MB -c work_mem=256MB -c max_parallel_workers_per_gather=2"
        )
        self._run(self.bindir / "pg_ctl", "-D", self.data, "-o", opts, "-l", self.dir / "log", "-w", "-t", "60", "start")
        deadline = time.monotonic() + 30
        while True:
            try:
                with self.connect() as conn:
                    conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        return self

    def connect(self):
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True)

    def __exit__(self, *exc: object) -> None:
        try:
            self._run(self.bindir / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def load_points(self, conn, table: str, xy) -> None:
        """Create ``table(id int, geom geometry(Point))`` from an (n, 2) array, with a GiST index."""
        conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute(f"CREATE UNLOGGED TABLE {table} (id int, x float8, y float8)")
        with conn.cursor() as cur, cur.copy(f"COPY {table} (id, x, y) FROM STDIN") as copy:
            for i, (x, y) in enumerate(xy.tolist()):
                copy.write_row((i, x, y))
        conn.execute(f"ALTER TABLE {table} ADD COLUMN geom geometry(Point)")
        conn.execute(f"UPDATE {table} SET geom = ST_MakePoint(x, y)")
        conn.execute(f"CREATE INDEX ON {table} USING gist (geom)")
        conn.execute(f"ANALYZE {table}")

    def exists_within(self, conn, targets: str, facilities: str, distance: float):
        """Ids of targets with a facility within ``distance``: EXISTS(ST_DWithin) on the GiST index."""
        rows = conn.execute(
            f"SELECT t.id FROM {targets} t WHERE EXISTS (SELECT 1 FROM {facilities} f WHERE ST_DWithin(f.geom, t.geom, %s))",
            (distance,),
        ).fetchall()
        return [r[0] for r in rows]
