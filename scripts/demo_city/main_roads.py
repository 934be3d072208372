"""The main roads drawn by hand (bridges, the riverside and ring roads among them) and the shopping districts."""

from __future__ import annotations

from shapely.geometry import LineString, Point, Polygon
from shapely.ops import substring

from .frame import BANK_ROAD, Ctx, P, RoadSrc, bridge_ends, rect
from .geometry import cut_at_vertex, cut_near, dist, extend, insert_crossing, longest_line, wiggle
from .places import ROADS, ZONES


def _anchors(ctx: Ctx) -> dict[str, tuple[float, float]]:
    """The named points roads start or end at: bridge ends and the ``anchors`` of the data."""
    out = {name: P(*ll) for name, ll in ROADS["anchors"].items()}
    for b in ROADS["bridges"]:
        out[f"{b['key']}.inner"], out[f"{b['key']}.outer"] = bridge_ends(ctx, *b["at"])
    return out


def _split_at(roads: list[RoadSrc], coords, cross: list[str], near: list) -> list[list]:
    """Cut a riverside polyline where the named roads cross it, then at the points nearest ``near``; in order."""
    by_name = {r.name: r for r in roads}
    cuts = []
    for name in cross:
        r = by_name[name]
        coords, r.coords, p = insert_crossing(coords, r.coords)
        cuts.append(p)
    cuts.sort(key=coords.index)
    pieces, rest = [], coords
    for p in cuts:
        first, rest = cut_at_vertex(rest, p)
        pieces.append(first)
    pieces.append(rest)
    for ll in near:
        i = min(range(len(pieces)), key=lambda k: LineString(pieces[k]).distance(Point(P(*ll))))
        pieces[i : i + 1] = cut_near(pieces[i], P(*ll))
    return pieces


def _ring_roads(ctx: Ctx) -> list[RoadSrc]:
    """The ring road outside the old city wall, split at its four corners."""
    spec = ROADS["ring"]
    rc = list(ctx.old_city.buffer(spec["offset"], join_style="mitre").exterior.coords)[:-1]
    corners = {k: min(range(len(rc)), key=lambda i: dist(rc[i], P(*ll))) for k, ll in spec["corners"].items()}
    names = {frozenset(pair.split("-")): tuple(v) for pair, v in spec["names"].items()}
    order = sorted(corners.items(), key=lambda kv: kv[1])
    out = []
    for (k0, i0), (k1, i1) in zip(order, order[1:] + order[:1], strict=False):
        idx = list(range(i0, i1 + 1)) if i1 > i0 else list(range(i0, len(rc))) + list(range(0, i1 + 1))
        name, en = names[frozenset((k0, k1))]
        out.append(RoadSrc(name, en, "secondary", True, [rc[i] for i in idx]))
    return out


def hand_roads(ctx: Ctx) -> list[RoadSrc]:
    """Main roads drawn by hand (approximating the real layout), bridges, riverside and ring roads."""
    anchors = _anchors(ctx)
    roads: list[RoadSrc] = []

    def road(name, en, cls, pts, lit=True, amp=25.0, ext=(0.0, 0.0), bridge=False):
        coords = extend(wiggle([anchors[p] if isinstance(p, str) else P(*p) for p in pts], amp, ctx.rng), *ext)
        stubs = tuple(c for c, e in ((coords[0], ext[0]), (coords[-1], ext[1])) if e > 0)
        roads.append(RoadSrc(name, en, cls, lit, coords, bridge, stubs=stubs))

    # bridges over the Han River (inner / south or west end first)
    for b in ROADS["bridges"]:
        road(b["name"], b["name_en"], "arterial", [f"{b['key']}.inner", f"{b['key']}.outer"], amp=0, bridge=True)
    for r in ROADS["main"]:
        options = {k: r[k] for k in ("lit", "amp", "ext") if k in r}
        road(r["name"], r["name_en"], r["class"], r["points"], **options)

    # riverside roads: offsets of the river centreline, renamed at the bridges
    banks = {}
    for side in (r["bank"] for r in ROADS["riverside"]):
        line = longest_line(ctx.centre.offset_curve(side * BANK_ROAD).intersection(ctx.box))
        banks[side] = list(LineString(list(line.coords)).simplify(2.0).coords)
    riverside = []
    for r in ROADS["riverside"]:
        pieces = _split_at(roads, banks[r["bank"]], r["cut_at"], r["cut_near"])
        riverside += [RoadSrc(p["name"], p["name_en"], p["class"], p["lit"], c) for p, c in zip(r["pieces"], pieces, strict=True)]
    return roads + riverside + _ring_roads(ctx)


def clip_roads(ctx: Ctx, roads: list[RoadSrc]) -> list[RoadSrc]:
    """Clip to the city box and keep non-bridge roads out of the river."""
    wet = ctx.river.buffer(30.0)
    out = []
    for r in roads:
        g = LineString(r.coords).intersection(ctx.box)
        if not r.bridge:
            g = g.difference(wet)
        parts = [g] if g.geom_type == "LineString" else [p for p in getattr(g, "geoms", []) if p.geom_type == "LineString"]
        for p in parts:
            if p.length >= 40.0:
                ends = (p.coords[0], p.coords[-1])
                stubs = tuple(c for c in ends if r.minor or c in r.stubs or wet.boundary.distance(Point(c)) < 1.0)
                out.append(RoadSrc(r.name, r.name_en, r.cls, r.lit, list(p.coords), r.bridge, r.status, p, stubs, r.minor))
    return out


def commercial_areas(main: list[RoadSrc]) -> dict[str, Polygon]:
    """Shopping districts along main roads (drawn before the minor streets, which keep out of them)."""

    def corridor(road, ll0, ll1, half=150.0):
        line = max((s for s in main if s.name == road), key=lambda s: s.line.length).line
        d0, d1 = line.project(Point(P(*ll0))), line.project(Point(P(*ll1)))
        return substring(line, d0, d1).buffer(half, cap_style="flat")

    return {c["tag"]: corridor(c["road"], *c["span"]) if "road" in c else rect(*c["rect"]) for c in ZONES["commercial"]}
