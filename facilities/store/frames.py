"""Layers as GeoDataFrames with the declared dtypes: what every backend returns, whatever it reads from.

A backend reads rows (GeoJSON features today, database rows later) and hands them to
:func:`coerce_layer`; a missing or empty layer is :func:`empty_layer`. Writers build frames from feature
properties with :func:`features_frame`, which keeps values as they are (object columns).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from facilities import settings
from facilities.schema import LayerSpec

_DTYPES = {"str": "string", "int": "Int64", "float": "Float64", "bool": "boolean"}


def dtype(ftype: str) -> str:
    """The pandas dtype of a field type of the layer model (``str`` → ``string``, ``date`` → ``datetime64[s]``…)."""
    return _DTYPES.get(ftype, "datetime64[s]" if ftype == "date" else "object")


def empty_layer(spec: LayerSpec) -> gpd.GeoDataFrame:
    """An empty layer with the declared columns and dtypes."""
    frame = pd.DataFrame({f.name: pd.Series([], dtype=dtype(f.type)) for f in spec.fields})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=settings.STORAGE_CRS), crs=settings.STORAGE_CRS)


def coerce_layer(gdf: gpd.GeoDataFrame, spec: LayerSpec) -> gpd.GeoDataFrame:
    """Give every declared column its declared dtype (adding missing ones); keep unknown columns after them.

    ``gdf`` is changed in place and returned with its columns reordered (declared, extra, geometry).
    """
    for f in spec.fields:
        if f.name not in gdf.columns:
            gdf[f.name] = pd.Series(pd.NA, index=gdf.index, dtype=dtype(f.type)) if f.type != "date" else pd.NaT
        col = gdf[f.name]
        if f.type == "date":
            gdf[f.name] = pd.to_datetime(col, format="ISO8601").astype("datetime64[s]")
        elif f.type == "int":
            gdf[f.name] = col.astype("Float64").astype("Int64")
        else:
            gdf[f.name] = col.astype(dtype(f.type))
    declared = [f.name for f in spec.fields]
    extra = [c for c in gdf.columns if c not in declared and c != gdf.geometry.name]
    return gdf[[*declared, *extra, gdf.geometry.name]]


def features_frame(props: Sequence[Mapping[str, Any]], geometries: Iterable[BaseGeometry | None], spec: LayerSpec) -> gpd.GeoDataFrame:
    """Features (their properties and WGS84 geometries) as a GeoDataFrame with object columns.

    Columns: the declared fields, then other properties in the order they first appear; a column with no
    value in any feature is left out. Values stay as given (ints stay ints, a missing value stays missing).
    """
    columns = list(spec.field_names)
    for p in props:
        columns += [k for k in p if k not in columns]
    rows = [[p.get(c) for c in columns] for p in props]
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    present = [c for c in columns if frame[c].notna().any()]
    return gpd.GeoDataFrame(frame[present], geometry=list(geometries), crs=settings.STORAGE_CRS)


def frame_features(gdf: gpd.GeoDataFrame) -> list[tuple[dict[str, Any], BaseGeometry | None]]:
    """The rows of a frame as (properties, geometry) pairs, every column kept (missing values as None)."""
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    out = []
    for values, geom in zip(gdf[columns].itertuples(index=False, name=None), gdf.geometry, strict=True):
        out.append(({c: (None if _missing(v) else v) for c, v in zip(columns, values, strict=True)}, geom))
    return out


def plain(value: Any) -> Any:
    """A value as plain JSON data (numpy scalars unwrapped, a timestamp or date as ``YYYY-MM-DD``,
    NaN / NA / NaT as None)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    return value


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or dict value
        return False


__all__ = ["coerce_layer", "dtype", "empty_layer", "features_frame", "frame_features", "plain"]
