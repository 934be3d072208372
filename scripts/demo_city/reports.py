"""Layer ``reports``: street reports (市容问题) by kind, some fixed late and some open for too long."""

from __future__ import annotations

from datetime import timedelta

from facilities.schema import ROAD_CLASSES

from .docks import landward
from .frame import REF_DATE, Ctx, Feat
from .geometry import point_along
from .model import ACTIVE, pick, publish
from .places import CITY_MGMT, REPORTS, SANITATION
from .roads import segments

STREETS = pick(ROAD_CLASSES, "arterial", "secondary", "branch", "pedestrian")  # where reports are made


def _pools(ctx: Ctx) -> dict[str, list]:
    """What reports are made at: lamps off, damaged signs, toilets in use, busy and urban street segments."""
    L = ctx.layers
    shopping = [z.geom for z in ctx.zones.values() if z.props["zone_type"] == "commercial"]
    return {
        "dark_lamp": [f for f in L["lamps"] if not f.props["working"]],
        "damaged_sign": [f for f in L["signs"] if f.props["condition"] != "good"],
        "damaged_toilet": [t for t in L["toilets"] if t.props["status"] in ACTIVE],
        "busy": [s for s in ctx.segs if any(s.geom.intersects(g) for g in shopping)],
        "urban": segments(ctx, STREETS, 0.8, bridges=True),
    }


#: a report at a facility stands this far from it, and goes to the unit the facility belongs to (None: its own)
AT_FACILITY = {"dark_lamp": (3.0, 3.0, "市城市照明管理处"), "damaged_sign": (2.0, -2.0, None), "damaged_toilet": (4.0, 1.0, None)}


def _where(ctx: Ctx, pools: dict[str, list], kind: str, i: int) -> tuple[float, float, str | None]:
    """Where report ``i`` of ``kind`` is made, and the unit it goes to where that follows from the place."""
    rng = ctx.rng
    if kind in AT_FACILITY:
        dx, dy, unit = AT_FACILITY[kind]
        f = pools[kind][int(rng.integers(len(pools[kind])))]
        return f.x + dx, f.y + dy, unit or f.props["unit"]
    if kind == "litter" and i % 3 == 0:
        dock = ctx.docks[sorted(ctx.docks)[int(rng.integers(len(ctx.docks)))]]
        return (*landward(ctx, dock, float(rng.uniform(30, 90)), float(rng.uniform(-80, 80))), None)
    segs = pools["busy"] if kind == "illegal_ad" and rng.random() < 0.6 else pools["urban"]
    s = segs[int(rng.integers(len(segs)))]
    return (*point_along(s.geom, float(rng.uniform(0, s.geom.length)), 1.0, 12.0), None)


def build_reports(ctx: Ctx) -> None:
    """Reports of every kind; every 12th open for long (planted), most others fixed, about a quarter of them late."""
    rng = ctx.rng
    feats = []
    pools = _pools(ctx)
    plan = [(k["kind"], k["name"], k["name_en"]) for k in REPORTS["kinds"] for _n in range(k["count"])]
    for i, (kind, zh, en) in enumerate(plan, 1):
        x, y, unit = _where(ctx, pools, kind, i)
        district = ctx.district_of(x, y)
        if unit is None:
            unit = SANITATION[district] if kind == "litter" else CITY_MGMT[district]
        r = rng.random()
        fixed_on = None
        if i % 12 == 5:  # long-open ones, planted
            reported = REF_DATE - timedelta(days=int(rng.integers(45, 120)))
            status = "open" if i % 24 == 5 else "assigned"
        elif r < 0.6:  # fixed, about a quarter of them late
            reported = REF_DATE - timedelta(days=int(rng.integers(40, 170)))
            delay = int(rng.integers(9, 36)) if rng.random() < 0.25 else int(rng.integers(1, 7))
            status, fixed_on = "fixed", reported + timedelta(days=delay)
        else:  # recent, still being handled
            reported = REF_DATE - timedelta(days=int(rng.integers(1, 26)))
            status = "assigned" if r < 0.82 else "open"
        props = {
            "name": zh,
            "name_en": en,
            "kind": kind,
            "status": status,
            "reported_on": reported.isoformat(),
            "fixed_on": fixed_on.isoformat() if fixed_on else None,
            "photo": f"photos/P{i:03d}.jpg",
            "district": district,
            "unit": unit,
            "updated": (fixed_on or min(reported + timedelta(days=2), REF_DATE)).isoformat(),
        }
        feats.append(Feat(props, x, y))
    publish(ctx, "reports", feats, "P", 3)
