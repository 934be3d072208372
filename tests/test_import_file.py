"""`python -m facilities import file`: GIS files through pyogrio, reprojected to WGS84 (built here, in tmp_path)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from facilities import chinacrs, store
from facilities.errors import ImportUsageError
from facilities.importers.vector import import_file
from tests.helpers import ROOT

# two toilets in Wuhan (CGCS2000 / 3-degree Gauss-Kruger CM 114E is EPSG:4547)
WGS = [(114.30, 30.59), (114.31, 30.60)]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "facilities", *args], capture_output=True, text=True, cwd=ROOT, timeout=300)


def _frame(crs: str | int = 4326) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame(
        {"名称": ["甲", "乙"], "grade": ["A", "AA"], "female_stalls": [3, 4]}, geometry=[Point(*p) for p in WGS], crs=4326
    )
    return gdf.to_crs(crs)


def _coords(folder: Path, layer: str = "toilets") -> list[list[float]]:
    feats = json.loads((folder / f"{layer}.geojson").read_text(encoding="utf-8"))["features"]
    return [f["geometry"]["coordinates"] for f in feats]


def _write(tmp_path: Path, kind: str) -> Path:
    gdf = _frame(4547) if kind in ("gpkg", "shp-zip") else _frame()
    if kind == "gpkg":
        path = tmp_path / "toilets.gpkg"
        gdf.to_file(path, layer="toilets")
    elif kind == "shp-zip":
        folder = tmp_path / "shp"
        folder.mkdir()
        gdf.drop(columns="female_stalls").to_file(folder / "toilets.shp", encoding="utf-8")  # names ≤ 10 characters
        path = tmp_path / "toilets.zip"
        with zipfile.ZipFile(path, "w") as z:
            for part in folder.iterdir():
                z.write(part, arcname=part.name)
    elif kind == "kml":
        path = tmp_path / "toilets.kml"
        gdf.rename(columns={"名称": "Name"}).to_file(path, driver="KML")
    else:
        path = tmp_path / "toilets.geojson"
        gdf.to_file(path)
    return path


@pytest.mark.parametrize("kind", ["gpkg", "shp-zip", "kml", "geojson"])
def test_gis_files_import_reprojected_to_wgs84(tmp_path, kind):
    source = _write(tmp_path, kind)
    result = import_file(source, tmp_path / "c", layer="toilets", sets=["grade=none"] if kind == "kml" else [])
    assert result.exit_code == 0, result.to_text()
    assert _coords(tmp_path / "c") == [list(p) for p in WGS]  # exact: conversions are rounded to 1e-9°
    feats = json.loads((tmp_path / "c" / "toilets.geojson").read_text(encoding="utf-8"))["features"]
    assert [f["properties"]["name"] for f in feats] == ["甲", "乙"]
    if kind in ("gpkg", "geojson"):
        assert [f["properties"]["female_stalls"] for f in feats] == [3, 4]
    assert store.validate(tmp_path / "c").ok


def test_gcj02_geojson_with_crs_option(tmp_path):
    gdf = _frame()
    glon, glat = chinacrs.wgs84_to_gcj02([p[0] for p in WGS], [p[1] for p in WGS])
    gdf.geometry = [Point(x, y) for x, y in zip(glon, glat, strict=True)]
    path = tmp_path / "gaode.geojson"
    gdf.to_file(path)
    result = import_file(path, tmp_path / "c", layer="toilets", crs="gcj02")
    assert result.exit_code == 0, result.to_text()
    for got, want in zip(_coords(tmp_path / "c"), WGS, strict=True):
        assert got == pytest.approx(list(want), abs=1e-8)


def test_polygons_into_a_point_layer_rejected_unless_to_points(tmp_path):
    gdf = _frame()
    gdf.geometry = [Point(*p).buffer(0.0005) for p in WGS]
    path = tmp_path / "buildings.geojson"
    gdf.to_file(path)
    run = _cli("import", "file", str(path), "--layer", "toilets", "--out", str(tmp_path / "c"))
    assert run.returncode == 1 and "feature #1, field geometry" in run.stdout and "--to-points" in run.stdout
    assert not (tmp_path / "c" / "toilets.geojson").exists()
    run = _cli("import", "file", str(path), "--layer", "toilets", "--out", str(tmp_path / "c"), "--to-points")
    assert run.returncode == 0, run.stdout + run.stderr
    for got, want in zip(_coords(tmp_path / "c"), WGS, strict=True):
        assert Point(got).distance(Point(want)) < 0.0005
    # the same polygons are welcome in an area layer
    assert import_file(path, tmp_path / "c", layer="attractions", sets=["kind=park"]).exit_code == 0


def test_file_without_crs_read_as_wgs84_with_a_warning(tmp_path):
    gdf = _frame().drop(columns="female_stalls")
    folder = tmp_path / "shp"
    folder.mkdir()
    gdf.to_file(folder / "t.shp", encoding="utf-8")
    (folder / "t.prj").unlink()
    result = import_file(folder / "t.shp", tmp_path / "c", layer="toilets")
    assert [p.code for p in result.report.warnings] == ["crs"] and result.exit_code == 0
    assert _coords(tmp_path / "c") == [list(p) for p in WGS]


def test_multi_layer_file_needs_source_layer_and_bad_files_exit_2(tmp_path):
    path = tmp_path / "two.gpkg"
    _frame().to_file(path, layer="a")
    _frame().to_file(path, layer="b")
    with pytest.raises(ImportUsageError, match="--source-layer"):
        import_file(path, tmp_path / "c", layer="toilets")
    assert import_file(path, tmp_path / "c", layer="toilets", source_layer="b").exit_code == 0
    garbage = tmp_path / "garbage.gpkg"
    garbage.write_text("not a database", encoding="utf-8")
    run = _cli("import", "file", str(garbage), "--layer", "toilets", "--out", str(tmp_path / "d"))
    assert run.returncode == 2 and "cannot read" in run.stderr and "Traceback" not in run.stderr
