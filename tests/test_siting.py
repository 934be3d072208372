"""Where to build next (:mod:`facilities.siting`, :mod:`facilities.planned`, ``python -m facilities sites``).

Oracles: brute force over every choice of k sites (itertools.combinations) for the solvers; shapely
distances and a networkx graph built here for the coverage matrix (and the demo's walking oracle of
tests/oracles.py); the rules themselves, re-checked with the suggested facilities added, for the points
gained and for the gaps an along rule's sites close.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from shapely import LineString, Point, box

from facilities import siting, walk
from facilities.check import check
from facilities.city import City
from facilities.city_config import Bounds, CityConfig, local_metric_crs
from facilities.problems import ValidationReport
from facilities.rules import load_rules
from facilities.schema import ALL_LAYERS
from facilities.store import coerce_layer, empty_layer, folder
from facilities.validation import check_properties
from tests.helpers import DEMO
from tests.oracles import spots_and_toilets, walking_gaps

TODAY = dt.date(2026, 11, 29)
LON, LAT = 112.1, 32.0
CRS = local_metric_crs(LON, LAT)


# --------------------------------------------------------------------------- the solvers against brute force


def _random_cover(rng: np.random.Generator, m: int, c: int, p: float) -> csr_matrix:
    return csr_matrix(rng.uniform(size=(m, c)) < p)


def _brute_best(cover: csr_matrix, k: int) -> int:
    """The most targets any k sites cover (every combination)."""
    dense = cover.toarray()
    k = min(k, dense.shape[1])
    return max(int(dense[:, list(combo)].any(axis=1).sum()) for combo in itertools.combinations(range(dense.shape[1]), k))


def _plain_greedy(cover: csr_matrix, k: int) -> list[int]:
    """Greedy maximum cover with Python sets, by its definition (ties: the lowest index)."""
    sets = [set(cover[:, j].nonzero()[0].tolist()) for j in range(cover.shape[1])]
    left, out = set(range(cover.shape[0])), []
    for _ in range(k):
        gains = [len(s & left) if j not in out else -1 for j, s in enumerate(sets)]
        if not gains or max(gains) <= 0:
            break
        out.append(gains.index(max(gains)))
        left -= sets[out[-1]]
    return out


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 100_000), m=st.integers(1, 14), c=st.integers(1, 8), k=st.integers(1, 4), p=st.floats(0.05, 0.6))
def test_greedy_is_the_greedy_cover_within_its_guarantee_of_the_optimum(seed, m, c, k, p):
    cover = _random_cover(np.random.default_rng(seed), m, c, p)
    chosen = siting.greedy(cover, k)
    assert chosen.tolist() == _plain_greedy(cover, k)
    best, got = _brute_best(cover, k), siting.covered_count(cover, chosen)
    assert got >= (1 - 1 / math.e) * best - 1e-9  # the (1 - 1/e) guarantee of greedy maximum cover
    if k == 1:
        assert got == best
    gains = np.diff([0] + [siting.covered_count(cover, chosen[: i + 1]) for i in range(len(chosen))])
    assert np.all(gains > 0) and np.all(np.diff(gains) <= 0)  # stops when nothing is gained; gains never rise


def test_greedy_with_needs_counts_each_site_once_per_target():
    cover = csr_matrix(np.array([[1, 1, 1], [1, 0, 0], [0, 0, 1]], dtype=bool))
    chosen = siting.greedy(cover, 5, need=np.array([2, 1, 1]))
    assert chosen.tolist() == [0, 2]  # 0 serves targets 0 and 1, then 2 serves 0 (its second) and 2; site 1 adds nothing
    assert siting.covered_count(cover, chosen, np.array([2, 1, 1])) == 3


CLASSIC = csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [1, 0, 1], [1, 0, 1], [0, 1, 0], [0, 0, 1]], dtype=bool))
"""Targets 1–6: site 0 covers {1, 2, 3, 4}, site 1 {1, 2, 5}, site 2 {3, 4, 6}: greedy takes site 0 and then
one more (5 of 6); two sites 1 and 2 cover all six."""


def test_exact_beats_greedy_on_the_classic_counterexample():
    g = siting.greedy(CLASSIC, 2)
    assert g.tolist() == [0, 1] and siting.covered_count(CLASSIC, g) == 5
    chosen, status = siting.exact(CLASSIC, 2)
    assert status == "optimal" and sorted(chosen.tolist()) == [1, 2] and siting.covered_count(CLASSIC, chosen) == 6


def test_exact_equals_brute_force_on_small_cases():
    rng = np.random.default_rng(20261203)
    for _ in range(6):
        cover, k = _random_cover(rng, int(rng.integers(4, 16)), int(rng.integers(3, 9)), 0.3), int(rng.integers(1, 4))
        chosen, status = siting.exact(cover, k, time_limit_s=10)
        assert status == "optimal" and len(chosen) <= k
        assert siting.covered_count(cover, chosen) == _brute_best(cover, k)
        gains = np.diff([0] + [siting.covered_count(cover, chosen[: i + 1]) for i in range(len(chosen))])
        assert np.all(gains > 0) and np.all(np.diff(gains) <= 0)  # in greedy order


def test_exact_is_never_worse_than_greedy_on_larger_cases():
    # the one slow-ish exact test: a few hundred targets, CBC to optimality
    rng = np.random.default_rng(7)
    xy, sites = rng.uniform(0, 3000, (400, 2)), rng.uniform(0, 3000, (120, 2))
    cover = siting.straight_cover(shapely.points(xy), shapely.points(sites), 300.0)
    for k in (3, 8):
        chosen, status = siting.exact(cover, k, time_limit_s=20)
        assert status in ("optimal", "time limit: best found", "time limit: greedy kept")
        assert siting.covered_count(cover, chosen) >= siting.covered_count(cover, siting.greedy(cover, k))


def test_time_limit_keeps_greedy_unless_the_solver_found_better(monkeypatch):
    # the fast answer on CLASSIC is greedy's [0, 1] improved by a swap to the optimum [1, 2]
    monkeypatch.setattr(siting, "_cbc", lambda cover, k, limit, start: (np.array([2], dtype=np.int64), False))
    chosen, status = siting.exact(CLASSIC, 2, time_limit_s=1)
    assert status == "time limit: greedy kept" and sorted(chosen.tolist()) == [1, 2]
    # without the swaps the fast answer is greedy's [0, 1]: a solver stopped early with [1, 2] found better
    monkeypatch.setattr(siting, "interchange", lambda cover, chosen, need=None: chosen)
    monkeypatch.setattr(siting, "_cbc", lambda cover, k, limit, start: (np.array([1, 2], dtype=np.int64), False))
    chosen, status = siting.exact(CLASSIC, 2, time_limit_s=1)
    assert status == "time limit: best found" and sorted(chosen.tolist()) == [1, 2]


def test_swaps_improve_greedy_and_never_pass_the_optimum():
    # CLASSIC: greedy takes site 0 first (5 of 6 with site 1), one swap (0 → 2) covers all six
    assert siting.covered_count(CLASSIC, siting.greedy(CLASSIC, 2)) == 5
    swapped = siting.interchange(CLASSIC, siting.greedy(CLASSIC, 2))
    assert sorted(swapped.tolist()) == [1, 2] and siting.covered_count(CLASSIC, swapped) == 6
    rng = np.random.default_rng(20261204)
    for _ in range(25):
        cover, k = _random_cover(rng, int(rng.integers(4, 16)), int(rng.integers(3, 9)), 0.3), int(rng.integers(1, 4))
        start = siting.greedy(cover, k)
        better = siting.interchange(cover, start)
        assert len(set(better.tolist())) == len(better) <= k
        assert siting.covered_count(cover, start) <= siting.covered_count(cover, better) <= _brute_best(cover, k)


def test_exact_refuses_targets_needing_several_sites():
    with pytest.raises(ValueError, match="min_count > 1"):
        siting.exact(CLASSIC, 2, need=np.array([2, 1, 1, 1, 1, 1]))


# --------------------------------------------------------------------------- candidates and the coverage matrix


def _roads(*rows: dict) -> gpd.GeoDataFrame:
    base = {"id": None, "name": None, "road_class": "branch", "bridge": None, "tunnel": None, "layer": None, "area": None}
    return gpd.GeoDataFrame([{**base, "id": f"R{i}", **r} for i, r in enumerate(rows)], geometry="geometry", crs=CRS)


def test_road_candidates_run_along_each_road_at_the_step():
    roads = _roads(
        {"name": "长街", "geometry": LineString([(0, 0), (430, 0)])},
        {"name": "长街", "geometry": LineString([(430, 0), (1020, 0)])},  # one road in two segments: spaced as one
        {"name": "快速路", "road_class": "expressway", "geometry": LineString([(0, 500), (1000, 500)])},  # not walked
        {"geometry": LineString([(500, 0), (500, 120)])},  # unnamed, starts on the long road
    )
    out = siting.road_candidates(roads, 50)
    long = out[out["road"] == "长街"]
    x = np.sort(shapely.get_coordinates(long.geometry.to_numpy())[:, 0])
    assert np.allclose(x, [*np.arange(0, 1001, 50), 1020])  # every 50 m, and the end
    side = out[out["road"].isna()]
    y = np.sort(shapely.get_coordinates(side.geometry.to_numpy())[:, 1])
    assert np.allclose(y, [50, 100, 120])  # its start (500, 0) is the long road's point, kept once
    assert not (shapely.get_coordinates(out.geometry.to_numpy())[:, 1] == 500).any()


def test_candidates_are_the_road_points_within_reach_of_an_uncovered_target():
    rng = np.random.default_rng(3)
    lines = [LineString(rng.uniform(0, 2000, (3, 2))) for _ in range(12)]
    roads = _roads(*({"name": f"路{i}", "geometry": g} for i, g in enumerate(lines)))
    city = _city({"roads": roads})
    targets = shapely.points(rng.uniform(0, 2000, (6, 2)))
    got = siting.candidate_sites(city, targets, 300.0, 40.0)
    every = siting.road_candidates(city.metric("roads"), 40.0)
    near = np.array([min(t.distance(p) for t in targets) <= 300.0 for p in every.geometry])
    assert len(got) == near.sum() > 0
    assert set(shapely.to_wkt(got.geometry.to_numpy(), rounding_precision=3)) == set(
        shapely.to_wkt(every.geometry[near].to_numpy(), rounding_precision=3)
    )


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 100_000), d=st.floats(0, 600))
def test_straight_cover_is_the_brute_force_distance_matrix(seed, d):
    rng = np.random.default_rng(seed)
    targets = np.array([*shapely.points(rng.uniform(0, 1500, (8, 2))), box(200, 200, 400, 350), box(900, 100, 1000, 900)], dtype=object)
    sites = shapely.points(rng.uniform(0, 1500, (9, 2)))
    expected = np.array([[t.distance(s) <= d for s in sites] for t in targets])
    assert np.array_equal(siting.straight_cover(targets, sites, d).toarray(), expected)


def _nx_distances(lines: list[LineString], targets: np.ndarray, site: Point) -> np.ndarray:
    """Walking distance from one site to each target by networkx, on a graph built here (lines share
    vertices at every crossing; places join the segment nearest to them, by brute force, at its nearest point)."""
    g, segments = nx.Graph(), []
    for line in lines:
        for p, q in itertools.pairwise([tuple(map(float, xy)) for xy in line.coords]):
            g.add_edge(p, q, weight=math.dist(p, q))
            segments.append((p, q))

    def attach(pt: Point):
        best = min(segments, key=lambda s: LineString(s).distance(pt))
        seg = LineString(best)
        on = seg.interpolate(seg.project(pt))
        return best, seg.project(pt), pt.distance(on), {end: pt.distance(on) + on.distance(Point(end)) for end in best}

    s_seg, s_along, s_off, s_ends = attach(site)
    for end, w in s_ends.items():
        g.add_edge("site", end, weight=w)
    dist = nx.single_source_dijkstra_path_length(g, "site", weight="weight")
    out = []
    for t in targets:
        seg, along_t, off, ends = attach(t)
        d = min(w + dist.get(end, math.inf) for end, w in ends.items())
        out.append(min(d, off + s_off + abs(along_t - s_along)) if seg == s_seg else d)
    return np.array(out)


@settings(max_examples=20, deadline=None)
@given(n=st.integers(3, 6), seed=st.integers(0, 10_000), drop=st.floats(0, 0.4), d=st.floats(100, 1500))
def test_walk_cover_agrees_with_networkx_and_with_walking(n, seed, drop, d):
    rng = np.random.default_rng(seed)
    xs, ys = np.sort(rng.uniform(0, 2000, n)), np.sort(rng.uniform(0, 2000, n))
    lines = []
    for j in range(n):
        for i in range(n - 1):
            if rng.uniform() >= drop:
                lines.append(LineString([(xs[i], ys[j]), (xs[i + 1], ys[j])]))
            if rng.uniform() >= drop:
                lines.append(LineString([(xs[j], ys[i]), (xs[j], ys[i + 1])]))
    if not lines:
        return
    w = walk.Walking(walk.build(_roads(*({"geometry": g} for g in lines))))
    targets = shapely.points(rng.uniform(-100, 2100, (10, 2)))
    sites = shapely.points(rng.uniform(-100, 2100, (6, 2)))
    got = siting.walk_cover(w, targets, sites, d).toarray()
    for j, s in enumerate(sites):
        assert np.array_equal(got[:, j], w.nearest(targets, sites[j : j + 1]) <= d * (1 + 1e-12))
        expected = _nx_distances(lines, targets, s)
        clear = np.abs(expected - d) > 1e-6  # away from the boundary, where rounding may differ
        assert np.array_equal(got[clear, j], expected[clear] <= d)


def test_walk_cover_of_the_demo_agrees_with_its_networkx_oracle():
    city = folder.load(DEMO)
    spots, toilets = spots_and_toilets(city)
    cover = siting.walk_cover(walk.walking(city), spots.geometry.to_numpy(), toilets.geometry.to_numpy(), 500.0)
    reached = np.asarray(cover.sum(axis=1)).ravel() > 0
    assert set(spots["id"][~reached]) == walking_gaps(500.0)


# --------------------------------------------------------------------------- a small city: points by re-check


def _city(layers: dict[str, gpd.GeoDataFrame]) -> City:
    """A City in memory; ``layers`` in metres (CRS), converted to WGS84 like a loaded city."""
    config = CityConfig("测", "T", LON, LAT, 13, Bounds(LON - 0.3, LAT - 0.3, LON + 0.3, LAT + 0.3))
    full = {}
    for name, spec in ALL_LAYERS.items():
        full[name] = coerce_layer(layers[name].to_crs(4326), spec) if name in layers else empty_layer(spec)
    return City(Path("."), config, full, ValidationReport(Path(".")))


def _features(rows: list[dict]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def _with(city: City, layer: str, rows: list[dict]) -> City:
    """``city`` with ``rows`` (WGS84 geometry) added to ``layer``."""
    if not rows:
        return city
    new = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    frame = pd.concat([city[layer], new], ignore_index=True)
    return city.with_layers({layer: coerce_layer(gpd.GeoDataFrame(frame, geometry="geometry", crs=4326), ALL_LAYERS[layer])})


REACH_RULES = """
total = 1000
pass_mark = 850
[[rule]]
id = "near"
title_zh = "厕所"
title_en = "Toilet reach"
kind = "reach"
weight = 300
source = "test"
target = { layer = "attractions" }
facility = { layer = "toilets", where = { grade = ["A", "AA"], status = ["existing", "new"] } }
distance_m = 300
metric = "METRIC"
min_count = MIN

[[rule]]
id = "other"
title_zh = "码头"
title_en = "Docks"
kind = "reach"
weight = 200
source = "test"
target = { layer = "docks" }
facility = { layer = "toilets" }
distance_m = 200
"""


def _grid_city(rng: np.random.Generator) -> City:
    lines = [LineString([(0, y), (2000, y)]) for y in (0, 500, 1000, 1500)] + [LineString([(x, 0), (x, 1500)]) for x in (0, 700, 1400)]
    roads = _roads(*({"name": f"路{i}", "geometry": g} for i, g in enumerate(lines)))
    spots = _features([
        {"id": f"A{i}", "name": f"景点{i}", "status": "existing", "kind": "scenic_spot", "geometry": Point(xy)}
        for i, xy in enumerate(rng.uniform(0, 2000, (14, 2)))
    ])  # fmt: skip
    toilets = _features([{"id": "T1", "status": "existing", "grade": "AA", "geometry": Point(100, 100)}])
    docks = _features([{"id": "D1", "status": "existing", "geometry": Point(1900, 1400)}])
    return _city({"roads": roads, "attractions": spots, "toilets": toilets, "docks": docks})


CASES = [("straight", 1, "greedy"), ("walk", 1, "greedy"), ("walk", 1, "exact"), ("walk", 2, "greedy")]


@pytest.mark.parametrize(("metric", "min_count", "method"), CASES)
def test_points_gained_are_what_a_re_check_finds(tmp_path, metric, min_count, method):
    city = _grid_city(np.random.default_rng(11))
    path = tmp_path / "rules.toml"
    path.write_text(REACH_RULES.replace("METRIC", metric).replace("MIN", str(min_count)), encoding="utf-8")
    rules = load_rules(path)
    result = check(city, rules, as_of=TODAY)
    out = siting.suggest_sites(city, rules.get("near"), result, k=3, method=method)
    sites = out.sites
    assert len(sites) and sites.crs.to_epsg() == 4326 and out.status == ("optimal" if method == "exact" else "greedy")
    assert sites["cumulative_covered"].tolist() == np.cumsum(sites["gain"]).tolist()
    assert out.uncovered_after == out.uncovered_before - sites["cumulative_covered"].iloc[-1]
    gaps = set(result.gaps.loc[result.gaps["rule"] == "near", "feature_id"])
    assert len(gaps) == out.uncovered_before
    for r in range(1, len(sites) + 1):  # build the first r sites: the total rises by their points, those targets are covered
        rows = [{"id": f"N{i}", "status": "new", "grade": "A", "geometry": g} for i, g in enumerate(sites.geometry.iloc[:r])]
        again = check(_with(city, "toilets", rows), rules, as_of=TODAY)
        assert again.total == pytest.approx(result.total + sites["points"].iloc[r - 1], abs=1e-9)
        left = set(again.gaps.loc[again.gaps["rule"] == "near", "feature_id"])
        assert gaps - left == {i for c in sites["covered"].iloc[:r] for i in c}


def test_sites_given_by_the_caller(tmp_path):
    city = _grid_city(np.random.default_rng(11))
    path = tmp_path / "rules.toml"
    path.write_text(REACH_RULES.replace("METRIC", "straight").replace("MIN", "1"), encoding="utf-8")
    rules = load_rules(path)
    result = check(city, rules, as_of=TODAY)
    given_sites = gpd.GeoSeries(shapely.points(np.random.default_rng(2).uniform(0, 2000, (30, 2))), crs=CRS).to_crs(4326)
    out = siting.suggest_sites(city, rules.get("near"), result, k=4, candidates=gpd.GeoDataFrame(geometry=given_sites))
    assert out.candidates == 30
    wanted = set(shapely.to_wkt(given_sites.to_numpy(), rounding_precision=6))
    assert set(shapely.to_wkt(out.sites.geometry.to_numpy(), rounding_precision=6)) <= wanted
    with pytest.raises(ValueError, match="should be points"):
        siting.suggest_sites(city, rules.get("near"), result, candidates=gpd.GeoSeries([box(0, 0, 1, 1)], crs=4326))
    with pytest.raises(ValueError, match="min_count = 1"):
        path.write_text(REACH_RULES.replace("METRIC", "straight").replace("MIN", "2"), encoding="utf-8")
        rules2 = load_rules(path)
        siting.suggest_sites(city, rules2.get("near"), check(city, rules2, as_of=TODAY), method="exact")


# --------------------------------------------------------------------------- along rules


ALONG_RULES = """
total = 1000
pass_mark = 850
[[rule]]
id = "dark"
title_zh = "暗区"
title_en = "Dark stretches"
kind = "along"
weight = 100
source = "test"
roads = { where = { lit = true } }
facility = { layer = "lamps", where = { working = true } }
snap_m = 20
max_gap_m = 40
include_ends = ENDS
"""


def _lamps(xy: list[tuple[float, float]], prefix: str = "L") -> list[dict]:
    lamp = {"status": "existing", "lamp_type": "street", "working": True}
    return [{"id": f"{prefix}{i}", **lamp, "geometry": Point(p)} for i, p in enumerate(xy)]


def _along_case(tmp_path: Path, lamp_x: list[float], ends: bool):
    roads = _roads(
        {"name": "长街", "lit": True, "geometry": LineString([(0, 0), (600, 0), (600, 333)])},
        {"name": "暗巷", "lit": True, "geometry": LineString([(0, 800), (257, 800)])},  # no lamp at all
    )
    city = _city({"roads": roads, "lamps": _features(_lamps([(x, 5.0) for x in lamp_x]))})
    path = tmp_path / "rules.toml"
    path.write_text(ALONG_RULES.replace("ENDS", "true" if ends else "false"), encoding="utf-8")
    rules = load_rules(path)
    return city, rules, check(city, rules, as_of=TODAY)


def _dark_gaps(city: City, rules, rows: list[dict]) -> int:
    again = check(_with(city, "lamps", rows), rules, as_of=TODAY)
    return int((again.gaps["rule"] == "dark").sum())


@pytest.mark.parametrize("ends", [True, False])
@settings(max_examples=10, deadline=None)
@given(lamp_x=st.lists(st.floats(0, 600), min_size=1, max_size=6))
def test_along_sites_close_every_gap_with_the_fewest_facilities(tmp_path_factory, ends, lamp_x):
    city, rules, result = _along_case(tmp_path_factory.mktemp("along"), lamp_x, ends)
    rule = rules.get("dark")
    sites = siting.along_sites(city, rule, result)
    before = result.gaps[result.gaps["rule"] == "dark"]
    assert set(sites["gap_id"]) == set(before["gap_id"]) and sites.crs.to_epsg() == 4326
    rows = [{**r, "geometry": g} for r, g in zip(_lamps([(0, 0)] * len(sites), "N"), sites.geometry, strict=True)]
    assert _dark_gaps(city, rules, rows) == 0  # every gap closed, by the rule itself
    fewer = []  # n - 1 evenly placed along each gap: it stays open, in n pieces each longer than max_gap_m
    metric = before.to_crs(CRS)
    for gid, group in sites.groupby("gap_id"):
        n, line = int(group["needed"].iloc[0]), metric.loc[metric["gap_id"] == gid, "geometry"].iloc[0]
        fewer += [shapely.line_interpolate_point(line, line.length * i / n) for i in range(1, n)]
    wgs = gpd.GeoSeries(fewer, crs=CRS).to_crs(4326)
    fewer_rows = [{**r, "geometry": g} for r, g in zip(_lamps([(0, 0)] * len(fewer), "F"), wgs, strict=True)]
    assert _dark_gaps(city, rules, fewer_rows) == sites.groupby("gap_id")["needed"].first().sum()


def test_sites_needed_formula():
    assert [siting.sites_needed(L, 40) for L in (30, 40, 41, 80, 80.5, 120, 121)] == [0, 0, 1, 2, 2, 3, 3]


# --------------------------------------------------------------------------- planned facilities


@pytest.fixture(scope="module")
def demo():
    city = folder.load(DEMO)
    from facilities.rules import city_rules

    rules = city_rules(city)
    return city, rules, check(city, rules, as_of=TODAY)


def test_demo_toilet_reach_and_a_planned_toilet(demo):
    city, rules, result = demo
    rule = rules.get("toilet_reach")
    out = siting.suggest_sites(city, rule, result, k=3)
    assert out.uncovered_before == len(walking_gaps(500.0)) and out.uncovered_after < out.uncovered_before
    new_id = siting.next_id(city["toilets"], "T")
    layer, values, geom = siting.planned_feature(city, rule, out.sites.iloc[0], new_id)
    assert layer == "toilets" and new_id not in set(city["toilets"]["id"]) and geom.geom_type == "Point"
    assert values["status"] == "planned" and values["grade"] == "A" and values["source"] == "suggested" and values["district"]
    assert check_properties(values, ALL_LAYERS["toilets"], "toilets.geojson", new_id, {}, new_id) == []
    lamp = siting.planned_feature(city, rules.get("dock_light"), {"geometry": geom, "rank": 1}, "L9")
    assert lamp[1]["working"] is True and lamp[1]["lamp_type"] in ALL_LAYERS["lamps"].field("lamp_type").allowed


def test_next_id():
    frame = pd.DataFrame({"id": ["T001", "T087", "X9", None]})
    assert siting.next_id(frame, "T") == "T088" and siting.next_id(frame, "P") == "P001" and siting.next_id(frame, "X") == "X10"


# --------------------------------------------------------------------------- the command line


def test_cli_sites_on_the_demo(capsys):
    from cli import main

    assert main(["sites", str(DEMO), "--rule", "toilet_reach", "-k", "3", "--as-of", "2026-11-29"]) == 0
    out = capsys.readouterr().out
    lines = [ln.split() for ln in out.splitlines()[1:] if ln.strip() and ln.split()[0].isdigit()]
    assert len(lines) == 3 and [int(x[0]) for x in lines] == [1, 2, 3]
    gains = [int(x[1]) for x in lines]
    assert gains == sorted(gains, reverse=True) and gains[0] > 0
    assert "toilet_reach: 3 sites" in out and "uncovered 未覆盖" in out


@pytest.mark.parametrize(("rule", "message"), [("no_such_rule", "no such rule"), ("signs_bilingual", "is a share rule")])
def test_cli_sites_refuses_a_bad_rule(capsys, rule, message):
    from cli import main

    assert main(["sites", str(DEMO), "--rule", rule]) == 2
    assert message in capsys.readouterr().err


def test_cli_sites_json_out_candidates_and_an_along_rule(capsys, tmp_path, demo):
    import json

    from cli import main

    city = demo[0]
    given_sites = city["toilets"][["geometry"]].iloc[:20]
    (tmp_path / "c.geojson").write_text(given_sites.to_json(), encoding="utf-8")
    out = tmp_path / "s.geojson"
    args = ["sites", str(DEMO), "--rule", "toilet_reach", "-k", "2", "--exact", "--json", "--candidates", str(tmp_path / "c.geojson")]
    assert main([*args, "--out", str(out), "--as-of", "2026-11-29"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["method"] == "exact" and printed["candidates"] == 20 and printed["status"] == "optimal"
    assert len(json.loads(out.read_text(encoding="utf-8"))["features"]) == len(printed["features"]) <= 2
    assert main(["sites", str(DEMO), "--rule", "toilet_spacing_busy_streets", "--as-of", "2026-11-29"]) == 0
    text = capsys.readouterr().out
    assert "toilet_spacing_busy_streets:roads/" in text and "gaps closed by" in text
