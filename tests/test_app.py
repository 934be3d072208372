"""The Streamlit app, headless (AppTest): it runs, shows the map and counts, switches language,
and shows a validation report (not a traceback) for a broken city."""

from __future__ import annotations

import json
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from facilities import settings
from tests.conftest import DATA, ROOT


@pytest.fixture
def data_dir(tmp_path, mini_city, monkeypatch):
    toilets = [
        {
            "type": "Feature",
            "properties": {"id": "T1", "status": "existing", "grade": "A", "name": "东门公厕"},
            "geometry": {"type": "Point", "coordinates": [112.1, 32.0]},
        }
    ]
    (mini_city / "toilets.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": toilets}))
    shutil.copytree(DATA / "broken_city", mini_city.parent / "broken")
    monkeypatch.setattr(settings, "DATA_DIR", mini_city.parent)
    monkeypatch.setattr(settings, "DEMO_CITY", mini_city)
    return mini_city.parent


def _run(at: AppTest) -> AppTest:
    at.run(timeout=60)
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_app_shows_city_map(data_dir):
    at = _run(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60))
    assert "小城" in at.title[0].value
    assert at.selectbox[0].value.name == "mini"
    (component,) = at.get("component_instance")
    args = json.loads(component.proto.json_args)
    assert "东门公厕" in args["script"] or "\\u4e1c\\u95e8" in args["script"]
    assert all(link.startswith("/app/static/vendor/") for link in args["js_links"] + args["css_links"])


def test_language_switch_changes_labels(data_dir):
    at = _run(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60))
    assert at.title[0].value.startswith("旅游城市设施地图")
    at.radio[0].set_value("en")
    _run(at)
    assert at.title[0].value.startswith("Tourist-city facility map")
    assert at.selectbox[0].label == "City"


def test_broken_city_shows_report_not_traceback(data_dir):
    at = _run(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60))
    at.selectbox[0].set_value(data_dir / "broken")
    _run(at)
    assert at.error and "有错误" in at.error[0].value
    table = at.dataframe[0].value
    assert len(table) == 25 and set(table["severity"]) == {"error", "warning"}
