"""Layers as GeoJSON: the folder backend's file format, and the GeoJSON downloads of the app."""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
from pyproj import CRS
from shapely.geometry import mapping

from facilities import settings
from facilities.store.frames import plain


def layer_to_geojson(gdf: gpd.GeoDataFrame) -> dict[str, Any]:
    """A layer as a GeoJSON FeatureCollection dict (WGS84; null properties left out)."""
    if gdf.crs is not None and not gdf.crs.equals(CRS.from_user_input(settings.STORAGE_CRS)):
        gdf = gdf.to_crs(settings.STORAGE_CRS)
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    features = []
    for values, geom in zip(gdf[columns].itertuples(index=False, name=None), gdf.geometry, strict=True):
        props = {}
        for key, value in zip(columns, values, strict=True):
            v = plain(value)
            if v is not None:
                props[key] = v
        features.append({"type": "Feature", "properties": props, "geometry": mapping(geom) if geom is not None else None})
    return {"type": "FeatureCollection", "features": features}


def layer_text(gdf: gpd.GeoDataFrame) -> str:
    """A layer as the text of a GeoJSON file: one feature per line (diffs stay readable), UTF-8 as is."""
    fc = layer_to_geojson(gdf)
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in fc["features"]]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


__all__ = ["layer_text", "layer_to_geojson"]
