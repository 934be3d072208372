"""Layer ``lamps``: street lamps on circuits along the lit roads (with planted dark stretches and failed circuits),
landscape lamps, floodlights and facade lamps."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
from shapely.geometry import Point

from facilities.schema import ROAD_CLASSES

from .attractions import attraction
from .docks import landward
from .frame import Ctx, Feat, P
from .geometry import dist, point_along, scatter
from .model import MAJOR, pick, publish
from .places import CITY_MGMT, LAMPS

LIGHTING = "市城市照明管理处"  # the city's lighting office, which keeps the lamps of the fastest roads
LIGHTING_CLASSES = pick(ROAD_CLASSES, "expressway", "arterial")


def _street_lamps(ctx: Ctx, road_code: dict[str, int]) -> dict[str, list[Feat]]:
    """Lamps at even spacing along every lit segment, one style per road; by road name, in order along the road."""
    rng = ctx.rng
    by_road: dict[str, list[Feat]] = defaultdict(list)
    road_style: dict[str, tuple] = {}
    for s in ctx.segs:
        if not s.lit:
            continue
        spec = LAMPS["street"][s.cls]
        if s.name not in road_style:
            road_style[s.name] = (
                spec["heights"][int(rng.integers(len(spec["heights"])))],
                spec["powers"][int(rng.integers(len(spec["powers"])))],
                float(rng.choice((110.0, 120.0, 130.0))),
            )
            road_code[s.name] = len(road_code) + 1
        h, w, eff = road_style[s.name]
        length = s.geom.length
        n = max(1, math.ceil(length / spec["spacing"]))
        step = length / n
        phases = (0.5,) if spec["sides"] == 1 else (0.25, 0.75)
        for i in range(n):
            for k, ph in enumerate(phases):
                d = (i + ph) * step + float(rng.uniform(-0.8, 0.8))
                d = min(max(d, 0.5), max(length - 0.5, 0.5))
                x, y = point_along(s.geom, d, 1.0 if k == 0 else -1.0, spec["offset"])
                props = {"lamp_type": "street", "height_m": h, "power_w": w, "lumens": round(w * eff, -1), "working": True, "road": s.name}
                along = ctx.sources[s.src].line.project(Point(s.geom.interpolate(d)))
                by_road[s.name].append(Feat(props, x, y, tag=s.name, extra={"along": along, "src": s.src, "cls": s.cls}))
    # circuits: consecutive lamps along each road
    for name in sorted(by_road, key=lambda n: road_code[n]):
        seq = sorted(by_road[name], key=lambda f: (f.extra["src"], f.extra["along"]))
        by_road[name] = seq
        for i, f in enumerate(seq):
            f.props["circuit"] = f"C{road_code[name]:03d}-{i // LAMPS['circuit_size'] + 1:02d}"
    return by_road


def _plant_shortfalls(ctx: Ctx, by_road: dict[str, list[Feat]]) -> tuple[set[int], set[str]]:
    """Remove the lamps of the dark stretches and switch off the failed circuits; return (removed ids, circuits)."""
    removed: set[int] = set()
    dark = []
    for stretch in LAMPS["dark_stretches"]:
        name, length = stretch["road"], stretch["length"]
        seq = by_road[name]
        p = Point(P(*stretch["at"]))
        src = min({f.extra["src"] for f in seq}, key=lambda i: ctx.sources[i].line.distance(p))
        line = ctx.sources[src].line
        d0 = line.project(p)
        gone = [f for f in seq if f.extra["src"] == src and abs(f.extra["along"] - d0) <= length / 2]
        removed.update(id(f) for f in gone)
        dark.append((name, length, len(gone), point_along(line, d0 - length / 2), point_along(line, d0 + length / 2)))
    ctx.planted["dark_stretches"] = dark
    failed = []
    for circuit_spec in LAMPS["failed_circuits"]:
        name = circuit_spec["road"]
        seq = [f for f in by_road[name] if id(f) not in removed]
        circuit = min(seq, key=lambda f: dist(f.xy, P(*circuit_spec["at"]))).props["circuit"]
        for f in seq:
            if f.props["circuit"] == circuit:
                f.props["working"] = False
        failed.append((name, circuit))
    ctx.planted["failed_circuits"] = failed
    return removed, {c for _n, c in failed}


def build_lamps(ctx: Ctx) -> None:
    """Street lamps, then landscape lamps, floodlights, facade and dock lamps; numbered in that order."""
    rng = ctx.rng
    lamps: list[Feat] = []
    road_code: dict[str, int] = {}
    by_road = _street_lamps(ctx, road_code)
    removed, failed_set = _plant_shortfalls(ctx, by_road)
    # scattered failures: at most 1 % on main roads (so that they stay >= 98 %), 4 % elsewhere
    for name in sorted(by_road, key=lambda n: road_code[n]):
        seq = [f for f in by_road[name] if id(f) not in removed and f.props["circuit"] not in failed_set]
        share = 0.01 if seq and seq[0].extra["cls"] in MAJOR else 0.04
        k = int(len(seq) * share)
        for i in sorted(rng.choice(len(seq), size=k, replace=False).tolist()) if k else []:
            seq[i].props["working"] = False
        lamps += [f for f in by_road[name] if id(f) not in removed]

    # landscape lamps: along the old city wall, in parks, in Gulongzhong; floodlights and facade lamps
    def add(x, y, lamp_type, h, w, circuit, unit, working=None):
        working = bool(rng.random() > 0.04) if working is None else working
        props = {"lamp_type": lamp_type, "height_m": h, "power_w": w, "working": working, "circuit": circuit}
        lamps.append(Feat(props, x, y, tag="landscape", extra={"unit": unit}))

    wall = ctx.old_city.exterior
    for i, d in enumerate(np.arange(10.0, wall.length, 25.0)):
        x, y = point_along(wall, float(d), 1.0, -6.0 if wall.is_ccw else 6.0)
        add(x, y, "landscape", 3.5, 30.0, f"GC-W{i // 40 + 1:02d}", "襄阳古城景区管理处")
    for park in LAMPS["parks"]:
        key = park["zone"]
        for placed, x, y in scatter(rng, ctx.zones[key].geom, park["count"], lambda x, y: ctx.on_land(x, y, 15.0)):
            add(x, y, "landscape", 3.5, 35.0, f"{key}-{placed // 40 + 1:02d}", park["unit"])
    for _placed, x, y in scatter(rng, attraction(ctx, "gulongzhong").geom, 40):
        add(x, y, "landscape", 3.5, 30.0, "GLZ-01", "古隆中景区管理处")
    for fl in LAMPS["floodlights"]:
        a, n = attraction(ctx, fl["spot"]), fl["count"]
        for k in range(n):
            ang = 2 * math.pi * k / n
            x, y = a.x + 25 * math.cos(ang), a.y + 25 * math.sin(ang)
            add(x, y, "floodlight", fl["height"], fl["power"], f"FL-{fl['spot'][:3].upper()}", LIGHTING, working=True)
    line = max((s for s in ctx.segs if s.name == "北街"), key=lambda s: s.geom.length).geom
    for k, d in enumerate(np.linspace(20.0, line.length - 20.0, 24)):
        x, y = point_along(line, float(d), 1.0 if k % 2 else -1.0, 9.0)
        add(x, y, "facade", 6.0, 100.0, "FA-BJ", "襄阳古城景区管理处", working=True)
    # dock lamps (not at the dock planted without one)
    for key, dock in sorted(ctx.docks.items()):
        if key == "dongjin":
            continue
        for k, off in enumerate((20.0, 25.0)):
            x, y = landward(ctx, dock, off, (k * 2 - 1) * 8.0)
            add(x, y, "landscape", 4.0, 60.0, f"DK-{key[:3].upper()}", "市交通运输局", working=True)

    # lumens and updated are left out of the lamp file to keep it under 3 MB (lumens follow from power_w)
    def values(f: Feat) -> dict:
        district = ctx.district_of(*f.xy)
        unit = f.extra.get("unit") or (LIGHTING if f.extra.get("cls", "") in LIGHTING_CLASSES else CITY_MGMT[district])
        p = f.props
        own = {"height_m": _compact(p["height_m"]), "power_w": _compact(p["power_w"])}
        return {**p, **own, "lumens": None, "status": "existing", "district": district, "unit": unit}

    publish(ctx, "lamps", lamps, "L", 5, values)


def _compact(value: float) -> float | int:
    """10.0 -> 10 (the schema's float fields accept whole numbers; saves bytes in the 9,500-lamp file)."""
    return int(value) if float(value).is_integer() else value
