"""The generated street mesh: a thinned (Gabriel) Delaunay graph of Poisson-disc points, chained into named streets."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict

import numpy as np
import shapely
from shapely.geometry import LineString, Point, box
from shapely.ops import unary_union

from .frame import LIT_CORE, Ctx, P, RoadSrc, core_distance, core_km
from .geometry import dist
from .places import PLACES, STREET_BASES, SUFFIXES


def _cos_angle(at, a, b) -> float:
    """Cosine of the angle at ``at`` between the directions to ``a`` and to ``b``."""
    va, vb = np.subtract(a, at), np.subtract(b, at)
    return float(np.dot(va, vb) / (np.linalg.norm(va) * np.linalg.norm(vb)))


def _other(edge: tuple[int, int], node: int) -> int:
    """The end of ``edge`` that is not ``node``."""
    return edge[1] if edge[0] == node else edge[0]


def _street_points(ctx: Ctx, main_lines, urban) -> tuple[list[tuple[float, float]], list[bool]]:
    """Poisson-disc points, denser near the urban cores, away from the river, walls, main roads and spots."""
    rng = ctx.rng
    blocked = unary_union(
        [
            ctx.river.buffer(90.0),
            ctx.old_city.buffer(60.0),
            main_lines.buffer(80.0),
            *ctx.commercial.values(),
            *[a.geom.buffer(60.0) for a in ctx.attractions if a.geom is not None],
            *[Point(a.xy).buffer(60.0) for a in ctx.attractions],
        ]
    )
    inner_box = ctx.box.buffer(-150.0)
    shapely.prepare(blocked)
    shapely.prepare(urban)
    xmin, ymin, xmax, ymax = ctx.box.bounds
    n_cand = 30000
    cx = rng.uniform(xmin, xmax, n_cand)
    cy = rng.uniform(ymin, ymax, n_cand)
    ok = shapely.contains_xy(inner_box, cx, cy) & ~shapely.contains_xy(blocked, cx, cy)
    is_urban = shapely.contains_xy(urban, cx, cy)
    radius = np.where(is_urban, np.minimum(360.0 + 150.0 * core_distance(cx, cy), 650.0), 2000.0)
    acc = np.empty((0, 2))
    acc_urban = []
    for i in np.flatnonzero(ok):
        p = np.array([cx[i], cy[i]])
        if len(acc) and np.min(np.hypot(acc[:, 0] - p[0], acc[:, 1] - p[1])) < radius[i]:
            continue
        acc = np.vstack([acc, p])
        acc_urban.append(bool(is_urban[i]))
    return [(float(a), float(b)) for a, b in acc], acc_urban


def _edges(ctx: Ctx, pts, acc_urban, main_lines) -> list[tuple[int, int]]:
    """The Gabriel edges of the points' Delaunay triangulation that are short and clear of water, walls, main roads."""
    index = {p: i for i, p in enumerate(pts)}
    tris = shapely.delaunay_triangles(shapely.MultiPoint(pts))
    bad: set[tuple[int, int]] = set()
    edges: set[tuple[int, int]] = set()
    for t in tris.geoms:
        c = [index[(float(x), float(y))] for x, y in list(t.exterior.coords)[:3]]
        for k in range(3):
            a, b, o = c[k], c[(k + 1) % 3], c[(k + 2) % 3]
            e = (min(a, b), max(a, b))
            edges.add(e)
            if _cos_angle(pts[o], pts[a], pts[b]) < math.cos(math.radians(85.0)):  # opposite angle >= 85°: not Gabriel
                bad.add(e)
    wet = ctx.river.buffer(40.0)
    walls = unary_union(
        [
            ctx.old_city.buffer(20.0),
            *[a.geom for a in ctx.attractions if a.geom is not None],
            *ctx.commercial.values(),
        ]
    )
    keep = []
    for e in sorted(edges - bad):
        a, b = pts[e[0]], pts[e[1]]
        both_urban = acc_urban[e[0]] and acc_urban[e[1]]
        if dist(a, b) > (950.0 if both_urban else 2600.0):
            continue
        line = LineString([a, b])
        if line.intersects(wet) or line.intersects(walls):
            continue
        near = sum(main_lines.distance(line.interpolate(f, normalized=True)) < 90.0 for f in (0.2, 0.5, 0.8))
        if near < 2:
            keep.append(e)
    return keep


def _chains(pts, keep: list[tuple[int, int]]) -> list[list[int]]:
    """Chain edges into streets: at every node pair up the straightest continuations."""
    adj: dict[int, list[int]] = defaultdict(list)
    for k, (a, b) in enumerate(keep):
        adj[a].append(k)
        adj[b].append(k)
    partner: dict[tuple[int, int], int] = {}
    for node in sorted(adj):
        cand = []
        inc = adj[node]
        for i in range(len(inc)):
            for j in range(i + 1, len(inc)):
                cosang = _cos_angle(pts[node], pts[_other(keep[inc[i]], node)], pts[_other(keep[inc[j]], node)])
                deflect = math.degrees(math.pi - math.acos(max(-1.0, min(1.0, cosang))))
                if deflect < 40.0:
                    cand.append((deflect, inc[i], inc[j]))
        used: set[int] = set()
        for _d, i, j in sorted(cand):
            if i in used or j in used:
                continue
            used.update((i, j))
            partner[(node, i)] = j
            partner[(node, j)] = i
    seen: set[int] = set()
    chains = []
    for k0 in range(len(keep)):
        if k0 in seen:
            continue
        seen.add(k0)
        seq = list(keep[k0])
        for direction in (0, 1):  # extend forward from the second end, then backward from the first
            cur_edge, cur_node = k0, (seq[-1] if direction == 0 else seq[0])
            while (cur_node, cur_edge) in partner:
                nxt = partner[(cur_node, cur_edge)]
                if nxt in seen:
                    break
                seen.add(nxt)
                other = _other(keep[nxt], cur_node)
                seq.insert(len(seq) if direction == 0 else 0, other)
                cur_edge, cur_node = nxt, other
        chains.append(seq)
    return chains


def _street_name(rng: np.random.Generator, pref: int, used_names: set[str]) -> tuple[str, str]:
    """A street name not used yet: a random stem and the preferred suffix (or the first free one)."""
    for _attempt in range(400):
        zh, py = STREET_BASES[int(rng.integers(len(STREET_BASES)))]
        for s in [pref] + [k for k in range(len(SUFFIXES)) if k != pref]:
            cand = zh + SUFFIXES[s][0]
            if cand not in used_names:
                return cand, f"{py} {SUFFIXES[s][1]}"
    return "", ""


def minor_roads(ctx: Ctx, main: list[RoadSrc]) -> list[RoadSrc]:
    """An irregular street network: a thinned (Gabriel) Delaunay graph of Poisson-disc points, chained into
    named streets and gently bent."""
    rng = ctx.rng
    urban = unary_union([box(*P(a, b), *P(c, d)) for a, b, c, d in PLACES["urban_boxes"]])
    main_lines = unary_union([r.line for r in main])
    pts, acc_urban = _street_points(ctx, main_lines, urban)
    chains = _chains(pts, _edges(ctx, pts, acc_urban, main_lines))

    # name, classify and bend the chains
    used_names = {r.name for r in main}
    streets = []
    chain_info = []
    for seq in chains:
        coords = [pts[i] for i in seq]
        length = LineString(coords).length
        mid = LineString(coords).interpolate(0.5, normalized=True)
        chain_info.append((length, coords, core_km(mid.x, mid.y)))
    order = sorted(range(len(chain_info)), key=lambda i: (-chain_info[i][0], chain_info[i][1][0]))
    n_secondary = 0
    for i in order:
        length, coords, cd = chain_info[i]
        if n_secondary < 6 and length > 2500.0 and cd < 0.9:
            cls, n_secondary = "secondary", n_secondary + 1
        else:
            cls = "branch"
        pref = 0 if cls == "secondary" or length > 1200 else (1 if length > 500 else 2)
        name, en = _street_name(rng, pref, used_names)
        used_names.add(name)
        bent = [coords[0]]
        for a, b in itertools.pairwise(coords):
            seg_len = dist(a, b)
            w = float(np.clip(rng.normal(0.0, 0.05 * seg_len), -0.1 * seg_len, 0.1 * seg_len))
            mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
            nx, ny = -(b[1] - a[1]) / seg_len, (b[0] - a[0]) / seg_len
            bent += [(mx + w * nx, my + w * ny), b]
        lit_limit = 0.5 if cls == "branch" else LIT_CORE
        status = "existing"
        district = ctx.district_of(*coords[len(coords) // 2])
        if district == "东津新区" and cd > 0.8:
            status = ("existing", "new", "new", "planned")[int(rng.integers(4))]
        lit = cd < lit_limit and status != "planned"
        streets.append(RoadSrc(name, en, cls, lit, bent, False, status, LineString(bent), minor=True))
    return streets
