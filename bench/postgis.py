"""A throw-away PostgreSQL + PostGIS server (Debian's packages) on 127.0.0.1, for benchmarks and tests.

    with TempPostGIS() as pg:
        with pg.connect() as conn: ...

It runs ``initdb`` into a temporary folder, starts ``postgres`` on a free loopback port with trust
authentication, creates the postgis extension and removes everything on exit. As root, the server runs
as the ``postgres`` system user (PostgreSQL refuses to run as root).
"""

from tests.helpers import TempPostGIS, pg_bindir, postgis_available

__all__ = ["TempPostGIS", "pg_bindir", "postgis_available"]
