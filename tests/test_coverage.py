"""The coverage kernels against brute-force oracles written independently here (explicit geometry,
all pairwise distances, no spatial index, no shapely predicates)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from shapely import LineString, Point, box

from facilities import coverage

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------- oracle geometry


def seg_dist(px, py, ax, ay, bx, by) -> float:
    """Distance from P to segment AB, by explicit projection."""
    dx, dy = bx - ax, by - ay
    if dx == 0 and dy == 0:
        return math.sqrt((px - ax) ** 2 + (py - ay) ** 2)
    t = ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)
    if t <= 0:
        return math.sqrt((px - ax) ** 2 + (py - ay) ** 2)
    if t >= 1:
        return math.sqrt((px - bx) ** 2 + (py - by) ** 2)
    return abs((px - ax) * dy - (py - ay) * dx) / math.sqrt(dx * dx + dy * dy)


def rect_dist(px, py, r) -> float:
    """Distance from P to an axis-aligned rectangle (x0, y0, x1, y1): 0 inside or on the edge."""
    x0, y0, x1, y1 = r
    if x0 <= px <= x1 and y0 <= py <= y1:
        return 0.0
    edges = [(x0, y0, x1, y0), (x1, y0, x1, y1), (x1, y1, x0, y1), (x0, y1, x0, y0)]
    return min(seg_dist(px, py, *e) for e in edges)


def pt_dist(p, q) -> float:
    return math.sqrt((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2)


# --------------------------------------------------------------------------- strategies

# integer grid coordinates make exact ties (a target exactly at the distance) common
coord = st.integers(0, 60)
points = st.lists(st.tuples(coord, coord), max_size=25)
rects = st.lists(
    st.tuples(coord, coord, st.integers(1, 15), st.integers(1, 15)).map(lambda t: (t[0], t[1], t[0] + t[2], t[1] + t[3])),
    max_size=8,
)


def _pts(xy):
    return np.array([Point(x, y) for x, y in xy], dtype=object)


# --------------------------------------------------------------------------- reach


@SETTINGS
@given(targets=points, facilities=points, distance=st.integers(0, 30), cap=st.integers(1, 3))
def test_count_within_points_matches_oracle(targets, facilities, distance, cap):
    got = coverage.count_within(_pts(targets), _pts(facilities), float(distance), cap)
    want = [min(cap, sum(pt_dist(t, f) <= distance for f in facilities)) for t in targets]
    assert got.tolist() == want


@SETTINGS
@given(targets=rects, facilities=points, distance=st.integers(0, 30), cap=st.integers(1, 3))
def test_count_within_polygons_matches_oracle(targets, facilities, distance, cap):
    polys = np.array([box(*r) for r in targets], dtype=object)
    got = coverage.count_within(polys, _pts(facilities), float(distance), cap)
    want = [min(cap, sum(rect_dist(f[0], f[1], r) <= distance for f in facilities)) for r in targets]
    assert got.tolist() == want


@SETTINGS
@given(targets=points, facilities=points)
def test_nearest_distance_matches_oracle(targets, facilities):
    got = coverage.nearest_distance(_pts(targets), _pts(facilities))
    want = [min((pt_dist(t, f) for f in facilities), default=math.inf) for t in targets]
    assert got.tolist() == want


@SETTINGS
@given(targets=rects, facilities=points)
def test_nearest_distance_to_polygons_matches_oracle(targets, facilities):
    polys = np.array([box(*r) for r in targets], dtype=object)
    got = coverage.nearest_distance(polys, _pts(facilities))
    want = [min((rect_dist(f[0], f[1], r) for f in facilities), default=math.inf) for r in targets]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)


def test_reach_exact_cases():
    t = _pts([(0, 0)])
    assert coverage.count_within(t, _pts([(500, 0)]), 500.0, 1).tolist() == [1]  # exactly at the distance
    assert coverage.count_within(t, _pts([(500.001, 0)]), 500.0, 1).tolist() == [0]
    inside = np.array([box(0, 0, 100, 100)], dtype=object)
    assert coverage.count_within(inside, _pts([(50, 50)]), 0.0, 1).tolist() == [1]  # inside a polygon: distance 0
    assert coverage.count_within(t, _pts([]), 500.0, 1).tolist() == [0]  # no facility at all
    assert coverage.nearest_distance(t, _pts([])).tolist() == [math.inf]
    assert coverage.count_within(_pts([]), _pts([(1, 1)]), 5.0, 1).tolist() == []


# --------------------------------------------------------------------------- along


def oracle_along(polyline, facilities, snap, max_gap, include_ends):
    """Gaps along one polyline: (start point, end point, length) by explicit projection."""
    segs = list(itertools.pairwise(polyline))
    cum = [0.0]
    for a, b in segs:
        cum.append(cum[-1] + pt_dist(a, b))
    total = cum[-1]
    pos = []
    for f in facilities:
        dists = [seg_dist(f[0], f[1], a[0], a[1], b[0], b[1]) for a, b in segs]
        k = int(np.argmin(dists))
        if dists[k] <= snap:
            (ax, ay), (bx, by) = segs[k]
            L2 = (bx - ax) ** 2 + (by - ay) ** 2
            t = 0.0 if L2 == 0 else min(1.0, max(0.0, ((f[0] - ax) * (bx - ax) + (f[1] - ay) * (by - ay)) / L2))
            pos.append(cum[k] + t * math.sqrt(L2))
    pos.sort()
    marks = [0.0, total] if not pos else ([0.0, *pos, total] if include_ends else pos)

    def at(s):
        for k, (a, b) in enumerate(segs):
            if s <= cum[k + 1] or k == len(segs) - 1:
                L = cum[k + 1] - cum[k]
                t = 0 if L == 0 else (s - cum[k]) / L
                return (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))
        raise AssertionError

    # longer than max_gap; a tie (equal within floating-point rounding) is not a gap, as in the engine
    return [(at(a), at(b), b - a) for a, b in itertools.pairwise(marks) if b - a > max_gap * (1 + 1e-9) + 1e-9], total


def _norm(gaps):
    out = []
    for p, q, length in gaps:
        ends = sorted([(round(p[0], 6), round(p[1], 6)), (round(q[0], 6), round(q[1], 6))])
        out.append((*ends, round(length, 6)))
    return sorted(out)


fcoord = st.floats(0, 500, allow_nan=False, allow_infinity=False).map(lambda v: round(v, 3))
polyline = st.lists(st.tuples(fcoord, fcoord), min_size=2, max_size=6, unique=True)


@SETTINGS
@given(
    line=polyline,
    facilities=st.lists(st.tuples(fcoord, fcoord), max_size=20),
    snap=st.floats(1, 80),
    max_gap=st.floats(5, 300),
    include_ends=st.booleans(),
    split=st.booleans(),
    reverse=st.booleans(),
)
def test_along_matches_oracle(line, facilities, snap, max_gap, include_ends, split, reverse):
    geom = LineString(line)
    assume(geom.is_simple)  # a self-crossing road has no single order of positions; not a road
    # one road split into one segment per edge (shuffled, some reversed) must give the same gaps
    segments = [LineString([a, b]) for a, b in itertools.pairwise(line)] if split else [geom]
    if reverse:
        segments = [LineString(list(s.coords)[::-1]) for s in segments[::-1]]
    gaps, total, covered = coverage.along_gaps({"R": segments}, _pts(facilities), snap, max_gap, include_ends)
    want, want_total = oracle_along(line, facilities, snap, max_gap, include_ends)
    got = [(s.geometry.coords[0], s.geometry.coords[-1], s.length) for s in gaps]
    assert _norm(got) == _norm(want)
    assert math.isclose(total, want_total, rel_tol=1e-12)
    assert math.isclose(covered, want_total - sum(g[2] for g in want), rel_tol=1e-9, abs_tol=1e-6)


def test_along_a_tie_measured_backwards_is_no_gap():
    """The counterexample hypothesis found (CI, 2026-12-07): a lamp 5 m from the end of a road given the other
    way round; the stretch is 5 m up to rounding (224.766 - 219.766), not longer than 5 m."""
    road = {"R": [LineString([(224.766, 0.0), (0.0, 0.0)])]}
    gaps, total, covered = coverage.along_gaps(road, _pts([(5.0, 0.0)]), 1.0, 5.0, include_ends=True)
    # positions run from the road's first point (x = 224.766): the lamp at x = 5 is 219.766 m along; the gap is
    # the stretch before it, and the 5 m after it (to the road's end) is a tie, not a gap
    assert [(round(g.start, 6), round(g.end, 6)) for g in gaps] == [(0.0, 219.766)]
    assert math.isclose(covered, 5.0, abs_tol=1e-6) and total == 224.766


def test_along_exact_cases():
    road = {"A": [LineString([(0, 0), (100, 0)])]}
    gaps, total, covered = coverage.along_gaps(road, _pts([]), 10, 30)
    assert [(g.start, g.end) for g in gaps] == [(0.0, 100.0)] and covered == 0.0  # a road with no lamps
    gaps, *_ = coverage.along_gaps(road, _pts([(0, 0), (30, 5), (60, 0), (90, 0), (100, 0)]), 10, 30)
    assert gaps == []  # lamps exactly at both road ends, gaps of exactly 30 m are not longer than 30 m
    gaps, *_ = coverage.along_gaps(road, _pts([(50, 0)]), 10, 30, include_ends=False)
    assert gaps == []  # ends not counted, one lamp
    gaps, *_ = coverage.along_gaps(road, _pts([(50, 0)]), 10, 30, include_ends=True)
    assert [(g.start, g.end) for g in gaps] == [(0.0, 50.0), (50.0, 100.0)]
    # many segments of one road, given in any order, merge into one chain
    pieces = [LineString([(x, 0), (x + 10, 0)]) for x in range(0, 100, 10)][::-1]
    gaps, total, _ = coverage.along_gaps({"A": pieces}, _pts([(0, 0), (100, 0)]), 5, 50)
    assert total == 100 and [(round(g.start), round(g.end)) for g in gaps] == [(0, 100)]
    assert coverage.along_gaps({}, _pts([(1, 1)]), 5, 5) == ([], 0.0, 0.0)


# --------------------------------------------------------------------------- intersections


def seg_intersections(a, b, c, d):
    """Intersection points of segments AB and CD (endpoints of the overlap when collinear)."""
    r = (b[0] - a[0], b[1] - a[1])
    s = (d[0] - c[0], d[1] - c[1])
    den = r[0] * s[1] - r[1] * s[0]
    qp = (c[0] - a[0], c[1] - a[1])
    if den == 0:
        if qp[0] * r[1] - qp[1] * r[0] != 0:
            return []  # parallel
        rr = r[0] ** 2 + r[1] ** 2
        t0 = (qp[0] * r[0] + qp[1] * r[1]) / rr
        t1 = t0 + (s[0] * r[0] + s[1] * r[1]) / rr
        lo, hi = max(0.0, min(t0, t1)), min(1.0, max(t0, t1))
        if lo > hi:
            return []
        return [(a[0] + lo * r[0], a[1] + lo * r[1]), (a[0] + hi * r[0], a[1] + hi * r[1])]
    t = (qp[0] * s[1] - qp[1] * s[0]) / den
    u = (qp[0] * r[1] - qp[1] * r[0]) / den
    if 0 <= t <= 1 and 0 <= u <= 1:
        return [(a[0] + t * r[0], a[1] + t * r[1])]
    return []


gcoord = st.integers(0, 20).map(float)
road_lines = st.lists(
    st.tuples(st.sampled_from("ABCD"), st.lists(st.tuples(gcoord, gcoord), min_size=2, max_size=4, unique=True)),
    min_size=0,
    max_size=6,
)


@SETTINGS
@given(roads=road_lines, min_roads=st.integers(2, 3))
# a self-crossing road crossing another twice 2.4 mm apart: one intersection (found by CI on 2026-12-02)
@example(roads=[("A", [(1.0, 4.0), (17.0, 16.0)]), ("B", [(6.0, 4.0), (16.0, 20.0), (20.0, 2.0), (2.0, 19.0)])], min_roads=2)
def test_intersections_match_oracle(roads, min_roads):
    segs = [(name, p, q) for name, pts in roads for p, q in itertools.pairwise(pts)]
    nodes: dict[tuple, set] = {}
    for i in range(len(segs)):
        for j in range(i + 1, len(segs)):
            (n1, a, b), (n2, c, d) = segs[i], segs[j]
            if n1 == n2:
                continue
            for x, y in seg_intersections(a, b, c, d):
                nodes.setdefault((round(x, 6), round(y, 6)), set()).update((n1, n2))
    # points within the tolerance of each other (transitively) are one intersection: brute-force single linkage
    pts = list(nodes)
    cluster = list(range(len(pts)))
    for i in range(len(pts)):
        for j in range(len(pts)):
            if math.dist(pts[i], pts[j]) <= coverage.NODE_TOLERANCE_M:
                old, new = cluster[j], cluster[i]
                cluster = [new if c == old else c for c in cluster]
    groups: dict[int, list[int]] = {}
    for i, c in enumerate(cluster):
        groups.setdefault(c, []).append(i)
    want = [([pts[i] for i in m], tuple(sorted(set().union(*(nodes[pts[i]] for i in m))))) for m in groups.values()]
    want = [w for w in want if len(w[1]) >= min_roads]
    lines = np.array([LineString(pts) for _, pts in roads], dtype=object)
    got = coverage.intersections(lines, [n for n, _ in roads], min_roads)
    assert len(got) == len(want), (got, want)
    for p, names in got:  # each answer is one of the oracle's intersections, with its roads
        (_members, want_names) = next(w for w in want if any(math.dist((p.x, p.y), m) <= 1e-6 for m in w[0]))
        assert names == want_names


def test_intersections_exact_cases():
    lines = np.array([LineString([(0, 0), (10, 0)]), LineString([(5, -5), (5, 5)]), LineString([(10, 0), (20, 0)])], dtype=object)
    got = coverage.intersections(lines, ["A", "B", "A"], 2)
    assert [((p.x, p.y), n) for p, n in got] == [((5.0, 0.0), ("A", "B"))]  # A's own joint at (10, 0) is not an intersection
    assert coverage.intersections(np.array([], dtype=object), [], 2) == []


# --------------------------------------------------------------------------- density


@SETTINGS
@given(zones=rects, facilities=points)
def test_count_in_matches_oracle(zones, facilities):
    polys = np.array([box(*r) for r in zones], dtype=object)
    got = coverage.count_in(polys, _pts(facilities))
    want = [sum(r[0] <= x <= r[2] and r[1] <= y <= r[3] for x, y in facilities) for r in zones]
    assert got.tolist() == want


# --------------------------------------------------------------------------- laws


@SETTINGS
@given(targets=points, facilities=points, extra=st.tuples(coord, coord), distance=st.integers(0, 30))
def test_adding_a_facility_never_removes_coverage(targets, facilities, extra, distance):
    before = coverage.count_within(_pts(targets), _pts(facilities), float(distance), 1)
    after = coverage.count_within(_pts(targets), _pts([*facilities, extra]), float(distance), 1)
    assert np.all(after >= before)


@SETTINGS
@given(line=polyline, facilities=st.lists(st.tuples(fcoord, fcoord), max_size=15), extra=st.tuples(fcoord, fcoord))
def test_adding_a_lamp_never_lengthens_the_gaps(line, facilities, extra):
    geom = LineString(line)
    assume(geom.is_simple)
    _, _, covered_before = coverage.along_gaps({"R": [geom]}, _pts(facilities), 20, 50)
    _, _, covered_after = coverage.along_gaps({"R": [geom]}, _pts([*facilities, extra]), 20, 50)
    assert covered_after >= covered_before - 1e-9


@SETTINGS
@given(targets=points, facilities=points, dx=st.integers(-(10**6), 10**6), dy=st.integers(-(10**6), 10**6), distance=st.integers(0, 30))
def test_shifting_everything_changes_nothing(targets, facilities, dx, dy, distance):
    base = coverage.count_within(_pts(targets), _pts(facilities), float(distance), 2)
    moved = coverage.count_within(
        _pts([(x + dx, y + dy) for x, y in targets]), _pts([(x + dx, y + dy) for x, y in facilities]), float(distance), 2
    )
    assert base.tolist() == moved.tolist()


def test_shapely_is_not_the_oracle():
    # guard: the oracles above must not call shapely predicates (they are the thing under test)
    import inspect

    for fn in (seg_dist, rect_dist, oracle_along, seg_intersections):
        assert "shapely" not in inspect.getsource(fn)
    assert shapely.__version__


@pytest.mark.parametrize("max_cells", [0, coverage.MAX_GRID_CELLS], ids=["kd-tree", "grid"])
@pytest.mark.parametrize("seed", range(12))
def test_exists_within_every_method_matches_distance_matrix(seed, max_cells, monkeypatch):
    """Each query method (grid shortcut, dense grid, k-d tree) against the full distance matrix."""
    monkeypatch.setattr(coverage, "MAX_GRID_CELLS", max_cells)
    rng = np.random.default_rng(seed)
    n_t, n_f = rng.integers(0, 300, 2)
    spread = [10.0, 1000.0, 1e5][seed % 3]
    T = rng.uniform(-spread, spread, (n_t, 2))
    F = rng.uniform(-spread, spread, (n_f, 2)) if seed % 4 else np.repeat(rng.uniform(0, 5, (1, 2)), n_f, axis=0)  # crowded
    for D in (0.0, 0.5, 20.0, 500.0, 1e6):
        got = coverage.exists_within_xy(T, F, D)
        if n_t and n_f:
            dm = np.sqrt(((T[:, None, :] - F[None, :, :]) ** 2).sum(axis=2))
            want = (dm <= D).any(axis=1)
        else:
            want = np.zeros(n_t, dtype=bool)
        assert got.tolist() == want.tolist(), (seed, D)
