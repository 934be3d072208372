"""``map``: write a city's map as one HTML file that opens from disk with no network.

``python -m facilities map <city> --out map.html [--rules FILE] [--no-gaps] [--basemap none] [--lang zh]``;
exit 0 written, 2 on an invalid city, rules file or basemap (the report or the reason is printed).
"""

from __future__ import annotations

import argparse
import sys
import time

from cli.arguments import AS_OF_HELP, CITY_HELP, as_of_arg


def _map(args: argparse.Namespace) -> int:
    from facilities.errors import CityValidationError
    from facilities.rules import RulesError  # (defined in facilities.errors once rules.py imports it from there)
    from maps import BasemapError  # (likewise, once maps/basemaps.py imports it from facilities.errors)
    from maps.export import export_map

    t0 = time.perf_counter()
    try:
        from facilities import store

        path = export_map(store.resolve(args.folder), args.out, args.rules, not args.no_gaps, args.basemap, args.lang, args.as_of)
    except (CityValidationError, RulesError) as exc:
        print(exc.report.to_text())
        return 2
    except BasemapError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    size = path.stat().st_size / 2**20
    print(f"wrote {path} ({size:.1f} MB, {time.perf_counter() - t0:.1f} s); it opens from disk with no network")
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add ``map`` to the sub-commands."""
    m = sub.add_parser("map", help="write the city's map as one HTML file that works offline")
    m.add_argument("folder", help=CITY_HELP)
    m.add_argument("--out", required=True, help="HTML file to write, e.g. map.html")
    m.add_argument("--rules", help="rules file: draw the gaps of every rule (default: the city's rules.toml if it has one)")
    m.add_argument("--no-gaps", action="store_true", help="do not run the rules; facilities only")
    m.add_argument("--basemap", default="none", help="none (default; works offline), osm, cartodb, gaode, tianditu")
    m.add_argument("--lang", default="zh", choices=["zh", "en"])
    m.add_argument("--as-of", type=as_of_arg, help=AS_OF_HELP)
    m.set_defaults(func=_map)


__all__ = ["add_parsers"]
