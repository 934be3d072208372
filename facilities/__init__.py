"""Facility inventory of a tourist city: layers, validation, loading (and, later, coverage rules).

Nothing here imports Streamlit or Folium.
"""

from facilities.errors import CityValidationError
from facilities.problems import Problem, ValidationReport
from facilities.validation import validate_city
from facilities.city import City, load_city, save_city, save_layer
from facilities.city_config import CityConfig
from facilities.schema import ALL_LAYERS, LAYERS, Field, LayerSpec

__all__ = [
    "ALL_LAYERS",
    "LAYERS",
    "City",
    "CityConfig",
    "CityValidationError",
    "Field",
    "LayerSpec",
    "Problem",
    "ValidationReport",
    "load_city",
    "save_city",
    "save_layer",
    "validate_city",
]
