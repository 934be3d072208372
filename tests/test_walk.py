"""Walking distance (:mod:`facilities.walk`) against hand-made networks with exact answers and against an
independent oracle: networkx shortest paths on a graph the test builds itself from the same lines, with
places joined by brute force. And the law: walking distance ≥ straight-line distance, so a rule's walking
gaps include its straight-line gaps.
"""

from __future__ import annotations

import itertools
import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString, Point, Polygon

from facilities import walk
from facilities.coverage import nearest_distance

CRS = 32650


def _roads(*rows: dict) -> gpd.GeoDataFrame:
    """A roads frame: each row a dict with ``geometry`` and any of road_class, bridge, tunnel, layer, area."""
    base = {"road_class": "branch", "bridge": None, "tunnel": None, "layer": None, "area": None}
    return gpd.GeoDataFrame([{**base, **r} for r in rows], geometry="geometry", crs=CRS)


def _walk(roads: gpd.GeoDataFrame) -> walk.Walking:
    return walk.Walking(walk.build(roads))


def _pts(*xy: tuple[float, float]) -> np.ndarray:
    return np.array([Point(p) for p in xy], dtype=object)


# --------------------------------------------------------------------------- exact answers by hand


def test_across_the_river_walks_to_the_bridge():
    # two banks 100 m apart, joined by a bridge at x = 1000: the toilet across the water is 100 m away in a
    # straight line and 1000 + 100 + 1000 m on foot, plus the 10 m joins on each side
    roads = _roads(
        {"geometry": LineString([(0, 0), (1000, 0)])},
        {"geometry": LineString([(0, 100), (1000, 100)])},
        {"geometry": LineString([(1000, 0), (1000, 100)]), "bridge": True},
    )
    target, toilet = _pts((0, -10)), _pts((0, 110))
    assert _walk(roads).nearest(target, toilet)[0] == pytest.approx(10 + 1000 + 100 + 1000 + 10)
    assert nearest_distance(target, toilet)[0] == pytest.approx(120)


def test_two_places_on_one_segment_walk_straight_along_it():
    roads = _roads({"geometry": LineString([(0, 0), (1000, 0)])})
    assert _walk(roads).nearest(_pts((100, 5)), _pts((400, -3)))[0] == pytest.approx(5 + 300 + 3)


def test_streets_crossing_without_a_shared_vertex_meet_at_grade():
    # a cross: neither line has a vertex at (500, 0)
    roads = _roads({"geometry": LineString([(0, 0), (1000, 0)])}, {"geometry": LineString([(500, -500), (500, 500)])})
    assert _walk(roads).nearest(_pts((0, 0)), _pts((500, 500)))[0] == pytest.approx(500 + 500)


def test_a_street_ending_on_another_meets_it():
    roads = _roads({"geometry": LineString([(0, 0), (1000, 0)])}, {"geometry": LineString([(300, 0), (300, 400)])})
    assert _walk(roads).nearest(_pts((0, 0)), _pts((300, 400)))[0] == pytest.approx(300 + 400)


@pytest.mark.parametrize("over", [{"bridge": True}, {"tunnel": True}, {"layer": 1}])
def test_a_bridge_a_tunnel_or_another_level_crosses_without_meeting(over):
    # the upper road only joins the lower one at its far end (a ramp down at x = 1000): from the crossing's
    # foot to the upper road's middle is 500 + (1000 - 500) + 500 m by the ramp, not 500 m
    roads = _roads(
        {"geometry": LineString([(0, 0), (1000, 0)])},
        {"geometry": LineString([(500, -500), (500, 500), (1000, 500), (1000, 0)]), **over},
    )
    d = _walk(roads).nearest(_pts((500, 0)), _pts((500, 300)))[0]
    assert d == pytest.approx(500 + 500 + 500 + 200)
    # ... and the same lines at grade meet at (500, 0)
    flat = _roads(
        {"geometry": LineString([(0, 0), (1000, 0)])}, {"geometry": LineString([(500, -500), (500, 500), (1000, 500), (1000, 0)])}
    )
    assert _walk(flat).nearest(_pts((500, 0)), _pts((500, 300)))[0] == pytest.approx(300)


def test_a_bridge_shares_its_end_vertices_with_the_road():
    roads = _roads(
        {"geometry": LineString([(0, 0), (100, 0)])},
        {"geometry": LineString([(100, 0), (200, 0)]), "bridge": True, "layer": 1},
        {"geometry": LineString([(200, 0), (300, 0)])},
    )
    assert _walk(roads).nearest(_pts((0, 0)), _pts((300, 0)))[0] == pytest.approx(300)


def test_expressways_are_not_walked():
    roads = _roads(
        {"geometry": LineString([(0, 0), (100, 0)]), "road_class": "expressway"},
        {"geometry": LineString([(0, 0), (0, 500), (100, 500), (100, 0)])},
    )
    assert _walk(roads).nearest(_pts((0, 0)), _pts((100, 0)))[0] == pytest.approx(500 + 100 + 500)


def test_a_pedestrian_area_is_walked_across():
    # a 200 m square's outline, and a street leaving each of two opposite corners
    square = {"geometry": LineString([(0, 0), (200, 0), (200, 200), (0, 200), (0, 0)]), "road_class": "pedestrian", "area": True}
    roads = _roads(square)
    assert _walk(roads).nearest(_pts((0, 0)), _pts((200, 200)))[0] == pytest.approx(2 * math.hypot(100, 100))
    square["area"] = None
    assert _walk(_roads(square)).nearest(_pts((0, 0)), _pts((200, 200)))[0] == pytest.approx(400)


def test_an_area_target_is_reached_at_its_edge_or_inside_it():
    roads = _roads({"geometry": LineString([(0, 0), (1000, 0)])})
    park = np.array([Polygon([(600, 10), (700, 10), (700, 100), (600, 100)])], dtype=object)
    # the toilet at x = 100: walk to the first point of the street beside the park (x 600..700, 10 m off it)
    assert _walk(roads).nearest(park, _pts((100, 0)))[0] == pytest.approx(500 + 10, abs=0.01)
    # from x = 900 the other way; from x = 650, beside it
    assert _walk(roads).nearest(park, _pts((900, 0)))[0] == pytest.approx(200 + 10, abs=0.01)
    assert _walk(roads).nearest(park, _pts((650, 0)))[0] == pytest.approx(10, abs=0.01)
    # a toilet inside the park: no walk at all
    assert _walk(roads).nearest(park, _pts((650, 50)))[0] == 0


def test_a_place_no_path_reaches_is_infinitely_far():
    roads = _roads({"geometry": LineString([(0, 0), (100, 0)])}, {"geometry": LineString([(0, 500), (100, 500)])})
    assert _walk(roads).nearest(_pts((0, 0)), _pts((0, 500)))[0] == math.inf
    assert _walk(roads).count_within(_pts((0, 0)), _pts((0, 500)), 10_000, 1)[0] == 0


def test_count_within_several():
    roads = _roads({"geometry": LineString([(0, 0), (1000, 0)])})
    w = _walk(roads)
    toilets = _pts((100, 0), (250, 0), (600, 0))
    assert w.count_within(_pts((0, 0)), toilets, 300, 3).tolist() == [2]
    assert w.count_within(_pts((0, 0)), toilets, 300, 1).tolist() == [1]
    assert w.count_within(_pts((0, 0)), toilets, 50, 2).tolist() == [0]


# --------------------------------------------------------------------------- the networkx oracle


def _oracle(lines: list[LineString], targets: np.ndarray, facilities: np.ndarray) -> np.ndarray:
    """Nearest facility on foot by networkx, on a graph built here: a node per vertex (lines share vertices
    at every crossing), each place joined to the segment nearest to it (by brute force) at the nearest point."""
    g = nx.Graph()
    segments = []
    for line in lines:
        c = [tuple(map(float, xy)) for xy in line.coords]
        for p, q in itertools.pairwise(c):
            g.add_edge(p, q, weight=math.dist(p, q))
            segments.append((p, q))

    def attach(pt: Point):
        best = min(segments, key=lambda s: LineString(s).distance(pt))
        seg = LineString(best)
        on = seg.interpolate(seg.project(pt))
        return best, seg.project(pt), pt.distance(on), {end: pt.distance(on) + on.distance(Point(end)) for end in best}

    fac_on = [attach(p) for p in facilities]
    for i, (_, _, _, ends) in enumerate(fac_on):
        for end, w in ends.items():
            g.add_edge(("f", i), end, weight=w)
    dist = nx.multi_source_dijkstra_path_length(g, {("f", i) for i in range(len(facilities))}, weight="weight")
    out = []
    for p in targets:
        best, along, join, ends = attach(p)
        d = min(w + dist.get(end, math.inf) for end, w in ends.items())
        for fbest, falong, fjoin, _ in fac_on:  # on one segment: straight along it
            if fbest == best:
                d = min(d, join + fjoin + abs(along - falong))
        out.append(d)
    return np.array(out)


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(3, 7),
    seed=st.integers(0, 10_000),
    drop=st.floats(0, 0.4),
)
def test_agrees_with_networkx_on_random_street_grids(n, seed, drop):
    rng = np.random.default_rng(seed)
    xs, ys = np.sort(rng.uniform(0, 2000, n)), np.sort(rng.uniform(0, 2000, n))
    lines = []
    for j in range(n):  # grid streets cut at every crossing (they share vertices), some blocks missing
        for i in range(n - 1):
            if rng.uniform() >= drop:
                lines.append(LineString([(xs[i], ys[j]), (xs[i + 1], ys[j])]))
            if rng.uniform() >= drop:
                lines.append(LineString([(xs[j], ys[i]), (xs[j], ys[i + 1])]))
    if not lines:
        return
    targets = _pts(*map(tuple, rng.uniform(-100, 2100, (12, 2))))
    facilities = _pts(*map(tuple, rng.uniform(-100, 2100, (4, 2))))
    ours = _walk(_roads(*({"geometry": g} for g in lines))).nearest(targets, facilities)
    expected = _oracle(lines, targets, facilities)
    finite = np.isfinite(expected)
    assert np.array_equal(np.isfinite(ours), finite)
    assert np.allclose(ours[finite], expected[finite], rtol=1e-9, atol=1e-6)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), bridges=st.integers(0, 5))
def test_walking_is_never_shorter_than_a_straight_line(seed, bridges):
    rng = np.random.default_rng(seed)
    rows = [{"geometry": LineString(rng.uniform(0, 1000, (int(rng.integers(2, 6)), 2)))} for _ in range(8)]
    for r in rows[:bridges]:
        r["bridge"] = True
    targets = _pts(*map(tuple, rng.uniform(0, 1000, (20, 2))))
    facilities = _pts(*map(tuple, rng.uniform(0, 1000, (3, 2))))
    on_foot = _walk(_roads(*rows)).nearest(targets, facilities)
    assert np.all(on_foot >= nearest_distance(targets, facilities) - 1e-6)


def test_a_network_of_points_only_is_empty():
    net = walk.build(gpd.GeoDataFrame({"road_class": np.array([], dtype=object)}, geometry=gpd.GeoSeries([], crs=CRS)))
    assert net.n == 0
    assert walk.Walking(net).nearest(_pts((0, 0)), _pts((1, 1)))[0] == math.inf


def test_segments_cut_at_crossings_keep_the_total_length():
    rows = [{"geometry": LineString([(0, 0), (1000, 1000)])}, {"geometry": LineString([(0, 1000), (1000, 0)])}]
    net = walk.build(_roads(*rows))
    assert net.n == 5  # four ends and the crossing
    assert net.graph.sum() / 2 == pytest.approx(2 * math.hypot(1000, 1000))
    assert shapely.get_num_geometries(net.tree.geometries).sum() == 4


def test_a_route_is_as_long_as_the_walk_and_a_service_area_as_long_as_the_streets_in_reach():
    # the river case: the route goes by the bridge, as long as the walk
    roads = _roads(
        {"geometry": LineString([(0, 0), (1000, 0)])},
        {"geometry": LineString([(0, 100), (1000, 100)])},
        {"geometry": LineString([(1000, 0), (1000, 100)]), "bridge": True},
    )
    w = _walk(roads)
    target, toilet = _pts((0, -10)), _pts((0, 110))
    (route,) = w.routes(target, toilet)
    assert route.length == pytest.approx(w.nearest(target, toilet)[0]) and route.coords[0] == (0, -10) and route.coords[-1] == (0, 110)
    assert w.routes(target, _pts()) == [None]
    # within 300 m of a toilet at the middle of a 1000 m street (joined 10 m off it): 290 m each way
    street = _walk(_roads({"geometry": LineString([(0, 0), (1000, 0)])}))
    (area,) = street.service_areas(_pts((500, 10)), 300)
    assert area.length == pytest.approx(2 * 290)
    # two toilets share the street: each gets the part nearer to it
    a, b = street.service_areas(_pts((200, 0), (800, 0)), 1000)
    assert a.length == pytest.approx(500) and b.length == pytest.approx(500)
