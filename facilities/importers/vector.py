"""Import a GIS file (Shapefile, zipped Shapefile, GeoPackage, GeoJSON, KML, …) into one layer, via pyogrio.

The file's own CRS is reprojected to WGS84. ``--crs`` overrides it (a Shapefile without ``.prj``, or a
GeoJSON whose coordinates were copied from Gaode/Baidu: ``--crs gcj02`` / ``bd09``). A file with no CRS
and no ``--crs`` is read as WGS84, with a warning. Attributes go through the same column mapping as tables
(:mod:`facilities.importers.mapping`); features are numbered ``#1``, ``#2`` … in file order.

Geometry: Z/M values are dropped; a one-part MultiPoint in a point layer becomes its point; a feature whose
geometry type the layer does not take is rejected, unless ``--to-points`` asks for a point inside each
feature (e.g. toilets drawn as building outlines).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError
from shapely.geometry.base import BaseGeometry

from facilities.city_config import Bounds
from facilities.errors import ImportUsageError
from facilities.importers import crs as crsmod
from facilities.importers.archive import unpacked
from facilities.importers.mapping import mapping_and_layer
from facilities.importers.new_city import NewCity
from facilities.importers.records import Record, reject
from facilities.importers.result import ImportResult
from facilities.importers.table import kept_columns, prepare_mapping, row_props
from facilities.importers.write import finish_import, open_target
from facilities.problems import Problem, ValidationReport
from facilities.schema import LAYERS, LayerSpec

SUFFIXES = (".shp", ".zip", ".gpkg", ".geojson", ".json", ".kml", ".kmz", ".gml", ".fgb", ".gdb")


def _text(value: Any) -> str:
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return ""
        return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


ARCHIVES = {".zip": "zipped GIS file", ".kmz": "KMZ file"}


def read_vector(path: Path, source_layer: str | None, shown: str | None = None) -> tuple[pd.DataFrame, Any]:
    """The file's attributes (as a DataFrame) and geometries, and its CRS; raise ImportUsageError if unreadable.

    A ``.zip`` or ``.kmz`` is checked against the archive limits and unpacked into a temporary folder first
    (:func:`facilities.importers.archive.unpacked`); GDAL then reads the file inside (``shown`` names it in messages).
    """
    kind = ARCHIVES.get(path.suffix.lower())
    if kind is not None:
        with unpacked(path, kind) as (folder, files):
            inner = _dataset_in(path, folder, files)
            return read_vector(inner, source_layer, f"{path.name} ({inner.relative_to(folder).as_posix()} inside)")
    shown = shown or str(path)
    try:
        layers = pyogrio.list_layers(path)
        if source_layer is None and len(layers) > 1:
            names = ", ".join(str(x[0]) for x in layers)
            raise ImportUsageError(f"{shown} has {len(layers)} layers ({names}); choose one with --source-layer NAME")
        gdf = pyogrio.read_dataframe(path, layer=source_layer)
    except (DataSourceError, DataLayerError) as exc:
        raise ImportUsageError(f"cannot read {shown} as a GIS file: {str(exc).replace(str(path), path.name)}") from None
    return gdf, gdf.crs


def _dataset_in(archive: Path, folder: Path, files: list[Path]) -> Path:
    """What to open in an unpacked archive: its one Shapefile (or the folder of several), its KML, or its one GIS file."""
    if archive.suffix.lower() == ".kmz":
        kmls = sorted((p for p in files if p.suffix.lower() == ".kml"), key=lambda p: (p.name.lower() != "doc.kml", len(p.parts), p))
        if kmls:
            return kmls[0]
    shps = [p for p in files if p.suffix.lower() == ".shp"]
    if len(shps) == 1:
        return shps[0]
    if shps:
        parents = sorted({p.parent for p in shps})
        if len(parents) == 1:
            return parents[0]  # a folder of Shapefiles: one layer each (--source-layer)
        names = ", ".join(p.relative_to(folder).as_posix() for p in shps)
        raise ImportUsageError(f"{archive.name} holds Shapefiles in several folders ({names}); unzip it and import one .shp")
    gdbs = sorted({p for f in files for p in f.parents if p.suffix.lower() == ".gdb"})
    others = [p for p in files if p.suffix.lower() in SUFFIXES and p.suffix.lower() not in (".zip", ".kmz")]
    found = gdbs or others
    if len(found) == 1:
        return found[0]
    listed = ", ".join(p.relative_to(folder).as_posix() for p in (found or files)[:10]) or "nothing"
    if found:
        raise ImportUsageError(f"{archive.name} holds several GIS files ({listed}); unzip it and import one")
    raise ImportUsageError(
        f"{archive.name}: no GIS file inside (it holds {listed}) (accepted: a .shp with its .dbf, .shx and .prj, "
        "or one .gpkg, .geojson, .kml or .gdb)"
    )


def _reproject(geoms: np.ndarray, file_crs: Any, crs: str | None, file: str, report: ValidationReport) -> np.ndarray:
    if crs is None:
        if file_crs is None:
            report.problems.append(
                Problem.warning(
                    "crs", file, "crs", None, "the file declares no coordinate system: read as WGS84", "a file with a CRS, or --crs"
                )
            )
            return geoms
        return np.asarray(_to_wgs84(geoms, file_crs))
    name = crsmod.normalise(crs)
    if file_crs is not None and name not in ("gcj02", "bd09"):
        report.problems.append(
            Problem.warning("crs", file, "crs", str(file_crs), f"--crs {crs} overrides the file's coordinate system", "")
        )
    if name in ("gcj02", "bd09"):
        if file_crs is not None and not file_crs.is_geographic:
            geoms = _to_wgs84(geoms, file_crs)
        convert = crsmod.converter(name)

        def shift(xy: np.ndarray) -> np.ndarray:
            lon, lat = convert(xy[:, 0], xy[:, 1])
            return np.column_stack([lon, lat])

        return shapely.transform(geoms, shift)
    return _to_wgs84(geoms, name)


def _to_wgs84(geoms: np.ndarray, crs: Any) -> np.ndarray:
    import geopandas as gpd

    return gpd.GeoSeries(geoms, crs=crs).to_crs("EPSG:4326").to_numpy()


def _fit(geom: BaseGeometry | None, spec: LayerSpec, to_points: bool) -> tuple[BaseGeometry | None, str | None]:
    """The geometry as the layer takes it, or why it cannot be."""
    if geom is None or geom.is_empty:
        return None, "no geometry"
    geom = shapely.force_2d(geom)
    if geom.geom_type == "MultiPoint" and len(geom.geoms) == 1 and "Point" in spec.geometry_types:
        geom = geom.geoms[0]
    if geom.geom_type in spec.geometry_types:
        return geom, None
    if to_points and spec.geometry_types == ("Point",):
        return geom.representative_point(), None
    hint = "; --to-points takes a point inside each feature" if spec.geometry_types == ("Point",) else ""
    return None, f"geometry type {geom.geom_type} is not accepted in layer {spec.name}{hint}"


def import_file(
    source: str | Path,
    out: str | Path,
    *,
    layer: str | None = None,
    mapping: str | Path | None = None,
    crs: str | None = None,
    source_layer: str | None = None,
    to_points: bool = False,
    sets: tuple[str, ...] | list[str] = (),
    mode: str = "new",
    name: str | None = None,
    name_en: str | None = None,
    bounds: Bounds | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import a GIS file into ``layer`` of the city folder ``out``; see the module docstring."""
    source, out = Path(source), Path(out)
    m, layer = mapping_and_layer(source, mapping, layer)
    spec = LAYERS[layer]
    target = open_target(out, [layer], mode)
    gdf, file_crs = read_vector(source, source_layer)
    file = source.name
    attrs = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    headers = [str(c).strip() for c in attrs.columns]
    attrs.columns = headers
    m = prepare_mapping(headers, spec, m, list(sets), file)
    report = ValidationReport(out)
    result = ImportResult(source, out, report, dry_run=dry_run)
    geoms = _reproject(gdf.geometry.to_numpy(), file_crs, crs or m.crs, file, report)
    if crs or m.crs or (file_crs is not None and not file_crs.equals("EPSG:4326")):
        geoms = shapely.transform(geoms, lambda xy: np.round(xy, 9))  # converted: no float noise below 0.1 mm
    keep = kept_columns(m, headers, set())
    id_prefix = m.id_prefix if m.id_prefix is not None else f"{source.stem}-"
    records = []
    texts = {h: [_text(v) for v in attrs[h].tolist()] for h in headers}
    for i, geom in enumerate(geoms):
        label = f"#{i + 1}"
        row = {h: texts[h][i] for h in headers}
        fitted, why = _fit(geom, spec, to_points)
        if why:
            reject(report, file, label, "geometry", None if geom is None else geom.geom_type, why, " or ".join(spec.geometry_types))
            continue
        found = row_props(row, m, spec, keep, label=label, default_id=f"{id_prefix}{i + 1}", file=file, report=report)
        if found is not None:
            records.append(Record(label, found[0], fitted, found[1]))
    outcome = result.outcome(layer)
    outcome.read = outcome.rejected = len(geoms) - len(records)
    result.notes.append(f"read {len(geoms)} features from {file} (CRS {file_crs.to_string() if file_crs is not None else 'none'}) → WGS84")
    meta = NewCity(name or out.name, name_en or out.name.replace("_", " ").title(), bounds)
    return finish_import(result, target, {layer: records}, file=file, mode=mode, meta=meta, dry_run=dry_run)


__all__ = ["SUFFIXES", "import_file", "read_vector"]
