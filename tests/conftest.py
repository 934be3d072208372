from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import CHROMIUM, DATA, DEMO, FLAGS, ROOT

__all__ = ["DATA", "DEMO", "ROOT"]  # fixtures below; shared helpers live in tests/helpers.py

MINI_TOML = """name = "小城"
name_en = "Mini"
zoom = 13
[center]
lon = 112.1
lat = 32.0
[bounds]
west = 112.0
south = 31.9
east = 112.2
north = 32.1
"""


@pytest.fixture(autouse=True)
def _no_outside_database(monkeypatch):
    """No test uses the database of the shell it runs in: unless a test says otherwise, the store is the
    SQLite file in the (per-test) data folder."""
    monkeypatch.delenv("FACILITIES_DB", raising=False)


@pytest.fixture
def mini_city(tmp_path: Path) -> Path:
    """An empty, valid city folder (bounds 112.0–112.2 E, 31.9–32.1 N) to drop layer files into."""
    folder = tmp_path / "mini"
    folder.mkdir()
    (folder / "city.toml").write_text(MINI_TOML, encoding="utf-8")
    return folder


@pytest.fixture
def broken_city(tmp_path: Path) -> Path:
    """A copy of tests/data/broken_city (so a test can never alter the committed fixture)."""
    dst = tmp_path / "broken_city"
    shutil.copytree(DATA / "broken_city", dst)
    return dst


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (skips, saying why, when it is not installed)."""

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (Debian package chromium; .ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (``make test`` runs two workers, ``--dist loadgroup``): a file's tests stay on one
    worker (they share module fixtures), and every browser test is in one group, so two Chromium-driven apps
    never compete for this 2-core machine (a page timed at 20 s alone took over 90 s beside another)."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        group = "browser" if item.get_closest_marker("browser") else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))
