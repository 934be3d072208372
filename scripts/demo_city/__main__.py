"""``python -m scripts.demo_city``: generate the demo city."""

import sys

from .cli import main

sys.exit(main())
