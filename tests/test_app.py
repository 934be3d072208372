"""Every page of the Streamlit app, headless (AppTest): it runs, its widgets and figures are there, the
language switch changes the labels, and a broken city shows its report — never a traceback."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
from streamlit.testing.v1 import AppTest

import tests.oracles as oracles
from facilities import settings
from facilities.auth import SETUP, accounts
from facilities.auth.accounts import demo_accounts
from facilities.check import check
from facilities.rules import load_rules
from facilities.schema import ALL_LAYERS
from facilities.store import load as load_city
from tests.helpers import DATA, DEMO, ROOT

AS_OF = dt.date(2026, 11, 29)
PAGES = ["views/map.py", "views/gaps.py", "views/lighting.py", "views/scorecard.py", "views/inventory.py"]
TITLES = {
    "views/map.py": ("地图", "Map"),
    "views/gaps.py": ("缺口", "Gaps"),
    "views/lighting.py": ("亮化与标识", "Lighting & signage"),
    "views/scorecard.py": ("评分", "Scorecard"),
    "views/inventory.py": ("清单", "Inventory"),
}


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A data folder with the demo city and a broken one (copies, so nothing can alter the originals)."""
    shutil.copytree(DEMO, tmp_path / "xiangyang")
    shutil.copytree(DATA / "broken_city", tmp_path / "broken")
    monkeypatch.setattr(settings, "DATA_DIR", tmp_path)
    monkeypatch.setattr(settings, "DEMO_CITY", tmp_path / "xiangyang")
    monkeypatch.setenv(settings.AS_OF_ENV, AS_OF.isoformat())  # the figures below are those of this date
    return tmp_path


@pytest.fixture(scope="module")
def expected():
    """The demo city checked here, as of the date the app is given: the figures the pages must show."""
    return check(load_city(DEMO), load_rules(DEMO / "rules.toml"), as_of=AS_OF)


def _run(at: AppTest) -> AppTest:
    at.run(timeout=120)
    assert not at.exception, [e.value for e in at.exception]
    return at


#: the demo city's demo accounts: login -> password (its accounts.toml)
PASSWORDS = {a["login"]: a["password"] for a in demo_accounts(DEMO)}


def _app(login: str = "demo-staff", password: str | None = None) -> AppTest:
    """The app, signed in as ``login`` (a demo account, unless ``password`` is given) on its sign-in page."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    _run(at)
    at.text_input(key="sign_in_login").input(login)
    at.text_input(key="sign_in_password").input(password or PASSWORDS[login])
    at.button[0].click()
    return _run(at)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_runs_in_both_languages(data_dir, page, lang):
    at = _run(_app())
    if lang == "en":
        at.radio(key="lang").set_value("en")
        _run(at)
    at.switch_page(page)
    _run(at)
    zh, en = TITLES[page]
    assert at.title[0].value.startswith(zh if lang == "zh" else en)
    assert "襄阳 Xiangyang" in at.title[0].value
    assert at.selectbox(key="city_folder").label == ("城市" if lang == "zh" else "City")


def test_map_page_draws_the_city_and_its_gaps(data_dir):
    at = _run(_app())
    (component,) = at.get("component_instance")
    args = json.loads(component.proto.json_args)
    assert "L.pointCloud(" in args["script"]
    assert all(link.startswith("/app/static/") for link in args["js_links"] + args["css_links"])
    labels = [w.label for w in at.multiselect]  # the filters are on the page (a phone reaches them too)
    assert labels == ["图层", "区", "状态", "类型", "等级"]


def test_map_filters_change_what_the_map_shows_not_the_map(data_dir):
    """A district chosen: the same map is sent (not drawn again), with the filter naming exactly the
    district's toilets (counted here with pandas on the demo's file)."""
    toilets = load_city(DEMO)["toilets"]
    at = _run(_app())
    before = json.loads(at.get("component_instance")[0].proto.json_args)
    at.multiselect(key="map_districts").set_value(["襄城区"])
    _run(at)
    after = json.loads(at.get("component_instance")[0].proto.json_args)
    assert before["script"] == after["script"]
    call = after["feature_group"]
    kept = json.loads(call[call.index("applyMapFilter(") + len("applyMapFilter(") : call.rindex(")")])
    assert sorted(kept["facilities"]["toilets"]) == sorted(toilets.loc[toilets["district"] == "襄城区", "id"])
    assert before["feature_group"] != call


def test_map_answers_aaa_toilets_in_a_district(data_dir):
    """Toilets only, AAA, 襄城区: the count and the list are those of the data (counted here by hand, with
    pandas on the demo's own file), and the map is zoomed to them."""
    toilets = load_city(DEMO)["toilets"]
    expected = toilets[(toilets["grade"] == "AAA") & (toilets["district"] == "襄城区")]
    assert len(expected) >= 2  # (the demo has several: the question has an answer)
    at = _run(_app())
    at.multiselect(key="map_layers").set_value(["toilets"])
    at.multiselect(key="map_districts").set_value(["襄城区"])
    at.multiselect(key="map_grades").set_value(["AAA"])
    _run(at)
    assert f"旅游厕所 {len(expected)}" in at.markdown[0].value.replace("*", "")
    listed = at.dataframe[0].value  # the list beside the map
    assert sorted(listed["名称"]) == sorted(expected["name"])
    assert set(listed["类型 · 等级"]) == {"AAA级"}
    args = json.loads(at.get("component_instance")[0].proto.json_args)
    assert args["zoom"] >= 13 and args["center"] is not None


def test_gaps_page_lists_every_rule_and_gap(data_dir, expected):
    at = _run(_app())
    at.switch_page("views/gaps.py")
    _run(at)
    summary, gaps = at.dataframe[0].value, at.dataframe[1].value
    assert len(summary) == len(expected.summary) == len(load_rules(DEMO / "rules.toml"))
    assert len(gaps) == len(expected.gaps) > 0
    assert list(gaps["缺口编号"]) == list(expected.gaps["gap_id"])
    assert [b.label for b in at.get("download_button")] == ["下载 GeoJSON", "下载 CSV", "下载 Excel"]


def test_check_date_is_explicit_and_shown_beside_the_score(data_dir):
    """FACILITIES_AS_OF sets the picker; another date in the picker re-checks the city as of that date."""
    at = _run(_app())
    assert at.date_input(key="as_of").value == AS_OF
    at.switch_page("views/gaps.py")
    _run(at)
    assert "截至 2026-11-29" in at.markdown[0].value
    later = dt.date(2027, 6, 1)
    at.date_input(key="as_of").set_value(later)
    _run(at)
    assert "截至 2027-06-01" in at.markdown[0].value
    city, rules = load_city(data_dir / "xiangyang"), load_rules(data_dir / "xiangyang" / "rules.toml")
    expected, at_first = check(city, rules, as_of=later), check(city, rules, as_of=AS_OF)
    assert len(at.dataframe[1].value) == len(expected.gaps) > len(at_first.gaps)  # reports left open for longer
    at.switch_page("views/scorecard.py")
    _run(at)
    assert at.metric[0].label.endswith("2027-06-01") and at.metric[0].value.startswith(f"{expected.total:.1f}")


def test_a_bad_check_date_setting_is_said_not_raised(data_dir, monkeypatch):
    monkeypatch.setenv(settings.AS_OF_ENV, "2026-13-45")
    at = _run(_app())
    assert any("FACILITIES_AS_OF" in e.value and "2026-13-45" in e.value for e in at.sidebar.error)
    at.switch_page("views/gaps.py")
    _run(at)  # and on every later run, not only the first
    assert any("FACILITIES_AS_OF" in e.value for e in at.sidebar.error)


def test_gap_filters(data_dir):
    at = _run(_app())
    at.switch_page("views/gaps.py")
    _run(at)
    at.multiselect[0].set_value(["toilet_reach"])
    _run(at)
    # the feature column, labelled in Chinese; the rule walks: the spots networkx finds too far on foot
    assert set(at.dataframe[1].value["对象"]) == oracles.walking_gaps()


def test_scorecard_page(data_dir, expected):
    at = _run(_app())
    at.switch_page("views/scorecard.py")
    _run(at)
    assert at.metric[0].value.startswith(f"{expected.total:.1f}")
    assert any(b.label.startswith("下载可打印报告") for b in at.get("download_button"))


def test_inventory_search(data_dir):
    at = _run(_app())
    at.switch_page("views/inventory.py")
    _run(at)
    at.selectbox(key="inventory_layer").select_index(list(ALL_LAYERS).index("toilets"))
    _run(at)
    assert len(at.dataframe[0].value) == 87
    at.text_input[0].set_value("T001")
    _run(at)
    assert at.dataframe[0].value["编号"].tolist() == ["T001"]


def test_broken_city_shows_report_not_traceback(data_dir):
    at = _run(_app())
    at.selectbox(key="city_folder").set_value(str(data_dir / "broken"))
    for page in PAGES:
        at.switch_page(page)
        _run(at)
        assert at.error and "有错误" in at.error[0].value
        table = at.dataframe[0].value
        assert len(table) == 25 and set(table["severity"]) == {"error", "warning"}


REAL = ROOT.parent / "shared" / "data" / "real"


@pytest.mark.skipif(not (REAL / "nanjing_xuanwu.osm").is_file(), reason=f"real data not present: {REAL} (../shared/data/real/)")
def test_every_page_works_on_an_imported_osm_city(tmp_path, monkeypatch):
    """A city as imported from OpenStreetMap (no lamps, no signs, no zones) works on every page."""
    import subprocess
    import sys

    out = tmp_path / "nanjing"
    run = subprocess.run(
        [sys.executable, "-m", "facilities", "import", "osm", str(REAL / "nanjing_xuanwu.osm"), "--out", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    monkeypatch.setattr(settings, "DATA_DIR", tmp_path)
    monkeypatch.setattr(settings, "DEMO_CITY", out)
    # a real city has no demo accounts: its first administrator is added on the command line's side
    accounts.add_user("boss", name="张主任", role="admin", password="a long pass phrase", by=SETUP)
    at = _run(_app("boss", "a long pass phrase"))
    for page in PAGES:
        at.switch_page(page)
        _run(at)
        assert "玄武区" in at.title[0].value


def test_a_failing_page_shows_one_line_not_a_traceback(data_dir, monkeypatch):
    """A bug of ours (here: injected) is a short message on the page, never a traceback."""
    from facilities import stats

    def broken(city):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(stats, "lamp_figures", broken)
    at = _run(_app())
    at.switch_page("views/lighting.py")
    _run(at)  # no exception element
    assert "此页面出错" in at.error[0].value
    assert at.text[0].value == "ZeroDivisionError: division by zero"
