"""Facility inventory of a tourist city: layers, validation, the store, coverage rules and scores.

Nothing here imports Streamlit, Folium, ``maps`` or the command line (``cli``); reading and writing go
through :mod:`facilities.store`.

``load_city``, ``save_city``, ``save_layer``, ``layer_to_geojson``, ``write_atomic`` and ``empty_layer`` are
the store's (``load_city`` is :func:`facilities.store.load`), kept here under their old names until the code
importing them from here or from ``facilities.city`` imports them from :mod:`facilities.store`.
"""

from facilities.city import City
from facilities.city_config import CityConfig
from facilities.errors import CityValidationError
from facilities.problems import Problem, ValidationReport
from facilities.schema import ALL_LAYERS, LAYERS, Field, LayerSpec
from facilities.store import empty_layer, layer_to_geojson, save_city, write_atomic
from facilities.store import load as load_city
from facilities.store.folder import save_layer
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
    "empty_layer",
    "layer_to_geojson",
    "load_city",
    "save_city",
    "save_layer",
    "validate_city",
    "write_atomic",
]
