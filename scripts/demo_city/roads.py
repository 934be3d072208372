"""Layer ``roads``: the hand-drawn main roads and the street mesh noded into segments; queries on the network."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry import Point
from shapely.ops import unary_union

from .frame import LIT_CORE, PRUNE_LEN, Ctx, Feat, P, Seg, core_km, rand_date, to_ll
from .geometry import point_along
from .main_roads import clip_roads, commercial_areas, hand_roads
from .model import MAIN, MAJOR, publish
from .places import CITY_MGMT
from .streets import minor_roads

#: the unit responsible for a road of a class, where not the district's city-management bureau
ROAD_UNITS = {"expressway": "市交通运输局", "arterial": "市住房和城乡建设局", "secondary": "市住房和城乡建设局"}


def _prune(ctx: Ctx, segs: list[Seg]) -> list[Seg]:
    """Drop dangling overshoot stubs and short isolated streets, a few rounds (the city's edge is no dead end)."""
    sources = ctx.sources
    xmin, ymin, xmax, ymax = ctx.box.bounds

    def dead_end(pt, deg):
        return deg[pt] == 1 and min(abs(pt[0] - xmin), abs(pt[0] - xmax), abs(pt[1] - ymin), abs(pt[1] - ymax)) >= 0.5

    for _round in range(4):
        deg = Counter()
        for s in segs:
            deg[s.geom.coords[0]] += 1
            deg[s.geom.coords[-1]] += 1
        kept = []
        for s in segs:
            a, b = s.geom.coords[0], s.geom.coords[-1]
            src = sources[s.src]
            da, db = dead_end(a, deg), dead_end(b, deg)
            stub = (da and (src.minor or a in src.stubs)) or (db and (src.minor or b in src.stubs))
            if stub and s.geom.length < PRUNE_LEN:
                continue
            if da and db and s.geom.length < 500.0 and src.minor:
                continue
            kept.append(s)
        if len(kept) == len(segs):
            break
        segs = kept
    return segs


def build_roads(ctx: Ctx) -> None:
    """Draw the roads, node them at every crossing into segments, name, classify and number the segments."""
    main = clip_roads(ctx, hand_roads(ctx))
    ctx.commercial = commercial_areas(main)
    minor = clip_roads(ctx, minor_roads(ctx, main))
    sources = main + minor
    ctx.sources = sources
    lines = [s.line for s in sources]
    pieces = list(unary_union(lines).geoms)
    mids = shapely.line_interpolate_point(pieces, 0.5, normalized=True)
    tree = STRtree(lines)
    (qi, qj), qd = tree.query_nearest(mids, return_distance=True, all_matches=True)
    best: dict[int, tuple[float, int]] = {}
    for i, j, d in zip(qi.tolist(), qj.tolist(), qd.tolist(), strict=False):
        if i not in best or (d, j) < best[i]:
            best[i] = (d, j)
    segs = _prune(ctx, [Seg(best[i][1], p, 0.0) for i, p in enumerate(pieces) if p.length > 0.05])
    for s in segs:
        src = sources[s.src]
        s.along = src.line.project(s.geom.interpolate(0.5, normalized=True))
        s.name, s.name_en, s.cls, s.lit, s.bridge, s.status = src.name, src.name_en, src.cls, src.lit, src.bridge, src.status
        mid = s.geom.interpolate(0.5, normalized=True)
        s.district = ctx.district_of(mid.x, mid.y)
        if s.lit and s.cls in MAJOR and not s.bridge:
            s.lit = core_km(mid.x, mid.y) < LIT_CORE  # suburban stretches unlit
    segs.sort(key=lambda s: (s.src, s.along))
    for k, s in enumerate(segs, 1):
        s.id = f"R{k:04d}"
    ctx.segs = segs
    nodes: dict[tuple, list[int]] = defaultdict(list)
    for k, s in enumerate(segs):
        nodes[to_ll(*s.geom.coords[0])].append(k)
        nodes[to_ll(*s.geom.coords[-1])].append(k)
    ctx.nodes = dict(nodes)

    def values(f: Feat) -> dict:
        s = f.extra["seg"]
        return {
            "name": s.name,
            "name_en": s.name_en,
            "road_class": s.cls,
            "lit": s.lit,
            "bridge": s.bridge or None,
            "status": s.status,
            "district": s.district,
            "unit": ROAD_UNITS.get(s.cls, CITY_MGMT[s.district]),
            "updated": rand_date(ctx.rng),
        }

    publish(ctx, "roads", [Feat({}, geom=s.geom, tag=s.name, extra={"seg": s}) for s in segs], "R", 4, values)


# ---------------------------------------------------------------------------------------------------
# queries on the network
# ---------------------------------------------------------------------------------------------------


def node_xy(node: tuple) -> tuple[float, float]:
    """A network node (lon, lat) in local metres."""
    return P(*node)


def main_intersections(ctx: Ctx) -> list[tuple]:
    """Nodes where at least two differently named arterial/secondary roads meet."""
    out = []
    for node in sorted(ctx.nodes):
        names = {ctx.segs[k].name for k in ctx.nodes[node] if ctx.segs[k].cls in MAIN}
        if len(names) >= 2:
            out.append(node)
    return out


def node_segments(ctx: Ctx, node: tuple) -> list[Seg]:
    """The segments that meet at ``node``."""
    return [ctx.segs[k] for k in ctx.nodes[node]]


def from_node(seg: Seg, node: tuple, d: float) -> float:
    """The distance along ``seg`` of the point ``d`` metres from its end at ``node``."""
    return d if to_ll(*seg.geom.coords[0]) == node else seg.geom.length - d


def segments(ctx: Ctx, classes: tuple[str, ...], core: float, min_length: float = 0.0, bridges: bool = False) -> list[Seg]:
    """Segments of the given classes longer than ``min_length`` whose centroid lies within ``core`` of an urban core."""
    return [s for s in ctx.segs if s.cls in classes and (bridges or not s.bridge) and s.geom.length > min_length and s.core < core]


def street_points(ctx: Ctx, zone, step: float) -> list[tuple[Point, Seg]]:
    """Points every ``step`` metres along the roads (not expressways) inside ``zone``, with their segment."""
    out = []
    for s in ctx.segs:
        if s.cls == "expressway" or not s.geom.intersects(zone):
            continue
        part = s.geom.intersection(zone)
        for g in getattr(part, "geoms", [part]):
            if g.geom_type == "LineString":
                out += [(g.interpolate(float(d)), s) for d in np.arange(0.0, g.length + 0.1, step)]
    return out


def near_road_point(ctx: Ctx, x, y, classes=None, off=20.0):
    """Point ``off`` metres beside the road nearest to (x, y)."""
    key = tuple(classes) if classes else ()
    if key not in ctx.trees:
        segs = [s for s in ctx.segs if not classes or s.cls in classes]
        ctx.trees[key] = (segs, STRtree([s.geom for s in segs]))
    segs, tree = ctx.trees[key]
    s = segs[int(np.min(tree.query_nearest(Point(x, y))))]
    d = s.geom.project(Point(x, y))
    return point_along(s.geom, d, 1.0, off), s
