"""Layer ``signs``: road-name and direction signs, scenic guides, maps and boards, stop signs, toilet directions."""

from __future__ import annotations

import math
from collections import defaultdict
from functools import partial

import numpy as np
from shapely.geometry import Point

from .docks import landward
from .frame import Ctx, Feat, rand_date
from .geometry import dist, point_along
from .model import ACTIVE, MAIN, publish
from .places import SANITATION
from .roads import from_node, main_intersections, near_road_point, node_segments, node_xy

DIRECTION_TARGETS = ("gulongzhong", "ancient_city", "migong", "xijiachi", "tangcheng", "lumen", "xianshan")
GUIDES = {"gulongzhong": 6, "ancient_city": 8, "tangcheng": 4}  # scenic guides per spot (default 3)


class Signs:
    """Collects signs (their own fields and unit; numbered and completed by :func:`build_signs`)."""

    def __init__(self, ctx: Ctx):
        self.ctx = ctx
        self.items: list[Feat] = []

    def add(self, x, y, sign_type, zh, en, unit, road=None, condition="good", tag="") -> None:
        """A sign at (x, y); ``en`` None or empty for a Chinese-only sign."""
        props = {"sign_type": sign_type, "text_zh": zh, "text_en": en or None, "condition": condition, "road": road or None, "unit": unit}
        self.items.append(Feat(props, x, y, tag=tag))

    def name_sign(self, node, seg, en=True, condition="good", tag="") -> None:
        """A road-name sign of ``seg`` beside it, 14 m (at most 40 % of it) from ``node``."""
        x, y = point_along(seg.geom, from_node(seg, node, min(14.0, seg.geom.length * 0.4)), 1.0, 6.0)
        self.add(x, y, "road_name", seg.name, seg.name_en if en else None, "市民政局", road=seg.name, condition=condition, tag=tag)


def _first_on_land(ctx: Ctx, tries: int, draw) -> tuple:
    """The first of ``tries`` draws ``draw()`` -> (x, y, ...) that lies 20 m or more inland (else the last one)."""
    for _t in range(tries):
        item = draw()
        if ctx.on_land(item[0], item[1], 20.0):
            break
    return item


def _guide_point(ctx: Ctx, base: Point) -> tuple:
    """A point beside the main or branch road nearest a random point up to 900 m from ``base``, and that road."""
    rng = ctx.rng
    (x, y), s = near_road_point(ctx, base.x + rng.uniform(-900, 900), base.y + rng.uniform(-900, 900), classes=(*MAIN, "branch"), off=7.0)
    return x, y, s


def _ring_point(rng: np.random.Generator, base: Point, k: int) -> tuple[float, float]:
    """A random point on the ring of 60 × (k + 1) m around ``base``."""
    ang = float(rng.uniform(0, 2 * math.pi))
    return base.x + 60 * math.cos(ang) * (k + 1), base.y + 60 * math.sin(ang) * (k + 1)


def _toilet_point(rng: np.random.Generator, t: Feat) -> tuple[float, float, float]:
    """A random point 60 to 140 m from a toilet, and its distance."""
    ang = float(rng.uniform(0, 2 * math.pi))
    r = float(rng.uniform(60, 140))
    return t.x + r * math.cos(ang), t.y + r * math.sin(ang), r


def _plant_unsigned(ctx: Ctx, mains: list[tuple], main_xy: np.ndarray) -> tuple[list[int], list[int]]:
    """Choose the main intersections planted with no road-name sign (4) and with one without English (6)."""
    rng = ctx.rng

    def isolated(i, radius):
        d = np.hypot(main_xy[:, 0] - main_xy[i, 0], main_xy[:, 1] - main_xy[i, 1])
        d[i] = np.inf
        return float(d.min()) > radius

    cand = [
        i
        for i in range(len(mains))
        if len(ctx.nodes[mains[i]]) >= 3
        and isolated(i, 250.0)
        and ctx.district_of(*node_xy(mains[i])) in ("樊城区", "襄城区")
        and not any(s.bridge for s in node_segments(ctx, mains[i]))
    ]
    no_sign = sorted(rng.choice(cand, size=4, replace=False).tolist())
    # the planted gaps stand alone, so that no neighbour's sign covers them
    rest = [i for i in range(len(mains)) if isolated(i, 100.0) and all(dist(node_xy(mains[i]), node_xy(mains[j])) > 300.0 for j in no_sign)]
    no_english = sorted(rng.choice(rest, size=6, replace=False).tolist())
    ctx.planted["no_sign_nodes"] = [mains[i] for i in no_sign]
    ctx.planted["no_english_nodes"] = [mains[i] for i in no_english]
    return no_sign, no_english


def _road_name_signs(ctx: Ctx, S: Signs, mains: list[tuple], main_xy: np.ndarray, no_sign: list[int], no_english: list[int]) -> None:
    """Road-name signs at main intersections (bar the planted ones) and at some junctions with branch streets."""
    rng = ctx.rng
    for i, node in enumerate(mains):
        if i in no_sign:
            continue
        by_name = []
        for s in sorted(node_segments(ctx, node), key=lambda s: (s.cls not in MAIN, s.id)):
            if s.name not in [t.name for t in by_name]:
                by_name.append(s)
        if i in no_english:
            S.name_sign(node, by_name[0], en=False, tag="no_english")
            continue
        S.name_sign(node, by_name[0])
        if rng.random() < 0.8:
            S.name_sign(node, by_name[1], condition="damaged" if rng.random() < 0.04 else "good")
    # signs at some junctions of main roads with branch streets (a few without English), away from the main ones
    n_extra_noen = 0
    for node in sorted(ctx.nodes):
        segs = node_segments(ctx, node)
        names = {s.name for s in segs}
        if len(names) < 2 or node in mains or not any(s.cls in MAIN for s in segs) or rng.random() > 0.4:
            continue
        x, y = node_xy(node)
        if float(np.min(np.hypot(main_xy[:, 0] - x, main_xy[:, 1] - y))) < 60.0:
            continue
        s = sorted((t for t in segs if t.cls not in MAIN), key=lambda t: t.id)
        if not s:
            continue
        en = not (n_extra_noen < 6 and rng.random() < 0.1)
        n_extra_noen += not en
        S.name_sign(node, s[0], en=en)


def _direction_signs(ctx: Ctx, S: Signs, mains: list[tuple], no_sign: list[int], most: int = 50) -> None:
    """Direction signs to scenic spots on main roads, 110 m before (a random ``most`` of the) main intersections."""
    rng = ctx.rng
    targets = [a for a in ctx.attractions if a.tag in DIRECTION_TARGETS]
    n_dir = 0
    for i in rng.permutation(len(mains)).tolist():
        if n_dir >= most:
            break
        node = mains[i]
        if i in no_sign:
            continue
        segs = [s for s in node_segments(ctx, node) if s.cls in MAIN and s.geom.length > 180]
        if not segs:
            continue
        s = sorted(segs, key=lambda t: t.id)[0]
        x, y = point_along(s.geom, from_node(s, node, 110.0), -1.0, 8.0)
        tgt = min(targets, key=lambda a: dist(a.xy, (x, y)) + float(rng.uniform(0, 3000)))
        km = max(1, round(dist(tgt.xy, (x, y)) / 1000.0))
        en = None if rng.random() < 0.08 else f"{tgt.props['name_en']} {km} km"
        S.add(x, y, "direction", f"{tgt.props['name']} {km}km", en, "市公安局交通管理支队", road=s.name)
        n_dir += 1


def _visitor_signs(ctx: Ctx, S: Signs) -> None:
    """Scenic guides, maps and boards at the spots and docks; stop signs; toilet direction signs."""
    rng = ctx.rng
    for a in ctx.attractions:
        base = a.geom.representative_point() if a.geom is not None else Point(a.xy)
        for _k in range(GUIDES.get(a.tag, 3)):
            x, y, s = _first_on_land(ctx, 50, partial(_guide_point, ctx, base))
            en = None if rng.random() < 0.08 else f"{a.props['name_en']} →"
            S.add(x, y, "scenic_guide", f"{a.props['name']} →", en, "市文化和旅游局", road=s.name)
        for kind, n in (("overview_map", 1), ("info_board", 1 if a.tag not in ("gulongzhong", "ancient_city") else 3)):
            for k in range(n):
                x, y = _first_on_land(ctx, 50, partial(_ring_point, rng, base, k))
                zh = f"{a.props['name']}导览图" if kind == "overview_map" else f"{a.props['name']}简介"
                en = f"{a.props['name_en']} Visitor Map" if kind == "overview_map" else f"About {a.props['name_en']}"
                S.add(x, y, kind, zh, en, a.props["unit"])
    # docks: a bilingual overview map, except 岘山码头 (Chinese-only board)
    for key, dock in sorted(ctx.docks.items()):
        x, y = landward(ctx, dock, 40.0, -20.0)
        if key == "xianshan":
            S.add(x, y, "info_board", f"{dock.props['name']}乘船须知", None, "市交通运输局", tag="dock_noen")
        else:
            S.add(x, y, "overview_map", f"{dock.props['name']}导览图", f"{dock.props['name_en']} Map", "市交通运输局")
    for st in ctx.layers["stops"]:
        taxi = st.props["stop_type"] == "taxi"
        en = st.props["name_en"] if st.props["bilingual"] else None
        unit = "市客运出租汽车管理处" if taxi else "市公交集团"
        S.add(st.x + 4.0, st.y + 2.0, "taxi_stop" if taxi else "bus_stop", st.props["name"], en, unit)
    for t in ctx.layers["toilets"]:
        if t.props["status"] not in ACTIVE or (t.props["grade"] == "none" and rng.random() < 0.5):
            continue
        x, y, r = _first_on_land(ctx, 30, partial(_toilet_point, rng, t))
        en = None if rng.random() < 0.06 else f"Toilet {round(r / 10) * 10} m"
        S.add(x, y, "toilet_direction", f"厕所 {round(r / 10) * 10}m", en, SANITATION[ctx.district_of(x, y)])


def _damage(ctx: Ctx, signs: list[Feat]) -> None:
    """A few damaged or missing signs of every type but road names (not the planted Chinese-only ones)."""
    by_type = defaultdict(list)
    for f in signs:
        by_type[f.props["sign_type"]].append(f)
    for st in sorted(by_type):
        group = [f for f in by_type[st] if f.tag != "no_english" and f.tag != "dock_noen"]
        if st == "road_name":
            continue
        n_bad = max(2, round(0.08 * len(group)))
        for j, i in enumerate(sorted(ctx.rng.choice(len(group), size=min(n_bad, len(group)), replace=False).tolist())):
            group[i].props["condition"] = "missing" if j % 4 == 3 else "damaged"


def build_signs(ctx: Ctx) -> None:
    """All signs; then the planted gaps are cleared, some signs damaged, and the signs numbered."""
    rng = ctx.rng
    S = Signs(ctx)
    mains = main_intersections(ctx)
    main_xy = np.array([node_xy(n) for n in mains])
    no_sign, no_english = _plant_unsigned(ctx, mains, main_xy)
    _road_name_signs(ctx, S, mains, main_xy, no_sign, no_english)
    _direction_signs(ctx, S, mains, no_sign)
    _visitor_signs(ctx, S)
    # keep the planted gaps clean: no road-name sign within 45 m of an unsigned intersection and no
    # bilingual sign within 130 m of 岘山码头
    bad_nodes = [node_xy(n) for n in ctx.planted["no_sign_nodes"]]
    dock = ctx.docks["xianshan"].xy
    signs = [
        f
        for f in S.items
        if not (f.props["sign_type"] == "road_name" and any(dist(f.xy, b) < 45.0 for b in bad_nodes))
        and not (f.props["text_en"] and dist(f.xy, dock) < 130.0)
    ]
    _damage(ctx, signs)

    def values(f: Feat) -> dict:
        status = "existing"
        if f.props["sign_type"] in ("road_name", "scenic_guide") and rng.random() < 0.15:
            status = "new"
        elif rng.random() < 0.05:
            status = "renovated"
        return {**f.props, "status": status, "district": ctx.district_of(*f.xy), "updated": rand_date(rng)}

    publish(ctx, "signs", signs, "G", 4, values)
