"""Facility inventory of a tourist city: layers, validation, the store, coverage rules and scores.

Nothing here imports Streamlit, Folium, ``maps`` or the command line (``cli``); reading and writing go
through :mod:`facilities.store`. ``load_city`` is :func:`facilities.store.load` under its old name (the docs' examples
use it).
"""

from facilities.city import City
from facilities.city_config import CityConfig
from facilities.errors import CityValidationError
from facilities.problems import Problem, ValidationReport
from facilities.schema import ALL_LAYERS, LAYERS, Field, LayerSpec
from facilities.store import load as load_city
from facilities.validation import validate_city

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
    "validate_city",
]
