"""`python -m facilities import table`: encodings, coordinate columns and systems, mappings, rejected rows, modes.

Real files (Taipei toilets, DC streetlights) are compared with the CSV read independently by pandas.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from facilities import chinacrs, store
from facilities.errors import ImportUsageError
from facilities.importers.encoding import decode
from facilities.importers.table import coordinate_columns, import_table
from facilities.rules import load_rules
from tests.helpers import DATA, ROOT, WGS_GCJ

FIX = DATA / "import"
REAL = ROOT.parent / "shared" / "data" / "real"
TAIPEI = REAL / "taipei_public_toilets.csv"
DC = REAL / "dc_downtown_streetlights.csv"
needs_taipei = pytest.mark.skipif(not TAIPEI.is_file(), reason=f"real data not present: {TAIPEI} (../shared/data/real/)")
needs_dc = pytest.mark.skipif(not DC.is_file(), reason=f"real data not present: {DC} (../shared/data/real/)")
GEOD = Geod(ellps="WGS84")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "facilities", *args], capture_output=True, text=True, cwd=ROOT, timeout=300)


def _features(folder: Path, layer: str) -> list[dict]:
    return json.loads((folder / f"{layer}.geojson").read_text(encoding="utf-8"))["features"]


def _metres(a: list[float], lon: float, lat: float) -> float:
    return GEOD.inv(a[0], a[1], lon, lat)[2]


# --------------------------------------------------------------------------- real files


@pytest.fixture(scope="module")
def taipei(tmp_path_factory):
    out = tmp_path_factory.mktemp("taipei") / "taipei"
    run = _cli("import", "table", str(TAIPEI), "--mapping", "taipei_toilets", "--out", str(out), "--name", "臺北市", "--name-en", "Taipei")
    return run, out


@needs_taipei
def test_taipei_toilets_all_mapped(taipei):
    run, out = taipei
    assert run.returncode == 0, run.stdout + run.stderr
    src = pd.read_csv(TAIPEI, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    src.columns = [c.strip() for c in src.columns]
    feats = _features(out, "toilets")
    assert len(feats) == len(src) == 1382
    props = pd.DataFrame([f["properties"] for f in feats])
    assert props["id"].tolist() == [f"TPE-{i}" for i in range(2, 1384)]  # spreadsheet rows: header is row 1
    assert props["district"].tolist() == src["行政區"].str.strip().tolist()
    assert props["category"].tolist() == src["公廁類別"].tolist()
    assert props["unit"].fillna("").tolist() == src["管理單位"].str.strip().tolist()
    assert props["seats"].tolist() == src["座數"].astype(int).tolist()
    assert props["accessible_stalls"].tolist() == src["無障礙廁座數"].astype(int).tolist()
    assert props["family_seats"].tolist() == src["親子廁座數"].astype(int).tolist()
    assert props["family_room"].tolist() == (src["親子廁座數"].astype(int) >= 1).tolist()
    assert set(props["category_en"]) >= {"transport", "tourism and recreation", "park"} and "other" not in set(props["category_en"])
    # grade: the inspection grade held by most seats (ties → the lower grade), none when no seat is graded
    counts = src[["特優級", "優等級", "普通級", "改善級"]].astype(int).to_numpy()
    grades = np.array(["AAA", "AA", "A", "none"])
    best = [grades[len(row) - 1 - int(np.argmax(row[::-1]))] if row.max() > 0 else "none" for row in counts]
    assert props["grade"].tolist() == best
    coords = np.array([f["geometry"]["coordinates"] for f in feats])
    assert np.array_equal(coords, src[["longitude", "latitude"]].astype(float).to_numpy())
    assert "Traceback" not in run.stderr and "1382" in run.stdout


@needs_taipei
def test_taipei_city_validates_and_checks(taipei):
    _, out = taipei
    assert store.validate(out).ok
    city = store.load(out)
    assert (city.config.name, city.config.name_en) == ("臺北市", "Taipei")
    assert [r.id for r in load_rules(out / "rules.toml")] == ["toilet_accessible", "toilet_family_room"]
    check = _cli("check", str(out), "--quiet")
    assert check.returncode in (0, 1) and "toilet_accessible" in check.stdout


def _clean(text: str, encoding: str) -> str:
    """The text with the few characters the encoding lacks (a no-break space, 廍, ‧) replaced by spaces."""
    return "".join(ch if _encodable(ch, encoding) else " " for ch in text)


def _encodable(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


@needs_taipei
@pytest.mark.parametrize("encoding", ["gbk", "big5"])
def test_gbk_and_big5_copies_import_exactly_like_utf8(tmp_path, encoding):
    text = _clean(TAIPEI.read_text(encoding="utf-8-sig"), encoding)
    utf8, other = tmp_path / "toilets_utf8.csv", tmp_path / "toilets_other.csv"
    utf8.write_text(text, encoding="utf-8")
    other.write_bytes(text.encode(encoding))
    assert decode(other.read_bytes(), other.name)[1] == {"gbk": "gb18030", "big5": "big5"}[encoding]
    a = import_table(utf8, tmp_path / "a", mapping="taipei_toilets")
    b = import_table(other, tmp_path / "b", mapping="taipei_toilets")
    assert a.exit_code == b.exit_code == 0, b.to_text()
    assert (tmp_path / "a" / "toilets.geojson").read_bytes() == (tmp_path / "b" / "toilets.geojson").read_bytes()
    assert len(_features(tmp_path / "b", "toilets")) == 1382


def test_short_simplified_text_in_gbk_is_not_read_as_big5():
    raw = "名称,经度,纬度\n玄武湖公园厕所,118.79,32.07\n总统府东侧公厕,118.80,32.05\n".encode("gbk")
    assert raw.decode("big5")  # it also decodes as Big5: the detector must choose
    text, used = decode(raw, "x.csv")
    assert used == "gb18030" and "玄武湖公园厕所" in text


@pytest.fixture(scope="module")
def dc(tmp_path_factory):
    out = tmp_path_factory.mktemp("dc") / "dc"
    run = _cli(
        "import", "table", str(DC), "--mapping", "dc_streetlights", "--out", str(out), "--name", "华盛顿", "--name-en", "Washington DC"
    )
    return run, out


@needs_dc
def test_dc_streetlights_mapped(dc):
    run, out = dc
    assert run.returncode == 0, run.stdout + run.stderr
    src = pd.read_csv(DC, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    props = pd.DataFrame([f["properties"] for f in _features(out, "lamps")])
    assert len(props) == len(src) == 3963
    assert props["id"].tolist() == ("DC-" + src["FACILITYID"]).tolist()
    feet = src["POLEHEIGHT_DESC"].str.extract(r"^([0-9.]+) ft$")[0].astype(float)
    assert np.allclose(props["height_m"].astype(float), feet * 0.3048, equal_nan=True)
    assert props["height_m"].isna().sum() == (src["POLEHEIGHT_DESC"] == "N/A").sum() == 14
    assert props["power_w"].tolist() == src["WATTAGE1"].astype(float).tolist()
    assert props["light_source"].tolist() == src["LIGHTTYPE_DESC"].tolist()
    assert props["road"].tolist() == src["STREETNAME"].tolist()
    assert props["lamp_type"].value_counts().to_dict() == {"street": 3963 - 4 - 7, "facade": 7, "floodlight": 4}
    assert props["working"].all() and (props["status"] == "existing").all()
    assert set(props["district"]) == {"Ward 2", "Ward 6"}


@needs_dc
def test_dc_lamp_gap_rules_run_on_roads_derived_from_the_lamps(dc):
    _, out = dc
    roads = _features(out, "roads")
    segments = pd.read_csv(DC, encoding="utf-8-sig", dtype=str, keep_default_na=False).groupby("STREETSEGMID").size()
    assert 0 < len(roads) <= (segments[segments.index != ""] >= 2).sum()
    assert all(r["properties"]["lit"] is True and "approximation" in r["properties"]["notes"] for r in roads)
    ids = [r.id for r in load_rules(out / "rules.toml")]
    assert {"lamp_gap_arterial", "lamp_gap_secondary", "lamp_gap_branch", "lamps_working"} <= set(ids)
    check_out = out.parent / "check"
    check = _cli("check", str(out), "--quiet", "--out", str(check_out))
    # lamps alone answer a fraction of the checklist's 1000 points: never "passed" on it
    rules = load_rules(out / "rules.toml")
    assert rules.total == 1000 and sum(r.weight for r in rules) < 800
    assert check.returncode == 1 and "INCOMPLETE" in check.stdout, check.stdout + check.stderr
    summary = pd.read_csv(check_out / "summary.csv").set_index("rule")
    assert summary.loc["lamp_gap_arterial", "checked"] > 10_000  # metres of arterial road checked
    assert 0 < summary.loc["lamp_gap_arterial", "share"] < 1


# --------------------------------------------------------------------------- coordinates


def test_gcj02_table_imports_to_published_wgs84_positions(tmp_path):
    result = import_table(FIX / "toilets_gcj02.csv", tmp_path / "c", layer="toilets", crs="gcj02", sets=["grade=none"])
    assert result.exit_code == 0, result.to_text()
    feats = {f["properties"]["name"]: f["geometry"]["coordinates"] for f in _features(tmp_path / "c", "toilets")}
    for name, (wlat, wlon, _, _) in zip(["上海", "深圳", "北京", "北京高德"], WGS_GCJ, strict=True):
        assert _metres(feats[name], wlon, wlat) < 1.0, name


def test_bd09_table_imports_to_wgs84(tmp_path):
    result = import_table(FIX / "toilets_bd09.csv", tmp_path / "c", layer="toilets", crs="bd09", sets=["grade=none"])
    assert result.exit_code == 0, result.to_text()
    got = _features(tmp_path / "c", "toilets")[0]["geometry"]["coordinates"]
    # wandergis/coordtransform: BD-09 (116.404, 39.915) is GCJ-02 (116.39762729119315, 39.90865673957631)
    want = chinacrs.gcj02_to_wgs84(116.39762729119315, 39.90865673957631)
    assert _metres(got, float(want[0]), float(want[1])) < 1.0
    assert _metres(got, 116.404, 39.915) > 500  # the conversion happened


def test_swapped_columns_detected_and_fixed(tmp_path):
    result = import_table(FIX / "swapped.csv", tmp_path / "c", layer="toilets", sets=["grade=none"])
    assert result.exit_code == 0
    (warning,) = result.report.warnings
    assert warning.code == "swapped" and warning.field == "lon/lat" and "every row" in warning.message
    coords = [f["geometry"]["coordinates"] for f in _features(tmp_path / "c", "toilets")]
    assert coords == [[118.78, 32.04], [118.785, 32.045], [118.79, 32.05]]


def test_one_swapped_row_fixed_with_a_warning(tmp_path):
    result = import_table(FIX / "one_row_swapped.csv", tmp_path / "c", layer="toilets", sets=["grade=none"])
    assert [(p.code, p.feature) for p in result.report.warnings] == [("swapped", "row 4")]
    coords = {f["properties"]["id"]: f["geometry"]["coordinates"] for f in _features(tmp_path / "c", "toilets")}
    assert coords["S3"] == [118.79, 32.05]


def test_projected_survey_table_with_x_as_northing(tmp_path):
    """Chinese surveys write X = northing, Y = easting: the EPSG system's area of use tells the columns apart."""
    result = import_table(FIX / "toilets_gk114.csv", tmp_path / "c", layer="toilets", crs="EPSG:4547", sets=["grade=none"])
    assert result.exit_code == 0, result.to_text()
    assert [p.code for p in result.report.warnings] == ["swapped"]
    coords = [f["geometry"]["coordinates"] for f in _features(tmp_path / "c", "toilets")]
    assert coords == [pytest.approx([114.30, 30.59], abs=1e-8), pytest.approx([114.31, 30.60], abs=1e-8)]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["名称", "经度", "纬度"], ("经度", "纬度")),
        (["名稱", "經度", "緯度"], ("經度", "緯度")),
        (["name", "lng", "lat"], ("lng", "lat")),
        (["name", "lon", "lat"], ("lon", "lat")),
        (["id", "X", "Y"], ("X", "Y")),
        (["OID", "XCOORD", "YCOORD"], ("XCOORD", "YCOORD")),
        (["Longitude ", "Latitude"], ("Longitude ", "Latitude")),
        (["站名", "GPS经度", "GPS纬度"], ("GPS经度", "GPS纬度")),
        (["名称", "经度(WGS84)", "纬度(WGS84)"], ("经度(WGS84)", "纬度(WGS84)")),
    ],
)
def test_coordinate_columns_found_by_name(headers, expected):
    assert coordinate_columns(headers, None, None) == expected


def test_coordinate_columns_ambiguous_or_missing():
    with pytest.raises(ImportUsageError, match="--lon"):
        coordinate_columns(["name", "east", "north"], None, None)
    with pytest.raises(ImportUsageError, match="several possible lon"):
        coordinate_columns(["经度1", "经度2", "纬度"], None, None)
    assert coordinate_columns(["经度1", "经度2", "纬度"], "经度2", None) == ("经度2", "纬度")


def test_xlsx_imports_like_csv(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["\ufeff编号", " 名称 ", "经度", "纬度 ", "grade", "female_stalls", "updated"])
    ws.append(["T1", "甲", 118.78, 32.04, "AA", 4, __import__("datetime").datetime(2026, 3, 1)])
    ws.append([None, None, None, None, None, None, None])
    ws.append(["T2", "乙", 118.79, 32.05, "A", 2.0, None])
    book.save(tmp_path / "t.xlsx")
    result = import_table(tmp_path / "t.xlsx", tmp_path / "c", layer="toilets")
    assert result.exit_code == 0, result.to_text()
    props = {f["properties"]["id"]: f["properties"] for f in _features(tmp_path / "c", "toilets")}
    assert props["T1"] == {
        "id": "T1", "name": "甲", "status": "existing", "updated": "2026-03-01", "source": "import", "grade": "AA", "female_stalls": 4,
    }  # fmt: skip
    assert props["T2"]["female_stalls"] == 2 and isinstance(props["T2"]["female_stalls"], int)


# --------------------------------------------------------------------------- rows, mappings, modes


def test_rejected_rows_reported_with_row_field_value_and_reason(tmp_path):
    out = tmp_path / "c"
    run = _cli("import", "table", str(FIX / "bad_rows.csv"), "--layer", "toilets", "--out", str(out), "--json")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    data = json.loads(run.stdout)
    got = {(p["feature"], p["field"], p["value"]) for p in data["problems"] if p["severity"] == "error"}
    assert got == {
        ("row 3", "经度", '"abc"'),
        ("row 4", "纬度", '""'),
        ("row 5", "female_stalls", '"3.5"'),
        ("row 6", "grade", '"AAAA"'),
        ("row 7", "family_room", '"也许"'),
        ("row 8", "编号 → id", '"T1"'),
        ("row 9", "经度/纬度", '"0, 0"'),
        ("row 10", "经度/纬度 → geometry", "[200.0, 95.0]"),
    }
    assert all(p["message"] and p["accepted"] for p in data["problems"])
    layer = data["layers"]["toilets"]
    assert (layer["read"], layer["rejected"], layer["written"]) == (10, 8, 2)
    feats = {f["properties"]["id"]: f["properties"] for f in _features(out, "toilets")}
    assert set(feats) == {"T1", "T10"}
    assert feats["T1"]["family_room"] is True and feats["T1"]["notes"] == "ok" and feats["T1"]["female_stalls"] == 4
    text = _cli("import", "table", str(FIX / "bad_rows.csv"), "--layer", "toilets", "--out", str(out), "--dry-run", "--mode", "merge")
    assert 'row 6, field grade: "AAAA" — not an accepted value; did you mean "AAA"?' in text.stdout


def test_mapping_file_features(tmp_path):
    result = import_table(FIX / "lamps.csv", tmp_path / "c", mapping=FIX / "lamps_mapping.toml")
    rejected = sorted((p.feature, p.field) for p in result.report.errors)
    assert rejected == [("row 6", "HEIGHT"), ("row 7", "STATUS")]  # one problem per bad cell, even if two fields read it
    lamps = {f["properties"]["id"]: f["properties"] for f in _features(tmp_path / "c", "lamps")}
    assert lamps["L-P1"] == {
        "id": "L-P1", "district": "Ward 2", "status": "existing", "updated": "2013-06-03", "source": "import", "lamp_type": "street",
        "height_m": 9.144, "power_w": 250.0, "working": True, "road": "Main St", "circuit": "C1", "segment": "10",
        "road_class": "arterial", "level": "high", "twin": True, "DROP_ME": "x",
    }  # fmt: skip
    assert lamps["L-P2"]["lamp_type"] == "floodlight" and lamps["L-P2"]["level"] == "unknown" and lamps["L-P2"]["twin"] is False
    assert lamps["L-P3"]["status"] == "closed" and lamps["L-P3"]["working"] is False and "height_m" not in lamps["L-P3"]
    assert lamps["L-P3"]["level"] == "low"  # a 1:1 tie goes to the later (lower) entry
    (road,) = _features(tmp_path / "c", "roads")
    assert road["properties"]["id"] == "SEG-10" and road["properties"]["road_class"] == "arterial"
    ends = sorted(road["geometry"]["coordinates"], key=lambda c: c[1])
    assert ends == [pytest.approx([-77.03, 38.9]), pytest.approx([-77.03, 38.9006])]  # the first and last lamp of segment 10


def test_bad_mapping_file_lists_every_problem(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'layer = "toilets"\ncolour = "red"\n[fields]\n'
        'grade = { column = "g", map = { "x" = "AAAA" } }\nfemale_stalls = { column = "f", type = "str" }\n',
        encoding="utf-8",
    )
    run = _cli("import", "table", str(FIX / "bad_rows.csv"), "--mapping", str(bad), "--out", str(tmp_path / "c"))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "colour" in run.stderr and "AAAA" in run.stderr and "female_stalls" in run.stderr


def test_missing_required_field_is_a_usage_error_with_a_hint(tmp_path):
    with pytest.raises(ImportUsageError, match="--set grade=none"):
        import_table(FIX / "swapped.csv", tmp_path / "c", layer="toilets")
    assert not (tmp_path / "c").exists()


def test_unreadable_input_exits_2(tmp_path):
    garbage = tmp_path / "x.csv"
    garbage.write_bytes(bytes(range(128, 256)) * 4)
    run = _cli("import", "table", str(garbage), "--layer", "toilets", "--out", str(tmp_path / "c"))
    assert run.returncode == 2 and "Traceback" not in run.stderr and "cannot read" in run.stderr
    run = _cli("import", "table", str(tmp_path / "missing.csv"), "--layer", "toilets", "--out", str(tmp_path / "c"))
    assert run.returncode == 2 and "no such file" in run.stderr


def test_no_silent_overwrite_and_backups_on_merge_and_replace(tmp_path):
    out = tmp_path / "c"
    assert import_table(FIX / "swapped.csv", out, layer="toilets", sets=["grade=none"]).exit_code == 0
    path = out / "toilets.geojson"
    first = path.read_bytes()
    with pytest.raises(ImportUsageError, match=r"already exist.*--mode merge.*--mode replace"):
        import_table(FIX / "one_row_swapped.csv", out, layer="toilets", sets=["grade=none"])
    assert path.read_bytes() == first and not list(out.glob("*.bak-*"))

    merged = import_table(FIX / "one_row_swapped.csv", out, layer="toilets", sets=["grade=A"], mode="merge")
    o = merged.layers["toilets"]
    assert (o.updated, o.added, o.kept) == (3, 1, 0) and o.backup is not None and o.backup.read_bytes() == first
    after_merge = path.read_bytes()
    assert {f["properties"]["grade"] for f in _features(out, "toilets")} == {"A"} and len(_features(out, "toilets")) == 4

    replaced = import_table(FIX / "swapped.csv", out, layer="toilets", sets=["grade=AA"], mode="replace")
    assert replaced.layers["toilets"].backup.read_bytes() == after_merge
    assert len(_features(out, "toilets")) == 3 and len(list(out.glob("toilets.geojson.bak-*"))) == 2
    assert store.validate(out).ok  # backups are not taken for layers


def test_bounds_of_an_existing_city_reject_far_rows(tmp_path):
    out = tmp_path / "c"
    import_table(FIX / "swapped.csv", out, layer="toilets", sets=["grade=none"])  # a city around Nanjing
    result = import_table(FIX / "toilets_gcj02.csv", out, layer="toilets", crs="gcj02", sets=["grade=none"], mode="merge")
    assert result.exit_code == 1 and result.layers["toilets"].rejected == 4
    assert {p.code for p in result.report.errors} == {"out_of_bounds"}
    assert result.layers["toilets"].action.startswith("nothing written")


def test_a_row_without_an_id_is_rejected_by_name(tmp_path):
    """A mapping's id column with an empty cell: that row is rejected with a message, the others are imported
    (mypy found the rejection built a 3-tuple where 4 are read: it crashed instead)."""
    src = tmp_path / "t.csv"
    src.write_text("code,name,lon,lat,grade\nT1,甲,112.1,32.0,A\n,乙,112.11,32.01,AA\n", encoding="utf-8")
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        'layer = "toilets"\ncrs = "wgs84"\nlon = "lon"\nlat = "lat"\n[id]\ncolumn = "code"\n'
        '[defaults]\nstatus = "existing"\n[fields]\nname = "name"\ngrade = "grade"\n',
        encoding="utf-8",
    )
    result = import_table(src, tmp_path / "c", mapping=mapping)
    errors = result.report.errors
    assert [(p.feature, p.field, p.message) for p in errors] == [("row 3", "code", "missing id")]
    assert [f["properties"]["id"] for f in json.loads((tmp_path / "c" / "toilets.geojson").read_text(encoding="utf-8"))["features"]] == [
        "T1"
    ]
