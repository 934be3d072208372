"""Benchmark: walking reach on a street network. Ours against networkx and against straight-line reach.

    .venv/bin/python -m bench.walk                # about 100,000 nodes, 2,000 scenic spots, 400 toilets, D = 500 m
    .venv/bin/python -m bench.walk --side 100     # smaller

A synthetic street network: a square grid of ``side`` × ``side`` nodes 60 m apart, jittered, with one street
block in ten missing (so that walks detour), drawn as one 2-point line per block (what an OSM import gives).
Scenic spots and toilets stand at random nodes, so that every method joins them to the network the same way
and the answers can be compared exactly. It times

- **ours**: :func:`facilities.walk.build` from the roads frame, then :meth:`facilities.walk.Walking.count_within`
  and the nearest distance of the spots that fall short (what a ``reach`` rule with ``metric = "walk"`` runs);
- **networkx**: the graph a user builds from the same lines (a node per coordinate, an edge per pair of
  consecutive vertices, ``add_weighted_edges_from``), then
  ``multi_source_dijkstra_path_length`` from the toilets with ``cutoff = D`` (and without, for the nearest);
- **straight line**: :func:`facilities.coverage.count_within` and :func:`facilities.coverage.nearest_distance`
  (what the rule measured before it could walk),

checks that ours and networkx give the same reach and the same nearest distances, that walking never finds
a spot in reach that the straight line does not, and prints a table with ratios to ours.
"""

from __future__ import annotations

import argparse
import itertools
import math
import time

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely

from facilities import coverage, walk

STEP_M = 60.0


def network(side: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(node coordinates, segment start node, segment end node) of a jittered grid with a tenth of its blocks missing."""
    i, j = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    xy = np.column_stack([i.ravel(), j.ravel()]) * STEP_M + rng.uniform(-15, 15, (side * side, 2))
    ids = np.arange(side * side).reshape(side, side)
    u = np.concatenate([ids[:-1, :].ravel(), ids[:, :-1].ravel()])
    v = np.concatenate([ids[1:, :].ravel(), ids[:, 1:].ravel()])
    keep = rng.uniform(size=len(u)) >= 0.1
    return xy, u[keep], v[keep]


def timed(fn):
    """(fn(), seconds it took)."""
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    """Build, time, compare, print the table; exit 1 when the methods disagree."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--side", type=int, default=317, help="grid nodes per side (317: about 100,000 nodes)")
    ap.add_argument("--spots", type=int, default=2000)
    ap.add_argument("--toilets", type=int, default=400)
    ap.add_argument("--distance", type=float, default=500.0)
    ap.add_argument("--seed", type=int, default=20261203)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    xy, u, v = network(args.side, rng)
    lines = shapely.linestrings(np.stack([xy[u], xy[v]], axis=1))
    roads = gpd.GeoDataFrame({"road_class": np.full(len(lines), "branch")}, geometry=lines, crs=32650)
    spot_nodes = rng.choice(len(xy), args.spots, replace=False)
    toilet_nodes = rng.choice(len(xy), args.toilets, replace=False)
    spots, toilets = shapely.points(xy[spot_nodes]), shapely.points(xy[toilet_nodes])
    D = args.distance
    print(f"network: {len(xy):,} nodes, {len(u):,} segments; {args.spots:,} scenic spots, {args.toilets:,} toilets, D = {D:g} m")

    def ours_query(w: walk.Walking):
        counts = w.count_within(spots, toilets, D, 1)
        bad = np.flatnonzero(counts < 1)
        return counts >= 1, w.nearest(spots[bad], toilets), bad

    w, ours_build = timed(lambda: walk.Walking(walk.build(roads)))
    (ours_in, ours_near, ours_bad), ours_q = timed(lambda: ours_query(w))

    def nx_build():  # what a user writes: a node per coordinate, an edge per pair of consecutive vertices
        g = nx.Graph()
        for line in roads.geometry:
            c = list(line.coords)
            g.add_weighted_edges_from((p, q, math.dist(p, q)) for p, q in itertools.pairwise(c))
        return g

    g, nx_b = timed(nx_build)

    def nx_query():
        node = {i: (x, y) for i, (x, y) in enumerate(xy.tolist())}
        sources = {node[i] for i in toilet_nodes.tolist()}
        near = nx.multi_source_dijkstra_path_length(g, sources, cutoff=D)
        inside = np.array([node[n] in near for n in spot_nodes.tolist()])
        bad = np.flatnonzero(~inside)
        full = nx.multi_source_dijkstra_path_length(g, sources)
        return inside, np.array([full.get(node[n], np.inf) for n in spot_nodes[bad].tolist()]), bad

    (nx_in, nx_near, nx_bad), nx_q = timed(nx_query)

    def straight():
        inside = coverage.count_within(spots, toilets, D, 1) >= 1
        return inside, coverage.nearest_distance(spots[~inside], toilets)

    (st_in, _), st_q = timed(straight)

    same = bool(
        np.array_equal(ours_in, nx_in) and np.array_equal(ours_bad, nx_bad) and np.allclose(ours_near, nx_near, rtol=1e-9, atol=1e-6)
    )
    law = bool(np.all(~ours_in | st_in))
    total = ours_build + ours_q
    rows = [
        ("ours (scipy.sparse.csgraph)", ours_build, ours_q),
        ("networkx multi_source_dijkstra", nx_b, nx_q),
        ("straight line (coverage.count_within)", 0.0, st_q),
    ]
    print("\n| method | build s | query s | total s | × ours |\n| --- | ---: | ---: | ---: | ---: |")
    for name, b, q in rows:
        print(f"| {name} | {b:.3f} | {q:.3f} | {b + q:.3f} | {(b + q) / total:.2f} |")
    print(f"\nspots in reach: on foot {int(ours_in.sum()):,}, straight line {int(st_in.sum()):,}")
    print(f"ours = networkx (reach and nearest distance): {same}; every spot in reach on foot is in reach in a straight line: {law}")
    return 0 if same and law else 1


if __name__ == "__main__":
    raise SystemExit(main())
