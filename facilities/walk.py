"""Walking distance: the city's streets and paths as a graph, shortest paths by ``scipy.sparse.csgraph``.

The network (:func:`build`) is the roads layer without expressways (one-way does not matter on foot):
streets, footways, paths, steps, bridges, and pedestrian areas (``area = true``: their outline, plus a
straight walk from each outline vertex to the area's centre, since a square is walked across). Two lines
are joined where they share a vertex, and where they cross or one ends on the other at grade
(:func:`facilities.coverage.meets`): a bridge over a street, a tunnel under it, or two levels (``layer``)
never join except at a shared vertex.

A place joins the network at the nearest point of the nearest segment (a point) — the joining distance
counts — or, for an area, at that point of its edge and at every network node inside it (at no cost).
Every edge is a straight segment weighed by its length, so a walk is never shorter than the straight
line between its ends: **walking distance ≥ straight-line distance**, and a straight-line gap is always a
walking gap too. A place that no path reaches is infinitely far on foot.

:class:`Walking` implements :class:`facilities.distance.Distance`; the network is built once per loaded
city (:meth:`facilities.city.City.derived`, a new revision is a new City).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import dijkstra

from facilities.coverage import NODE_TOLERANCE_M, meets

#: an area joins every segment up to this much farther from it than its nearest one (metres)
AREA_SLACK_M = 30.0
#: road classes nobody walks along
NOT_WALKED = ("expressway",)
_EPS = 1e-9
#: the length given to a zero-length join (a sparse graph has no edges of length 0)
_ZERO = 1e-9


@dataclass(frozen=True)
class Network:
    """A walking network: node coordinates, the symmetric graph of segment lengths, and the segments."""

    xy: np.ndarray  # (n, 2) node coordinates
    graph: csr_matrix  # n × n, lengths (metres)
    seg_u: np.ndarray  # segment i runs from node seg_u[i] to node seg_v[i]
    seg_v: np.ndarray
    tree: shapely.STRtree  # of the segments, for joining places

    @property
    def n(self) -> int:
        """The number of nodes."""
        return len(self.xy)


def road_levels(roads) -> tuple[np.ndarray, np.ndarray]:
    """(layer, grade-separated) of each road: layer 0 when missing; on a bridge or in a tunnel."""
    n = len(roads)
    layer = np.zeros(n, dtype=np.int64)
    if "layer" in roads:
        layer = pd.to_numeric(roads["layer"], errors="coerce").fillna(0).to_numpy(dtype=np.int64)
    separated = np.zeros(n, dtype=bool)
    for name in ("bridge", "tunnel"):
        if name in roads:
            separated |= roads[name].astype("boolean").fillna(False).to_numpy(dtype=bool)
    return layer, separated


def build(roads) -> Network:
    """The walking network of ``roads`` (a GeoDataFrame in a metric CRS; see the module's docstring)."""
    if "road_class" in roads:
        roads = roads[~roads["road_class"].isin(NOT_WALKED).to_numpy()]
    roads = roads[~(roads.geometry.isna() | roads.geometry.is_empty).to_numpy()]
    layer, separated = road_levels(roads)
    area = roads["area"].astype("boolean").fillna(False).to_numpy(dtype=bool) if "area" in roads else np.zeros(len(roads), bool)
    geoms = roads.geometry.to_numpy()
    if np.all(shapely.get_type_id(geoms) == 1):  # LineStrings only: no parts to take apart
        parts, road_of = geoms, np.arange(len(geoms))
    else:
        parts, road_of = shapely.get_parts(geoms, return_index=True)
    coords, line_of = shapely.get_coordinates(parts, return_index=True)
    same = line_of[1:] == line_of[:-1]
    a, b = coords[:-1][same], coords[1:][same]
    seg_road = road_of[line_of[:-1][same]]
    keep = np.hypot(*(b - a).T) > 0
    # lines of two points are their own segments (an OSM-like network split at every node): no new geometries
    segs = parts[line_of[:-1][same]] if keep.all() and len(a) == len(parts) else None
    a, b, seg_road = a[keep], b[keep], seg_road[keep]
    a, b, tree = _split_at_crossings(a, b, segs, seg_road, layer, separated)
    extra_a, extra_b = _area_spokes(geoms[area])
    if len(extra_a):
        a, b, tree = np.vstack([a, extra_a]), np.vstack([b, extra_b]), None
    return _graph(a, b, tree)


def _nodes(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(node of each a, node of each b, node coordinates): ends within one :data:`NODE_TOLERANCE_M` grid cell are one."""
    ends = np.vstack([a, b]).reshape(-1, 2)
    if len(ends) == 0:
        none = np.empty(0, dtype=np.int64)
        return none, none, np.empty((0, 2))
    cells = np.round(ends / NODE_TOLERANCE_M).astype(np.int64)
    cells -= cells.min(axis=0)
    key = cells[:, 0] * (int(cells[:, 1].max()) + 1) + cells[:, 1]
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return inverse[: len(a)], inverse[len(a) :], ends[first]


def _split_at_crossings(a, b, segs, seg_road, layer, separated):
    """Split segments where they cross or touch another road's segment away from its ends, when the two
    roads meet there (:func:`facilities.coverage.meets`); a shared end is a shared node already.
    Returns the segments' ends and an STRtree of them (None when segments were split)."""
    if len(a) < 2:
        return a, b, None
    if segs is None:
        segs = shapely.linestrings(np.stack([a, b], axis=1))
    tree = shapely.STRtree(segs)
    i, j = tree.query(segs)
    nu, nv, _ = _nodes(a, b)
    keep = (i < j) & (seg_road[i] != seg_road[j])
    i, j = i[keep], j[keep]
    # segments that share an end meet there and nowhere else (unless they overlap, which is ignored)
    shared = (nu[i] == nu[j]) | (nu[i] == nv[j]) | (nv[i] == nu[j]) | (nv[i] == nv[j])
    i, j = i[~shared], j[~shared]
    p, r = a[i], b[i] - a[i]
    q, s = a[j], b[j] - a[j]
    denom = r[:, 0] * s[:, 1] - r[:, 1] * s[:, 0]
    ok = np.abs(denom) > _EPS
    qp = q - p
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(ok, (qp[:, 0] * s[:, 1] - qp[:, 1] * s[:, 0]) / denom, -1)
        u = np.where(ok, (qp[:, 0] * r[:, 1] - qp[:, 1] * r[:, 0]) / denom, -1)
    len_i, len_j = np.hypot(*r.T), np.hypot(*s.T)
    ti, tj = NODE_TOLERANCE_M / len_i, NODE_TOLERANCE_M / len_j
    hit = ok & (t >= -ti) & (t <= 1 + ti) & (u >= -tj) & (u <= 1 + tj)
    end_i = (t <= ti) | (t >= 1 - ti)
    end_j = (u <= tj) | (u >= 1 - tj)
    hit &= ~(end_i & end_j)  # both at an end: the same node (or a corner that is no crossing)
    ri, rj = seg_road[i], seg_road[j]
    hit &= meets(False, layer[ri], separated[ri], layer[rj], separated[rj])
    cuts: dict[int, list[float]] = {}
    for seg, frac, at_end in ((i[hit], t[hit], end_i[hit]), (j[hit], u[hit], end_j[hit])):
        for k, f, e in zip(seg.tolist(), frac.tolist(), at_end.tolist(), strict=True):
            if not e:
                cuts.setdefault(k, []).append(f)
    if not cuts:
        return a, b, tree
    cut = np.zeros(len(a), dtype=bool)
    cut[list(cuts)] = True
    na, nb = [a[~cut]], [b[~cut]]
    for k, fracs in cuts.items():
        f = np.array([0.0, *sorted(fracs), 1.0])
        pts = a[k] + np.outer(f, b[k] - a[k])
        na.append(pts[:-1])
        nb.append(pts[1:])
    return np.vstack(na), np.vstack(nb), None


def _area_spokes(outlines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segments from each outline vertex of a pedestrian area to its centre (when the centre is inside)."""
    starts, ends = [np.empty((0, 2))], [np.empty((0, 2))]
    for line in outlines:
        for part in shapely.get_parts(line):
            ring = shapely.get_coordinates(part)
            if len(ring) < 4:
                continue
            poly = shapely.Polygon(ring)
            centre = shapely.get_coordinates(poly.centroid)
            if not poly.is_valid or not poly.contains(shapely.Point(centre[0])):
                continue
            starts.append(ring[:-1])
            ends.append(np.repeat(centre, len(ring) - 1, axis=0))
    return np.vstack(starts), np.vstack(ends)


def _graph(a: np.ndarray, b: np.ndarray, tree: shapely.STRtree | None) -> Network:
    """The nodes (:func:`_nodes`) and the graph of the segments a→b (``tree``: an STRtree of them, made when None)."""
    u, v, xy = _nodes(a, b)
    length = np.hypot(*(xy[v] - xy[u]).T)
    link = u != v
    graph = _symmetric(np.minimum(u, v)[link], np.maximum(u, v)[link], length[link], len(xy))  # parallel segments: the shortest
    if tree is None:
        tree = shapely.STRtree(shapely.linestrings(np.stack([xy[u], xy[v]], axis=1)))
    return Network(xy, graph, u, v, tree)


# --------------------------------------------------------------------------- joining places


@dataclass(frozen=True)
class Joins:
    """How places join the network.

    ``place[k]`` reaches node ``node[k]`` at cost ``cost[k]``; and along segments: place ``on_place[k]``
    touches segment ``on_seg[k]`` from fraction ``lo[k]`` to ``hi[k]`` of its length, ``off[k]`` away from
    it (two places on one segment walk straight along it).
    """

    place: np.ndarray
    node: np.ndarray
    cost: np.ndarray
    on_place: np.ndarray
    on_seg: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    off: np.ndarray


def join(net: Network, geoms: np.ndarray) -> Joins:
    """Where each geometry joins ``net`` (see the module's docstring): a point at the nearest point of its
    nearest segment; an area at every segment within :data:`AREA_SLACK_M` of its nearest one (each at the
    stretch of that segment nearest to it) and at every node inside it."""
    none = np.empty(0, dtype=np.int64)
    if len(geoms) == 0 or len(net.seg_u) == 0:
        return Joins(none, none, np.empty(0), none, none, np.empty(0), np.empty(0), np.empty(0))
    is_point = shapely.get_type_id(geoms) == 0
    src, seg = net.tree.query_nearest(geoms, all_matches=False)
    keep = is_point[src]
    on_place, on_seg = [src[keep]], [seg[keep]]
    areas = np.flatnonzero(~is_point)
    if len(areas):
        _, dmin = net.tree.query_nearest(geoms[areas], all_matches=False, return_distance=True)
        ai, aj = net.tree.query(geoms[areas], predicate="dwithin", distance=dmin + AREA_SLACK_M)
        on_place.append(areas[ai])
        on_seg.append(aj)
    place, sg = np.concatenate(on_place), np.concatenate(on_seg)
    g, lines = geoms[place], net.tree.geometries[sg]
    off = shapely.distance(g, lines)
    ua, vb = net.xy[net.seg_u[sg]], net.xy[net.seg_v[sg]]
    length = np.hypot(*(vb - ua).T)
    # the stretch of each segment nearest to its place (a point for a point; a line where an area's edge
    # runs beside the segment)
    near = np.empty(len(sg), dtype=object)
    a = ~is_point[place]
    near[a] = shapely.intersection(lines[a], shapely.buffer(g[a], off[a] + 1e-3, quad_segs=4))
    near[a] = np.where(shapely.is_empty(near[a]), shapely.shortest_line(lines[a], g[a]), near[a])
    pt = is_point[place]
    lo, hi = np.zeros(len(sg)), np.zeros(len(sg))
    lo[pt] = hi[pt] = shapely.line_locate_point(lines[pt], g[pt], normalized=True)
    for k in np.flatnonzero(~pt).tolist():
        t = shapely.line_locate_point(lines[k], shapely.points(shapely.get_coordinates(near[k])), normalized=True)
        lo[k], hi[k] = t.min(), t.max()
    places = [place, place]
    nodes = [net.seg_u[sg], net.seg_v[sg]]
    costs = [off + lo * length, off + (1 - hi) * length]
    if len(areas):
        node_tree = shapely.STRtree(shapely.points(net.xy))
        inside_place, inside_node = node_tree.query(geoms[areas], predicate="intersects")
        places.append(areas[inside_place])
        nodes.append(inside_node)
        costs.append(np.zeros(len(inside_node)))
    return Joins(np.concatenate(places), np.concatenate(nodes), np.concatenate(costs), place, sg, lo, hi, off)


# --------------------------------------------------------------------------- the distance backend


def same_segment(net: Network, a: Joins, b: Joins) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of places of ``a`` and ``b`` joined to one segment, and the walk between them straight along it
    (each one's way onto the segment plus the stretch of segment between them): (a's place, b's place, metres)."""
    on = pd.merge(
        pd.DataFrame({"seg": a.on_seg, "t": a.on_place, "tlo": a.lo, "thi": a.hi, "toff": a.off}),
        pd.DataFrame({"seg": b.on_seg, "f": b.on_place, "flo": b.lo, "fhi": b.hi, "foff": b.off}),
        on="seg",
    )
    if not len(on):
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp), np.zeros(0)
    seg = on["seg"].to_numpy()
    length = np.hypot(*(net.xy[net.seg_v[seg]] - net.xy[net.seg_u[seg]]).T)
    apart = np.maximum(0, np.maximum(on["flo"].to_numpy() - on["thi"].to_numpy(), on["tlo"].to_numpy() - on["fhi"].to_numpy()))
    return on["t"].to_numpy(), on["f"].to_numpy(), on["toff"].to_numpy() + on["foff"].to_numpy() + apart * length


@dataclass
class Walking:
    """Walking distance on a :class:`Network` (implements :class:`facilities.distance.Distance`)."""

    net: Network
    name: str = "walk"
    _fields: dict = field(default_factory=dict, repr=False)

    def from_facilities(self, facilities: np.ndarray) -> tuple[np.ndarray, np.ndarray, Joins, np.ndarray]:
        """(distance from every node to the nearest facility, the facility it comes from, the facilities'
        joins, each node's predecessor on its way there); computed once per set of facilities."""
        key = hashlib.blake2b(b"".join(shapely.to_wkb(facilities, output_dimension=2)) if len(facilities) else b"").hexdigest()
        if key not in self._fields:
            fj = join(self.net, facilities)
            n, f = self.net.n, len(facilities)
            if len(fj.node) == 0:
                self._fields = {key: (np.full(n, np.inf), np.full(n, -1), fj, np.full(n, -9999))}
                return self._fields[key]
            # one extra node per facility, joined to the network where the facility joins it
            g = _padded(self.net.graph, n + f) + _symmetric(n + fj.place, fj.node, fj.cost, n + f)
            dist, pred, sources = dijkstra(g, indices=n + np.arange(f), min_only=True, return_predecessors=True)
            self._fields = {key: (dist, np.where(sources >= 0, sources - n, -1), fj, pred)}  # keep the last one only
        return self._fields[key]

    def nearest(self, targets: np.ndarray, facilities: np.ndarray) -> np.ndarray:
        """For each target, the walking distance to the nearest facility (inf when none is reachable)."""
        return self.nearest_with(targets, facilities)[0]

    def nearest_with(self, targets: np.ndarray, facilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(walking distance to the nearest facility, that facility's position) for each target."""
        out, which = np.full(len(targets), np.inf), np.full(len(targets), -1, dtype=np.int64)
        if len(targets) == 0 or len(facilities) == 0:
            return out, which
        return self._nearest(targets, facilities)[:2]

    def _nearest(self, targets: np.ndarray, facilities: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`nearest_with` and the network node each target's walk starts from (-1: a direct walk)."""
        out, which = np.full(len(targets), np.inf), np.full(len(targets), -1, dtype=np.int64)
        start = np.full(len(targets), -1, dtype=np.int64)
        dist, src, fj, _ = self.from_facilities(facilities)
        tj = join(self.net, targets)
        total = tj.cost + dist[tj.node]
        order = np.lexsort((total, tj.place))
        place, total, node = tj.place[order], total[order], tj.node[order]
        first = np.ones(len(place), dtype=bool)
        first[1:] = place[1:] != place[:-1]
        out[place[first]] = total[first]
        which[place[first]] = src[node[first]]
        start[place[first]] = node[first]
        # two places on one segment: straight along it
        t_on, f_on, d = same_segment(self.net, tj, fj)
        if len(d):
            for t, f, dd in zip(t_on.tolist(), f_on.tolist(), d.tolist(), strict=True):
                if dd < out[t]:
                    out[t], which[t], start[t] = dd, f, -1
        # a facility in or on a target area: no walk at all
        touching = shapely.STRtree(facilities).query(targets, predicate="intersects")
        out[touching[0]] = 0.0
        which[touching[0]] = touching[1]
        start[touching[0]] = -1
        return out, which, start

    def routes(self, targets: np.ndarray, facilities: np.ndarray) -> list[shapely.LineString | None]:
        """For each target, its walk to the nearest facility as a line through the network's nodes (a straight
        line when the two share a segment; None when no facility is reachable), for maps."""
        if len(targets) == 0 or len(facilities) == 0:
            return [None] * len(targets)
        d, which, start = self._nearest(targets, facilities)
        pred, n = self.from_facilities(facilities)[3], self.net.n
        out: list[shapely.LineString | None] = []
        for i in range(len(targets)):
            if not np.isfinite(d[i]) or which[i] < 0:
                out.append(None)
                continue
            k = int(start[i])
            pts = self._ends(targets[i]) if k >= 0 else [shapely.get_coordinates(shapely.point_on_surface(targets[i]))[0]]
            while 0 <= k < n:
                pts.append(self.net.xy[k])
                k = int(pred[k])
            pts += (
                self._ends(facilities[which[i]])[::-1]
                if start[i] >= 0
                else [shapely.get_coordinates(shapely.point_on_surface(facilities[which[i]]))[0]]
            )
            out.append(shapely.LineString(pts) if len(pts) >= 2 else None)
        return out

    def _ends(self, place: shapely.Geometry) -> list[np.ndarray]:
        """A place and the point where it joins the network (the start of a drawn walk)."""
        seg = self.net.tree.query_nearest(place, all_matches=False)[0]
        link = shapely.get_coordinates(shapely.shortest_line(place, self.net.tree.geometries[seg]))
        return [link[0], link[1]]

    def service_areas(self, facilities: np.ndarray, distance: float) -> list[shapely.Geometry | None]:
        """For each facility, the network within ``distance`` of it on foot, split between facilities by which
        is nearer (approximately where two join one segment; lines; None when it reaches nothing), for maps."""
        dist, src, fj, _ = self.from_facilities(facilities)
        u, v = self.net.seg_u, self.net.seg_v
        length = np.hypot(*(self.net.xy[v] - self.net.xy[u]).T)
        ru, rv = np.clip(distance - dist[u], 0, length), np.clip(distance - dist[v], 0, length)
        pieces: dict[int, list] = {}
        own = np.zeros(len(u), dtype=bool)
        own[fj.on_seg] = True  # segments a facility joins: drawn from the facility (below)
        for k in np.flatnonzero(((ru > 0) | (rv > 0)) & (length > 0) & ~own).tolist():
            a, b = self.net.xy[u[k]], self.net.xy[v[k]]
            if ru[k] + rv[k] >= length[k]:
                owner = src[u[k]] if dist[u[k]] <= dist[v[k]] else src[v[k]]
                pieces.setdefault(int(owner), []).append((a, b))
                continue
            if ru[k] > 0:
                pieces.setdefault(int(src[u[k]]), []).append((a, a + (b - a) * ru[k] / length[k]))
            if rv[k] > 0:
                pieces.setdefault(int(src[v[k]]), []).append((b - (b - a) * rv[k] / length[k], b))
        # along each facility's own segment, from where it joins (up to halfway to the next one on it)
        on = pd.DataFrame({"f": fj.on_place, "k": fj.on_seg, "lo": fj.lo, "hi": fj.hi, "off": fj.off}).sort_values(["k", "lo"])
        for _, group in on.groupby("k", sort=False):
            k = int(group["k"].iloc[0])
            lo, hi = group["lo"].to_numpy(), group["hi"].to_numpy()
            left = np.concatenate([[0.0], (hi[:-1] + lo[1:]) / 2])
            right = np.concatenate([(hi[:-1] + lo[1:]) / 2, [1.0]])
            a, b = self.net.xy[u[k]], self.net.xy[v[k]]
            for f, lo_f, hi_f, off, l_f, r_f in zip(group["f"], lo, hi, group["off"], left, right, strict=True):
                if off < distance and length[k] > 0:
                    t0 = max(l_f, lo_f - (distance - off) / length[k])
                    t1 = min(r_f, hi_f + (distance - off) / length[k])
                    pieces.setdefault(int(f), []).append((a + (b - a) * t0, a + (b - a) * t1))
        return [shapely.union_all(shapely.linestrings(pieces[f])) if f in pieces else None for f in range(len(facilities))]

    def count_within(self, targets: np.ndarray, facilities: np.ndarray, distance: float, cap: int) -> np.ndarray:
        """For each target, the number of facilities within ``distance`` on foot (≤), capped at ``cap``."""
        if cap <= 1:
            d = self.nearest(targets, facilities)
            return (d <= distance * (1 + 1e-12)).astype(np.int64)
        counts = np.zeros(len(targets), dtype=np.int64)
        for k in range(len(facilities)):  # several needed: one walk per facility (rules with min_count > 1)
            d = self.nearest(targets, facilities[k : k + 1])
            counts += d <= distance * (1 + 1e-12)
        return np.minimum(counts, cap)


def _symmetric(a: np.ndarray, b: np.ndarray, w: np.ndarray, size: int) -> csr_matrix:
    """The size × size matrix with weight w[k] between a[k] and b[k], both ways (the least of repeated pairs)."""
    order = np.lexsort((w, b, a))
    a, b, w = a[order], b[order], w[order]
    first = np.ones(len(a), dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    a, b, w = a[first], b[first], np.maximum(w[first], _ZERO)  # a stored 0 would be no edge at all
    return coo_matrix((np.concatenate([w, w]), (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(size, size)).tocsr()


def _padded(graph: csr_matrix, size: int) -> csr_matrix:
    g = graph.tocoo()
    return coo_matrix((g.data, (g.row, g.col)), shape=(size, size)).tocsr()


def walking(city) -> Walking:
    """The walking distance of ``city`` (its network built once per loaded city)."""
    return city.derived("walk", lambda: Walking(build(city.metric("roads"))))


__all__ = ["NOT_WALKED", "Network", "Walking", "build", "join", "road_levels", "walking"]
