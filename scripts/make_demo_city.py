#!/usr/bin/env python3
"""Generate the demo city Xiangyang: ``python scripts/make_demo_city.py --out DIR [--seed N] [--quiet]``.

A thin wrapper around the package scripts/demo_city (the same as ``python -m scripts.demo_city``). Run as a
script, Python puts this file's folder on the path, so the package imports as ``demo_city``.
"""

import sys

from demo_city.cli import main

if __name__ == "__main__":
    sys.exit(main())
