"""A city: its config and its layers as GeoDataFrames (WGS84), with a metric view for distances."""

from __future__ import annotations

import json
import math
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from pyproj import CRS
from shapely.geometry import mapping

from facilities import settings
from facilities.errors import CityValidationError
from facilities.problems import ValidationReport
from facilities.validation import validate_city
from facilities.city_config import CityConfig, read_city_config
from facilities.schema import ALL_LAYERS, LAYERS, LayerSpec

_DTYPES = {"str": "string", "int": "Int64", "float": "Float64", "bool": "boolean"}


@dataclass
class City:
    """A loaded city.

    Attributes
    ----------
    folder : the city folder.
    config : its ``city.toml``.
    layers : every layer of :data:`facilities.schema.ALL_LAYERS` as a GeoDataFrame in EPSG:4326
        (a missing file gives an empty layer with the declared columns).
    report : the validation report (no errors, possibly warnings).
    """

    folder: Path
    config: CityConfig
    layers: dict[str, gpd.GeoDataFrame]
    report: ValidationReport
    _metric: dict[str, gpd.GeoDataFrame] = field(default_factory=dict, repr=False)

    def __getitem__(self, name: str) -> gpd.GeoDataFrame:
        try:
            return self.layers[name]
        except KeyError:
            raise KeyError(f"unknown layer {name!r}; known layers: {', '.join(self.layers)}") from None

    @property
    def metric_crs(self) -> CRS:
        return self.config.metric_crs

    def metric(self, name: str) -> gpd.GeoDataFrame:
        """Layer ``name`` projected to the city's metric CRS (computed once, then cached)."""
        if name not in self._metric:
            self._metric[name] = self[name].to_crs(self.metric_crs)
        return self._metric[name]

    @property
    def name(self) -> str:
        return self.config.name


def empty_layer(spec: LayerSpec) -> gpd.GeoDataFrame:
    """An empty layer with the declared columns and dtypes."""
    frame = pd.DataFrame({f.name: pd.Series([], dtype=_dtype(f.type)) for f in spec.fields})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=settings.STORAGE_CRS), crs=settings.STORAGE_CRS)


def _dtype(ftype: str) -> str:
    return _DTYPES.get(ftype, "datetime64[s]" if ftype == "date" else "object")


def _coerce(gdf: gpd.GeoDataFrame, spec: LayerSpec) -> gpd.GeoDataFrame:
    """Give every declared column its declared dtype (adding missing ones); keep unknown columns."""
    for f in spec.fields:
        if f.name not in gdf.columns:
            gdf[f.name] = pd.Series(pd.NA, index=gdf.index, dtype=_dtype(f.type)) if f.type != "date" else pd.NaT
        col = gdf[f.name]
        if f.type == "date":
            gdf[f.name] = pd.to_datetime(col, format="ISO8601").astype("datetime64[s]")
        elif f.type == "int":
            gdf[f.name] = col.astype("Float64").astype("Int64")
        else:
            gdf[f.name] = col.astype(_dtype(f.type))
    declared = [f.name for f in spec.fields]
    extra = [c for c in gdf.columns if c not in declared and c != gdf.geometry.name]
    return gdf[[*declared, *extra, gdf.geometry.name]]


def read_layer(path: Path, spec: LayerSpec) -> gpd.GeoDataFrame:
    """Read one (already validated) layer file with pyogrio/Arrow and coerce it to the schema."""
    if not path.exists():
        return empty_layer(spec)
    gdf = pyogrio.read_dataframe(path, use_arrow=True)
    if gdf.crs is None or not gdf.crs.equals(CRS.from_user_input(settings.STORAGE_CRS)):
        gdf = gdf.set_crs(settings.STORAGE_CRS, allow_override=True)
    if len(gdf) == 0:
        return empty_layer(spec)
    return _coerce(gdf, spec)


def load_city(folder: str | Path) -> City:
    """Validate and load a city folder.

    Raises
    ------
    CityValidationError
        if the folder has any error; its ``report`` lists every problem.
    """
    folder = Path(folder)
    report = validate_city(folder)
    if not report.ok:
        raise CityValidationError(report)
    config, _ = read_city_config(folder)
    assert config is not None  # a valid report implies a readable config
    layers = {name: read_layer(folder / spec.filename, spec) for name, spec in ALL_LAYERS.items()}
    return City(folder, config, layers, report)


# --------------------------------------------------------------------------- writing


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return None if math.isnan(value) else float(value)
    return value


def layer_to_geojson(gdf: gpd.GeoDataFrame) -> dict[str, Any]:
    """A layer as a GeoJSON FeatureCollection dict (WGS84; null properties left out)."""
    if gdf.crs is not None and not gdf.crs.equals(CRS.from_user_input(settings.STORAGE_CRS)):
        gdf = gdf.to_crs(settings.STORAGE_CRS)
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    features = []
    for values, geom in zip(gdf[columns].itertuples(index=False, name=None), gdf.geometry, strict=True):
        props = {}
        for key, value in zip(columns, values, strict=True):
            v = _json_value(value)
            if v is not None and not (isinstance(v, float) and math.isnan(v)):
                props[key] = v
        features.append({"type": "Feature", "properties": props, "geometry": mapping(geom) if geom is not None else None})
    return {"type": "FeatureCollection", "features": features}


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)


def _write_unnamed(path: Path, data: bytes, mode: int) -> Path | None:
    """Write ``data`` to an unnamed file beside ``path`` (Linux ``O_TMPFILE``: a killed process leaves nothing)
    and only then give it a temporary name; None where the system cannot (the caller uses a named file)."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None:
        return None
    try:
        fd = os.open(path.parent, flag | os.O_WRONLY, mode)
    except OSError:  # a file system without O_TMPFILE
        return None
    try:
        _write_all(fd, data)
        os.fchmod(fd, mode)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:  # linkat(AT_SYMLINK_FOLLOW) through /proc names the file; the dir fds make Python call linkat
            os.link(f"/proc/self/fd/{fd}", tmp.name, src_dir_fd=folder, dst_dir_fd=folder, follow_symlinks=True)
        except OSError:  # no /proc
            return None
        finally:
            os.close(folder)
        return tmp
    finally:
        os.close(fd)


def _write_named(path: Path, data: bytes, mode: int) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        _write_all(fd, data)
        os.fchmod(fd, mode)  # mkstemp makes 0600; give the file the usual permissions
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)
    return Path(name)


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write ``text`` (UTF-8) or bytes to ``path`` so that ``path`` is always the old file or the new one, whole.

    The bytes go to an unnamed file in the same folder (``O_TMPFILE``), which is named ``.<name>.<random>.tmp``
    only once complete and at once renamed over ``path``: a process killed at any moment leaves no partial file
    (at worst, killed between those two steps, a complete ``.tmp`` that ``validate`` reports). An error names
    the file: ``OSError(errno, reason, path)``, e.g. "No space left on device".
    """
    path = Path(path)
    data = text.encode("utf-8") if isinstance(text, str) else text
    umask = os.umask(0)
    os.umask(umask)
    mode = 0o666 & ~umask
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = _write_unnamed(path, data, mode) or _write_named(path, data, mode)
        try:
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None


def save_layer(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Write a layer as GeoJSON (one feature per line), atomically."""
    fc = layer_to_geojson(gdf)
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in fc["features"]]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    write_atomic(path, text)


def save_city(city: City, folder: str | Path) -> None:
    """Write every non-empty layer and ``city.toml`` of ``city`` to ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / "city.toml", (city.folder / "city.toml").read_text(encoding="utf-8"))
    for name, gdf in city.layers.items():
        if len(gdf):
            save_layer(gdf, folder / ALL_LAYERS[name].filename)


__all__ = ["LAYERS", "City", "empty_layer", "layer_to_geojson", "load_city", "read_layer", "save_city", "save_layer"]
