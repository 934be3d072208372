"""A new city's ``city.toml``: its name from the user or the data, its bounds from the data with a margin."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass

import shapely

from facilities.city_config import Bounds
from facilities.importers.records import Record


@dataclass(frozen=True)
class NewCity:
    """What to write in ``city.toml`` when the target folder has none."""

    name: str
    name_en: str
    bounds: Bounds | None = None  # None: from the data, with a margin
    local_name: str = ""  # the place's name in the local language, when the name shown differs (a comment)


def _round_out(value: float, up: bool) -> float:
    return (math.ceil if up else math.floor)(value * 1e4) / 1e4


def city_toml(meta: NewCity, records: list[Record]) -> tuple[str, Bounds]:
    """``city.toml`` text for a new city: bounds from the data (10 % margin, at least ~500 m), centre, zoom."""
    geoms = [r.geometry for r in records if r.geometry is not None]
    if meta.bounds is not None:
        b = meta.bounds
        data = (b.west, b.south, b.east, b.north)
    else:
        data = tuple(shapely.total_bounds(geoms))
    w, s, e, n = data
    pad_x, pad_y = max(0.1 * (e - w), 0.005), max(0.1 * (n - s), 0.005)
    if meta.bounds is None:
        w, s, e, n = (
            _round_out(max(w - pad_x, -180), False),
            _round_out(max(s - pad_y, -90), False),
            _round_out(min(e + pad_x, 180), True),
            _round_out(min(n + pad_y, 90), True),
        )
    bounds = Bounds(w, s, e, n)
    lon, lat = round((data[0] + data[2]) / 2, 5), round((data[1] + data[3]) / 2, 5)
    # the zoom at which the data fit in about 900 × 600 pixels (256-pixel tiles)
    span_x = max(data[2] - data[0], 1e-4)
    span_y = max((data[3] - data[1]) / max(math.cos(math.radians(lat)), 0.1), 1e-4)
    zoom = int(max(3, min(17, math.floor(math.log2(min(360 * 900 / (256 * span_x), 360 * 600 / (256 * span_y)))))))
    text = (
        f"# written by `python -m facilities import` on {dt.date.today().isoformat()}; edit freely\n"
        f"name = {json.dumps(meta.name, ensure_ascii=False)}\n"
        + (f"# local name 当地名称: {meta.local_name}\n" if meta.local_name else "")
        + f"name_en = {json.dumps(meta.name_en, ensure_ascii=False)}\n"
        f"zoom = {zoom}\n"
        'crs = "auto"\n\n'
        f"[center]\nlon = {lon}\nlat = {lat}\n\n"
        "[bounds]  # WGS84 degrees: the imported data with a margin\n"
        f"west = {w}\nsouth = {s}\neast = {e}\nnorth = {n}\n"
    )
    return text, bounds


__all__ = ["NewCity", "city_toml"]
