"""Folium maps of a city and its gaps (no Streamlit here)."""

from maps import templates
from maps.assets import OfflineAssetError, localize
from maps.basemaps import BASEMAPS, BasemapError
from maps.city_map import DEFAULT_LAYERS, MAP_LAYERS, build_map
from maps.export import save_map

templates.install()  # folium's templates compiled once per process, not once per element (maps/templates.py)

__all__ = ["BASEMAPS", "DEFAULT_LAYERS", "MAP_LAYERS", "BasemapError", "OfflineAssetError", "build_map", "localize", "save_map"]
