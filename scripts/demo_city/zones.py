"""Layer ``zones``: districts, shopping districts, residential, green and scenic zones, sanitation responsibility zones."""

from __future__ import annotations

import shapely
from shapely.geometry import Point, Polygon

from .attractions import attraction, named_area
from .frame import BANK_ROAD, RIVER_HALF, Ctx, Feat, rand_date, rect
from .geometry import point_along
from .model import MAIN, publish
from .places import ZONES
from .roads import segments


def _fixed_geom(ctx: Ctx, z: dict, north_bank):
    """The area of a hand-drawn zone: a rectangle, the north-bank strip within one, a spot's buffer, or a named area."""
    if "rect" in z:
        return rect(*z["rect"])
    if "riverside" in z:
        return north_bank.intersection(rect(*z["riverside"]))
    if "around" in z:
        a = attraction(ctx, z["around"])
        return (a.geom if a.geom is not None else Point(a.xy)).buffer(z["buffer"])
    return named_area(ctx, z["area"])


def _responsibility_zones(ctx: Ctx, zone) -> None:
    """Frontage sanitation zones (门前三包 / 卫生责任区): 120 × 60 m boxes beside central main roads."""
    rng = ctx.rng
    units = ZONES["responsibility"]
    cands = segments(ctx, MAIN, 0.6, min_length=200)
    kept_out = [z.geom for z in ctx.zones.values() if z.props["zone_type"] in ("commercial", "residential")]
    taken: list[Polygon] = []
    k = 0
    while k < len(units):
        s = cands[int(rng.integers(len(cands)))]
        d = float(rng.uniform(60.0, s.geom.length - 60.0))
        side = float(rng.choice((-1.0, 1.0)))
        poly = Polygon([point_along(s.geom, d + dd, side, off) for dd, off in ((-60.0, 15.0), (60.0, 15.0), (60.0, 75.0), (-60.0, 75.0))])
        if not poly.is_valid or any(poly.intersects(t.buffer(50.0)) for t in taken) or poly.intersects(ctx.river):
            continue
        if any(poly.intersects(g) for g in kept_out):
            continue
        taken.append(poly)
        unit = units[k]
        zone(f"Z{k + 1:02d}", f"{unit}门前三包责任区", f"Frontage sanitation zone {k + 1:02d} ({s.name_en})", "responsibility", poly, unit)
        k += 1


def build_zones(ctx: Ctx) -> None:
    """All zones, in the order districts, shopping, hand-drawn, responsibility."""
    z: list[Feat] = []

    def zone(tag, name, en, zone_type, geom, unit):
        ctx.zones[tag] = Feat({"name": name, "name_en": en, "zone_type": zone_type, "unit": unit}, geom=geom, tag=tag)
        z.append(ctx.zones[tag])

    for name, en, unit, geom in ctx.districts:
        zone(name, name, en, "district", geom, unit)
    for c in ZONES["commercial"]:
        zone(c["tag"], c["name"], c["name_en"], "commercial", ctx.commercial[c["tag"]], c["unit"])
    # the north bank between the river and the riverside road
    north_bank = shapely.buffer(ctx.centre, BANK_ROAD - 2.0, single_sided=True).difference(ctx.centre.buffer(RIVER_HALF))
    for f in ZONES["fixed"]:
        zone(f["tag"], f["name"], f["name_en"], f["zone_type"], _fixed_geom(ctx, f, north_bank), f["unit"])
    _responsibility_zones(ctx, zone)

    def values(f: Feat) -> dict:
        rp = f.geom.representative_point()
        district = f.props["name"] if f.props["zone_type"] == "district" else ctx.district_of(rp.x, rp.y)
        return {**f.props, "status": "existing", "district": district, "updated": rand_date(ctx.rng)}

    publish(ctx, "zones", z, "Z", 3, values)
