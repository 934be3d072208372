"""The audit: what the coverage rules should find, asserted against the plan (and written to the README), and a check
of every written property against the layer model."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from datetime import date

import numpy as np
from shapely.geometry import Point

from .attractions import attraction_distance
from .frame import REF_DATE, Ctx
from .geometry import dist
from .model import ACTIVE, GRADED, LAYER_ORDER, MAJOR, allowed, check_props, pick
from .places import LAMPS, ZONES
from .roads import main_intersections, node_xy, street_points

DENSITY = ZONES["density"]
SPOT_STOPS = pick(allowed("stops", "stop_type"), "bus", "sightseeing_bus")  # stops that serve a scenic spot
#: the type fields whose every allowed value the demo city shows
SHOWN_IN_FULL = (("signs", "sign_type"), ("zones", "zone_type"), ("stops", "stop_type"), ("roads", "road_class"), ("toilets", "grade"))
#: values the demo city does not show although its layers could: Xiangyang has no tram or light rail
NOT_IN_DEMO = {("stops", "stop_type"): {"tram", "light_rail"}}


def _far_spots(ctx: Ctx, points: list, limit: float) -> list[tuple]:
    """(id, name, distance) of the scenic spots farther than ``limit`` from every one of ``points``."""
    out = []
    for a in ctx.layers["attractions"]:
        nearest = min(attraction_distance(a, *p.xy) for p in points)
        if nearest > limit:
            out.append((a.props["id"], a.props["name"], round(nearest)))
    return out


def _toilet_findings(ctx: Ctx, out: dict) -> None:
    """Spots without a graded toilet, street gaps in shopping districts, low density, stalls."""
    toilets = ctx.layers["toilets"]
    graded = [t for t in toilets if t.props["grade"] in GRADED and t.props["status"] in ACTIVE]
    active = [t for t in toilets if t.props["status"] in ACTIVE]
    out["spot_no_toilet"] = _far_spots(ctx, graded, 500.0)
    island = [a for a in ctx.attractions if a.tag == "yuliang"]
    out["walk_island"] = [(a.props["id"], a.props["name"], round(min(math.hypot(t.x - a.x, t.y - a.y) for t in graded))) for a in island]
    # commercial street gaps (a road portion in a commercial zone > 250 m from every toilet)
    gaps = []
    tx, ty = np.array([t.x for t in active]), np.array([t.y for t in active])
    for z in (z for z in ctx.zones.values() if z.props["zone_type"] == "commercial"):
        worst: dict[str, float] = {}
        for p, s in street_points(ctx, z.geom, 10.0):
            worst[s.name] = max(worst.get(s.name, 0.0), float(np.min(np.hypot(tx - p.x, ty - p.y))))
        gaps += [(z.props["id"], z.props["name"], road, round(m)) for road, m in sorted(worst.items()) if m > 250.0]
    out["street_gap"] = gaps
    dens = []
    for z in ctx.layers["zones"]:
        zt = z.props["zone_type"]
        if zt not in DENSITY:
            continue
        n = sum(1 for t in active if z.geom.contains(Point(t.xy)))
        area = z.geom.area / 1e6
        if n / area < DENSITY[zt][0]:
            dens.append((z.props["id"], z.props["name"], n, round(area, 2), round(n / area, 2)))
    out["low_density"] = dens
    out["no_access"] = [
        (t.props["id"], t.props["name"]) for t in toilets if t.props["accessible_stalls"] == 0 and not t.props["family_room"]
    ]
    out["low_ratio"] = [
        (t.props["id"], t.props["name"], t.props["female_stalls"], t.props["male_stalls"])
        for t in toilets
        if t.props["female_stalls"] < 1.5 * t.props["male_stalls"]
    ]


def _lamp_findings(ctx: Ctx, out: dict) -> None:
    """Gaps along lit segments and the working share per road."""
    by_road = defaultdict(list)
    for f in ctx.layers["lamps"]:
        if "road" in f.props:
            by_road[f.props["road"]].append(f)
    gap_list = []
    for s in ctx.segs:
        if not s.lit:
            continue
        cand = by_road.get(s.name, [])
        near = [f for f in cand if abs(f.x - s.geom.centroid.x) < s.geom.length + 50 and abs(f.y - s.geom.centroid.y) < s.geom.length + 50]
        near = [f for f in near if s.geom.distance(Point(f.xy)) <= 20.0]
        ds = sorted([0.0, s.geom.length] + [s.geom.project(Point(f.xy)) for f in near])
        gap = max(b - a for a, b in itertools.pairwise(ds))
        h = near[0].props["height_m"] if near else LAMPS["street"][s.cls]["heights"][0]
        if gap > 3.5 * h:
            gap_list.append((s.id, s.name, round(gap)))
    out["lamp_gap_segments"] = gap_list
    share = []
    for name in sorted(by_road):
        cls = next(s.cls for s in ctx.segs if s.name == name)
        n = len(by_road[name])
        w = sum(1 for f in by_road[name] if f.props["working"])
        limit = 0.98 if cls in MAJOR else 0.96
        if w / n < limit:
            share.append((name, cls, n, w, round(100.0 * w / n, 1)))
    out["low_working"] = share


def _sign_and_dock_findings(ctx: Ctx, out: dict) -> None:
    """Road-name signs at main intersections, bad signs, what the docks lack."""
    L = ctx.layers
    rn = [f for f in L["signs"] if f.props["sign_type"] == "road_name" and f.props["condition"] != "missing"]
    rn_xy = np.array([f.xy for f in rn])
    no_sign, no_en = [], []
    for node in main_intersections(ctx):
        x, y = node_xy(node)
        d = np.hypot(rn_xy[:, 0] - x, rn_xy[:, 1] - y)
        close = [rn[i] for i in np.flatnonzero(d <= 30.0)]
        names = " × ".join(sorted({ctx.segs[k].name for k in ctx.nodes[node]}))
        if not close:
            no_sign.append((node, names))
        elif not any(f.props.get("text_en") for f in close):
            no_en.append((node, names, close[0].props["id"]))
    out["intersection_no_sign"] = no_sign
    out["intersection_no_english"] = no_en
    out["signs_bad"] = [(f.props["id"], f.props["sign_type"], f.props["condition"]) for f in L["signs"] if f.props["condition"] != "good"]
    dk = []
    active = [t for t in L["toilets"] if t.props["status"] in ACTIVE]
    lamp_xy = np.array([f.xy for f in L["lamps"]])
    bil = [f for f in L["signs"] if f.props.get("text_en") and f.props["condition"] != "missing"]
    for d in L["docks"]:
        nearest = {
            "toilet": min(dist(d.xy, t.xy) for t in active),
            "lamp": float(np.min(np.hypot(lamp_xy[:, 0] - d.x, lamp_xy[:, 1] - d.y))),
            "bilingual sign": min(dist(d.xy, f.xy) for f in bil),
        }
        for what, limit in (("toilet", 200.0), ("lamp", 30.0), ("bilingual sign", 100.0)):
            if nearest[what] > limit:
                dk.append((d.props["id"], d.props["name"], what, round(nearest[what])))
    out["dock_gaps"] = dk


def audit(ctx: Ctx) -> dict:
    """What each coverage rule should find in the generated city."""
    L = ctx.layers
    out: dict[str, list] = {}
    _toilet_findings(ctx, out)
    _lamp_findings(ctx, out)
    _sign_and_dock_findings(ctx, out)
    out["spot_no_stop"] = _far_spots(ctx, [s for s in L["stops"] if s.props["stop_type"] in SPOT_STOPS], 300.0)
    out["permit_expired"] = [
        (b.props["id"], b.props["permit_expiry"]) for b in L["billboards"] if b.props["permit_expiry"] < REF_DATE.isoformat()
    ]
    late, stale = [], []
    for r in L["reports"]:
        rep = date.fromisoformat(r.props["reported_on"])
        if r.props["status"] == "fixed":
            days = (date.fromisoformat(r.props["fixed_on"]) - rep).days
            if days > 7:
                late.append((r.props["id"], r.props["kind"], days))
        elif (REF_DATE - rep).days > 30:
            stale.append((r.props["id"], r.props["kind"], r.props["status"], (REF_DATE - rep).days))
    out["reports_late"] = late
    out["reports_stale"] = stale
    return out


def check_written(ctx: Ctx) -> None:
    """Every property of every layer is a field of it with an allowed value; ids are unique; every type is shown."""
    for layer in LAYER_ORDER:
        feats = ctx.layers[layer]
        for f in feats:
            check_props(layer, f.props)
        ids = [f.props["id"] for f in feats]
        assert len(set(ids)) == len(ids), f"{layer}: ids repeat"
    for layer, field in SHOWN_IN_FULL:
        shown = {f.props[field] for f in ctx.layers[layer]}
        assert shown == set(allowed(layer, field)) - NOT_IN_DEMO.get((layer, field), set()), (layer, field, sorted(shown))
    assert {r.props["status"] for r in ctx.layers["reports"]} == set(allowed("reports", "status"))


def check_plan(ctx: Ctx, found: dict) -> None:
    """The audit must find exactly the planted shortfalls (and nothing unplanned where we control it)."""
    names = sorted(n for _i, n, _d in found["spot_no_toilet"])
    assert names == sorted(["鹿门寺", "习家池", "真武山"]), names
    assert [d < 500 for _i, _n, d in found["walk_island"]] == [True], found["walk_island"]  # in reach in a straight line
    assert {g[1] for g in found["street_gap"]} == {"长虹路商圈"}, found["street_gap"]
    assert "长虹路" in {g[2] for g in found["street_gap"]}, found["street_gap"]
    assert [d[1] for d in found["low_density"]] == ["东津新城居住区"], found["low_density"]
    assert len(found["no_access"]) >= 3 and len(found["low_ratio"]) >= 3
    gap_roads = {n for _i, n, _g in found["lamp_gap_segments"]}
    assert gap_roads == {"前进路", "檀溪路", "春园路"}, gap_roads
    low = {n for n, *_ in found["low_working"]}
    assert low == {"长虹路", "人民路"}, found["low_working"]
    assert sorted(n for n, _ in found["intersection_no_sign"]) == sorted(ctx.planted["no_sign_nodes"]), found["intersection_no_sign"]
    assert sorted(n for n, *_ in found["intersection_no_english"]) == sorted(ctx.planted["no_english_nodes"]), found[
        "intersection_no_english"
    ]
    assert sorted((n, w) for _i, n, w, _d in found["dock_gaps"]) == sorted(
        [("夫人城码头", "toilet"), ("东津码头", "lamp"), ("岘山码头", "bilingual sign")]
    ), found["dock_gaps"]
    assert sorted(n for _i, n, _d in found["spot_no_stop"]) == sorted(["鹿门寺", "岘山", "鱼梁洲"]), found["spot_no_stop"]
    assert len(found["permit_expired"]) == 8
    assert found["reports_late"] and found["reports_stale"]
