"""Export a map as one self-contained HTML file that opens from disk with no network."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import folium

from maps.assets import INLINE, inline_assets


def map_html(m: folium.Map) -> str:
    """The page of a map built with ``asset_url=INLINE``, every script and stylesheet inside it."""
    return inline_assets(m.get_root().render())


def save_map(m: folium.Map, path: str | Path) -> Path:
    """Write ``m`` (built with ``asset_url=maps.assets.INLINE``) to ``path`` atomically; return the path."""
    from facilities.store import write_atomic

    path = Path(path)
    write_atomic(path, map_html(m))
    return path


def export_map(folder: str | Path, out: str | Path, rules: str | Path | None = None, gaps: bool = True, basemap: str = "none",
               lang: str = "zh", as_of: dt.date | None = None) -> Path:  # fmt: skip
    """Load a city, check it (if a rules file is there), and write its map to ``out``."""
    from facilities.check import check
    from facilities.store import load as load_city
    from facilities.rules import RULES_FILE, load_rules
    from maps.city_map import build_map

    city = load_city(folder)
    result = None
    rules_path = Path(rules) if rules else Path(folder) / RULES_FILE
    if gaps and (rules or rules_path.is_file()):
        result = check(city, load_rules(rules_path), as_of=as_of)
    m = build_map(city, result, basemap=basemap, lang=lang, reach_circles=result is not None, asset_url=INLINE)
    return save_map(m, out)


def export_command(args: argparse.Namespace) -> int:
    """``python -m facilities map <city> --out map.html`` (see facilities/cli.py)."""
    from facilities.errors import CityValidationError
    from facilities.rules import RulesError
    from maps.basemaps import BasemapError

    t0 = time.perf_counter()
    try:
        path = export_map(
            args.folder, args.out, args.rules, not args.no_gaps, args.basemap, args.lang,
            args.as_of,
        )  # fmt: skip
    except CityValidationError as exc:
        print(exc.report.to_text())
        return 2
    except RulesError as exc:
        print(exc.report.to_text())
        return 2
    except BasemapError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    size = path.stat().st_size / 2**20
    print(f"wrote {path} ({size:.1f} MB, {time.perf_counter() - t0:.1f} s); it opens from disk with no network")
    return 0
