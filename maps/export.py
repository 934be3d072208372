"""Export a map as one self-contained HTML file that opens from disk with no network.

The ``map`` command (:mod:`cli.maps`) calls :func:`export_map`; nothing here parses arguments or prints. An
exported map is read on its own, printed or pasted into a report: it always carries a scale bar (Leaflet's own)
and a north arrow (an inline SVG, :class:`maps.controls.NorthArrow`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import folium

from facilities import store
from maps.assets import INLINE, inline_assets
from maps.controls import NorthArrow

#: the north arrow's tooltip
NORTH = "北 North"


def with_scale_and_north(m: folium.Map) -> folium.Map:
    """``m`` with a scale bar and a north arrow (added once; in place)."""
    m.control_scale = True
    if not any(isinstance(child, NorthArrow) for child in m._children.values()):
        NorthArrow(NORTH).add_to(m)
    return m


def map_html(m: folium.Map) -> str:
    """The page of a map built with ``asset_url=INLINE``, every script and stylesheet inside it, with a scale
    bar and a north arrow (:func:`with_scale_and_north`)."""
    return inline_assets(with_scale_and_north(m).get_root().render())


def save_map(m: folium.Map, path: str | Path) -> Path:
    """Write ``m`` (built with ``asset_url=maps.assets.INLINE``) to ``path`` atomically; return the path."""
    path = Path(path)
    store.write_atomic(path, map_html(m))
    return path


def export_map(folder: store.Source, out: str | Path, rules: str | Path | None = None, gaps: bool = True, basemap: str = "none",
               lang: str = "zh", as_of: dt.date | None = None) -> Path:  # fmt: skip
    """Load a city, check it (if a rules file is there), and write its map to ``out``; return the path.

    Raises CityValidationError (an invalid city), RulesError (an invalid rules file), BasemapError (an
    unknown basemap, or one whose key is not set); nothing is written then.
    """
    from facilities.check import check, illuminance_stretches
    from facilities.rules import city_rules, load_rules
    from maps.city_map import build_map

    city = store.load(folder)
    result = None
    ruleset = (load_rules(rules) if rules else city_rules(city)) if gaps else None
    if ruleset is not None:
        result = check(city, ruleset, as_of=as_of)
    lux = {r.id: illuminance_stretches(city, r, result.as_of) for r in ruleset or () if r.kind == "illuminance"} if result else None
    m = build_map(city, result, basemap=basemap, lang=lang, reach_circles=result is not None, asset_url=INLINE, illuminance=lux)
    return save_map(m, out)
