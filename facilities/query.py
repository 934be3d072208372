"""Questions the app asks of a loaded city: filter its layers and its gaps; which feature is at a clicked point."""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import Point

from facilities.city import City
from facilities.schema import ALL_LAYERS, LAYERS, LayerSpec


def filter_city(
    city: City,
    districts: Iterable[str] | None = None,
    statuses: Iterable[str] | None = None,
    types: Iterable[str] | None = None,
    grades: Iterable[str] | None = None,
) -> City:
    """A city whose facility layers keep only the features matching every given filter (None = no filter).

    ``districts`` applies to every facility layer. ``statuses`` apply to a layer only where it has one of the
    chosen values: each layer has its own statuses, so choosing a toilet's status leaves the street reports
    (whose statuses differ) as they are. ``types`` (each layer's type field: sign type, lamp type, …) and
    ``grades`` ask about the things of that type or grade: a layer that has none of the chosen values keeps
    nothing ("AAA toilets in 襄城区" is a district and a grade, and the lamps go). Zones, roads and water are
    never filtered.
    """
    sets = {k: set(v) for k, v in (("district", districts), ("status", statuses), ("type", types), ("grade", grades)) if v is not None}
    if not sets:
        return city
    layers = dict(city.layers)
    for name, spec in LAYERS.items():
        if name in ("zones", "roads"):
            continue
        gdf = layers[name]
        keep = pd.Series(True, index=gdf.index)
        if "district" in sets:
            keep &= gdf["district"].isin(sets["district"])
        if "status" in sets and _offers(spec, "status", sets["status"]):
            keep &= gdf["status"].isin(sets["status"])
        if "type" in sets:
            offered = spec.type_field is not None and _offers(spec, spec.type_field, sets["type"])
            keep &= gdf[spec.type_field].isin(sets["type"]) if offered else False
        if "grade" in sets:
            offered = "grade" in gdf.columns and _offers(spec, "grade", sets["grade"])
            keep &= gdf["grade"].isin(sets["grade"]) if offered else False
        layers[name] = gdf[keep.fillna(False).to_numpy(dtype=bool)]
    return city.with_layers(layers)


def _offers(spec: LayerSpec, field: str, chosen: set[str]) -> bool:
    """Whether ``field`` of the layer allows one of the ``chosen`` values."""
    f = spec.field(field)
    return f is not None and bool(set(f.allowed or ()) & chosen)


def layer_values(layers: Iterable[str], field: str) -> list[str]:
    """The allowed values of ``field`` over ``layers`` (each value once, in the layers' order): what a filter
    of the chosen layers offers."""
    out: dict[str, None] = {}
    for name in layers:
        spec = LAYERS.get(name)
        f = spec.field(field) if spec is not None else None
        if f is not None and f.allowed:
            out |= dict.fromkeys(f.allowed)
    return list(out)


def filter_gaps(gaps: gpd.GeoDataFrame, filtered: City, districts: Iterable[str] | None = None) -> gpd.GeoDataFrame:
    """The gaps that go with a filtered city (:func:`filter_city`): those in the chosen ``districts`` and, for a
    gap about a facility, only where that facility is still in ``filtered``."""
    gaps = select_gaps(gaps, districts=districts)
    keep = pd.Series(True, index=gaps.index)
    for name in LAYERS:
        if name in ("zones", "roads") or name not in filtered.layers:
            continue
        about = (gaps["layer"] == name).to_numpy()
        if about.any():
            keep &= ~about | gaps["feature_id"].isin(set(filtered[name]["id"])).to_numpy()
    return gaps[keep.to_numpy(dtype=bool)]


def select_gaps(
    gaps: gpd.GeoDataFrame,
    rules: Iterable[str] | None = None,
    districts: Iterable[str] | None = None,
    units: Iterable[str] | None = None,
) -> gpd.GeoDataFrame:
    """The gaps of the chosen ``rules`` (ids), ``districts`` and responsible ``units``, in their order (None:
    no filter on that column; an empty choice keeps none): what the gaps page lists and its map draws."""
    keep = np.ones(len(gaps), dtype=bool)
    for column, chosen in (("rule", rules), ("district", districts), ("unit", units)):
        if chosen is not None:
            keep &= gaps[column].isin(set(chosen)).to_numpy(dtype=bool)
    return gaps[keep]


def nearest_feature(city: City, lon: float, lat: float, layers: Iterable[str], max_m: float = 50.0) -> tuple[str, pd.Series] | None:
    """The feature of ``layers`` nearest to (lon, lat) within ``max_m`` metres, as (layer, row), or None.

    Points and lines come first: a click on a toilet inside a scenic area means the toilet; an area is
    the answer only when no point or line is within reach.
    """
    here = gpd.GeoSeries([Point(lon, lat)], crs=4326).to_crs(city.metric_crs).iloc[0]
    best: tuple[bool, float, str, pd.Series] | None = None
    for name in layers:
        if name not in ALL_LAYERS or not len(city[name]):
            continue
        metric = city.metric(name)
        d = metric.geometry.distance(here)
        area = metric.geom_type.isin(["Polygon", "MultiPolygon"])
        for is_area in (False, True):
            candidates = d[(area == is_area) & (d <= max_m)]
            if len(candidates):
                i = candidates.idxmin()
                key = (is_area, float(d[i]))
                if best is None or key < best[:2]:
                    best = (is_area, float(d[i]), name, city[name].loc[i])
    return None if best is None else (best[2], best[3])
