"""Layer ``docks``: tourist docks on their pontoons, 10 m out from the bank."""

from __future__ import annotations

from shapely.geometry import Point

from .frame import DOCK_OFFSET, Ctx, Feat, rand_date, river_point
from .geometry import point_along
from .model import publish
from .places import DOCKS


def build_docks(ctx: Ctx) -> None:
    """The docks of the hand-drawn data, on their bank of the river."""
    feats = []
    for d in DOCKS["list"]:
        x, y = river_point(ctx, *d["at"], d["bank"] * DOCK_OFFSET)
        props = {
            "name": d["name"],
            "name_en": d["name_en"],
            "dock_type": d["dock_type"],
            "pontoon": d["pontoon"],
            "berths": d["berths"],
            "operator": DOCKS["operator"],
            "status": d["status"],
            "district": ctx.district_of(x, y),
            "unit": DOCKS["unit"],
            "updated": rand_date(ctx.rng),
        }
        f = Feat(props, x, y, tag=d["key"], extra={"side": d["bank"]})
        ctx.docks[d["key"]] = f
        feats.append(f)
    publish(ctx, "docks", feats, "D", 2)


def landward(ctx: Ctx, dock: Feat, metres: float, along: float = 0.0) -> tuple[float, float]:
    """A point ``metres`` inland from a dock (perpendicular to the river), shifted ``along`` the bank."""
    d = ctx.centre.project(Point(dock.xy)) + along
    return point_along(ctx.centre, d, float(dock.extra["side"]), DOCK_OFFSET + metres)
