"""Roads meet only at grade: the intersections rule on hand-made cities with a bridge over a road and a tunnel
under one (answers counted by hand), and the walking reach rule on the demo city, checked against the
straight-line rule (walking gaps ⊇ straight-line gaps) and against the planted island case.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from shapely import LineString, Point

from facilities.check import check
from facilities.rules import load_rules
from facilities.store.folder import load as load_city
from tests.helpers import DEMO, make_city, run_cli

TODAY = dt.date(2026, 11, 29)
RULES = """
total = 100
pass_mark = 85
[[rule]]
id = "signs"
title_zh = "路名牌"
title_en = "Road-name signs"
kind = "intersections"
weight = 100
source = "test"
roads = { where = { road_class = ["arterial", "secondary"] } }
facility = { layer = "signs", where = { sign_type = "road_name" } }
distance_m = 30
"""


def _road(i: int, name: str, **extra) -> dict:
    return {"id": f"R{i}", "status": "existing", "name": name, "road_class": "arterial", **extra}


def _intersections(tmp_path, roads) -> list[str]:
    folder = make_city(
        tmp_path / "c", {"roads": roads, "signs": [({"id": "S1", "status": "existing", "sign_type": "road_name"}, Point(9e3, 9e3))]}, RULES
    )
    result = check(load_city(folder), load_rules(folder / "rules.toml"), as_of=TODAY)
    return sorted(result.gaps["feature_id"])  # no sign near any intersection: every intersection is a gap


# 长街 runs west-east along y = 0; 横路 crosses it north-south at x = 500 with no vertex there
LONG = LineString([(0, 0), (1000, 0)])
CROSS = LineString([(500, -500), (500, 500)])


def test_roads_crossing_at_grade_meet(tmp_path):
    assert _intersections(tmp_path, [(_road(1, "长街"), LONG), (_road(2, "横路"), CROSS)]) == ["横路 × 长街"]  # names sorted


@pytest.mark.parametrize("over", [{"bridge": True}, {"tunnel": True}, {"layer": 1}, {"layer": -1}])
def test_a_bridge_a_tunnel_or_another_level_crosses_without_meeting(tmp_path, over):
    assert _intersections(tmp_path, [(_road(1, "长街"), LONG), (_road(2, "横路", **over), CROSS)]) == []


def test_a_bridge_meets_the_roads_at_its_ends(tmp_path):
    # 横路 climbs onto a bridge over 长街 (R3, y -100..100) and comes down; 南路 ends at the bridge's south end,
    # a vertex of both: one intersection there, none where the bridge passes over 长街
    roads = [
        (_road(1, "长街"), LONG),
        (_road(2, "横路"), LineString([(500, -500), (500, -100)])),
        (_road(3, "横路", bridge=True, layer=1), LineString([(500, -100), (500, 100)])),
        (_road(4, "横路"), LineString([(500, 100), (500, 500)])),
        (_road(5, "南路", bridge=True, layer=1), LineString([(200, -100), (500, -100)])),
    ]
    assert _intersections(tmp_path, roads) == ["南路 × 横路"]


def test_the_walking_rule_of_the_demo_city():
    city, rules = load_city(DEMO), load_rules(DEMO / "rules.toml")
    (reach,) = [r for r in rules if r.id == "toilet_reach"]
    assert reach.params["metric"] == "walk"
    straight = dataclasses.replace(rules, rules=(dataclasses.replace(reach, params={**reach.params, "metric": "straight"}),))
    walking = dataclasses.replace(rules, rules=(reach,))
    by_line, on_foot = check(city, straight, as_of=TODAY).gaps, check(city, walking, as_of=TODAY).gaps
    # the law: every straight-line gap is a walking gap, measured no shorter on foot
    assert set(by_line["gap_id"]) <= set(on_foot["gap_id"])
    measured = on_foot.set_index("gap_id")["measure"]
    for row in by_line.itertuples():
        assert measured[row.gap_id] >= row.measure - 1e-6
    # the planted case (data/xiangyang/README.md): 鱼梁洲 has a graded toilet 379 m away across the river's north
    # channel; on foot, by the footbridge at the island's west end, it is farther than 500 m
    island = on_foot[on_foot["gap_id"] == "toilet_reach:attractions/A14"].iloc[0]
    assert island["name"] == "鱼梁洲" and island["straight_m"] == pytest.approx(379, abs=1) and island["measure"] > 500
    assert "toilet_reach:attractions/A14" not in set(by_line["gap_id"])
    # by hand from the generator's plan: path 567 m west + footbridge 377 m + stairs to the riverside road, then
    # along it and up to the toilet — well over a kilometre, and less than twice that
    assert 1200 < island["measure"] < 2400


def test_the_check_command_walks(tmp_path):
    run = run_cli("check", str(DEMO), "--as-of", "2026-11-29", "--out", str(tmp_path / "out"), "--quiet")
    gaps = (tmp_path / "out" / "gaps.geojson").read_text(encoding="utf-8")
    assert "鱼梁洲" in gaps and "m on foot (379 m in a straight line)" in gaps
    assert "toilet_reach" in run.stdout


def test_the_map_draws_the_walks_of_the_gaps_and_the_streets_in_reach():
    from maps.basemaps import BASEMAPS
    from maps.city_map import reach_layers, route_layers

    city, rules = load_city(DEMO), load_rules(DEMO / "rules.toml")
    result = check(city, rules, as_of=TODAY)
    (routes,) = route_layers(city, result, BASEMAPS["none"], "zh")  # only toilet_reach walks
    walks = routes.data["features"]
    gaps = result.gaps[result.gaps["rule"] == "toilet_reach"]
    assert routes.layer_name == f"步行路线 · 每个景区景点 500 米内有 A 级以上旅游厕所 ({len(gaps)})" and len(walks) == len(gaps)
    reach = {lyr.layer_name: lyr for lyr in reach_layers(city, result, BASEMAPS["none"], "en")}
    assert any(name.startswith("Reach on foot 500 m") for name in reach)
    assert all(
        f["geometry"]["type"] in ("LineString", "MultiLineString")
        for f in next(lyr for n, lyr in reach.items() if "on foot" in n).data["features"]
    )


def test_walking_distances_of_the_demo_agree_with_networkx():
    import tests.oracles as oracles
    from facilities import walk

    city = load_city(DEMO)
    spots, toilets = oracles.spots_and_toilets(city)
    ours = walk.walking(city).nearest(spots.geometry.to_numpy(), toilets.geometry.to_numpy())
    expected = oracles.walking_distances()
    assert dict(zip(spots["id"], ours.round(6), strict=True)) == pytest.approx({k: round(v, 6) for k, v in expected.items()}, abs=1e-4)
