"""`python -m facilities import osm`: every tag mapping on a hand-made extract, and the real Nanjing Xuanwu export.

The Nanjing counts are checked against an independent oracle: the XML read with ElementTree and the tag
rules written out again here (not imported from the importer).
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from shapely.geometry import shape

from facilities import store
from facilities.importers import import_osm
from facilities.rules import load_rules
from tests.helpers import DATA, ROOT

MINI = DATA / "import" / "mini.osm"
REAL = ROOT.parent / "shared" / "data" / "real"
NANJING = REAL / "nanjing_xuanwu.osm"
needs_nanjing = pytest.mark.skipif(not NANJING.is_file(), reason=f"real data not present: {NANJING} (../shared/data/real/)")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "facilities", *args], capture_output=True, text=True, cwd=ROOT, timeout=300)


def _features(folder: Path, layer: str) -> dict[str, dict]:
    path = folder / f"{layer}.geojson"
    if not path.exists():
        return {}
    return {f["properties"]["id"]: f for f in json.loads(path.read_text(encoding="utf-8"))["features"]}


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    out = tmp_path_factory.mktemp("osm") / "mini"
    return import_osm(MINI, out), out


# --------------------------------------------------------------------------- the hand-made extract

# (layer, id) -> properties expected exactly (osm_tags compared as JSON)
EXPECTED = {
    ("toilets", "n10"): {
        "name": "湖边公厕", "name_en": "Lakeside Toilet", "district": "玄武区", "unit": "市环卫处", "updated": "2021-05-06",
        "grade": "none", "accessible_stalls": 1, "family_room": True, "fee": False, "opening_hours": "06:00-22:00",
        "osm_tags": {"unisex": "yes"},
    },
    ("toilets", "n11"): {"grade": "none", "fee": True, "kind": "mobile", "osm_tags": {"wheelchair": "limited"}},
    ("toilets", "w200"): {"grade": "none", "accessible_stalls": 0, "kind": "standalone", "osm_tags": {"building": "yes"}},
    ("lamps", "n20"): {"lamp_type": "street", "height_m": 8.0, "osm_tags": {"lamp_mount": "straight_mast"}},
    ("signs", "n21"): {"sign_type": "direction", "text_zh": "玄武湖 →", "text_en": "Xuanwu Lake →"},
    ("signs", "n22"): {"sign_type": "info_board"},
    ("signs", "n23"): {"sign_type": "overview_map"},
    ("docks", "n30"): {"name": "玄武湖码头", "dock_type": "ferry"},
    ("docks", "w310"): {"dock_type": "ferry", "pontoon": True, "operator": "游船公司"},  # a pier with ferry=yes
    ("roads", "w330"): {"road_class": "footway", "area": True},  # a pier with no ferry or tourism tag: walked on
    ("attractions", "w410"): {
        "name": "总统府 Presidential Palace", "name_zh": "总统府", "name_en": "Presidential Palace", "kind": "scenic_spot",
        "osm_tags": {"leisure": "park"},
    },
    ("attractions", "n41"): {"name": "博物馆", "kind": "museum"},
    ("attractions", "n42"): {"kind": "viewpoint"},
    ("attractions", "n43"): {"name": "纪念碑", "kind": "historic"},
    ("attractions", "w460"): {"kind": "historic"},
    ("attractions", "r520"): {"name": "双岛", "kind": "scenic_spot"},
    ("stops", "n60"): {"name": "总统府站", "stop_type": "bus", "shelter": True, "routes": "1;2;游1"},
    ("stops", "n61"): {"stop_type": "taxi"},
    ("roads", "w710"): {"name": "中山路", "name_en": "Zhongshan Road", "road_class": "arterial", "lit": True, "osm_tags": {"lanes": "4"}},
    ("roads", "w711"): {"road_class": "expressway", "lit": False, "bridge": True, "osm_tags": {"bridge": "viaduct"}},
    ("roads", "w712"): {"name": "湖南路步行街", "road_class": "pedestrian"},
    ("roads", "w713"): {"road_class": "footway"},
    ("roads", "w714"): {"road_class": "pedestrian", "area": True},  # the square's outline
    ("roads", "w716"): {"road_class": "branch"},
}  # fmt: skip
GEOMETRY = {
    ("toilets", "w200"): "Point",
    ("docks", "w310"): "Point",
    ("roads", "w330"): "LineString",
    ("roads", "w714"): "LineString",
    ("attractions", "w410"): "Polygon",
    ("attractions", "w460"): "MultiPolygon",
    ("attractions", "r520"): "MultiPolygon",
    ("roads", "w710"): "LineString",
}


def test_every_mapping_of_the_hand_made_extract(mini):
    _, out = mini
    found = {(layer, fid): f for layer in {k[0] for k in EXPECTED} for fid, f in _features(out, layer).items()}
    assert set(found) == set(EXPECTED), "exactly the mapped objects, no more (no office, historic=no)"
    for key, want in EXPECTED.items():
        props = dict(found[key]["properties"])
        assert props.pop("id") == key[1]
        assert (props.pop("status"), props.pop("source")) == ("existing", "osm")
        if "osm_tags" in props:
            props["osm_tags"] = json.loads(props["osm_tags"])
        assert props == want, key
    for key, gtype in GEOMETRY.items():
        assert found[key]["geometry"]["type"] == gtype, key
    # a line pier becomes its midpoint; a toilet building a point inside it
    assert found[("docks", "w310")]["geometry"]["coordinates"] == pytest.approx([118.7875, 32.047])
    assert shape(found[("toilets", "w200")]["geometry"]).within(shape({"type": "Polygon", "coordinates": [[
        [118.7840, 32.0440], [118.7842, 32.0440], [118.7842, 32.0442], [118.7840, 32.0442], [118.7840, 32.0440]]]}))  # fmt: skip


def test_hand_made_extract_reports_what_it_could_not_import(mini):
    result, _ = mini
    errors = {(p.feature, p.field) for p in result.report.errors}
    assert errors == {("w715", "geometry")}, result.to_text()
    assert "nodes are missing" in result.report.errors[0].message
    warnings = {(p.code, p.feature) for p in result.report.warnings}
    assert warnings == {("repaired", "w460"), ("relation", "r530")}
    assert result.exit_code == 1 and result.layers["roads"].rejected == 1
    assert not any("highway" in n for n in result.notes)  # footways and the pedestrian area are roads now


def test_hand_made_city_is_valid_named_and_checkable(mini):
    _, out = mini
    report = store.validate(out)
    assert report.ok and not report.warnings, report.to_text()
    city = store.load(out)
    assert (city.config.name, city.config.name_en) == ("小城", "Small Town")  # place=city beats place=suburb
    b = city.config.bounds
    assert b.west < 118.78 and b.east > 118.804 and b.south < 32.04 and b.north > 32.064
    rules = load_rules(out / "rules.toml")
    ids = [r.id for r in rules]
    assert "toilet_reach" in ids and "stop_near_scenic_spot" in ids
    assert "lamps_working" not in ids and "road_name_signs" not in ids  # OSM records neither outages nor road-name signs
    # the national checklist's total and pass mark, so that the scorecard says how little of it these rules cover
    assert (rules.total, rules.pass_mark) == (1000, 850) and sum(r.weight for r in rules) < 1000


def test_pbf_imports_like_xml(tmp_path, mini):
    import osmium

    pbf = tmp_path / "mini.osm.pbf"
    writer = osmium.SimpleWriter(str(pbf))
    for obj in osmium.FileProcessor(str(MINI)):
        writer.add(obj)
    writer.close()
    result = import_osm(pbf, tmp_path / "pbf")
    assert result.exit_code == 1 and [p.feature for p in result.report.errors] == ["w715"]
    _, xml_out = mini
    for layer in ("attractions", "toilets", "signs", "docks", "lamps", "roads", "stops"):
        assert (tmp_path / "pbf" / f"{layer}.geojson").read_bytes() == (xml_out / f"{layer}.geojson").read_bytes(), layer


def test_layer_subset_and_no_silent_overwrite(tmp_path):
    out = tmp_path / "city"
    first = import_osm(MINI, out, layers=("toilets", "stops"))
    assert sorted(p.name for p in out.glob("*.geojson")) == ["stops.geojson", "toilets.geojson"]
    assert first.exit_code == 0
    before = (out / "toilets.geojson").read_bytes()
    run = _cli("import", "osm", str(MINI), "--out", str(out), "--layers", "toilets")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "toilets.geojson already exist" in run.stderr and "--mode merge" in run.stderr
    assert (out / "toilets.geojson").read_bytes() == before
    run = _cli("import", "osm", str(MINI), "--out", str(out), "--layers", "toilets", "--mode", "replace")
    assert run.returncode == 0, run.stdout + run.stderr
    backups = list(out.glob("toilets.geojson.bak-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == before


def test_unreadable_osm_file_exits_2(tmp_path):
    bad = tmp_path / "broken.osm"
    bad.write_text("<osm><node id='1' lat='x'", encoding="utf-8")
    run = _cli("import", "osm", str(bad), "--out", str(tmp_path / "city"))
    assert run.returncode == 2 and "Traceback" not in run.stderr and "cannot read" in run.stderr
    assert not (tmp_path / "city").exists()


# --------------------------------------------------------------------------- the real Nanjing Xuanwu export

ROAD_HIGHWAYS = {
    "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link", "secondary", "secondary_link",
    "tertiary", "tertiary_link", "unclassified", "residential", "living_street", "pedestrian", "footway", "path", "steps",
}  # fmt: skip


def _oracle(path: Path) -> dict[str, set[str]]:
    """Feature ids per layer, straight from the XML."""
    root = ET.parse(path).getroot()
    out: dict[str, set[str]] = {k: set() for k in ("toilets", "attractions", "scenic_spot", "museum", "stops", "roads")}
    for el in root:
        if el.tag not in ("node", "way"):
            continue
        tags = {t.get("k"): t.get("v") for t in el.findall("tag")}
        fid = el.tag[0] + el.get("id")
        if tags.get("amenity") == "toilets":
            out["toilets"].add(fid)
        if tags.get("tourism") in ("attraction", "museum", "viewpoint") or tags.get("historic", "no") != "no":
            out["attractions"].add(fid)
        if tags.get("tourism") == "attraction":
            out["scenic_spot"].add(fid)
        if tags.get("tourism") == "museum":
            out["museum"].add(fid)
        if el.tag == "node" and tags.get("highway") == "bus_stop":
            out["stops"].add(fid)
        if el.tag == "way" and tags.get("highway") in ROAD_HIGHWAYS and tags.get("area") != "yes":
            out["roads"].add(fid)
        square = tags.get("place") == "square" and "highway" not in tags
        if el.tag == "way" and (square or (tags.get("highway") == "pedestrian" and tags.get("area") == "yes")):
            out["roads"].add(fid)  # a pedestrian area: its outline
    return out


@pytest.fixture(scope="module")
def nanjing(tmp_path_factory):
    out = tmp_path_factory.mktemp("nanjing") / "nanjing"
    run = _cli("import", "osm", str(NANJING), "--out", str(out))
    return run, out


@needs_nanjing
def test_nanjing_counts_match_the_xml(nanjing):
    run, out = nanjing
    assert run.returncode == 0, run.stdout + run.stderr
    oracle = _oracle(NANJING)
    toilets, attractions = _features(out, "toilets"), _features(out, "attractions")
    stops, roads = _features(out, "stops"), _features(out, "roads")
    assert len(toilets) == 10 and set(toilets) == oracle["toilets"]
    assert len(stops) == 43 and set(stops) == oracle["stops"]
    assert set(roads) == oracle["roads"] and len(roads) == 354  # 229 streets, 118 footways, 3 steps, 4 squares
    # museums and historic sites are attractions too (kind museum / historic): 8 + 8 + 4
    assert set(attractions) == oracle["attractions"] and len(attractions) == 20
    kinds = {fid: f["properties"]["kind"] for fid, f in attractions.items()}
    assert {k for k, v in kinds.items() if v == "scenic_spot"} == oracle["scenic_spot"] and len(oracle["scenic_spot"]) == 8
    assert {k for k, v in kinds.items() if v == "museum"} == oracle["museum"] and len(oracle["museum"]) == 8
    assert attractions["w62353727"]["geometry"]["type"] == "Polygon"  # 总统府, a closed way
    assert attractions["w62353727"]["properties"]["name"] == "总统府"
    assert not (out / "lamps.geojson").exists() and not (out / "signs.geojson").exists()
    assert "玄武区" in (out / "city.toml").read_text(encoding="utf-8")


@needs_nanjing
def test_nanjing_validates_and_checks(nanjing):
    _, out = nanjing
    assert _cli("validate", str(out)).returncode == 0
    check = _cli("check", str(out), "--quiet")
    assert check.returncode in (0, 1), check.stdout + check.stderr
    for rule in ("toilet_reach", "stop_near_scenic_spot"):
        assert rule in check.stdout
    assert "Traceback" not in check.stderr
