"""Where to build next: sites for new facilities that close a rule's gaps (see docs/siting.md).

- A ``reach`` rule (:func:`suggest_sites`): the ``k`` new facilities that would cover the most uncovered
  targets. Candidate sites are points every ``step_m`` along the walkable roads (:func:`road_candidates`,
  the roads the walking network uses) within the rule's distance of an uncovered target, or sites the
  caller gives. The coverage matrix (:func:`coverage_matrix`: targets × candidates, a candidate covers a
  target within ``distance_m`` by the rule's own measure, straight or on foot) is solved by the greedy
  maximum cover (:func:`greedy`, improved by swaps: :func:`interchange`) or exactly, as a maximal covering
  location problem (:func:`exact`, CBC through PuLP, never worse than the fast answer).
- An ``along`` rule (:func:`along_sites`): positions along each gap stretch where new facilities close it
  with as few as possible.

Nothing here writes: :func:`facilities.planned.planned_feature` turns a site into the properties of a
planned facility for :func:`facilities.store.edit`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import dijkstra

from facilities import coverage, settings
from facilities.check import Result, score, total_score
from facilities.city import City
from facilities.distance import EUCLIDEAN
from facilities.kinds import Context, along
from facilities.planned import next_id, planned_feature
from facilities.rules import Rule
from facilities.walk import NOT_WALKED, Walking, _padded, _symmetric, join, same_segment, walking

__all__ = [
    "METHODS", "STEP_M", "Siting", "along_sites", "candidate_sites", "coverage_matrix", "exact", "greedy", "interchange", "next_id",
    "planned_feature", "road_candidates", "straight_cover", "suggest_sites", "walk_cover",
]  # fmt: skip

#: default spacing of candidate sites along the roads (metres)
STEP_M = 50.0
METHODS = ("greedy", "exact")
#: a site given by the caller takes the name of the walkable road within this distance (metres)
ROAD_SNAP_M = 25.0
#: candidate sites (sources) walked from in one Dijkstra call, to bound memory (rows × network nodes)
_BATCH = 256
_TOL = 1 + 1e-12  # the walking rule's own tolerance on "within distance_m"


@dataclass
class Siting:
    """Suggested sites for a ``reach`` rule.

    Attributes
    ----------
    sites : one row per site, best first (WGS84): ``rank`` (1…), ``gain`` (targets this site newly covers,
        after the ones before it), ``covered`` (their feature ids), ``covered_names`` (their names),
        ``cumulative_covered``, ``points`` (how much the city's total score rises once the sites up to this
        one are built, one decimal), ``road`` (the name of the road the site is on, if any), geometry.
    uncovered_before, uncovered_after : targets short of the rule, now and once every site is built.
    method : ``greedy`` or ``exact``; status : ``greedy``, ``optimal``, ``time limit: greedy kept`` or
        ``time limit: best found``; seconds : the time it took; candidates : candidate sites considered.
    """

    rule: str
    sites: gpd.GeoDataFrame
    uncovered_before: int
    uncovered_after: int
    method: str
    status: str
    seconds: float
    candidates: int = 0


# --------------------------------------------------------------------------- candidates


def walkable(roads: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The roads the walking network is built from (:func:`facilities.walk.build`): no expressways, no empty geometry."""
    if "road_class" in roads:
        roads = roads[~roads["road_class"].isin(NOT_WALKED).to_numpy()]
    return roads[~(roads.geometry.isna() | roads.geometry.is_empty).to_numpy()]


def road_candidates(roads: gpd.GeoDataFrame, step_m: float = STEP_M) -> gpd.GeoDataFrame:
    """Points every ``step_m`` along the walkable ``roads`` (metric CRS), and at each chain's end.

    The segments of one road (same name, :func:`facilities.kinds.base.road_key`) are merged into chains
    first, so the spacing runs along the road, not along each short segment; a point shared by two roads
    is kept once. Columns: ``road`` (the road's name, None for an unnamed one), geometry (same CRS).
    """
    if step_m <= 0:
        raise ValueError(f"step_m should be > 0 m, got {step_m!r}")
    roads = walkable(roads)
    chains, names = [], []
    for key, parts in along.roads_by_key(roads).items():
        for chain in coverage.merge_road(parts):
            chains.append(chain)
            names.append(None if key.startswith("#") else key)
    if not chains:
        return gpd.GeoDataFrame({"road": pd.Series([], dtype=object)}, geometry=gpd.GeoSeries([], crs=roads.crs), crs=roads.crs)
    lines = np.array(chains, dtype=object)
    length = shapely.length(lines)
    count = np.floor(length / step_m + 1e-9).astype(np.int64) + 1
    which = np.repeat(np.arange(len(lines)), count)
    at = (np.arange(len(which)) - np.repeat(np.cumsum(count) - count, count)) * step_m
    ends = np.flatnonzero(length - (count - 1) * step_m > 1e-6)  # the end, when the last step falls short of it
    which, at = np.concatenate([which, ends]), np.concatenate([at, length[ends]])
    order = np.lexsort((at, which))
    which, at = which[order], at[order]
    points = shapely.line_interpolate_point(lines[which], at)
    xy = np.round(shapely.get_coordinates(points) / 0.01).astype(np.int64)
    _, first = np.unique(xy, axis=0, return_index=True)
    keep = np.sort(first)
    out = gpd.GeoDataFrame({"road": np.array(names, dtype=object)[which[keep]]}, geometry=points[keep], crs=roads.crs)
    return out.reset_index(drop=True)


def candidate_sites(
    city: City, targets: np.ndarray, distance_m: float, step_m: float = STEP_M, candidates: gpd.GeoDataFrame | gpd.GeoSeries | None = None
) -> gpd.GeoDataFrame:
    """The candidate sites (metric CRS; ``road``, geometry) for covering ``targets`` (metric geometries).

    Without ``candidates``: :func:`road_candidates` of the city's roads that lie within ``distance_m`` in a
    straight line of at least one target (walking is never shorter, so no site that could cover one on foot
    is left out). With ``candidates`` (points; a GeoDataFrame or GeoSeries, WGS84 when it has no CRS): those,
    in the city's metric CRS, each named after the walkable road within :data:`ROAD_SNAP_M`, if any.
    """
    roads = walkable(city.metric("roads"))
    if candidates is not None:
        given = candidates.geometry if isinstance(candidates, gpd.GeoDataFrame) else candidates
        given = given.set_crs(4326) if given.crs is None else given
        given = given[~(given.isna() | given.is_empty).to_numpy()].to_crs(city.metric_crs)
        bad = sorted(set(given.geom_type) - {"Point"})
        if bad:
            raise ValueError(f"candidate sites should be points, got {', '.join(bad)}")
        pts = given.to_numpy()
        road = np.full(len(pts), None, dtype=object)
        if len(roads) and len(pts):
            tree = shapely.STRtree(roads.geometry.to_numpy())
            pi, ri = tree.query_nearest(pts, max_distance=ROAD_SNAP_M, all_matches=False)
            names = roads["name"].to_numpy(dtype=object) if "name" in roads else np.full(len(roads), None, dtype=object)
            road[pi] = [n if isinstance(n, str) and n else None for n in names[ri]]
        return gpd.GeoDataFrame({"road": road}, geometry=pts, crs=city.metric_crs).reset_index(drop=True)
    sites = road_candidates(roads, step_m)
    if len(targets) == 0 or len(sites) == 0:
        return sites.iloc[:0]
    near = shapely.STRtree(sites.geometry.to_numpy()).query(targets, predicate="dwithin", distance=distance_m)[1]
    return sites.iloc[np.unique(near)].reset_index(drop=True)


# --------------------------------------------------------------------------- the coverage matrix


def _bool_matrix(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> csr_matrix:
    m = coo_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=shape).tocsr()
    m.sum_duplicates()
    return m


def straight_cover(targets: np.ndarray, sites: np.ndarray, distance: float) -> csr_matrix:
    """Targets × sites: site j is within ``distance`` of target i in a straight line (≤; to an area: to its
    edge, 0 inside), as :func:`facilities.coverage.count_within` measures."""
    shape = (len(targets), len(sites))
    if not len(targets) or not len(sites):
        return csr_matrix(shape, dtype=bool)
    tree = shapely.STRtree(sites)
    ti, si = tree.query(targets, predicate="dwithin", distance=distance) if distance > 0 else tree.query(targets, predicate="intersects")
    return _bool_matrix(ti, si, shape)


def walk_cover(walk: Walking, targets: np.ndarray, sites: np.ndarray, distance: float) -> csr_matrix:
    """Targets × sites: site j is within ``distance`` of target i on foot, exactly as
    :meth:`facilities.walk.Walking.nearest` measures a walk from a facility at site j alone.

    Every site gets a node of its own joined to the network where it joins it (sites are points: a walk
    through another site's node is never shorter than the segment it stands on); one Dijkstra per site
    with ``limit = distance``, in batches; then the targets' joins, the straight walk between a target and
    a site on one segment, and a site on or in a target (0 m).
    """
    net, n, c = walk.net, walk.net.n, len(sites)
    shape = (len(targets), c)
    if not len(targets) or not c or not len(net.seg_u):
        return csr_matrix(shape, dtype=bool)
    limit = distance * _TOL
    sj, tj = join(net, sites), join(net, targets)
    graph = _padded(net.graph, n + c) + _symmetric(n + sj.place, sj.node, sj.cost, n + c)
    rows, cols = [], []
    for lo in range(0, c, _BATCH):
        batch = np.arange(lo, min(c, lo + _BATCH))
        dist = dijkstra(graph, indices=n + batch, limit=limit)
        bi, ji = np.nonzero(dist[:, tj.node] + tj.cost <= limit)
        rows.append(tj.place[ji])
        cols.append(batch[bi])
    t_on, s_on, d = same_segment(net, tj, sj)  # two places on one segment: straight along it
    rows.append(t_on[d <= limit])
    cols.append(s_on[d <= limit])
    ti, si = shapely.STRtree(sites).query(targets, predicate="intersects")
    rows.append(ti)
    cols.append(si)
    return _bool_matrix(np.concatenate(rows), np.concatenate(cols), shape)


def coverage_matrix(city: City, rule: Rule, targets: np.ndarray, sites: np.ndarray) -> csr_matrix:
    """Targets × sites (scipy.sparse bool): site j covers target i within the rule's ``distance_m`` by its
    ``metric`` (:func:`straight_cover` or :func:`walk_cover` on the city's walking network)."""
    d = float(rule.params["distance_m"])
    if rule.params.get("metric") == "walk":
        return walk_cover(walking(city), targets, sites, d)
    return straight_cover(targets, sites, d)


# --------------------------------------------------------------------------- the solvers


def _needs(cover: csr_matrix, need: np.ndarray | None) -> np.ndarray:
    return np.ones(cover.shape[0], dtype=np.int64) if need is None else np.asarray(need, dtype=np.int64).copy()


def greedy(cover: Any, k: int, need: np.ndarray | None = None) -> np.ndarray:
    """The greedy maximum cover: the columns (sites) of ``cover`` (targets × sites, sparse bool), best first.

    Each step picks the site covering the most targets still in need (ties: the lowest index), and stops
    after ``k`` sites or when no site adds anything. ``need`` (default 1 each): how many new sites each
    target needs (``min_count`` minus the facilities it has); a site lowers the need of every target it
    covers by one, and no site is picked twice. Vectorised: one sparse product per step.
    """
    cover_t = csr_matrix(cover, dtype=bool).T.tocsr().astype(np.int64)  # sites × targets
    left = _needs(cover_t.T, need)
    free = np.ones(cover_t.shape[0], dtype=bool)
    chosen: list[int] = []
    for _ in range(max(0, int(k))):
        gains = cover_t @ (left > 0).astype(np.int64)
        gains[~free] = -1
        j = int(np.argmax(gains)) if len(gains) else 0
        if not len(gains) or gains[j] <= 0:
            break
        chosen.append(j)
        free[j] = False
        rows = cover_t.indices[cover_t.indptr[j] : cover_t.indptr[j + 1]]
        left[rows] = np.maximum(left[rows] - 1, 0)
    return np.array(chosen, dtype=np.int64)


def interchange(cover: Any, chosen: np.ndarray, need: np.ndarray | None = None, max_rounds: int = 100) -> np.ndarray:
    """Improve a set of sites by swaps (Teitz & Bart's vertex substitution): while replacing one chosen
    site by another covers more targets, make the best such swap. Never covers fewer than ``chosen``;
    returned in greedy order (gains non-increasing). Each target needs one site: with ``need`` above 1 the
    sites are returned as they are. Vectorised: one sparse product per chosen site and round.
    """
    cover = csr_matrix(cover, dtype=bool)
    want = _needs(cover, need)
    chosen = np.asarray(chosen, dtype=np.int64).copy()
    if not len(chosen) or np.any(want > 1):
        return chosen
    active = want > 0
    by_site = cover.T.tocsr().astype(np.int64)  # sites × targets
    for _ in range(max_rounds):
        counts = np.asarray(cover[:, chosen].sum(axis=1)).ravel()
        best_delta, best = 0, None
        for pos, j in enumerate(chosen.tolist()):
            hit = by_site.indices[by_site.indptr[j] : by_site.indptr[j + 1]]
            without = counts.copy()
            without[hit] -= 1
            loss = int(((counts > 0) & (without == 0) & active).sum())  # covered by j alone
            gains = by_site @ ((without == 0) & active).astype(np.int64)  # what each site would cover instead
            gains[chosen] = -1
            jj = int(np.argmax(gains))
            if gains[jj] - loss > best_delta:
                best_delta, best = int(gains[jj] - loss), (pos, jj)
        if best is None:
            break
        chosen[best[0]] = best[1]
    return _in_greedy_order(cover, chosen, want)


def covered_count(cover: Any, chosen: np.ndarray, need: np.ndarray | None = None) -> int:
    """How many targets in need the sites ``chosen`` satisfy (every one of a target's ``need``)."""
    cover = csr_matrix(cover, dtype=bool)
    hits = np.asarray(cover[:, np.asarray(chosen, dtype=np.int64)].sum(axis=1)).ravel()
    want = _needs(cover, need)
    return int(((hits >= want) & (want > 0)).sum())


def _solver(time_limit_s: float, warm: bool) -> Any:
    """CBC: the system's (``COIN_CMD``) when installed, else the one bundled with PuLP (``PULP_CBC_CMD``,
    deprecated by PuLP 3.3 in favour of a separately installed CBC, hence the warning silenced here)."""
    import warnings

    import pulp

    options = {"msg": False, "timeLimit": max(1, math.ceil(time_limit_s)), "warmStart": warm}
    system = pulp.COIN_CMD(**options)
    if system.available():
        return system
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return pulp.PULP_CBC_CMD(**options)


def _cbc(cover: csr_matrix, k: int, time_limit_s: float, start: np.ndarray) -> tuple[np.ndarray, bool]:
    """The maximal covering location problem on ``cover`` (every row needs one column) by CBC, started from
    ``start``: (the columns chosen, whether CBC proved them optimal)."""
    import pulp  # lazily: only the exact model needs it

    m, c = cover.shape
    prob = pulp.LpProblem("mclp", pulp.LpMaximize)
    x = [prob.add_variable(f"x{j}", 0, 1, cat="Binary") for j in range(c)]
    y = [prob.add_variable(f"y{i}", 0, 1) for i in range(m)]
    prob.setObjective(pulp.lpSum(y))
    prob.addConstraint(pulp.lpSum(x) <= k)
    for i in range(m):
        prob.addConstraint(y[i] <= pulp.lpSum(x[j] for j in cover.indices[cover.indptr[i] : cover.indptr[i + 1]].tolist()))
    picked = set(start.tolist())
    for j, var in enumerate(x):
        var.setInitialValue(1 if j in picked else 0)
    prob.solve(_solver(time_limit_s, bool(picked)))
    chosen = np.array([j for j, var in enumerate(x) if (var.value() or 0) > 0.5], dtype=np.int64)
    return chosen, prob.status == pulp.LpStatusOptimal and prob.sol_status == pulp.LpSolutionOptimal


def _in_greedy_order(cover: csr_matrix, chosen: np.ndarray, need: np.ndarray | None) -> np.ndarray:
    """``chosen`` ordered as greedy would pick among them (gains non-increasing), sites adding nothing dropped."""
    if not len(chosen):
        return chosen
    return np.asarray(chosen)[greedy(cover[:, chosen], len(chosen), need)]


def exact(cover: Any, k: int, time_limit_s: float = 30.0, need: np.ndarray | None = None) -> tuple[np.ndarray, str]:
    """The maximal covering location problem: the ≤ ``k`` sites (columns of ``cover``, targets × sites)
    covering the most targets, by CBC (PuLP, bundled) within ``time_limit_s``, started from the fast answer
    (greedy improved by swaps).

    Returns the sites (in greedy order: gains non-increasing) and a status: ``optimal``; or, when CBC stops
    at the time limit, ``time limit: greedy kept`` (its best is no better than the fast answer's) or
    ``time limit: best found``. Never worse than :func:`greedy` nor :func:`interchange`. Each target needs one site: ``need`` above
    1 (a rule with ``min_count`` > 1 and a target short of several) is refused (use :func:`greedy`).
    """
    cover = csr_matrix(cover, dtype=bool)
    want = _needs(cover, need)
    if np.any(want > 1):
        raise ValueError(
            f"the exact model covers each target once; {int((want > 1).sum())} targets need more than one new site "
            "(min_count > 1): use the greedy method"
        )
    start = interchange(cover, greedy(cover, k, want), want)  # what the fast method answers
    rows = np.flatnonzero((want > 0) & (np.diff(cover.indptr) > 0))
    cols = np.flatnonzero(np.asarray(cover[rows].sum(axis=0)).ravel() > 0)
    if not len(rows) or k <= 0:
        return start, "optimal"
    sub = cover[rows][:, cols].tocsr()
    col_of = {int(c): i for i, c in enumerate(cols.tolist())}
    found, optimal = _cbc(sub, int(k), time_limit_s, np.array([col_of[int(j)] for j in start], dtype=np.int64))
    found = cols[found]
    if optimal:
        return _in_greedy_order(cover, found, want), "optimal"
    if covered_count(cover, found, want) <= covered_count(cover, start, want):
        return start, "time limit: greedy kept"
    return _in_greedy_order(cover, found, want), "time limit: best found"


# --------------------------------------------------------------------------- reach rules


def _context(city: City, rule: Rule, result: Result) -> Context:
    return Context(city, rule, result.as_of or settings.check_date(None), EUCLIDEAN)


def _points(result: Result, rule: Rule, checked: int, compliant: int) -> float:
    """How much the total of ``result`` rises when ``rule`` has ``compliant`` of ``checked`` (as
    :func:`facilities.check.check` scores and totals it, one decimal)."""
    s = result.summary
    row = s["rule"] == rule.id
    if not row.any():
        raise ValueError(f"rule {rule.id} is not in the check result (its rules: {', '.join(s['rule'])})")
    points = s["points"].astype(float).copy()
    points[row.to_numpy()] = round(score(rule.weight, rule.min_share, checked, compliant)[2], 2) + 0.0
    return round(total_score(points, s["weight"], result.max_points) - result.total, 1) + 0.0


def suggest_sites(
    city: City,
    rule: Rule,
    result: Result,
    k: int = 5,
    method: str = "greedy",
    step_m: float = STEP_M,
    candidates: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    time_limit_s: float = 30.0,
) -> Siting:
    """The ``k`` sites for new facilities of a ``reach`` rule that would cover the most uncovered targets.

    Parameters
    ----------
    result : a check of the rule's rule set on ``city`` (its date, and the score the points are counted from).
    method : ``greedy`` (:func:`greedy`) or ``exact`` (:func:`exact`, ``min_count`` = 1 only).
    step_m, candidates : the candidate sites (:func:`candidate_sites`).
    time_limit_s : the exact model's time limit.

    Uncovered targets are those the rule finds short (fewer than ``min_count`` qualifying facilities within
    ``distance_m`` by its metric); one short of several needs that many new sites.
    """
    t0 = time.perf_counter()
    if rule.kind != "reach":
        raise ValueError(f"rule {rule.id} is a {rule.kind} rule; sites are suggested for reach rules (along rules: along_sites)")
    if method not in METHODS:
        raise ValueError(f"method should be one of {', '.join(METHODS)}, got {method!r}")
    ctx = _context(city, rule, result)
    p = rule.params
    targets, fac = ctx.select("target"), ctx.select("facility")
    tg = targets.geometry.to_numpy()
    counts = ctx.measure(p["metric"]).count_within(tg, fac.geometry.to_numpy(), p["distance_m"], p["min_count"])
    short = np.flatnonzero(counts < p["min_count"])
    need = (p["min_count"] - counts[short]).astype(np.int64)
    if method == "exact" and np.any(need > 1):
        raise ValueError(f"rule {rule.id}: the exact model needs min_count = 1 (it has {p['min_count']}); use the greedy method")
    sites = candidate_sites(city, tg[short], p["distance_m"], step_m, candidates)
    cover = coverage_matrix(city, rule, tg[short], sites.geometry.to_numpy())
    if method == "exact":
        chosen, status = exact(cover, k, time_limit_s, need)
    else:  # greedy, then improved by swaps (within a fraction of a second; exact is on request)
        start = greedy(cover, k, need)
        chosen = interchange(cover, start, need)
        better = covered_count(cover, chosen, need) > covered_count(cover, start, need)
        status = "greedy + swaps" if better else "greedy"
    ids, names = targets["id"].to_numpy(dtype=object)[short], targets["name"].to_numpy(dtype=object)[short]
    by_site = cover.tocsc()
    left, total_covered, rows = need.copy(), 0, []
    for rank, j in enumerate(chosen.tolist(), 1):
        hit = by_site.indices[by_site.indptr[j] : by_site.indptr[j + 1]]
        hit = hit[left[hit] > 0]
        left[hit] -= 1
        done = np.sort(hit[left[hit] == 0])
        total_covered += len(done)
        rows.append({
            "rank": rank, "gain": len(done), "covered": [str(i) for i in ids[done]],
            "covered_names": [n if isinstance(n, str) else "" for n in names[done]], "cumulative_covered": total_covered,
            "points": _points(result, rule, len(targets), len(targets) - len(short) + total_covered), "road": sites["road"].iloc[j],
        })  # fmt: skip
    columns = ["rank", "gain", "covered", "covered_names", "cumulative_covered", "points", "road"]
    where = gpd.GeoSeries(sites.geometry.to_numpy()[chosen], crs=city.metric_crs)
    frame = gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), geometry=where, crs=city.metric_crs).to_crs(4326)
    return Siting(rule.id, frame, len(short), len(short) - total_covered, method, status, round(time.perf_counter() - t0, 3), len(sites))


# --------------------------------------------------------------------------- along rules


def sites_needed(length: float, max_gap: float) -> int:
    """New facilities that close a stretch of ``length`` between two marks (facilities or counted road ends)
    with no piece longer than ``max_gap``: n = ⌈L / g⌉ − 1 (0 when L ≤ g), one more when the even pieces
    L / (n + 1) come within a micrometre of g (so rounding cannot leave the stretch open)."""
    if length <= max_gap:
        return 0
    n = math.ceil(length / max_gap) - 1
    return n + 1 if length / (n + 1) > max_gap - 1e-6 else n


def along_sites(city: City, rule: Rule, result: Result) -> gpd.GeoDataFrame:
    """For an ``along`` rule: where new facilities would close each of its gap stretches (WGS84 points).

    The rule marks each facility within ``snap_m`` of a road at its position along the road, and a gap is a
    stretch longer than ``max_gap_m`` (g) between two marks (with ``include_ends``, a chain's ends are marks
    too). A new facility on the road splits a stretch, so a stretch of length L needs
    :func:`sites_needed` n = ⌈L / g⌉ − 1, evenly placed at L·i/(n + 1): every piece is L/(n + 1) ≤ g, and
    n − 1 facilities anywhere leave a piece ≥ L/n > g. A chain with no facility at all and
    ``include_ends = false`` has no marks once one is added: one site, at its middle, closes it.

    Columns: ``gap_id``, ``rank`` (1… along the stretch), ``needed`` (n of its gap), ``at_m`` (metres from
    the stretch's start), ``road``, geometry.
    """
    if rule.kind != "along":
        raise ValueError(f"rule {rule.id} is a {rule.kind} rule; along_sites is for along rules (reach rules: suggest_sites)")
    ctx = _context(city, rule, result)
    p = rule.params
    roads, fac = ctx.select("roads"), ctx.select("facility")
    by_key = along.roads_by_key(roads)
    stretches, _, _ = coverage.along_gaps(by_key, fac.geometry.to_numpy(), p["snap_m"], p["max_gap_m"], p["include_ends"])
    gaps = along.evaluate(ctx).gaps  # the same stretches, in the same order, with their ids
    fac_tree = shapely.STRtree(fac.geometry.to_numpy()) if len(fac) else None
    rows = []
    for s, g in zip(stretches, gaps, strict=True):
        chain = coverage.merge_road(by_key[s.road])[s.part]
        bare = fac_tree is None or not len(fac_tree.query(chain, predicate="dwithin", distance=p["snap_m"]))
        if bare and not p["include_ends"]:
            n, at = 1, [s.length / 2]
        else:
            n = sites_needed(s.length, p["max_gap_m"])
            at = [s.length * i / (n + 1) for i in range(1, n + 1)]
        name = None if s.road.startswith("#") else s.road
        points = shapely.line_interpolate_point(s.geometry, np.array(at))
        for r, (a, pt) in enumerate(zip(at, points, strict=True), 1):
            rows.append({"gap_id": g["gap_id"], "rank": r, "needed": n, "at_m": a, "road": name, "geometry": pt})
    frame = pd.DataFrame(rows, columns=["gap_id", "rank", "needed", "at_m", "road", "geometry"])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=city.metric_crs).to_crs(4326)
