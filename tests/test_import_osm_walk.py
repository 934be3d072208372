"""`python -m facilities import osm` for walking and lighting: footways, pedestrian areas, levels, tram and
light-rail stops, names, lamps' working state, piers, and the rules written for the imported city.

Every case is a small OSM file written here; the expected features are read off the XML by hand. The real
Nanjing export (skipped when absent) is counted with ElementTree, not with the importer's tag rules.
"""

from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
from shapely import LineString, Point, box

from facilities import store
from facilities.importers import import_osm
from facilities.importers.starter_rules import rules_for_city
from facilities.rules import load_rules
from tests.helpers import ROOT, make_city, output_of, run_cli

NANJING = ROOT.parent / "shared" / "data" / "real" / "nanjing_xuanwu.osm"
needs_nanjing = pytest.mark.skipif(not NANJING.is_file(), reason=f"real data not present: {NANJING} (../shared/data/real/)")

# a 4 × 4 grid of nodes 1..16, about 100 m apart, south-west corner (118.80, 32.05)
GRID = "".join(
    f'<node id="{1 + r * 4 + c}" lat="{32.05 + r * 0.0009:.4f}" lon="{118.80 + c * 0.00106:.5f}"/>' for r in range(4) for c in range(4)
)


# an inner ring well inside the grid's top row of cells (for a multipolygon with a hole)
INNER = "".join(
    f'<node id="{901 + i}" lat="{32.05 + 2.3 * 0.0009 + dy * 0.0004:.5f}" lon="{118.80 + 0.5 * 0.00106 + dx * 0.0004:.5f}"/>'
    for i, (dx, dy) in enumerate(((0, 0), (1, 0), (1, 1), (0, 1)))
)


def _tags(**tags: str) -> str:
    return "".join(f'<tag k="{k.replace("__", ":")}" v="{v}"/>' for k, v in tags.items())


def way(wid: int, nodes: tuple[int, ...], **tags: str) -> str:
    return f'<way id="{wid}">' + "".join(f'<nd ref="{n}"/>' for n in nodes) + _tags(**tags) + "</way>"


def node(nid: int, lat: float, lon: float, **tags: str) -> str:
    return f'<node id="{nid}" lat="{lat}" lon="{lon}">{_tags(**tags)}</node>'


def osm_import(tmp_path: Path, body: str, name: str = "walk"):
    """Import an OSM file made of the grid and ``body``; the result and the features of every layer by id."""
    src = tmp_path / f"{name}.osm"
    src.write_text(f'<?xml version="1.0" encoding="UTF-8"?><osm version="0.6">{GRID}{body}</osm>', encoding="utf-8")
    out = tmp_path / name
    result = import_osm(src, out)
    feats = {}
    for path in out.glob("*.geojson"):
        for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
            props = f["properties"]
            if "osm_tags" in props:
                props["osm_tags"] = json.loads(props["osm_tags"])
            feats[(path.name.split(".")[0], props["id"])] = f
    return result, out, feats


def props(f: dict, *drop: str) -> dict:
    """A feature's properties without id, status and source (and ``drop``)."""
    return {k: v for k, v in f["properties"].items() if k not in ("id", "status", "source", *drop)}


# --------------------------------------------------------------------------- roads: the walking network


def test_footways_paths_steps_and_pedestrian_area_outlines(tmp_path):
    body = (
        way(10, (1, 2), highway="footway", sidewalk="both")
        + way(11, (2, 3), highway="path")
        + way(12, (3, 4), highway="steps")
        + way(13, (5, 6), highway="cycleway", foot="designated")
        + way(14, (6, 7), highway="cycleway")
        + way(15, (7, 8), highway="corridor")
        + way(16, (9, 10), highway="bridleway")
        + way(17, (1, 2, 6, 5, 1), highway="pedestrian", area="yes", name="鼓楼广场")
        + way(18, (6, 7, 11, 10, 6), place="square", name="新街口广场")
        + way(19, (10, 11, 15, 14, 10), highway="footway", area="yes")
        + INNER
        + way(31, (9, 12, 16, 13, 9))
        + way(32, (901, 902, 903, 904, 901))
        + way(33, (10, 11, 15, 14, 10))
        + '<relation id="30"><member type="way" ref="31" role="outer"/><member type="way" ref="32" role="inner"/>'
        + _tags(type="multipolygon", highway="pedestrian", area="yes")
        + "</relation>"
        # an inner ring touching the outer one: osmium cannot build it; warned, the rest imported
        + '<relation id="40"><member type="way" ref="31" role="outer"/><member type="way" ref="33" role="inner"/>'
        + _tags(type="multipolygon", highway="pedestrian", area="yes")
        + "</relation>"
    )
    result, _, feats = osm_import(tmp_path, body)
    roads = {fid: f for (layer, fid), f in feats.items() if layer == "roads"}
    assert set(roads) == {"w10", "w11", "w12", "w13", "w17", "w18", "r30"}
    assert props(roads["w10"]) == {"road_class": "footway", "osm_tags": {"sidewalk": "both"}}
    assert props(roads["w11"]) == {"road_class": "path"}
    assert props(roads["w12"]) == {"road_class": "steps"}
    assert props(roads["w13"]) == {"road_class": "footway", "osm_tags": {"foot": "designated"}}
    assert props(roads["w17"]) == {"road_class": "pedestrian", "area": True, "name": "鼓楼广场"}
    assert props(roads["w18"]) == {"road_class": "pedestrian", "area": True, "name": "新街口广场"}
    assert props(roads["r30"]) == {"road_class": "pedestrian", "area": True}
    # an area becomes its outline: the closed ring of its nodes (a relation: its outer ring only)
    grid = {1 + r * 4 + c: (118.80 + c * 0.00106, 32.05 + r * 0.0009) for r in range(4) for c in range(4)}
    for fid, ring in (("w17", (1, 2, 6, 5, 1)), ("w18", (6, 7, 11, 10, 6)), ("r30", (9, 12, 16, 13, 9))):
        geom = roads[fid]["geometry"]
        assert geom["type"] == "LineString", fid
        assert LineString(geom["coordinates"]).equals_exact(LineString([grid[n] for n in ring]), tolerance=1e-7), fid
    assert result.exit_code == 0, result.to_text()
    assert [(p.code, p.feature) for p in result.report.warnings] == [("relation", "r40")]
    note = next(n for n in result.notes if n.startswith("highway ways not imported"))
    for skipped in ("highway=cycleway 1", "highway=corridor 1", "highway=bridleway 1", "highway=footway area 1"):
        assert skipped in note


def test_bridge_tunnel_and_layer_are_road_fields(tmp_path):
    cases = {
        20: ({"bridge": "yes", "layer": "1"}, {"bridge": True, "layer": 1}),
        21: ({"bridge": "viaduct"}, {"bridge": True}),
        22: ({"bridge": "no"}, {"bridge": False}),
        23: ({"tunnel": "yes", "layer": "-1"}, {"tunnel": True, "layer": -1}),
        24: ({"tunnel": "building_passage"}, {"tunnel": True}),
        25: ({"tunnel": "culvert"}, {"tunnel": True}),
        26: ({"tunnel": "no"}, {"tunnel": False}),
        27: ({"layer": "9"}, {"layer": 5}),  # clamped to -5..5
        28: ({"layer": "-7"}, {"layer": -5}),
        29: ({"layer": "1;2"}, {}),  # not a whole number: left empty, warned
        30: ({"layer": "0.5"}, {}),
        31: ({"layer": "+2"}, {"layer": 2}),
    }
    body = "".join(way(wid, (1, 2), highway="footway", **tags) for wid, (tags, _) in cases.items())
    result, out, feats = osm_import(tmp_path, body)
    for wid, (tags, fields) in cases.items():
        assert props(feats[("roads", f"w{wid}")]) == {"road_class": "footway", **fields, "osm_tags": tags}, wid
    warned = {(p.code, p.feature, p.field, p.value) for p in result.report.warnings}
    assert warned == {("osm_tag", "w29", "layer", '"1;2"'), ("osm_tag", "w30", "layer", '"0.5"')}  # values shown quoted
    assert not result.report.errors and result.exit_code == 0
    assert store.validate(out).ok


# --------------------------------------------------------------------------- stops


def test_tram_light_rail_and_platforms_are_stops(tmp_path):
    body = (
        node(101, 32.05, 118.80, railway="tram_stop", name="Florenc")
        + node(102, 32.05, 118.801, railway="station", station="light_rail", name="轻轨站")
        + node(103, 32.05, 118.802, railway="station", light_rail="yes")
        + node(104, 32.05, 118.803, public_transport="platform", bus="yes")
        + node(105, 32.05, 118.804, public_transport="platform", highway="bus_stop", bus="yes")
        + node(106, 32.05, 118.805, public_transport="platform", tram="yes")
        + node(107, 32.05, 118.806, public_transport="platform", light_rail="yes")
        + node(108, 32.05, 118.807, public_transport="platform")  # no mode: not imported, counted
        + node(109, 32.05, 118.808, railway="station", station="subway")  # a metro station: not a stop type
        + node(110, 32.05, 118.809, public_transport="stop_position", tram="yes")  # the stop on the track: not imported
        + way(120, (1, 2, 6, 5, 1), public_transport="platform", tram="yes", railway="platform")
    )
    result, _, feats = osm_import(tmp_path, body)
    stops = {fid: f for (layer, fid), f in feats.items() if layer == "stops"}
    want = {"n101": "tram", "n102": "light_rail", "n103": "light_rail", "n104": "bus", "n105": "bus", "n106": "tram",
            "n107": "light_rail", "w120": "tram"}  # fmt: skip
    assert {fid: f["properties"]["stop_type"] for fid, f in stops.items()} == want
    assert props(stops["n105"]) == {"stop_type": "bus", "osm_tags": {"bus": "yes", "public_transport": "platform"}}
    assert props(stops["w120"]) == {"stop_type": "tram", "osm_tags": {"railway": "platform"}}
    assert stops["w120"]["geometry"]["type"] == "Point"  # a platform drawn as an area: a point inside it
    assert any(n.startswith("public_transport=platform without") and n.endswith(": 1") for n in result.notes)


# --------------------------------------------------------------------------- names


def test_the_local_name_stays_the_name(tmp_path):
    body = (
        node(201, 32.05, 118.80, amenity="toilets", name="Veřejné WC", name__zh="公共厕所", name__en="Public toilet")
        + node(202, 32.05, 118.801, amenity="toilets", name="湖边公厕", name__zh="湖边公厕")
        + node(203, 32.05, 118.802, amenity="toilets", name="Kiosk", **{"name:zh-Hans": "售货亭"})
        + node(204, 32.05, 118.803, amenity="toilets", name__zh="只有中文名")
        + node(205, 32.05, 118.804, tourism="attraction", name="Socha", name__zh="圣维特主教座堂")  # OSM's mistake stays apart
        + node(206, 32.05, 118.805, place="city", name="Praha", name__zh="布拉格", name__en="Prague")
    )
    _, out, feats = osm_import(tmp_path, body)
    assert props(feats[("toilets", "n201")], "grade") == {"name": "Veřejné WC", "name_zh": "公共厕所", "name_en": "Public toilet"}
    assert props(feats[("toilets", "n202")], "grade") == {"name": "湖边公厕"}  # name:zh the same: said once
    assert props(feats[("toilets", "n203")], "grade") == {"name": "Kiosk", "name_zh": "售货亭"}
    assert props(feats[("toilets", "n204")], "grade") == {"name_zh": "只有中文名"}
    assert props(feats[("attractions", "n205")], "kind") == {"name": "Socha", "name_zh": "圣维特主教座堂"}
    city = store.load(out)
    assert (city.config.name, city.config.name_en) == ("布拉格", "Prague")  # shown in Chinese first
    assert "# local name 当地名称: Praha" in (out / "city.toml").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- lamps and piers


def test_a_lamp_works_only_where_a_tag_says(tmp_path):
    body = (
        node(301, 32.05, 118.80, highway="street_lamp")
        + node(302, 32.05, 118.801, highway="street_lamp", disused="yes")
        + node(303, 32.05, 118.802, highway="street_lamp", operational_status="broken")
        + node(304, 32.05, 118.803, highway="street_lamp", operational_status="operational")
        + node(305, 32.05, 118.804, disused__highway="street_lamp")
    )
    _, _, feats = osm_import(tmp_path, body)
    lamps = {fid: f["properties"] for (layer, fid), f in feats.items() if layer == "lamps"}
    assert {fid: p.get("working") for fid, p in lamps.items()} == {"n301": None, "n302": False, "n303": False, "n304": True,
                                                                   "n305": False}  # fmt: skip
    assert "working" not in lamps["n301"] and "osm_tags" not in lamps["n302"]


def test_a_pier_is_a_dock_only_with_a_ferry_or_tourism_tag(tmp_path):
    body = (
        way(401, (1, 2), man_made="pier", name="栈桥")
        + way(402, (2, 3), man_made="pier", ferry="yes", floating="yes")
        + way(403, (3, 4), man_made="pier", tourism="yes")
        + way(404, (5, 6), man_made="pier", amenity="ferry_terminal")
        + way(405, (9, 10, 14, 13, 9), man_made="pier", area="yes")
        + way(406, (10, 11, 15, 14, 10), man_made="pier", area="yes", tourism="yes")
        + node(407, 32.06, 118.81, man_made="pier")
    )
    _, _, feats = osm_import(tmp_path, body)
    assert {k for k in feats} == {("roads", "w401"), ("docks", "w402"), ("docks", "w403"), ("docks", "w404"),
                                  ("roads", "w405"), ("docks", "w406")}  # fmt: skip
    assert props(feats[("roads", "w401")]) == {"road_class": "footway", "name": "栈桥"}
    assert props(feats[("roads", "w405")]) == {"road_class": "footway", "area": True}
    assert feats[("roads", "w405")]["geometry"]["type"] == "LineString"
    assert props(feats[("docks", "w402")]) == {"dock_type": "ferry", "pontoon": True}
    assert props(feats[("docks", "w403")]) == {"dock_type": "tour"}
    assert props(feats[("docks", "w404")]) == {"dock_type": "ferry"}
    assert feats[("docks", "w406")]["geometry"]["type"] == "Polygon"


# --------------------------------------------------------------------------- the rules written for the city


def _blocks(text: str) -> dict[str, str]:
    """Rule id -> its block in a rules file, from the comment lines just above its ``[[rule]]``."""
    found = list(re.finditer(r'^((?:#[^\n]*\n)*)\[\[rule\]\]\nid = "([^"]+)"', text, re.M))
    ends = [m.start() for m in found[1:]] + [len(text)]
    return {m.group(2): text[m.start() : end] for m, end in zip(found, ends, strict=True)}


def test_osm_lamp_rules_count_unknown_lamps_as_the_comment_says(tmp_path):
    # an arterial lit road along the grid's bottom row (about 318 m), lamps every ~35 m on its first 106 m, a
    # scenic spot with a toilet and a dock; 2 of the 4 lamps sit on the road, the others 100 m north of it
    lamps = "".join(node(500 + i, 32.05, 118.80 + i * 0.00035, highway="street_lamp") for i in range(4))
    body = (
        way(501, (1, 2, 3, 4), highway="primary", name="中山路", lit="yes")
        + way(502, (5, 6, 7, 8), highway="footway", lit="yes")
        + lamps
        + node(510, 32.0505, 118.8015, tourism="attraction", name="景点")
        + node(511, 32.0506, 118.8016, amenity="toilets")
        + node(512, 32.0507, 118.8017, amenity="ferry_terminal")
    )
    _, out, _ = osm_import(tmp_path, body)
    text = (out / "rules.toml").read_text(encoding="utf-8")
    rules = load_rules(out / "rules.toml")
    ids = [r.id for r in rules]
    assert {"toilet_reach", "lamp_gap_arterial", "dock_light", "dock_toilet"} <= set(ids)
    assert "lamps_working" not in ids and "lamp_gap_branch" not in ids  # no lamp records working; no lit branch road
    blocks = _blocks(text)
    assert set(blocks) == set(ids)
    for rid, block in blocks.items():
        assert "# Assumed:" in block.split("[[rule]]")[0], rid
    for rid in ("lamp_gap_arterial", "dock_light"):
        assert "# Assumed: 4 of 4 lamps record no working state" in blocks[rid]
        assert "working" not in next(line for line in blocks[rid].splitlines() if line.startswith("facility"))
    assert 'distance_m = 500\nmetric = "walk"\n' in blocks["toilet_reach"]
    run = run_cli("check", str(out), "--out", str(tmp_path / "check"), "--quiet")
    output_of(run)
    assert run.returncode in (0, 1)
    with (tmp_path / "check" / "summary.csv").open(encoding="utf-8-sig", newline="") as fh:
        notes = {row["rule"]: row["note"] for row in csv.DictReader(fh)}
    assert "4 of 4 lamps counted have no recorded working state" in notes["lamp_gap_arterial"]
    assert "4 盏路灯亮灯状态未知" in notes["lamp_gap_arterial"]
    assert not notes["toilet_reach"]


def _surveyed_city(folder: Path, zones: bool) -> Path:
    """Two named arterial roads crossing at (0, 0), lit, with working lamps, a road-name sign, toilets."""
    base = {"status": "existing"}
    roads = [
        ({**base, "id": "R1", "name": "东西路", "road_class": "arterial", "lit": True}, LineString([(-300, 0), (300, 0)])),
        ({**base, "id": "R2", "name": "南北路", "road_class": "arterial", "lit": True}, LineString([(0, -300), (0, 300)])),
    ]
    lamps = [({**base, "id": f"L{i}", "lamp_type": "street", "working": i != 3}, Point(x, 5)) for i, x in enumerate(range(-300, 301, 40))]
    signs = [({**base, "id": "S1", "sign_type": "road_name", "text_zh": "东西路", "text_en": "Dongxi Rd", "condition": "good"},
              Point(5, 5))]  # fmt: skip
    toilets = [({**base, "id": f"T{i}", "grade": "none"}, Point(100 * i, 50)) for i in range(3)]
    layers = {"roads": roads, "lamps": lamps, "signs": signs, "toilets": toilets}
    if zones:
        layers["zones"] = [({**base, "id": "Z1", "zone_type": "commercial"}, box(-300, -300, 300, 300))]
    return make_city(folder, layers)


@pytest.mark.parametrize("zones", [True, False])
def test_surveyed_layers_get_intersection_lamp_and_density_rules(tmp_path, zones):
    city = store.load(_surveyed_city(tmp_path / "c", zones))
    text, ids, _ = rules_for_city(city)
    assert text is not None
    assert {"road_name_signs", "lamp_gap_arterial", "lamps_working", "signs_bilingual"} <= set(ids)
    assert ("toilet_density_commercial" in ids) == zones
    assert "toilet_density_residential" not in ids  # no residential zone
    block = _blocks(text)["lamp_gap_arterial"]
    assert "working = true" in block and "record no working state" not in block  # every lamp records it


# --------------------------------------------------------------------------- the real Nanjing Xuanwu export


def _nanjing_roads() -> Counter:
    """Ways by the road class they should be imported as, counted from the XML (walking network included)."""
    classes = {"footway": "footway", "path": "path", "steps": "steps", "pedestrian": "pedestrian"}
    streets = ("motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential", "living_street")
    out: Counter = Counter()
    for el in ET.parse(NANJING).getroot().iter("way"):
        tags = {t.get("k"): t.get("v") for t in el.findall("tag")}
        hw = tags.get("highway")
        if (hw == "pedestrian" and tags.get("area") == "yes") or (hw is None and tags.get("place") == "square"):
            out["pedestrian area"] += 1
        elif tags.get("area") == "yes" or hw is None:
            continue
        elif hw in classes:
            out[classes[hw]] += 1
        elif hw.removesuffix("_link") in streets:
            out["street"] += 1
    return out


@needs_nanjing
def test_nanjing_gives_a_walking_network_and_a_checkable_city(tmp_path):
    out = tmp_path / "nanjing"
    run = run_cli("import", "osm", str(NANJING), "--out", str(out))
    assert run.returncode == 0, output_of(run)
    roads = json.loads((out / "roads.geojson").read_text(encoding="utf-8"))["features"]
    got = Counter(
        "pedestrian area" if f["properties"].get("area") else f["properties"]["road_class"]
        if f["properties"]["road_class"] in ("footway", "path", "steps", "pedestrian") else "street"
        for f in roads
    )  # fmt: skip
    want = _nanjing_roads()
    assert got == want and want["footway"] == 118 and want["steps"] == 3 and want["pedestrian area"] == 4
    assert all(f["geometry"]["type"] == "LineString" for f in roads if f["properties"].get("area"))
    levels = Counter(f["properties"].get("layer") for f in roads)
    assert levels[-1] > 0 and sum(1 for f in roads if f["properties"].get("tunnel")) > 0
    load_rules(out / "rules.toml")  # the starter rules are valid
    assert run_cli("validate", str(out)).returncode == 0
    rules = load_rules(out / "rules.toml")
    assert {r.id: r.params.get("metric") for r in rules if r.kind == "reach"}["toilet_reach"] == "walk"
    assert rules.total == 1000 and sum(r.weight for r in rules) < 0.8 * 1000  # three rules cover a fraction of it
    check = run_cli("check", str(out), "--quiet")
    assert check.returncode == 1, output_of(check)  # never "passed" on a fraction of the checklist
    assert "toilet_reach" in check.stdout and "stop_near_scenic_spot" in check.stdout and "INCOMPLETE" in check.stdout
