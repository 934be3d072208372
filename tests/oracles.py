"""Independent answers to the demo city's questions, shared by the tests (never computed by ``facilities``'
own kernels): which scenic spots lack a graded toilet within 500 m, in a straight line (brute force) and on
foot (networkx on a graph built here).

The walking oracle nodes the demo's roads with GEOS (``shapely.node``: every crossing becomes a vertex,
expressways left out — none of the demo's bridges passes over a street between its ends, so noding them all
is noding at grade), makes a networkx graph of the noded segments, joins each place to the segment nearest
to it (brute force over all segments) at its nearest point, and runs networkx's multi-source Dijkstra from
the toilets; a spot on a toilet's segment walks straight along it. A scenic area (a polygon) also joins
every node inside it at no cost.
"""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import shapely

from facilities.store import folder
from tests.helpers import DEMO

GRADED = ("A", "AA", "AAA")
IN_USE = ("existing", "new", "renovated")


def spots_and_toilets(city):
    """(scenic spots in use, graded toilets in use) of ``city``, in its metric CRS."""
    att = city.metric("attractions")
    att = att[~att["status"].isin(["planned", "closed"])]
    toilets = city.metric("toilets")
    good = toilets[toilets["grade"].isin(GRADED) & toilets["status"].isin(IN_USE)]
    return att, good


def straight_gaps(distance: float = 500.0) -> set[str]:
    """Scenic spots in use with no graded toilet in use within ``distance`` in a straight line (brute force)."""
    att, good = spots_and_toilets(folder.load(DEMO))
    return {a["id"] for _, a in att.iterrows() if min(a.geometry.distance(t) for t in good.geometry) > distance}


def walking_distances() -> dict[str, float]:
    """Scenic spot id -> walking distance to the nearest graded toilet in use (see the module's docstring)."""
    city = folder.load(DEMO)
    att, good = spots_and_toilets(city)
    roads = city.metric("roads")
    roads = roads[roads["road_class"] != "expressway"]
    noded = shapely.node(shapely.MultiLineString([g for geom in roads.geometry for g in getattr(geom, "geoms", [geom])]))
    g = nx.Graph()
    segments = []
    for line in noded.geoms:
        c = [tuple(xy) for xy in shapely.get_coordinates(line).tolist()]
        for p, q in itertools.pairwise(c):
            if p != q:
                g.add_edge(p, q, weight=math.dist(p, q))
                segments.append((p, q))
    lines = shapely.linestrings(np.array(segments))
    nodes = list(g.nodes)
    node_points = shapely.points(np.array(nodes))

    def joins(geom) -> tuple[int, float, dict]:
        """(the nearest segment, how far along it the place is, node -> cost of reaching it from the place)."""
        k = int(np.argmin(shapely.distance(lines, geom)))
        link = shapely.get_coordinates(shapely.shortest_line(geom, lines[k]))
        cost = {end: math.dist(link[0], link[1]) + math.dist(link[1], end) for end in segments[k]}
        if geom.geom_type != "Point":  # an area: the nodes inside it, at no cost
            cost.update({nodes[i]: 0.0 for i in np.flatnonzero(shapely.intersects(geom, node_points)).tolist()})
        return k, math.dist(segments[k][0], link[1]), cost

    toilets = []
    for i, t in enumerate(good.geometry):
        k, along, cost = joins(t)
        toilets.append((k, along, cost[segments[k][0]] - along))  # (segment, along, joining distance)
        for end, w in cost.items():
            g.add_edge(("toilet", i), end, weight=w)
    dist = nx.multi_source_dijkstra_path_length(g, {("toilet", i) for i in range(len(good))}, weight="weight")
    out = {}
    for a, geom in zip(att["id"], att.geometry, strict=True):  # joined after the walks, so never a shortcut
        k, along, cost = joins(geom)
        d = min(w + dist.get(end, math.inf) for end, w in cost.items())
        if geom.geom_type == "Point":  # a toilet on the same segment: straight along it
            off = cost[segments[k][0]] - along
            d = min([d] + [off + t_off + abs(along - t_along) for t_k, t_along, t_off in toilets if t_k == k])
        out[a] = 0.0 if any(geom.intersects(t) for t in good.geometry) else d
    return out


def walking_gaps(distance: float = 500.0) -> set[str]:
    """Scenic spots in use with no graded toilet in use within ``distance`` on foot (networkx)."""
    return {a for a, d in walking_distances().items() if d > distance}
