"""Trust, in a real browser: the running app sees changes saved outside it; text from data (templates, markup, Markdown,
formulas) shows as typed on every page, in the exported map and in the downloads — nothing runs, nothing is
fetched. Debian's Chromium through Playwright; every request leaving the machine is blocked and recorded."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from facilities.schema import ALL_LAYERS
from facilities.spreadsheet import FORMULA_START
from tests.helpers import ARTIFACTS, BROWSER, DATA, DEMO, ROOT, open_page, open_signed_in, run_cli, streamlit_app
from ui.safe import WORD_JOINER

pytestmark = BROWSER

HOSTILE = DATA / "bad" / "hostile_text_map" / "input"
AS_OF = {"FACILITIES_AS_OF": "2026-11-29"}


def payloads() -> list[str]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_cases", DATA / "bad" / "make_cases.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.PAYLOADS


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    shutil.copytree(DEMO, folder / "xiangyang")
    shutil.copytree(HOSTILE, folder / "hostile")
    return folder


def demo_db(data_dir: Path) -> str:
    """The store of the demo app below (a SQLite file in its data folder, as ``make run`` has)."""
    return f"sqlite:///{data_dir / 'facilities.sqlite'}"


@pytest.fixture(scope="module")
def demo_app(data_dir, tmp_path_factory):
    env = {**AS_OF, "FACILITIES_DB": demo_db(data_dir)}
    with streamlit_app(data_dir, "xiangyang", tmp_path_factory.mktemp("log") / "demo.log", env=env) as url:
        yield url


@pytest.fixture(scope="module")
def hostile_app(data_dir, tmp_path_factory):
    with streamlit_app(data_dir, "hostile", tmp_path_factory.mktemp("log") / "hostile.log", env=AS_OF) as url:
        yield url


def _caption_count(page) -> str:
    page.wait_for_selector("[data-testid='stCaptionContainer']", timeout=60_000)
    return page.locator("[data-testid='stCaptionContainer']").first.inner_text()


def test_a_change_saved_outside_the_app_is_seen_after_a_reload(demo_app, data_dir, browser, tmp_path):
    """The city is loaded into the app's store on first start; a folder loaded into the same store from the
    command line (two new features) shows after a reload; a broken one is refused and changes nothing."""
    first = next(iter(ALL_LAYERS))  # the inventory page opens on the first layer
    n = len(json.loads((data_dir / "xiangyang" / ALL_LAYERS[first].filename).read_text(encoding="utf-8"))["features"])
    page, outside, _ = open_signed_in(browser, f"{demo_app}/inventory")
    page.get_by_text(f"{n} 条", exact=True).wait_for(timeout=60_000)
    edited = tmp_path / "xiangyang"
    shutil.copytree(data_dir / "xiangyang", edited)
    path = edited / ALL_LAYERS[first].filename
    data = json.loads(path.read_text(encoding="utf-8"))
    for k in (1, 2):
        extra = json.loads(json.dumps(data["features"][0]))
        extra["properties"]["id"] = f"NEW{k}"
        data["features"].append(extra)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    env = {"FACILITIES_DB": demo_db(data_dir)}
    assert run_cli("db", "load", str(edited), **env).returncode == 0
    page.reload()
    page.get_by_text(f"{n + 2} 条", exact=True).wait_for(timeout=60_000)
    path.write_text(path.read_text(encoding="utf-8").replace('"status": "existing"', '"status": "exists"', 1), encoding="utf-8")
    refused = run_cli("db", "load", str(edited), **env)
    assert refused.returncode == 1 and "exists" in refused.stdout and "nothing was loaded" in refused.stdout
    page.reload()
    page.get_by_text(f"{n + 2} 条", exact=True).wait_for(timeout=60_000)
    assert outside == []


PAGES = (("", "地图"), ("gaps", "缺口"), ("lighting", "亮化与标识"), ("scorecard", "评分"), ("inventory", "清单"))


@pytest.mark.parametrize(("path", "title"), PAGES)
def test_hostile_text_shows_as_typed_on_every_page(hostile_app, browser, path, title):
    name = "恶意{{ 7*7 }}![x](http://evil.example/t.png)"
    name_en = "<img src=x onerror=alert(1)>[x](http://evil.example/)"
    page, outside, errors = open_signed_in(browser, f"{hostile_app}/{path}")
    heading = page.locator("h1").first
    heading.wait_for(timeout=60_000)
    page.wait_for_timeout(2500)  # let every element, map and chart draw
    shown = heading.inner_text().strip().replace(WORD_JOINER, "")  # invisible; keeps URLs from becoming links
    assert shown == f"{title} · {name} {name_en}"
    # nothing the data wrote became markup: no image, no link but the heading's own anchor
    assert heading.locator("img").count() == 0
    assert heading.locator("a:not([href^='#'])").count() == 0
    assert page.locator("[data-testid='stException']").count() == 0
    for frame in page.frames:
        assert frame.evaluate("() => window.__pwned === undefined"), f"a payload ran in {frame.url}"
    assert page.locator("img[src*='evil.example'], a[href*='evil.example']").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"hostile_{path or 'map'}.png"), full_page=True)
    assert outside == [], f"requests left the machine: {outside}"
    assert not [e for e in errors if "favicon" not in e], errors


def _cells_are_text(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_START) or _is_number(cell), f"live formula cell {cell!r}"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_downloads_carry_no_formula(hostile_app, browser, tmp_path):
    """The gaps page's CSV and Excel downloads: every hostile name is there, as text, never a formula."""
    names = [p for p in payloads() if p.startswith(FORMULA_START)]
    page, outside, _ = open_signed_in(browser, f"{hostile_app}/gaps", accept_downloads=True)
    page.get_by_role("button", name="下载 CSV").wait_for(timeout=60_000)
    files = {}
    for label, name in (("下载 CSV", "gaps.csv"), ("下载 Excel", "gaps.xlsx")):
        with page.expect_download() as dl:
            page.get_by_role("button", name=label).click()
        files[name] = tmp_path / name
        dl.value.save_as(files[name])
    text = files["gaps.csv"].read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    _cells_are_text(rows)
    cells = {c for r in rows for c in r}
    for n in names:
        assert "'" + n in cells, f"{n!r} not written as text in the CSV"
    book = openpyxl.load_workbook(files["gaps.xlsx"])
    values = {}
    for row in book.active.iter_rows():
        for c in row:
            if isinstance(c.value, str):
                assert c.data_type == "s", (c.coordinate, c.value)
                values[c.value] = c
    for n in names:
        assert n in values and values[n].quotePrefix, f"{n!r} not an Excel text cell"
    with zipfile.ZipFile(files["gaps.xlsx"]) as z:
        sheets = [z.read(i).decode() for i in z.namelist() if i.startswith("xl/worksheets/")]
    assert sheets and not any("<f>" in s or "<f " in s for s in sheets)
    assert outside == []


def test_exported_map_shows_hostile_text_as_typed(browser, tmp_path):
    """`python -m facilities map` of the hostile city: every payload comes out literally in the popups and the
    layer list; nothing ran, nothing was fetched."""
    import subprocess
    import sys

    out = tmp_path / "map.html"
    run = subprocess.run(
        [sys.executable, "-m", "facilities", "map", str(HOSTILE), "--out", str(out), "--as-of", "2026-11-29"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    page, outside, errors = open_page(browser, out.as_uri())
    page.locator(".leaflet-container").wait_for(timeout=30_000)
    texts = page.evaluate(
        """() => {
          const out = [];
          for (const k of Object.keys(window)) {
            const g = window[k];
            if (!k.startsWith('geo_json_') || !g || typeof g.eachLayer !== 'function') continue;
            if (!g.getPopup || !g.getPopup()) continue;  // folium binds the popup on the layer group
            g.eachLayer(l => {
              const at = l.getLatLng ? l.getLatLng() : l.getBounds().getCenter();
              l.fire('click', {latlng: at}, true);  // propagates to the group, which opens this feature's popup
              const el = document.querySelector('.leaflet-popup-content'); if (el) out.push(el.textContent);
              g.closePopup();
            });
          }
          out.push(document.querySelector('.leaflet-control-layers').textContent);
          return out;
        }"""
    )
    seen = "\n".join(texts)
    assert len(texts) > 20, texts  # the popups of every toilet, attraction and gap were read
    for p in payloads():
        assert p in seen, f"{p!r} not shown as typed"
    assert page.evaluate("() => window.__pwned === undefined")
    assert outside == [], f"requests left the machine: {outside}"
    assert not errors, errors
