"""A city: its config and its layers as GeoDataFrames (WGS84), with a metric view for distances.

A :class:`City` is read-only and safe to share: the app loads each city once and hands the same object to
every page and every session (``st.cache_resource``). Its fields cannot be reassigned (a frozen
dataclass), its ``layers`` mapping cannot be changed (``types.MappingProxyType``), and the metric views are
cached inside it. **Callers must not modify the frames themselves** (``city["toilets"]["x"] = …`` would change
the shared frame): derive a new frame instead — a selection, ``.copy()``, ``.assign(…)`` — which pandas'
copy-on-write keeps separate from the city's, and build a new City with :meth:`City.with_layers`.

Loading and saving are in :mod:`facilities.store`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import geopandas as gpd
from pyproj import CRS

from facilities.city_config import CityConfig
from facilities.problems import ValidationReport


@dataclass(frozen=True, eq=False)
class City:
    """A loaded city (read-only; see the module's docstring before sharing one).

    Attributes
    ----------
    folder : where the city was loaded from (its folder), for messages and for the files beside it.
    config : its ``city.toml``.
    layers : every layer of :data:`facilities.schema.ALL_LAYERS` as a GeoDataFrame in EPSG:4326 (a
        missing layer is empty, with the declared columns), in a read-only mapping.
    report : the validation report (no errors, possibly warnings).
    config_text : the text of its ``city.toml``.
    rules_text : the text of its rules file, or None when it has none.
    key : the city's name in the store (its folder's name, or its key in the database).
    revision : the database's revision of the city when it was loaded (0 for a folder): it grows with
        every saved change, so it keys the app's caches.
    """

    folder: Path
    config: CityConfig
    layers: Mapping[str, gpd.GeoDataFrame]
    report: ValidationReport
    config_text: str = ""
    rules_text: str | None = None
    key: str = ""
    revision: int = 0
    _metric: dict[str, gpd.GeoDataFrame] = field(default_factory=dict, init=False, repr=False)
    _derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.layers, MappingProxyType):
            object.__setattr__(self, "layers", MappingProxyType(dict(self.layers)))
        if not self.key:
            object.__setattr__(self, "key", self.folder.name)

    def __getitem__(self, name: str) -> gpd.GeoDataFrame:
        """Layer ``name`` (a KeyError naming the known layers otherwise)."""
        try:
            return self.layers[name]
        except KeyError:
            raise KeyError(f"unknown layer {name!r}; known layers: {', '.join(self.layers)}") from None

    @property
    def name(self) -> str:
        """The city's name, from its ``city.toml``."""
        return self.config.name

    @property
    def metric_crs(self) -> CRS:
        """The projected CRS (metres) distances are measured in."""
        return self.config.metric_crs

    def metric(self, name: str) -> gpd.GeoDataFrame:
        """Layer ``name`` projected to the city's metric CRS (computed once, then cached; read-only too)."""
        cached = self._metric.get(name)
        if cached is None:
            # two threads may both project; the first one stored is the one every caller gets
            cached = self._metric.setdefault(name, self[name].to_crs(self.metric_crs))
        return cached

    def derived(self, name: str, build: Callable[[], Any]) -> Any:
        """Something computed from this city's layers (e.g. its walking network): built once, then cached."""
        cached = self._derived.get(name)
        if cached is None:
            cached = self._derived.setdefault(name, build())
        return cached

    def with_layers(self, layers: Mapping[str, gpd.GeoDataFrame]) -> City:
        """A new City with some layers replaced (the others, the config and the report shared with this one)."""
        return City(
            self.folder, self.config, {**self.layers, **layers}, self.report, self.config_text, self.rules_text, self.key, self.revision
        )


__all__ = ["City"]
