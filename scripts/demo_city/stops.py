"""Layer ``stops``: bus, sightseeing and tour-bus stops at the scenic spots and main intersections, taxi ranks."""

from __future__ import annotations

import math

import numpy as np
from shapely.geometry import Point

from .attractions import attraction, attraction_distance
from .frame import Ctx, Feat, P, rand_date
from .geometry import dist, point_along
from .model import MAIN, publish
from .places import STOPS
from .roads import from_node, main_intersections, near_road_point, node_segments

UNITS = STOPS["units"]


class Stops:
    """Collects stops 120 m or more apart, on land, away from the two scenic spots planted without one."""

    def __init__(self, ctx: Ctx):
        self.ctx = ctx
        self.items: list[Feat] = []
        self.far = [attraction(ctx, k) for k in ("lumen", "xianshan")]

    def ok(self, x, y) -> bool:
        """A stop may stand at (x, y)."""
        return (
            self.ctx.on_land(x, y, 20.0)
            and all(attraction_distance(a, x, y) > 450.0 for a in self.far)
            and all(dist((x, y), s.xy) > 120.0 for s in self.items)
        )

    def routes(self, kind) -> str | None:
        """Random route names for a stop of ``kind`` (None for a taxi rank)."""
        rng = self.ctx.rng
        if kind == "bus":
            return ";".join(f"{int(r)}路" for r in sorted(rng.choice(np.arange(1, 61), size=int(rng.integers(2, 5)), replace=False)))
        if kind == "sightseeing_bus":
            return ";".join(f"观光{int(r)}线" for r in sorted(rng.choice((1, 2, 3), size=int(rng.integers(1, 3)), replace=False)))
        if kind == "tour_bus":
            return str(rng.choice(STOPS["tour_routes"]))
        return None

    def add(self, x, y, kind, name, en, shelter=True, bilingual=True) -> None:
        """A stop of ``kind`` at (x, y)."""
        props = {"name": name, "name_en": en, "stop_type": kind, "routes": self.routes(kind)}
        props.update({"shelter": shelter, "bilingual": bilingual, "status": "existing", "unit": UNITS[kind]})
        self.items.append(Feat(props, x, y, tag=kind))


def _spot_stops(ctx: Ctx, T: Stops) -> None:
    """The stops of each scenic spot beside a road near it, or else at its car park (none at 鹿门寺 and 岘山)."""
    rng = ctx.rng
    for a in ctx.attractions:
        for (suffix, en_suffix), kind in zip(STOPS["suffixes"], STOPS["at_spots"].get(a.tag, ()), strict=False):
            for _t in range(100):
                base = a.geom.boundary.interpolate(float(rng.uniform(0, a.geom.boundary.length))) if a.geom else Point(a.xy)
                (x, y), _s = near_road_point(ctx, base.x + rng.uniform(-150, 150), base.y + rng.uniform(-150, 150), off=10.0)
                if attraction_distance(a, x, y) < 260.0 and T.ok(x, y):
                    T.add(x, y, kind, a.props["name"] + suffix, a.props["name_en"] + en_suffix, bilingual=bool(rng.random() < 0.9))
                    break
            else:  # no road close by: a terminus at the scenic spot's car park, towards the nearest road
                (rx, ry), _s = near_road_point(ctx, a.x, a.y, off=0.0)
                d = math.hypot(rx - a.x, ry - a.y) or 1.0
                x, y = a.x + (rx - a.x) / d * min(150.0, d), a.y + (ry - a.y) / d * min(150.0, d)
                if T.ok(x, y):
                    name, en = a.props["name"] + "停车场" + suffix, a.props["name_en"] + " Car Park" + en_suffix
                    T.add(x, y, kind, name, en, shelter=False)


def _intersection_stops(ctx: Ctx, T: Stops, most: int = 28) -> None:
    """Bus stops 45 m from main intersections (a random ``most`` of them), named after the crossing road."""
    rng = ctx.rng
    nodes = main_intersections(ctx)
    n_bus = 0
    for i in rng.permutation(len(nodes)).tolist():
        if n_bus >= most:
            break
        node = nodes[i]
        segs = node_segments(ctx, node)
        arts = sorted([s for s in segs if s.cls in MAIN and not s.bridge and s.geom.length > 80], key=lambda s: s.id)
        if not arts:
            continue
        s = arts[0]
        cross = sorted({t.name for t in segs if t.name != s.name})
        cross_en = {t.name: t.name_en for t in segs}
        if not cross:
            continue
        x, y = point_along(s.geom, from_node(s, node, 45.0), 1.0, 9.0)
        if not T.ok(x, y):
            continue
        shelter = bool(rng.random() < 0.8)
        T.add(x, y, "bus", f"{cross[0]}路口", f"{cross_en[cross[0]]} Crossing", shelter=shelter, bilingual=bool(rng.random() < 0.85))
        n_bus += 1


def build_stops(ctx: Ctx) -> None:
    """Stops at the scenic spots, at main intersections, and taxi ranks."""
    T = Stops(ctx)
    _spot_stops(ctx, T)
    _intersection_stops(ctx, T)
    for rank in STOPS["taxi_ranks"]:
        (x, y), _s = near_road_point(ctx, *P(*rank["at"]), off=8.0)
        T.add(x, y, "taxi", rank["name"], rank["name_en"], shelter=False, bilingual=True)

    def values(f: Feat) -> dict:
        return {**f.props, "district": ctx.district_of(*f.xy), "updated": rand_date(ctx.rng)}

    publish(ctx, "stops", T.items, "S", 3, values)
