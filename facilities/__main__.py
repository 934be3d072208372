"""The program entry point: ``python -m facilities <command>`` runs the command line, :func:`cli.main`.

The only module under ``facilities`` that reaches above the package: the command line sits on top of
everything (``facilities``, ``maps``), so the arrow runs from here up to ``cli`` and nowhere else. Nothing
imports this module; the installed ``facilities`` script calls ``cli.main`` directly.
"""

import sys

from cli import main

sys.exit(main())
