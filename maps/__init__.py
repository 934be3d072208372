"""Folium maps of a city (no Streamlit here)."""

from maps.assets import OfflineAssetError, localize
from maps.city_map import BASEMAPS, POINT_STYLE, build_map

__all__ = ["BASEMAPS", "POINT_STYLE", "OfflineAssetError", "build_map", "localize"]
