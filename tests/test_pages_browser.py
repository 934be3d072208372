"""Every page as its users meet it, in a real browser (Debian's Chromium through Playwright; nothing leaves the machine).

Signed in as the demo's administrator (who sees every page; a responsible unit's user for "my tasks"), each page
of the app is opened at its own address in Chinese at 1440 × 900 and at 390 × 844 (a phone), and in English at
1440 × 900. A screenshot of each is kept (``tests/artifacts/pages_<page>_<lang>_<width>.png``). Then:

- no page says "Page not found" or shows an exception;
- in Chinese, no value is shown raw: no allowed code of a layer (``existing``, ``standalone``, ``arterial``…) as a
  value of its own (a table cell, a line, a "label: value" part), and no ``nan``, ``None``, ``True``, ``False``;
- in English, titles, headings, metric labels, tabs, widget labels and column headers hold no Chinese but the
  proper names of the city (its name, districts, units, features);
- on the phone, the page does not run off to the side and a map leaves room to scroll past it: it is at most
  80 % of the screen high and, scrolled to the top of the screen, a wheel turned beside it scrolls the page;
- nothing overlaps the score's verdict (the total line of the gaps page, the score and result metrics of the
  scorecard and the dashboard) or a map's frame: no element, toolbar, expander, the header or the sidebar meets
  one of them (a positive area, by hand below) unless one holds the other. A table's or chart's toolbar appears
  on hover (a tap on a phone) above the element: it is measured hovered, as the user meets it;
- on the phone, the map page's filter panel is reachable (its header on the first screen or scrolled to, the
  district list shown, opening it if closed); a district picked there gives the list, and the list and the
  inventory's table show the name among their first two columns (the grid's columns in view: Streamlit's data
  grid draws on a canvas and mirrors the cells in view in an aria table).

Each page's screenshot is the whole page (the viewport stretched to the page's height for it: Streamlit scrolls
its main section, not the window), taken before the checks; the map page on the phone is kept once more with
the district picked (``pages_map_zh_390_filtered.png``).

The codes checked for come from the layer model (:mod:`facilities.schema`), the proper names from the city's own data.
"""

from __future__ import annotations

import re

import pytest

from facilities.auth import accounts
from facilities.schema import ALL_LAYERS
from facilities.store import folder
from facilities.words import VERDICTS, ui
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

#: a box is [left, top, right, bottom] in the page's own coordinates (its scrolling section's, scrolled to 0)
BOXES = """([verdictWords, scoreWords]) => {
  const main = document.querySelector("[data-testid=stMain]") || document.scrollingElement;
  const dy = main.scrollTop, vw = window.innerWidth;
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top + dy, r.right, r.bottom + dy]; };
  const shown = e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
    return r.width > 0.5 && r.height > 0.5 && r.right > 0 && r.left < vw && s.visibility !== "hidden" && s.display !== "none"; };
  const name = e => `${e.getAttribute("data-testid")} "${(e.innerText || "").trim().slice(0, 30).replace(/\\s+/g, " ")}"`;
  const verdict = e => {
    const metric = e.querySelector("[data-testid=stMetric]");
    if (metric) {
      const label = (metric.querySelector("[data-testid=stMetricLabel]") || {}).innerText || "";
      const value = ((metric.querySelector("[data-testid=stMetricValue]") || {}).innerText || "").trim();
      return scoreWords.some(w => label.trim().startsWith(w)) || verdictWords.includes(value);
    }
    const md = e.querySelector("[data-testid=stMarkdownContainer]");
    const text = md ? md.innerText.trim() : "";
    return scoreWords.some(w => text.startsWith(w)) && /\\d \\/ \\d/.test(text);
  };
  const containers = Array.from(document.querySelectorAll("[data-testid=stElementContainer]")).filter(shown);
  const maps = Array.from(document.querySelectorAll("iframe[title*='streamlit_folium']")).filter(shown);
  const targets = [...containers.filter(verdict).map(e => ["verdict " + name(e), box(e)]),
                   ...maps.map(e => ["map " + e.title, box(e)])];
  const others = Array.from(document.querySelectorAll(
    "[data-testid=stElementContainer], [data-testid=stHeader], [data-testid=stExpander], [data-testid=stSidebar]"
  )).filter(shown).map(e => [name(e), box(e)]);
  const toolbars = Array.from(document.querySelectorAll("[data-testid=stElementToolbar]")).map(e => box(e));
  return {targets, others, toolbars, height: main.scrollHeight, top: dy};
}"""
#: what a box may be off by (sub-pixel layout) and still touch rather than overlap, px
SLACK = 1.0
#: how close (px) a toolbar's resting place must be to a verdict or a map to be hovered and measured shown
NEAR = 64


def _overlap(a: list[float], b: list[float]) -> float:
    """The area two boxes [left, top, right, bottom] share, by hand (0 when they only touch, within SLACK)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > SLACK and h > SLACK else 0.0


def _inside(a: list[float], b: list[float]) -> bool:
    """Whether box ``a`` lies within box ``b`` (within SLACK)."""
    return a[0] >= b[0] - SLACK and a[1] >= b[1] - SLACK and a[2] <= b[2] + SLACK and a[3] <= b[3] + SLACK


def _clashes(targets: list, others: list) -> list[str]:
    """Every (element, target) pair whose boxes overlap while neither holds the other, said in words."""
    found = []
    for t_name, t_box in targets:
        for o_name, o_box in others:
            if _overlap(t_box, o_box) and not _inside(t_box, o_box) and not _inside(o_box, t_box):
                found.append(f"{o_name} {[round(v) for v in o_box]} overlaps {t_name} {[round(v) for v in t_box]}")
    return found


def _layout(page, lang: str) -> dict:
    """The boxes of the page's verdicts and maps (targets), of everything else, and of every toolbar near a
    target as it is shown on hover (the element under it hovered); the mouse then moved off."""
    words = [[pick[0 if lang == "zh" else 1] for key, pick in VERDICTS.items() if key in ("passed", "failed", "incomplete")],
             [ui("score", lang)]]  # fmt: skip
    found = page.evaluate(BOXES, words)
    bars = page.locator("[data-testid=stElementToolbar]")
    for i, rest in enumerate(found["toolbars"]):
        near = [rest[0], rest[1] - NEAR, rest[2], rest[3] + NEAR]
        if i < bars.count() and any(_overlap(near, box) for _, box in found["targets"]):
            bars.nth(i).locator("xpath=..").hover()
            page.wait_for_timeout(400)  # (the toolbar fades in and moves up)
            top = page.evaluate("() => (document.querySelector('[data-testid=stMain]') || document.scrollingElement).scrollTop")
            box = bars.nth(i).bounding_box()
            if box:
                shown = [box["x"], box["y"] + top, box["x"] + box["width"], box["y"] + box["height"] + top]
                found["others"].append([f"the toolbar shown on hover #{i}", shown])
    page.mouse.move(1, page.viewport_size["height"] - 1)
    return found


def _scrolls_beside_map(page, path: str) -> list[str]:
    """On a phone: each map scrolled to the top of the screen; a wheel turned below it (outside its frame) must
    scroll the page (up, when the page is already at its end). Returns what failed."""
    found = []
    main = "(document.querySelector('[data-testid=stMain]') || document.scrollingElement)"
    for n, frame in enumerate(page.locator("iframe[title*='streamlit_folium']").all()):
        frame.scroll_into_view_if_needed()
        page.evaluate(f"(y) => {main}.scrollTop += y", frame.bounding_box()["y"] - 64)  # (below the header)
        page.wait_for_timeout(300)
        box = frame.bounding_box()
        below = box["y"] + box["height"]
        if below > PHONE["height"] - 40:
            found.append(f"/{path}: map {n} fills the screen: nothing below it to scroll by ({below:.0f} of {PHONE['height']} px)")
            continue
        x, y = PHONE["width"] / 2, (below + PHONE["height"]) / 2
        before = page.evaluate(f"() => [{main}.scrollTop, {main}.scrollHeight - {main}.clientHeight]")
        page.mouse.move(x, y)
        page.mouse.wheel(0, -200 if before[0] >= before[1] - 1 else 200)
        page.wait_for_timeout(500)
        after = page.evaluate(f"() => {main}.scrollTop")
        if abs(after - before[0]) < 1 and before[1] > 0:
            found.append(f"/{path}: a wheel at ({x:.0f}, {y:.0f}), below map {n}, does not scroll the page")
    page.evaluate(f"() => {main}.scrollTop = 0")
    return found


def _first_columns(page, scope: str) -> list[str]:
    """The headers of the columns in view in the data grid under ``scope`` (a CSS selector), left to right (the
    selection checkbox's empty header left out)."""
    heads = page.locator(f"{scope} [data-testid=stDataFrame] [role=columnheader]").all_text_contents()
    return [h.strip() for h in heads if h.strip()]


def _name_first(page, scope: str, what: str, name: str) -> list[str]:
    """``[]`` when the grid under ``scope`` shows the ``name`` column among its first two in view, else why not."""
    page.locator(f"{scope} [data-testid=stDataFrame]").first.wait_for(timeout=60_000)
    heads = _first_columns(page, scope)
    return [] if name in heads[:2] else [f"{what}: the phone shows {heads[:2]} first, not {name!r} (columns in view: {heads})"]


def _map_filters_on_phone(page, district: str) -> list[str]:
    """The map page on a phone: its filter panel reachable, its district list shown, a district picked; then the
    list of what is kept shows the name first. Returns what failed (the page is left filtered)."""
    panel = page.locator("[data-testid=stExpander]").filter(has_text=ui("filters", "zh")).first
    head = panel.locator("summary").first
    if head.bounding_box() is None or head.bounding_box()["y"] > PHONE["height"]:
        head.scroll_into_view_if_needed()
    box = head.bounding_box()
    if box is None or not (box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]):
        return [f"/map: the filter panel's header cannot be brought into view ({box})"]
    districts = panel.get_by_role("combobox", name=ui("district", "zh"), exact=True)
    if not districts.is_visible():
        head.click()
    if not districts.is_visible():
        return ["/map: the filter panel, opened, does not show the district list"]
    districts.click()
    districts.press_sequentially(district)
    page.get_by_role("option", name=district, exact=True).click(timeout=20_000)
    page.keyboard.press("Escape")
    page_ready(page)
    page.wait_for_timeout(1500)
    return _name_first(page, ".st-key-map_list", "/map's list", "名称")


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


def _walk(browser, url: str, account: tuple[str, str], paths: list[str], lang: str, viewport: dict) -> tuple[dict, list]:
    """Open each page; keep its screenshot; return page -> its text (body, table cells, the maps' legends) and
    the layout's faults found (overlaps, a map that takes the scroll, a filter or a name out of reach)."""
    page, outside, errors = open_signed_in(browser, url, account, viewport=viewport)
    texts, faults, suffix = {}, [], "?lang=English" if lang == "en" else ""
    ARTIFACTS.mkdir(exist_ok=True)
    phone = viewport == PHONE
    for path in paths:
        page.goto(f"{url}/{path}{suffix}")
        page_ready(page)
        page.wait_for_timeout(1500)  # (the maps draw in their frames)
        shot = ARTIFACTS / f"pages_{path}_{lang}_{viewport['width']}.png"
        _screenshot(page, shot, viewport)
        assert page.get_by_text("Page not found").count() == 0, f"/{path}: Streamlit says 'Page not found'"
        assert page.locator("[data-testid='stException']").count() == 0, f"/{path}: an exception is shown"
        frames = [f.locator("body").inner_text(timeout=5_000) for f in page.frames if f is not page.main_frame and f.url.startswith("http")]
        texts[path] = "\n".join([page.locator("body").inner_text(), *page.evaluate(CELLS), *frames])
        if lang == "en":
            texts[path + "#headings"] = "\n".join(page.evaluate(HEADINGS))
        layout = _layout(page, lang)
        faults += [f"/{path} ({shot.name}): {c}" for c in _clashes(layout["targets"], layout["others"])]
        if path in ("gaps", "scorecard") and not [n for n, _ in layout["targets"] if n.startswith("verdict")]:
            faults.append(f"/{path} ({shot.name}): no verdict found to check")
        if phone:
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= PHONE["width"] + 2, f"/{path}: the page is {width} px wide on a 390 px phone"
            for box in (m.bounding_box() for m in page.locator("iframe[title*='streamlit_folium']").all()):
                assert box is None or box["height"] <= PHONE["height"] * 0.8, (
                    f"/{path}: a map {box['height']:.0f} px high leaves no room to scroll"
                )
            faults += _scrolls_beside_map(page, path)
            if path == "inventory":
                faults += _name_first(page, "[data-testid=stMain]", "/inventory's table", "名称")
            if path == "map":
                faults += _map_filters_on_phone(page, _districts()[0])
                layout = _layout(page, lang)
                faults += [f"/map filtered: {c}" for c in _clashes(layout["targets"], layout["others"])]
                texts[path] += "\n" + "\n".join(page.evaluate(CELLS))
                _screenshot(page, ARTIFACTS / f"pages_{path}_{lang}_{viewport['width']}_filtered.png", viewport)
    assert outside == [], f"requests left the machine: {outside[:5]}"
    assert not [e for e in errors if "favicon" not in e], errors
    page.context.close()
    return texts, faults


def _screenshot(page, path, viewport: dict) -> None:
    """The whole page: the viewport stretched to the height of Streamlit's scrolling section (at most 8000 px)
    for the screenshot, then set back."""
    height = page.evaluate("() => (document.querySelector('[data-testid=stMain]') || document.scrollingElement).scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], min(int(height), 8000))})
    page.wait_for_timeout(300)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(viewport)
    page.wait_for_timeout(300)


def _districts() -> list[str]:
    """The demo city's districts, sorted."""
    zones = folder.load(DEMO)["zones"]
    return sorted(zones.loc[zones["zone_type"] == "district", "name"].dropna().unique())


def _raw_values(text: str) -> set[str]:
    """Codes and non-words standing alone as values in ``text``."""
    parts = {p.strip() for p in PARTS.split(text)}
    return {p for p in parts if p in CODES or p in NOT_WORDS}


ADMIN_PAGES = [path for _, _, _, path, _ in PAGES if path != "my-tasks"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_page_in_chinese_shows_no_raw_value(app, browser, viewport):
    """Every page in Chinese: no raw value; and its layout (see the module's docstring) holds."""
    texts, faults = _walk(browser, app, ADMIN_ACCOUNT, ADMIN_PAGES, "zh", viewport)
    mine, more = _walk(browser, app, UNIT_ACCOUNT, ["my-tasks"], "zh", viewport)
    texts |= {"my-tasks": mine["my-tasks"]}
    raw = {path: sorted(_raw_values(text)) for path, text in texts.items()}
    assert not {p: r for p, r in raw.items() if r}, raw
    assert set(texts) == {path for _, _, _, path, _ in PAGES}  # every page was walked
    assert not faults + more, "\n".join(faults + more)


def test_every_page_in_english_has_no_chinese_in_its_titles(app, browser):
    """Every page in English: no Chinese in its titles but proper names; and its layout holds."""
    texts, faults = _walk(browser, app, ADMIN_ACCOUNT, ADMIN_PAGES, "en", DESKTOP)
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
    assert not faults, "\n".join(faults)


def test_the_raw_value_check_can_fail():
    """The check above catches a code, a NaN and a 'label: code' pair, and leaves words and names alone."""
    assert _raw_values("状态: existing\n名称 · 古隆中\nnan") == {"existing", "nan"}
    assert _raw_values("现有\n旅游厕所 Tourist toilets\nOther street issue\nAAA") == set()


def test_the_overlap_check_can_fail():
    """Boxes that share an area clash; boxes that touch, or one inside the other, do not."""
    verdict = ["verdict", [0, 100, 300, 130]]
    assert _clashes([verdict], [["toolbar", [250, 110, 360, 150]]])  # (the complaint: a toolbar over the verdict)
    assert _clashes([verdict], [["below", [0, 128, 300, 160]]])  # (by 2 px: more than SLACK)
    assert not _clashes([verdict], [["touching", [0, 130.5, 300, 160]], ["beside", [300, 100, 400, 130]]])
    assert not _clashes([verdict], [["its container", [0, 90, 300, 140]], ["a part", [10, 105, 50, 125]]])
    assert _overlap([0, 0, 10, 10], [5, 5, 20, 20]) == 25
