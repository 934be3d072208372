"""Benchmark: rendering the demo city's map with folium's own templates against ours compiled once.

    .venv/bin/python -m bench.map_render            # 5 runs of each, medians

Folium compiles ``jinja2.Template(source)`` for every element it renders, including each layer's rendered
output wrapped again as an element (maps/templates.py). For the whole map and for one district (what the
map page builds on a new filter combination), it times building the map (``build_map``) and rendering it to
the strings the app sends (``ui.foliummap.prepare``), with folium's own ``Template`` and with
:mod:`maps.templates` installed, alternately in one process, and prints the medians and their ratio.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
import time

import branca.element
import folium.template
import jinja2

from facilities.check import check
from facilities.query import filter_city, filter_gaps
from facilities.rules import load_rules
from facilities.settings import DEMO_CITY
from facilities.store import folder
from maps import MAP_LAYERS, build_map, templates

RUNS = 5


def folium_own() -> None:
    """Put back branca's and folium's own ``Template`` (every source compiled)."""
    branca.element.Template = jinja2.Template  # type: ignore[misc]
    for module in templates.FOLIUM_MODULES:
        module.Template = folium.template.Template  # type: ignore[attr-defined]


def time_once(city, result) -> float:
    """Seconds to build and render the map of ``city`` with ``result``'s gaps."""
    from ui.foliummap import prepare

    t = time.perf_counter()
    m = build_map(city, result, list(MAP_LAYERS), basemap="none", lang="zh", remember_view="bench", legend_open=False)
    prepare(m, ("last_object_clicked",))
    return time.perf_counter() - t


def main() -> None:
    """Time both ways on the whole demo map and on one district's, and print a Markdown table."""
    city = folder.load(DEMO_CITY)
    result = check(city, load_rules(DEMO_CITY / "rules.toml"), as_of=dt.date(2026, 11, 29))
    district = filter_city(city, districts=["襄城区"])
    cases = {
        "whole city": (city, result),
        "one district (襄城区)": (district, dataclasses.replace(result, gaps=filter_gaps(result.gaps, district, ["襄城区"]))),
    }
    print("| map | folium's templates | compiled once (ours) | ratio |")
    print("| --- | ---: | ---: | ---: |")
    for label, (c, r) in cases.items():
        times: dict[str, list[float]] = {"folium": [], "ours": []}
        time_once(c, r)  # (warm: imports, the first compilations)
        for _ in range(RUNS):
            folium_own()
            times["folium"].append(time_once(c, r))
            templates.install()
            times["ours"].append(time_once(c, r))
        a, b = statistics.median(times["folium"]), statistics.median(times["ours"])
        print(f"| {label} | {a:.3f} s | {b:.3f} s | {a / b:.2f}× |", flush=True)


if __name__ == "__main__":
    main()
