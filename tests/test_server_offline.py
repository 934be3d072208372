"""The server keeps to itself: with the repository's .streamlit/config.toml alone, `streamlit run app.py`
listens on 127.0.0.1 only, and starting it and serving a page attempt no connection off the machine (no
external-IP lookup, no usage statistics, no name lookups). Every socket call of the server process is
recorded by an audit hook (tests/net_audit.py), from the sign-in page to the map."""

from __future__ import annotations

import json
import sys
import tomllib

import pytest

from tests.helpers import DEMO, ROOT, open_signed_in, streamlit_app

LOOPBACK = ("127.", "::1", "localhost", "/")  # "/": a Unix socket path


def test_config_listens_on_loopback_and_hides_error_details():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1" and config["server"]["headless"] is True
    assert config["browser"]["gatherUsageStats"] is False and config["client"]["showErrorDetails"] == "none"


@pytest.mark.browser
def test_starting_and_serving_asks_nothing_of_the_outside_world(tmp_path, browser):
    log = tmp_path / "net.jsonl"
    log.touch()
    with streamlit_app(
        DEMO.parent, DEMO.name, tmp_path / "streamlit.log",
        env={"NET_AUDIT_LOG": str(log), "FACILITIES_AS_OF": "2026-11-29"},
        launcher=(sys.executable, str(ROOT / "tests" / "net_audit.py")),
        options=(),  # only what .streamlit/config.toml says
    ) as url:  # fmt: skip
        page, outside, errors = open_signed_in(browser, url)  # the sign-in page, then the map
        page.wait_for_selector("iframe[title*='streamlit_folium']", timeout=60_000)
        page.wait_for_timeout(1500)
        banner = (tmp_path / "streamlit.log").read_text()
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    port = int(url.rsplit(":", 1)[1])
    listening = [host for event, host, p in calls if event == "socket.bind" and p == port]
    assert listening == ["127.0.0.1"], f"the server listens beyond this machine: {listening}"
    # other binds are probes (urllib3 binds ("::1", 0) to learn whether IPv6 works): loopback too
    assert all(host.startswith(LOOPBACK) for event, host, _ in calls if event == "socket.bind"), calls
    away = [c for c in calls if c[0] != "socket.bind" and not c[1].startswith(LOOPBACK) and c[1] not in ("", "None")]
    assert away == [], f"the server reached out: {away}"
    assert "External URL" not in banner and "Network URL" not in banner
    assert outside == [] and not [e for e in errors if "favicon" not in e]
