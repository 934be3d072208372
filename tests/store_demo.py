"""The demo city loaded in a store database, for the task tests on both backends (shared, not a test module).

:func:`load_demo` loads it once per module and backend and checks it on the given date; :meth:`Demo.fresh`
gives each test a copy under a key of its own (its rows copied in SQL), so no test depends on another.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import geopandas as gpd
import sqlalchemy as sa

from facilities import store
from facilities.check import Result, check
from facilities.city import City
from facilities.rules import city_rules
from facilities.store.db import engine, tables
from facilities.tasks import service
from tests.helpers import ADMIN, DEMO

#: the key the demo is loaded under
BASE = "xiangyang"
_keys = itertools.count(1)


@dataclass
class Demo:
    """The demo city in one database: its city, its check and its revision (every copy has them)."""

    database: str
    city: City
    result: Result
    revision: int

    def fresh(self) -> str:
        """A new city key holding a copy of the demo (its rows copied in SQL, in one transaction)."""
        key = f"c{next(_keys)}"
        with engine.write(self.database) as conn:
            for table in (tables.cities, *tables.layers.values()):
                own = table.c.key if table is tables.cities else table.c.city
                rows = sa.select(*(sa.literal(key).label(c.name) if c is own else c for c in table.columns)).where(own == BASE)
                conn.execute(sa.insert(table).from_select([c.name for c in table.columns], rows))
        return key

    def gaps(self, *gap_ids: str) -> gpd.GeoDataFrame:
        """The check's rows of these gaps (each must be a gap of the demo)."""
        g = self.result.gaps
        out = g[g["gap_id"].isin(gap_ids)]
        assert len(out) == len(gap_ids), f"not gaps of the demo: {set(gap_ids) - set(out['gap_id'])}"
        return out

    def gap(self, gap_id: str) -> dict:
        """The check's row of one gap (the oracle of what a task stores)."""
        return self.gaps(gap_id).iloc[0].to_dict()

    def gone(self, *gap_ids: str) -> service.Recheck:
        """A re-check at the current revision whose gaps are the real check's without ``gap_ids``."""
        g = self.result.gaps
        return service.Recheck.of(g[~g["gap_id"].isin(gap_ids)], self.revision)


def load_demo(url: str, as_of: dt.date) -> Demo:
    """The demo folder loaded into ``url`` under :data:`BASE`, and checked on ``as_of``."""
    store.load_folder(DEMO, store.DbCity(BASE, url), user=ADMIN)
    city = store.load(store.DbCity(BASE, url))
    revision = store.revision(store.DbCity(BASE, url))
    assert revision is not None
    return Demo(url, city, check(city, city_rules(city), as_of), revision)
