"""What the benchmarks and the browser tests share: Debian's Chromium and a free loopback port."""

from __future__ import annotations

import socket

#: Debian's Chromium; Playwright drives it (never `playwright install`: there is no internet)
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
