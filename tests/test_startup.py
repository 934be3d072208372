"""The first start (ui/startup.py): the store set up by a process of its own, then the default city checked
and its map drawn into the pages' caches, while the sign-in page is shown.

Checked against what a page would compute itself: the city in the database is the demo folder's (feature
counts read from its GeoJSON files by hand), the demo accounts are there, and the check and the map the
pages ask for afterwards are the very objects the warm-up left in the caches.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from facilities import settings, store
from facilities.auth import accounts
from facilities.rules import city_rules
from maps import MAP_LAYERS
from maps.basemaps import available
from tests.helpers import DEMO
from ui import startup, state

AS_OF = "2026-11-29"


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """A data folder holding a copy of the demo city and no database yet (the setup process reads the same
    settings from the environment)."""
    shutil.copytree(DEMO, tmp_path / "xiangyang")
    database = f"sqlite:///{tmp_path / 'facilities.sqlite'}"
    monkeypatch.setenv("FACILITIES_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FACILITIES_DB", database)
    monkeypatch.setenv("FACILITIES_AS_OF", AS_OF)
    monkeypatch.setattr(settings, "DATA_DIR", tmp_path)
    return tmp_path, database


def test_a_first_start_loads_the_city_and_warms_what_the_first_map_needs(fresh, monkeypatch):
    folder, database = fresh
    assert not (folder / "facilities.sqlite").exists()
    warm = startup.Warmup()
    startup._run(warm, database)  # (what begin() runs in its thread)
    assert warm.error is None and warm.store_ready.is_set() and warm.finished.is_set() and warm.stage == "done"
    # the store holds the folder's city, feature for feature
    city = store.load(store.DbCity("xiangyang", database))
    for layer in ("toilets", "signs", "lamps", "stops"):
        raw = json.loads((folder / "xiangyang" / f"{layer}.geojson").read_text(encoding="utf-8"))
        assert len(city[layer]) == len(raw["features"]), layer
    # and the demo accounts of its accounts.toml
    assert {u.login for u in accounts.demo_users(database)} >= {"demo-admin", "demo-staff", "demo-viewer"}
    # the check and the map the pages ask for next are taken from the caches: neither is computed again
    computed = []
    real_check, real_map = state.check, state.build_map
    monkeypatch.setattr(state, "check", lambda *a, **k: computed.append("check") or real_check(*a, **k))
    monkeypatch.setattr(state, "build_map", lambda *a, **k: computed.append("map") or real_map(*a, **k))
    revision = store.revision(store.DbCity("xiangyang", database))
    as_of = dt.date.fromisoformat(AS_OF)
    rules = city_rules(state.load(database, "xiangyang", revision))
    assert rules is not None and settings.check_date(settings.as_of_setting(), rules.as_of) == as_of  # the pages' date
    assert state.checked(database, "xiangyang", revision, as_of).total > 0
    basemap = available()[0]
    # the map page's first map, as ui.state.filtered_map asks for it (every layer, gaps, Chinese, clicks back)
    prepared = state._city_map(database, "xiangyang", revision, as_of, tuple(MAP_LAYERS), basemap, "zh", True,
                               f"xiangyang:{basemap}", ("last_object_clicked",), None, (), None)  # fmt: skip
    assert computed == [] and len(prepared["script"]) > 100_000
    # a map never asked for is computed (the counters do count)
    state._city_map(database, "xiangyang", revision, as_of, tuple(MAP_LAYERS), basemap, "en", True, "", (), None, (), None)
    assert computed == ["map"]


def test_a_second_start_finds_the_store_ready(fresh):
    _, database = fresh
    startup._run(startup.Warmup(), database)
    again = startup.Warmup()
    startup._run(again, database)
    assert again.error is None and again.store_ready.is_set()
    assert [c.key for c in store.cities(database)] == ["xiangyang"]


def test_a_broken_folder_is_said_by_the_page_not_lost(fresh):
    """A folder with errors is not loaded by the setup process; the page's own setup then shows its report."""
    folder, database = fresh
    (folder / "xiangyang" / "toilets.geojson").write_text("{ not json", encoding="utf-8")
    warm = startup.Warmup()
    startup._run(warm, database)
    assert warm.store_ready.is_set() and warm.finished.is_set()
    assert store.cities(database) == []
    report = state.seed_folder(database, str(folder / "xiangyang"))
    assert report is not None and not report.ok
    assert any("toilets.geojson" in str(p) for p in report.errors)
