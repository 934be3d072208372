"""The spatial kernels of the coverage rules, on geometries in a metric CRS (metres).

Each function takes plain shapely geometry arrays and returns plain arrays, so that tests can compare
it with a brute-force oracle. Query methods are picked by data: a k-d tree (scipy) when both sides are
points, a shapely STRtree otherwise.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely import LineString, MultiLineString, Point
from shapely.ops import linemerge, substring

#: positions closer than this (metres) are the same intersection
NODE_TOLERANCE_M = 0.01
#: largest dense grid (cells) the point-in-reach search builds before falling back to a k-d tree
MAX_GRID_CELLS = 64_000_000


def _all_points(geoms: np.ndarray) -> bool:
    return len(geoms) > 0 and bool(np.all(shapely.get_type_id(geoms) == 0))


def _xy(geoms: np.ndarray) -> np.ndarray:
    """(n, 2) coordinates of an array of points."""
    return shapely.get_coordinates(geoms)


def exists_within_xy(T: np.ndarray, F: np.ndarray, D: float) -> np.ndarray:
    """For each target (row of ``T``), whether any facility (row of ``F``) lies within ``D`` (≤).

    Picks the method by ``D`` and density: (A) a target sharing a grid cell of side D/√2 with a facility is
    covered at once (this settles nearly every target when D is large); (B) the rest are compared with the
    facilities in the 3×3 cells of side D around them, on a dense cell index, or (C) through a k-d tree when
    the grid would be too large or too crowded.
    """
    n = len(T)
    out = np.zeros(n, dtype=bool)
    if n == 0 or len(F) == 0:
        return out
    tx, ty = np.ascontiguousarray(T[:, 0]), np.ascontiguousarray(T[:, 1])
    fx, fy = np.ascontiguousarray(F[:, 0]), np.ascontiguousarray(F[:, 1])
    x0, y0 = min(tx.min(), fx.min()), min(ty.min(), fy.min())
    x1, y1 = max(tx.max(), fx.max()), max(ty.max(), fy.max())

    def cell_keys(x: np.ndarray, y: np.ndarray, side: float, ny: int, margin: int) -> np.ndarray:
        i = np.floor((x - x0) / side).astype(np.int64) + margin
        j = np.floor((y - y0) / side).astype(np.int64) + margin
        return i * ny + j

    if D > 0:
        c = D / np.sqrt(2) * (1 - 1e-12)
        nx, ny = int((x1 - x0) // c) + 1, int((y1 - y0) // c) + 1
        if nx * ny <= MAX_GRID_CELLS:
            occupied = np.zeros(nx * ny, dtype=bool)
            occupied[cell_keys(fx, fy, c, ny, 0)] = True
            out = occupied[cell_keys(tx, ty, c, ny, 0)]
    rest = np.flatnonzero(~out)
    if len(rest) == 0:
        return out
    side = D if D > 0 else 1.0
    nx, ny = int((x1 - x0) // side) + 3, int((y1 - y0) // side) + 3  # one empty cell of margin on each side
    if nx * ny > MAX_GRID_CELLS or len(F) / (nx * ny) > 8:
        d, _ = cKDTree(F).query(T[rest], k=1, distance_upper_bound=D * (1 + 1e-9) + 1e-9, workers=-1)
        out[rest] = d <= D
        return out
    fkey = cell_keys(fx, fy, side, ny, 1).astype(np.int32)
    order = np.argsort(fkey, kind="stable")
    sfx, sfy = fx[order], fy[order]
    counts = np.bincount(fkey, minlength=nx * ny)
    starts = np.cumsum(counts) - counts
    rx, ry = tx[rest], ty[rest]
    tkey = cell_keys(rx, ry, side, ny, 1)
    hit = np.zeros(len(rest), dtype=bool)
    for dx, dy in ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1)):
        key = tkey + (dx * ny + dy)
        cnt = counts[key]
        ti = np.flatnonzero((cnt > 0) & ~hit)
        if len(ti) == 0:
            continue
        key, cnt = key[ti], cnt[ti]
        rep_t = np.repeat(ti, cnt)
        fi = np.repeat(starts[key] - (np.cumsum(cnt) - cnt), cnt) + np.arange(int(cnt.sum()))
        ok = np.sqrt((rx[rep_t] - sfx[fi]) ** 2 + (ry[rep_t] - sfy[fi]) ** 2) <= D
        hit[rep_t[ok]] = True
    out[rest] = hit
    return out


def count_within(targets: np.ndarray, facilities: np.ndarray, distance: float, cap: int) -> np.ndarray:
    """For each target, the number of facilities within ``distance`` (≤, edge of a polygon, 0 inside), capped at ``cap``."""
    n = len(targets)
    if n == 0 or len(facilities) == 0:
        return np.zeros(n, dtype=np.int64)
    if _all_points(targets) and _all_points(facilities):
        if cap == 1:
            return exists_within_xy(_xy(targets), _xy(facilities), distance).astype(np.int64)
        tree = cKDTree(_xy(facilities))
        # scipy's bound is exclusive (and compared squared): widen it, then apply ≤ exactly
        dist, _ = tree.query(_xy(targets), k=cap, distance_upper_bound=distance * (1 + 1e-9) + 1e-9)
        dist = dist.reshape(n, cap)
        return (dist <= distance).sum(axis=1)
    tree = shapely.STRtree(facilities)
    if cap == 1 and distance > 0:
        idx = tree.query_nearest(targets, max_distance=distance, all_matches=False)
        counts = np.zeros(n, dtype=np.int64)
        counts[np.unique(idx[0])] = 1
        return counts
    pairs = tree.query(targets, predicate="dwithin", distance=distance) if distance > 0 else tree.query(targets, predicate="intersects")
    counts = np.bincount(pairs[0], minlength=n)
    return np.minimum(counts, cap)


def nearest_distance(targets: np.ndarray, facilities: np.ndarray) -> np.ndarray:
    """For each target, the distance to the nearest facility (inf when there is none)."""
    n = len(targets)
    if n == 0:
        return np.zeros(0)
    if len(facilities) == 0:
        return np.full(n, np.inf)
    if _all_points(targets) and _all_points(facilities):
        dist, _ = cKDTree(_xy(facilities)).query(_xy(targets), k=1)
        return np.asarray(dist, dtype=float)
    tree = shapely.STRtree(facilities)
    (ti, _fi), dist = tree.query_nearest(targets, return_distance=True, all_matches=False)
    out = np.full(n, np.inf)
    out[ti] = dist
    return out


# --------------------------------------------------------------------------- along


@dataclass(frozen=True)
class Stretch:
    """A stretch of a road with no facility: ``part`` index of the merged road, from/to positions (m)."""

    road: str
    part: int
    start: float
    end: float
    geometry: LineString

    @property
    def length(self) -> float:
        """The stretch's length along the road (m)."""
        return self.end - self.start


def merge_road(lines: list[LineString]) -> list[LineString]:
    """Merge the segments of one road where they connect; return the connected chains."""
    merged = linemerge(MultiLineString(lines)) if len(lines) > 1 else lines[0]
    if isinstance(merged, LineString):
        return [merged]
    return list(merged.geoms)


def along_gaps(
    roads: dict[str, list[LineString]],
    facilities: np.ndarray,
    snap: float,
    max_gap: float,
    include_ends: bool = True,
) -> tuple[list[Stretch], float, float]:
    """Stretches longer than ``max_gap`` with no facility within ``snap`` of the road.

    Parameters
    ----------
    roads : road key (e.g. name) -> its segments; connected segments are merged into chains.
    facilities : points (metric CRS).
    include_ends : when True the stretches from a chain's ends to its first/last facility count too.
        A chain with no facility at all is one stretch (its whole length) either way.

    Returns
    -------
    gaps, total length, covered length (total minus the gaps' length).
    """
    keys = sorted(roads)
    chains: list[tuple[str, int, LineString]] = []
    for key in keys:
        for i, chain in enumerate(merge_road(roads[key])):
            chains.append((key, i, chain))
    total = float(sum(c.length for _, _, c in chains))
    if not chains:
        return [], 0.0, 0.0
    chain_geoms = np.array([c for _, _, c in chains], dtype=object)
    positions: dict[int, list[float]] = defaultdict(list)
    if len(facilities):
        tree = shapely.STRtree(facilities)
        ci, fi = tree.query(chain_geoms, predicate="dwithin", distance=snap)
        if len(ci):
            proj = shapely.line_locate_point(chain_geoms[ci], facilities[fi])
            for c, p in zip(ci.tolist(), proj.tolist(), strict=True):
                positions[c].append(p)
    gaps: list[Stretch] = []
    gap_length = 0.0
    for c, (key, part, chain) in enumerate(chains):
        length = chain.length
        pos = sorted(positions.get(c, []))
        if not pos:
            marks = [0.0, length]
        elif include_ends:
            marks = [0.0, *pos, length]
        else:
            marks = pos
        for a, b in itertools.pairwise(marks):
            # "longer than max_gap", a tie decided with the tolerance the distance queries use: a stretch of
            # exactly max_gap, measured along a road given the other way round (224.766 - 219.766 =
            # 5.000000000000028), is not a gap
            if b - a > max_gap * (1 + 1e-9) + 1e-9:
                gaps.append(Stretch(key, part, a, b, substring(chain, a, b)))
                gap_length += b - a
    return gaps, total, total - gap_length


# --------------------------------------------------------------------------- intersections


def meets(shared_vertex, layer_a, separated_a, layer_b, separated_b):
    """Whether two roads that touch or cross at a point meet there (an at-grade intersection), elementwise.

    They meet where the point is a vertex of both (a shared node: a bridge joins its approach roads at its
    ends), or where both are at grade (neither on a bridge nor in a tunnel) on the same level (``layer``).
    A bridge over a street, a tunnel under it, and roads on different levels cross without meeting.
    """
    return np.asarray(shared_vertex) | ((np.asarray(layer_a) == np.asarray(layer_b)) & ~np.asarray(separated_a) & ~np.asarray(separated_b))


def intersections(
    lines: np.ndarray, keys: list[str], min_roads: int = 2, layers: np.ndarray | None = None, separated: np.ndarray | None = None
) -> list[tuple[Point, tuple[str, ...]]]:
    """Points where at least ``min_roads`` distinct roads (by key, e.g. name) meet or cross.

    Where two roads overlap along a stretch, the ends of the shared stretch count as meeting points.
    Points within :data:`NODE_TOLERANCE_M` of each other (transitively) are one intersection. With
    ``layers`` (each line's level) and ``separated`` (on a bridge or in a tunnel), only the points where the
    two lines meet (:func:`meets`) count.
    """
    if len(lines) < 2:
        return []
    tree = shapely.STRtree(lines)
    a, b = tree.query(lines, predicate="intersects")
    keep = (a < b) & (np.asarray(keys, dtype=object)[a] != np.asarray(keys, dtype=object)[b])
    a, b = a[keep], b[keep]
    if len(a) == 0:
        return []
    inter = shapely.intersection(lines[a], lines[b])
    xy: list[tuple[float, float]] = []
    names_of: list[tuple[str, str]] = []
    for ia, ib, geom in zip(a.tolist(), b.tolist(), inter, strict=True):
        points = _meeting_points(geom)
        if (
            layers is not None
            and separated is not None
            and points
            and not meets(False, layers[ia], separated[ia], layers[ib], separated[ib])
        ):
            points = [pt for pt in points if _is_vertex(lines[ia], pt) and _is_vertex(lines[ib], pt)]
        for x, y in points:
            xy.append((x, y))
            names_of.append((keys[ia], keys[ib]))
    if not xy:
        return []
    # points within NODE_TOLERANCE_M of each other (transitively) are one intersection: union-find over close pairs
    parent = list(range(len(xy)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in sorted(cKDTree(np.asarray(xy)).query_pairs(NODE_TOLERANCE_M)):
        ri, rj = root(i), root(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)  # the first point found stands for its cluster
    nodes: dict[int, set[str]] = defaultdict(set)
    for i, pair in enumerate(names_of):
        nodes[root(i)].update(pair)
    out = []
    for r in sorted(nodes, key=lambda r: (round(xy[r][0] / NODE_TOLERANCE_M), round(xy[r][1] / NODE_TOLERANCE_M))):
        names = tuple(sorted(nodes[r]))
        if len(names) >= min_roads:
            out.append((Point(xy[r]), names))
    return out


def _is_vertex(line: shapely.Geometry, point: tuple[float, float]) -> bool:
    """Whether ``point`` is a vertex of ``line`` (within :data:`NODE_TOLERANCE_M`)."""
    c = shapely.get_coordinates(line)
    return bool(np.min(np.hypot(c[:, 0] - point[0], c[:, 1] - point[1])) <= NODE_TOLERANCE_M)


def _meeting_points(geom: shapely.Geometry) -> list[tuple[float, float]]:
    """Points of an intersection result: points as they are; shared stretches by their ends."""
    if geom.is_empty:
        return []
    gtype = geom.geom_type
    if gtype == "Point":
        return [(geom.x, geom.y)]
    if gtype in ("LineString", "LinearRing"):
        c = list(geom.coords)
        return [c[0][:2], c[-1][:2]]
    out: list[tuple[float, float]] = []
    for g in getattr(geom, "geoms", []):
        out += _meeting_points(g)
    return out


# --------------------------------------------------------------------------- density


def count_in(zones: np.ndarray, facilities: np.ndarray) -> np.ndarray:
    """Facilities inside (or on the edge of) each zone."""
    if len(zones) == 0 or len(facilities) == 0:
        return np.zeros(len(zones), dtype=np.int64)
    tree = shapely.STRtree(facilities)
    zi, _ = tree.query(zones, predicate="intersects")
    return np.bincount(zi, minlength=len(zones))
