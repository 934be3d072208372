"""Layer ``toilets``: tourist toilets at scenic spots, docks and hubs, filling the density zones, and scattered."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import shapely
from shapely.geometry import Point
from shapely.ops import unary_union

from .attractions import attraction, attraction_distance
from .cover import best_cover
from .docks import landward
from .frame import Ctx, Feat, P, rand_date, rect
from .geometry import around, dist, point_along, random_point
from .model import ACTIVE, GRADED, URBAN, publish
from .places import SANITATION, TOILETS, ZONES
from .roads import segments, street_points

DENSITY = ZONES["density"]
PLANTED_ZONES = ("C1", "R5")  # a street gap and a density gap: the density fill leaves them alone


class Toilets:
    """Collects toilets and enforces the exclusion areas that keep the planted gaps real."""

    def __init__(self, ctx: Ctx):
        self.ctx = ctx
        self.items: list[Feat] = []
        self.no_graded = [attraction(ctx, k) for k in ("lumen", "xijiachi", "zhenwu")]
        chang = [s for s in ctx.segs if s.name == "长虹路"]
        self.gap_street = unary_union([s.geom for s in chang]).intersection(rect(112.160, 32.0445, 112.180, 32.0555))
        self.wall = ctx.old_city.exterior.buffer(8.0)
        self.r5 = ctx.zones["R5"].geom.buffer(30.0)
        shapely.prepare(self.wall)
        shapely.prepare(self.r5)

    def allowed(self, x, y, grade, status, allow_planted=False) -> bool:
        """A toilet may stand at (x, y): on land, off the wall and, unless planted, out of the planted gaps."""
        ctx = self.ctx
        if not ctx.on_land(x, y, 25.0) or shapely.contains_xy(self.wall, x, y):
            return False
        if allow_planted:
            return True
        if grade in GRADED and status in ACTIVE and any(attraction_distance(a, x, y) < 650.0 for a in self.no_graded):
            return False
        if self.gap_street.distance(Point(x, y)) < 420.0:
            return False
        if shapely.contains_xy(self.r5, x, y):
            return False
        return not dist((x, y), ctx.docks["furen"].xy) < 280.0

    def add(
        self,
        x,
        y,
        grade,
        name,
        name_en,
        unit,
        status="existing",
        kind="standalone",
        busy=False,
        deficient=False,
        low_ratio=False,
        allow_planted=False,
        tag="",
    ) -> Feat | None:
        """Add a toilet at (x, y) with random stalls and hours, or return None where it may not stand."""
        rng = self.ctx.rng
        if not self.allowed(x, y, grade, status, allow_planted):
            return None
        male = int(rng.integers(3, 9)) if grade != "none" else int(rng.integers(2, 6))
        if low_ratio:
            female = int(max(1, math.floor(male * float(rng.uniform(0.9, 1.3)))))
        elif busy or grade in ("AA", "AAA"):
            female = 2 * male + int(rng.integers(0, 3))
        else:
            female = math.ceil(1.5 * male) + int(rng.integers(0, 2))
        if deficient:
            accessible, family = 0, False
        else:
            accessible = int(rng.integers(1, 3)) if grade != "none" else int(rng.integers(0, 2))
            family = grade == "AAA" or (grade == "AA" and bool(rng.random() < 0.8)) or (grade == "A" and bool(rng.random() < 0.3))
            if accessible == 0 and not family:
                accessible = 1
        hours = (
            "24/7"
            if kind != "mobile" and rng.random() < 0.35
            else str(rng.choice(("06:00-22:00", "06:30-22:30", "07:00-21:00", "08:00-18:00")))
        )
        stars = {"AAA": (5, 4), "AA": (4, 3), "A": (3, 2), "none": (1, 1)}[grade]
        props = {"name": name, "name_en": name_en, "grade": grade}
        if rng.random() < 0.6:
            props["stars"] = int(stars[int(rng.integers(2))])
        props.update(
            {
                "female_stalls": female,
                "male_stalls": male,
                "accessible_stalls": accessible,
                "family_room": bool(family),
                "fee": False,
                "opening_hours": hours,
                "kind": kind,
                "status": status,
                "unit": unit,
            }
        )
        f = Feat(props, x, y, tag=tag)
        self.items.append(f)
        return f

    def active(self):
        """The toilets in use."""
        return [t for t in self.items if t.props["status"] in ACTIVE]


def _place_by_hand(ctx: Ctx, T: Toilets, spec: dict) -> Feat:
    """Add a toilet of the hand-drawn data (see xiangyang.toml for the ways its place is given)."""
    opts = {k: spec[k] for k in ("status", "kind", "busy", "allow_planted", "tag") if k in spec}
    if "dock" in spec:
        points = [landward(ctx, ctx.docks[spec["dock"]], 75.0, 40.0)]
    elif "beside" in spec:
        line = max((s for s in ctx.sources if s.name == spec["beside"]), key=lambda s: s.line.length).line
        points = [point_along(line, line.project(Point(P(*spec["at"]))), spec["side"], 25.0)]
    elif "near" in spec:
        near = spec["near"]
        points = around(ctx.rng, *(attraction(ctx, near).xy if isinstance(near, str) else P(*near)), *spec["within"], 200)
    else:
        points = [P(*spec["at"])]
    for x, y in points:
        f = T.add(x, y, spec["grade"], spec["name"], spec["name_en"], spec["unit"], **opts)
        if f is not None:
            return f
    raise RuntimeError(f"could not place toilet {spec['name']}")


def _fill_zone(ctx: Ctx, T: Toilets, zf: Feat) -> None:
    """Fill a density zone up to its target; a commercial zone first covers its streets (best set cover)."""
    rng = ctx.rng
    zt = zf.props["zone_type"]
    area = zf.geom.area / 1e6
    lo, hi = DENSITY[zt]
    cap = max(math.floor(hi * area), math.ceil(lo * area))
    target = min(max(math.ceil(lo * area * 1.05), round((lo + hi) / 2 * area)), cap)
    district = ctx.district_of(*zf.geom.representative_point().coords[0])
    n_new = 0

    def inside():
        return [t for t in T.active() if zf.geom.contains(Point(t.xy))]

    def new_toilet(x, y):
        nonlocal n_new
        grade = str(rng.choice(("A", "AA"))) if zt != "residential" else str(rng.choice(("none", "A", "A")))
        f = T.add(
            x,
            y,
            grade,
            f"{zf.props['name']}{n_new + 1}号公厕",
            f"{zf.props['name_en']} Public Toilet No. {n_new + 1}",
            SANITATION[district],
            busy=zt == "commercial",
            kind="mobile" if zt == "green" and n_new % 2 else "standalone",
        )
        n_new += f is not None
        return f

    if zt == "commercial":
        street_pts = street_points(ctx, zf.geom, 15.0)
        sxy = np.array([(p.x, p.y) for p, _s in street_pts])
        have = inside()
        base = np.full(len(sxy), np.inf)
        for t in have:
            base = np.minimum(base, np.hypot(sxy[:, 0] - t.x, sxy[:, 1] - t.y))
        cidx = np.arange(0, len(sxy), max(1, math.ceil(len(sxy) / 50)))
        dmat = np.hypot(sxy[cidx, None, 0] - sxy[None, :, 0], sxy[cidx, None, 1] - sxy[None, :, 1])
        for ci in best_cover(dmat, base, min(3, cap - len(have)), 225.0):
            p, s = street_pts[int(cidx[ci])]
            d0 = s.geom.project(p)
            for shift, off in ((0, 18), (0, -18), (15, 18), (-15, 18), (15, -18), (-15, -18), (0, 30), (0, -30)):
                x, y = point_along(s.geom, d0 + shift, 1.0, float(off))
                if zf.geom.contains(Point(x, y)) and new_toilet(x, y) is not None:
                    break
    for _k in range(400):
        have = inside()
        if len(have) >= target:
            break
        x, y = random_point(rng, zf.geom)
        if not zf.geom.buffer(-20.0).contains(Point(x, y)):
            continue
        if have and min(dist((x, y), t.xy) for t in have) < 250.0:
            continue
        new_toilet(x, y)


def _scatter_along_streets(ctx: Ctx, T: Toilets) -> None:
    """Toilets along urban streets, outside the density zones, some deficient on purpose."""
    rng = ctx.rng
    dens_zones = unary_union([z.geom for z in ctx.zones.values() if z.props["zone_type"] in DENSITY]).buffer(60.0)
    urban_segs = segments(ctx, URBAN, 1.0)
    plan = ["existing"] * 16 + ["new"] * 4 + ["renovated"] * 5 + ["planned"] * 3 + ["closed"] * 2
    grades = ["none"] * 9 + ["A"] * 11 + ["AA"] * 7 + ["AAA"] * 3
    order = rng.permutation(len(plan)).tolist()
    n_def = n_low = 0
    tries = 0
    k = 0
    while k < len(plan) and tries < 5000:
        tries += 1
        s = urban_segs[int(rng.integers(len(urban_segs)))]
        x, y = point_along(s.geom, float(rng.uniform(0, s.geom.length)), float(rng.choice((-1.0, 1.0))), 25.0)
        if dens_zones.contains(Point(x, y)) or any(dist((x, y), t.xy) < 450.0 for t in T.items):
            continue
        status, grade = plan[order[k]], grades[k]
        deficient = grade in ("none", "A") and n_def < 5 and status in ACTIVE
        low = not deficient and grade in ("none", "A", "AA") and n_low < 6 and status in ACTIVE
        f = T.add(
            x,
            y,
            grade,
            f"{s.name}公厕",
            f"{s.name_en} Public Toilet",
            SANITATION[s.district],
            status=status,
            deficient=deficient,
            low_ratio=low,
            kind=str(rng.choice(("standalone", "standalone", "attached"))),
        )
        if f is None:
            continue
        n_def += deficient
        n_low += low
        k += 1


def build_toilets(ctx: Ctx) -> None:
    """Toilets by hand, then the density zones, then scattered ones; a name used twice gets a number."""
    T = Toilets(ctx)
    for spec in TOILETS["placed"]:
        _place_by_hand(ctx, T, spec)
    for tag, zf in ctx.zones.items():
        if zf.props["zone_type"] in DENSITY and tag not in PLANTED_ZONES:
            _fill_zone(ctx, T, zf)
    _scatter_along_streets(ctx, T)
    names = Counter()

    def values(t: Feat) -> dict:
        p = t.props
        names[p["name"]] += 1
        n = names[p["name"]]
        name, name_en = (p["name"], p["name_en"]) if n == 1 else (f"{p['name']}({n})", f"{p['name_en']} ({n})")
        return {**p, "name": name, "name_en": name_en, "district": ctx.district_of(*t.xy), "updated": rand_date(ctx.rng)}

    publish(ctx, "toilets", T.items, "T", 3, values)
