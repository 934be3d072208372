"""Basemaps: online tile sources, and "none" (the city's own water, districts and roads) for intranets.

Gaode/AutoNavi tiles are in GCJ-02: on that basemap every layer is shifted WGS84 → GCJ-02 *for display
only* (:func:`display_shift`); stored data never changes. Tianditu tiles are CGCS2000 (no shift) and need a
key, read from the environment variable ``TIANDITU_KEY``; without one the basemap is refused, never
requested.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from facilities.chinacrs import wgs84_to_gcj02
from facilities.errors import BasemapError


@dataclass(frozen=True)
class Basemap:
    """A basemap choice: its key, labels, tile URL templates and attribution, whether it is in GCJ-02 and which key it needs."""

    key: str
    label_zh: str
    label_en: str
    tiles: tuple[str, ...] = ()  # URL templates, drawn in order (e.g. Tianditu: map, then labels)
    attr: str = ""
    subdomains: str = "abc"
    gcj02: bool = False
    needs_key: str | None = None  # environment variable holding the key


BASEMAPS: dict[str, Basemap] = {
    b.key: b
    for b in (
        Basemap("none", "无底图（离线）", "None (offline)"),
        Basemap(
            "osm", "OpenStreetMap", "OpenStreetMap", ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",), "© OpenStreetMap contributors"
        ),
        Basemap(
            "cartodb",
            "CartoDB 浅色",
            "CartoDB light",
            ("https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",),
            "© OpenStreetMap contributors © CARTO",
            "abcd",
        ),
        Basemap(
            "gaode",
            "高德地图",
            "Gaode (AutoNavi)",
            ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",),
            "© 高德地图 AutoNavi",
            "1234",
            gcj02=True,
        ),
        Basemap(
            "tianditu",
            "天地图",
            "Tianditu",
            (
                "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default"
                "&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}",
                "https://t{s}.tianditu.gov.cn/cva_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=cva&STYLE=default"
                "&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}",
            ),
            "© 天地图 Tianditu",
            "01234567",
            needs_key="TIANDITU_KEY",
        ),
    )
}


def resolve(key: str) -> tuple[Basemap, list[str]]:
    """The basemap and its tile URLs (keys filled in); raise :class:`BasemapError` if it cannot be used."""
    if key not in BASEMAPS:
        raise BasemapError(f"basemap should be one of {', '.join(BASEMAPS)}, got {key!r}")
    b = BASEMAPS[key]
    urls = list(b.tiles)
    if b.needs_key:
        value = os.environ.get(b.needs_key, "").strip()
        if not value:
            raise BasemapError(f"the {b.label_en} basemap needs a key: set the environment variable {b.needs_key} (天地图需要密钥)")
        urls = [u.replace("{key}", value) for u in urls]
    return b, urls


def available() -> list[str]:
    """Basemaps usable right now (Tianditu only with a key)."""
    return [k for k, b in BASEMAPS.items() if not b.needs_key or os.environ.get(b.needs_key, "").strip()]


def display_shift(gdf: gpd.GeoDataFrame, basemap: Basemap) -> gpd.GeoDataFrame:
    """The layer as it must be drawn on ``basemap``: shifted to GCJ-02 for Gaode, unchanged otherwise."""
    if not basemap.gcj02 or len(gdf) == 0:
        return gdf

    def shift(coords: np.ndarray) -> np.ndarray:
        lon, lat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    shifted = gpd.GeoSeries(shapely.transform(gdf.geometry.to_numpy(), shift), index=gdf.index, crs=gdf.crs)
    return gdf.set_geometry(shifted)
