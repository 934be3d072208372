"""Layer ``billboards``: publicity and commercial billboards beside central main roads, some with expired permits."""

from __future__ import annotations

from datetime import date, timedelta

from .frame import Ctx, Feat, rand_date
from .geometry import dist, point_along
from .model import MAIN, publish
from .places import BILLBOARDS
from .roads import segments

COUNT = 40


def build_billboards(ctx: Ctx) -> None:
    """Billboards 300 m or more apart; 8 with an expired permit, 5 damaged or missing."""
    rng = ctx.rng
    segs = segments(ctx, MAIN, 0.8, min_length=100)
    publicity_units, commercial_units = BILLBOARDS["publicity_units"], BILLBOARDS["commercial_units"]
    publicity = BILLBOARDS["publicity"]
    pts: list[Feat] = []
    kinds = ["publicity"] * 30 + ["commercial"] * 10
    expired = set(rng.choice(COUNT, size=8, replace=False).tolist())
    damaged = set(rng.choice(COUNT, size=5, replace=False).tolist())
    k = 0
    while k < COUNT:
        s = segs[int(rng.integers(len(segs)))]
        x, y = point_along(s.geom, float(rng.uniform(0, s.geom.length)), float(rng.choice((-1.0, 1.0))), 22.0)
        if not ctx.on_land(x, y, 30.0) or any(dist((x, y), b.xy) < 300.0 for b in pts):
            continue
        kind = kinds[k]
        name, en = publicity[k % len(publicity)] if kind == "publicity" else BILLBOARDS["commercial"]
        year = int(rng.choice((2024, 2025, 2026)))
        if k in expired:
            exp = date(2025, 3, 1) + timedelta(days=int(rng.integers(0, 620)))
            exp = min(exp, date(2026, 11, 20))
        else:
            exp = date(2026, 12, 15) + timedelta(days=int(rng.integers(0, 730)))
        props = {
            "name": name,
            "name_en": en,
            "kind": kind,
            "illuminated": bool(rng.random() < 0.7),
            "permit_no": f"XYGG-{year}-{int(rng.integers(1, 400)):03d}",
            "permit_expiry": exp.isoformat(),
            "condition": ("damaged" if k % 5 else "missing") if k in damaged else "good",
            "status": "existing",
            "district": ctx.district_of(x, y),
            "unit": publicity_units[k % len(publicity_units)] if kind == "publicity" else commercial_units[k % len(commercial_units)],
            "updated": rand_date(rng),
        }
        pts.append(Feat(props, x, y))
        k += 1
    publish(ctx, "billboards", pts, "B", 3)
