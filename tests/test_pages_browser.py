"""Every page as its users meet it, in a real browser (Debian's Chromium through Playwright; nothing leaves the machine).

Signed in as the demo's administrator (who sees every page; a responsible unit's user for "my tasks"), each page
of the app is opened at its own address in Chinese at 1440 × 900 and at 390 × 844 (a phone), and in English at
1440 × 900. A screenshot of each is kept (``tests/artifacts/pages_<page>_<lang>_<width>.png``). Then:

- no page says "Page not found" or shows an exception;
- in Chinese, no value is shown raw: no allowed code of a layer (``existing``, ``standalone``, ``arterial``…) as a
  value of its own (a table cell, a line, a "label: value" part), and no ``nan``, ``None``, ``True``, ``False``;
- in English, titles, headings, metric labels, tabs, widget labels and column headers hold no Chinese but the
  proper names of the city (its name, districts, units, features);
- on the phone, the page does not run off to the side and a map leaves room to scroll past it.

The codes checked for come from the layer model (:mod:`facilities.schema`), the proper names from the city's own data.
"""

from __future__ import annotations

import re

import pytest

from facilities.auth import accounts
from facilities.schema import ALL_LAYERS
from facilities.store import folder
from tests.helpers import ADMIN, ARTIFACTS, BROWSER, DEMO, demo_app, open_signed_in, page_ready
from ui.pages import PAGES

pytestmark = BROWSER
AS_OF = "2026-11-29"
ADMIN_ACCOUNT = ("demo-admin", "demo-admin-2026")
UNIT_ACCOUNT = ("unit-walk", "unit-walk-password-2026")
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
#: the lower-case codes of every closed-value field (grades such as AAA are the standard's own symbols)
CODES = {v for spec in ALL_LAYERS.values() for f in spec.fields for v in f.value_labels if re.fullmatch(r"[a-z_]+", v)}
NOT_WORDS = {"nan", "NaN", "None", "True", "False", "null", "undefined", "NaT"}
#: a value standing alone: a line, a table cell, or the part after "label: " or between " · " and "；"
PARTS = re.compile(r"\n|\t| · |；|;|：|: ")
HAN = re.compile(r"[\u3400-\u9fff]+")
#: words that are Chinese on purpose in the English interface (the language picker names both languages)
BILINGUAL = {"语言", "中文"}

CELLS = """() => Array.from(document.querySelectorAll(
  "[data-testid=stDataFrame] [role=gridcell], [data-testid=stDataFrame] [role=columnheader], [data-testid=stTable] td"
)).map(e => e.textContent)"""
HEADINGS = """() => Array.from(document.querySelectorAll(
  "h1, h2, h3, [data-testid=stMetricLabel], [role=tab], [data-testid=stWidgetLabel], [data-testid=stDataFrame] [role=columnheader]"
)).map(e => e.textContent)"""


def _proper_names() -> set[str]:
    """Every name the demo city's data holds (names, units, districts, roads): shown as they are in any language."""
    city = folder.load(DEMO)
    names = {city.config.name, city.config.name_en}
    for layer in ALL_LAYERS:
        frame = city[layer]
        for col in ("name", "unit", "district", "road", "text_zh"):
            if col in frame.columns:
                names |= {str(v) for v in frame[col].dropna()}
    return {n for n in names if n}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with demo_app(tmp_path_factory, "pages.log", AS_OF) as found:
        url, database = found
        city = folder.load(DEMO)
        unit = sorted(city["toilets"]["unit"].dropna().unique())[0]
        accounts.add_user(UNIT_ACCOUNT[0], name="巡查联络员", role="unit", unit=unit, password=UNIT_ACCOUNT[1], by=ADMIN, database=database)
        yield url


def _walk(browser, url: str, account: tuple[str, str], paths: list[str], lang: str, viewport: dict) -> dict[str, str]:
    """Open each page; keep its screenshot; return page -> its text (body, table cells, the maps' legends)."""
    page, outside, errors = open_signed_in(browser, url, account, viewport=viewport)
    texts, suffix = {}, "?lang=English" if lang == "en" else ""
    ARTIFACTS.mkdir(exist_ok=True)
    for path in paths:
        page.goto(f"{url}/{path}{suffix}")
        page_ready(page)
        page.wait_for_timeout(1500)  # (the maps draw in their frames)
        page.screenshot(path=str(ARTIFACTS / f"pages_{path}_{lang}_{viewport['width']}.png"), full_page=True)
        assert page.get_by_text("Page not found").count() == 0, f"/{path}: Streamlit says 'Page not found'"
        assert page.locator("[data-testid='stException']").count() == 0, f"/{path}: an exception is shown"
        frames = [f.locator("body").inner_text(timeout=5_000) for f in page.frames if f is not page.main_frame and f.url.startswith("http")]
        texts[path] = "\n".join([page.locator("body").inner_text(), *page.evaluate(CELLS), *frames])
        if lang == "en":
            texts[path + "#headings"] = "\n".join(page.evaluate(HEADINGS))
        if viewport == PHONE:
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= PHONE["width"] + 2, f"/{path}: the page is {width} px wide on a 390 px phone"
            for box in (m.bounding_box() for m in page.locator("iframe[title*='streamlit_folium']").all()):
                assert box is None or box["height"] <= PHONE["height"] * 0.8, (
                    f"/{path}: a map {box['height']:.0f} px high leaves no room to scroll"
                )
    assert outside == [], f"requests left the machine: {outside[:5]}"
    assert not [e for e in errors if "favicon" not in e], errors
    page.context.close()
    return texts


def _raw_values(text: str) -> set[str]:
    """Codes and non-words standing alone as values in ``text``."""
    parts = {p.strip() for p in PARTS.split(text)}
    return {p for p in parts if p in CODES or p in NOT_WORDS}


ADMIN_PAGES = [path for _, _, _, path, _ in PAGES if path != "my-tasks"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_page_in_chinese_shows_no_raw_value(app, browser, viewport):
    texts = _walk(browser, app, ADMIN_ACCOUNT, ADMIN_PAGES, "zh", viewport)
    texts |= {"my-tasks": _walk(browser, app, UNIT_ACCOUNT, ["my-tasks"], "zh", viewport)["my-tasks"]}
    raw = {path: sorted(_raw_values(text)) for path, text in texts.items()}
    assert not {p: r for p, r in raw.items() if r}, raw
    assert set(texts) == {path for _, _, _, path, _ in PAGES}  # every page was walked


def test_every_page_in_english_has_no_chinese_in_its_titles(app, browser):
    texts = _walk(browser, app, ADMIN_ACCOUNT, ADMIN_PAGES, "en", DESKTOP)
    names = sorted(_proper_names(), key=len, reverse=True)
    found = {}
    for key, text in texts.items():
        if not key.endswith("#headings"):
            continue
        for name in names:
            text = text.replace(name, "")
        left = set(HAN.findall(text)) - BILINGUAL
        if left:
            found[key.removesuffix("#headings")] = sorted(left)
    assert not found, found
    assert "\nGaps · " in texts["gaps#headings"]  # (the walk was in English: the page's title is)


def test_the_raw_value_check_can_fail():
    """The check above catches a code, a NaN and a 'label: code' pair, and leaves words and names alone."""
    assert _raw_values("状态: existing\n名称 · 古隆中\nnan") == {"existing", "nan"}
    assert _raw_values("现有\n旅游厕所 Tourist toilets\nOther street issue\nAAA") == set()
