"""Layer ``attractions``: the scenic spots, at approximately real positions."""

from __future__ import annotations

import math

from shapely.geometry import Point, Polygon

from .frame import Ctx, Feat, P, Pl, rand_date
from .model import publish
from .places import PLACES


def named_area(ctx: Ctx, area):
    """A polygon given as lon/lat points, or by the name of one of the frame's areas (``old_city``)."""
    return getattr(ctx, area) if isinstance(area, str) else Polygon(Pl(area))


def build_attractions(ctx: Ctx) -> None:
    """The scenic spots of the hand-drawn data."""
    for a in PLACES["attractions"]:
        x, y = P(*a["at"])
        geom = named_area(ctx, a["area"]) if "area" in a else None
        props = {
            "name": a["name"],
            "name_en": a["name_en"],
            "kind": a["kind"],
            "grade": a["grade"],
            "daily_visitors": int(a["visitors"]),
            "status": "existing",
            "district": ctx.district_of(x, y),
            "unit": a["unit"],
            "updated": rand_date(ctx.rng),
            "notes": "approximate position (± a few hundred metres); grade and visitors illustrative",
        }
        ctx.attractions.append(Feat(props, x, y, geom, a["key"]))
    publish(ctx, "attractions", ctx.attractions, "A", 2)


def attraction(ctx: Ctx, key: str) -> Feat:
    """The scenic spot ``key``."""
    return next(a for a in ctx.attractions if a.tag == key)


def attraction_distance(a: Feat, x: float, y: float) -> float:
    """Distance from (x, y) to a scenic spot (its area where it has one)."""
    if a.geom is not None:
        return a.geom.distance(Point(x, y))
    return math.hypot(a.x - x, a.y - y)
