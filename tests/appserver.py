"""What the browser tests share: `streamlit run app.py` on a free loopback port, and pages that record every
request leaving the machine (and block it)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bench.local import free_port
from tests.conftest import ROOT

LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:", "file:")


@contextmanager
def streamlit_app(
    data_dir: Path,
    city: str,
    log: Path,
    env: dict[str, str] | None = None,
    launcher: Sequence[str] = (sys.executable, "-m", "streamlit"),
    options: Sequence[str] = ("--server.address", "127.0.0.1", "--server.headless", "true"),
) -> Iterator[str]:
    """Start the app on ``data_dir`` (first city ``city``); yield its URL; stop it. ``options``: Streamlit's."""
    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("FACILITIES_")}
    full_env.update({"FACILITIES_DATA_DIR": str(data_dir), "FACILITIES_CITY": city, **(env or {})})
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*launcher, "run", str(ROOT / "app.py"), "--server.port", str(port), *options],
            cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                    break
                except OSError:
                    if proc.poll() is not None:
                        raise RuntimeError(f"streamlit exited: {log.read_text()}") from None
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"streamlit did not start within 60 s: {log.read_text()}") from None
                    time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def open_page(browser, url: str, viewport: dict | None = None, **context):
    """A new page at ``url``; returns (page, outside, errors): requests that tried to leave the machine (all
    blocked) and the page's errors."""
    outside: list[str] = []
    ctx = browser.new_context(viewport=viewport or {"width": 1400, "height": 900}, **context)
    page = ctx.new_page()

    def route(r):
        if r.request.url.startswith(LOCAL):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    errors: list[str] = []
    # a failed load is judged by its response below (Streamlit probes <page>/_stcore/* when opened at a page's URL)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and "/_stcore/" not in r.url else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    return page, outside, errors
