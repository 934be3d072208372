"""What the benchmarks share with the tests: Debian's Chromium and a free loopback port (tests/helpers.py)."""

from tests.helpers import CHROMIUM, FLAGS, free_port

__all__ = ["CHROMIUM", "FLAGS", "free_port"]
