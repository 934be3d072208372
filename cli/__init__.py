"""The command line, on top of everything: ``python -m facilities <command>`` (or the ``facilities`` script).

Commands: ``validate`` and ``check`` (:mod:`cli.inventory`), ``import osm|table|file`` (:mod:`cli.imports`),
``map`` (:mod:`cli.maps`), ``sites`` (:mod:`cli.sites`: where to build next), ``db load|dump|history|list|revert`` (:mod:`cli.db`),
``tasks file|list|show|move|extend|notices`` (:mod:`cli.tasks`), ``users add|list|disable|enable|unlock|passwd``
(:mod:`cli.users`). Exit codes: 0 fine (valid, passed, imported, written); 1 invalid data, a failed check,
rejected rows, a refused edit or task step (or one the acting user's role does not allow);
2 bad usage or input, an unreadable or unwritable file, a bad setting (one line naming it); 3 a bug of
ours (one line; ``FACILITIES_DEBUG=1`` shows the traceback); 130 interrupted.

This package may import anything (``facilities``, ``maps``, …); nothing imports it but
``facilities/__main__.py``, the program entry point.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from cli import db, imports, inventory, maps, sites, tasks, users
from facilities.errors import Forbidden, SettingError, StoreError


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command."""
    parser = argparse.ArgumentParser(prog="python -m facilities", description="Tourist-city facility inventory 旅游城市设施清单")
    sub = parser.add_subparsers(dest="command", required=True)
    inventory.add_parsers(sub)
    maps.add_parsers(sub)
    sites.add_parsers(sub)
    imports.add_parsers(sub)
    db.add_parsers(sub)
    tasks.add_parsers(sub)
    users.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command (``argv``: the arguments after the program name; default ``sys.argv[1:]``); its exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # unreadable folder or file: a clear line, no traceback
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except Forbidden as exc:  # the acting user's role does not allow it: refused like a refused edit
        print(f"refused 未执行: {exc}", file=sys.stderr)
        return 1
    except (SettingError, StoreError) as exc:  # e.g. FACILITIES_AS_OF=2026-13-45, a database that cannot be opened
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug of ours: one clear line for the user, the traceback only on request
        if os.environ.get("FACILITIES_DEBUG"):
            raise
        print(
            f"error: unexpected {type(exc).__name__}: {exc}\n"
            "This is a bug in the program, not in your data. Run again with FACILITIES_DEBUG=1 to see the details and report them.",
            file=sys.stderr,
        )
        return 3


__all__ = ["build_parser", "main"]
