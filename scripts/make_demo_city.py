#!/usr/bin/env python3
"""Generate the illustrative demo city Xiangyang (襄阳), Hubei: ten facility layers, water and city.toml.

Usage::

    python scripts/make_demo_city.py [--seed 20261129] [--out data/xiangyang]

The city lies on both banks of the Han River (汉江): Xiangcheng (襄城, south bank, with the walled
ancient city) and Fancheng (樊城, north bank), Xiangzhou (襄州, north-east) and Dongjin (东津新区, east of
the river bend). Scenic spots sit at approximately real positions (± a few hundred metres); everything
else — roads, toilets, signs, lamps, stops, billboards, zones, reports — is simulated.

The run is deterministic: the same seed gives byte-identical files (no timestamps, fixed iteration
order, coordinates rounded to 6 decimals). Every file is written atomically. Only the standard library,
numpy and shapely are used. All geometry is built in a local metric frame (an equirectangular
projection at 32.005°N, good to about 0.1 % over the city) and converted to WGS84 lon/lat on output.

Planted shortfalls
------------------
Put in on purpose so that every coverage rule in DOMAIN.md has something real to find. The exact
feature ids are found by an audit at the end of each run, asserted, and written to the README.

* scenic spot without a graded (A+, not planned/closed) toilet within 500 m: 鹿门寺 Lumen Temple (only
  an ungraded toilet nearby), 习家池 Xi Family Pond (only a *planned* AA toilet), 真武山 Zhenwu Mountain
  (only a *closed* AAA toilet);
* busy commercial street with a toilet gap > 500 m: 长虹路 inside the zone 长虹路商圈 (about 1.6 km);
* zone below the toilet density threshold: 东津新城居住区 (residential, one toilet on ~1.6 km²);
* toilets with no accessible stall and no family room, and toilets with female:male stalls below 3:2;
* dark stretches (several hundred metres without lamps) on 前进路 and 檀溪路 (arterial) and 春园路
  (secondary); a failed circuit (every lamp not working) on 长虹路 and on 人民路, whose working share
  therefore falls below 98 %;
* four intersections of named main roads with no road-name sign within 30 m, six where the only
  road-name sign has no English; damaged and missing signs of most types;
* docks: 夫人城码头 has no toilet within 200 m, 东津码头 no lamp within 30 m, 岘山码头 no bilingual sign
  within 100 m;
* scenic spots without a bus / sightseeing stop within 300 m: 鹿门寺 and 岘山;
* billboards whose permit expired before 2026-11-29;
* reports fixed more than 7 days after being reported, and reports open or assigned for over 30 days.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box
from shapely.geometry.polygon import orient
from shapely.ops import split, substring, unary_union

DEFAULT_SEED = 20261129
REF_DATE = date(2026, 11, 29)  # "today" for permits and reports
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "data" / "xiangyang"

WEST, SOUTH, EAST, NORTH = 112.03, 31.91, 112.30, 32.10
CENTER = (112.15, 32.025)
LON0, LAT0 = 112.165, 32.005
KX, KY = 94488.0, 110886.9  # metres per degree of longitude / latitude at LAT0 (WGS84)

RIVER_HALF = 320.0  # half width of the Han River (m)
BANK_ROAD = 450.0  # riverside roads run this far from the river centreline (130 m from the bank)
DOCK_OFFSET = RIVER_HALF - 10.0  # docks sit on their pontoons 10 m out from the bank
PRUNE_LEN = 230.0  # dangling overshoot stubs shorter than this are removed after noding
LIT_CORE = 1.45  # main roads are lit within this scaled distance of an urban core (see core_distance)

MAIN = ("arterial", "secondary")  # "named main roads" for the road-name-sign rule
ACTIVE = ("existing", "new", "renovated")
GRADED = ("A", "AA", "AAA")


# ---------------------------------------------------------------------------------------------------
# coordinates
# ---------------------------------------------------------------------------------------------------


def P(lon: float, lat: float) -> tuple[float, float]:
    """WGS84 lon/lat -> local metres."""
    return ((lon - LON0) * KX, (lat - LAT0) * KY)


def to_ll(x: float, y: float) -> tuple[float, float]:
    """Local metres -> WGS84 lon/lat rounded to 6 decimals (about 0.1 m)."""
    return (round(LON0 + x / KX, 6), round(LAT0 + y / KY, 6))


def Pl(coords) -> list[tuple[float, float]]:
    return [P(lo, la) for lo, la in coords]


def dist(a, b) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def chaikin(pts, rounds=3):
    for _ in range(rounds):
        out = [pts[0]]
        for (x0, y0), (x1, y1) in itertools.pairwise(pts):
            out.append((0.75 * x0 + 0.25 * x1, 0.75 * y0 + 0.25 * y1))
            out.append((0.25 * x0 + 0.75 * x1, 0.25 * y0 + 0.75 * y1))
        out.append(pts[-1])
        pts = out
    return pts


def point_along(line: LineString, d: float, side: float = 0.0, off: float = 0.0) -> tuple[float, float]:
    """Point at distance ``d`` along ``line``, moved ``off`` metres to the left (side=1) or right (-1)."""
    length = line.length
    d = min(max(d, 0.0), length)
    p = line.interpolate(d)
    a = line.interpolate(max(d - 2.0, 0.0))
    b = line.interpolate(min(d + 2.0, length))
    tx, ty = b.x - a.x, b.y - a.y
    n = math.hypot(tx, ty) or 1.0
    return (p.x - side * off * ty / n, p.y + side * off * tx / n)


def wiggle(coords, amp: float, rng: np.random.Generator, step: float = 120.0):
    """Densify a polyline and bend it gently (endpoints fixed), so that roads are not ruler-straight."""
    line = LineString(coords)
    length = line.length
    if amp <= 0 or length < 3 * step:
        return list(coords)
    lam1, lam2 = rng.uniform(1500, 3000), rng.uniform(500, 900)
    ph1, ph2 = rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi)
    n = int(length // step)
    out = [coords[0]]
    for d in np.linspace(0, length, n + 1)[1:-1]:
        taper = min(1.0, d / 300.0, (length - d) / 300.0)
        w = amp * taper * (math.sin(2 * math.pi * d / lam1 + ph1) + 0.5 * math.sin(2 * math.pi * d / lam2 + ph2))
        out.append(point_along(line, float(d), 1.0, w / 1.5))
    out.append(coords[-1])
    return out


def extend(coords, e0: float, e1: float):
    """Extend a polyline along its end tangents (to overshoot the road it should meet)."""
    coords = list(coords)
    if e0 > 0:
        (x0, y0), (x1, y1) = coords[0], coords[1]
        n = math.hypot(x0 - x1, y0 - y1)
        coords.insert(0, (x0 + (x0 - x1) / n * e0, y0 + (y0 - y1) / n * e0))
    if e1 > 0:
        (x0, y0), (x1, y1) = coords[-1], coords[-2]
        n = math.hypot(x0 - x1, y0 - y1)
        coords.append((x0 + (x0 - x1) / n * e1, y0 + (y0 - y1) / n * e1))
    return coords


def cut_coords(coords, d: float):
    """Split a polyline at distance ``d``; both halves share the exact cut point."""
    acc = 0.0
    for i in range(len(coords) - 1):
        seg = dist(coords[i], coords[i + 1])
        if acc + seg >= d and seg > 0:
            t = (d - acc) / seg
            p = (
                coords[i][0] + t * (coords[i + 1][0] - coords[i][0]),
                coords[i][1] + t * (coords[i + 1][1] - coords[i][1]),
            )
            return [*coords[: i + 1], p], [p, *coords[i + 1 :]]
        acc += seg
    return coords, [coords[-1]]


def insert_crossing(a, b):
    """Insert the crossing point of polylines a and b as a vertex in both; return (a, b, point)."""
    inter = LineString(a).intersection(LineString(b))
    if inter.is_empty:
        raise RuntimeError("lines do not cross")
    p = inter if inter.geom_type == "Point" else inter.geoms[0]
    p = (p.x, p.y)

    def put(coords):
        line = LineString(coords)
        first, second = cut_coords(coords, line.project(Point(p)))
        return [*first[:-1], p, *second[1:]]

    return put(a), put(b), p


def cut_at_vertex(coords, p):
    """Split a polyline at its vertex ``p`` (exact match); both halves share ``p``."""
    i = coords.index(p)
    return coords[: i + 1], coords[i:]


# ---------------------------------------------------------------------------------------------------
# names and units
# ---------------------------------------------------------------------------------------------------

DISTRICTS = (
    ("襄城区", "Xiangcheng District", "襄城区人民政府"),
    ("樊城区", "Fancheng District", "樊城区人民政府"),
    ("襄州区", "Xiangzhou District", "襄州区人民政府"),
    ("东津新区", "Dongjin New District", "东津新区管理委员会"),
)
SANITATION = {
    "襄城区": "襄城区环卫处",
    "樊城区": "樊城区环卫处",
    "襄州区": "襄州区环卫处",
    "东津新区": "东津新区环卫所",
}
CITY_MGMT = {
    "襄城区": "襄城区城管局",
    "樊城区": "樊城区城管局",
    "襄州区": "襄州区城管局",
    "东津新区": "东津新区城管局",
}

#: stems for the names of the generated streets, "汉字:Pinyin", separated by white space
_STEMS = """
育才:Yucai 书院:Shuyuan 琴亭:Qinting 凤雏:Fengchu 汉津:Hanjin 樊西:Fanxi
清河:Qinghe 七里:Qili 追日:Zhuiri 长征:Changzheng 丹江:Danjiang 南阳:Nanyang
炮铺:Paopu 伍家:Wujia 关圣:Guansheng 高新:Gaoxin 鼓楼:Gulou 柿铺:Shipu 米公:Migong
定中:Dingzhong 屏襄:Pingxiang 磨基:Moji 麒麟:Qilin 万山:Wanshan 习池:Xichi
王寨:Wangzhai 米庄:Mizhuang 牛首:Niushou 太平:Taiping 张湾:Zhangwan 肖湾:Xiaowan
余家湖:Yujiahu 刘集:Liuji 团山:Tuanshan 贾洲:Jiazhou 尹集:Yinji 欧庙:Oumiao
紫贞:Zizhen 春晖:Chunhui 诸葛:Zhuge 昭明:Zhaoming 凯旋:Kaixuan 盛丰:Shengfeng
华洋堤:Huayangdi 新兴:Xinxing 兴武:Xingwu 回龙:Huilong 园林:Yuanlin 体育:Tiyu
荆襄:Jingxiang 武当:Wudang 神农:Shennong 桃园:Taoyuan 梨园:Liyuan 杏花:Xinghua
枣阳:Zaoyang 宜城:Yicheng 南漳:Nanzhang 保康:Baokang 谷城:Gucheng 老河口:Laohekou
十堰:Shiyan 随州:Suizhou 孝感:Xiaogan 宜昌:Yichang 恩施:Enshi 荆门:Jingmen
黄冈:Huanggang 咸宁:Xianning 天门:Tianmen 仙桃:Xiantao 潜江:Qianjiang 鄂州:Ezhou
黄石:Huangshi 光明:Guangming 和平:Heping 团结:Tuanjie 友谊:Youyi 新华:Xinhua
文化:Wenhua 劳动:Laodong 迎宾:Yingbin 建华:Jianhua 朝阳:Chaoyang 晨光:Chenguang
东风:Dongfeng 红光:Hongguang 幸福:Xingfu 长安:Chang'an 永安:Yong'an 安康:Ankang
顺安:Shun'an 平安:Ping'an 檀香:Tanxiang 月亮湾:Yueliangwan 鱼梁:Yuliang
岘南:Xiannan 樊东:Fandong 樊北:Fanbei 襄北:Xiangbei 米家:Mijia 陈家:Chenjia
李家:Lijia 马家:Majia 刘家:Liujia 周家:Zhoujia 杨家:Yangjia 黄家:Huangjia
徐家:Xujia 胡家:Hujia 朱家:Zhujia 高家:Gaojia 罗家:Luojia 郑家:Zhengjia
梁家:Liangjia 宋家:Songjia 唐家:Tangjia 韩家:Hanjia 冯家:Fengjia 曹家:Caojia
彭家:Pengjia 曾家:Zengjia 田家:Tianjia 董家:Dongjia 潘家:Panjia 袁家:Yuanjia
蔡家:Caijia 杜家:Dujia 叶家:Yejia 程家:Chengjia 魏家:Weijia 苏家:Sujia 丁家:Dingjia
沈家:Shenjia 范家:Fanjia
"""
STREET_BASES = tuple(tuple(item.split(":")) for item in _STEMS.split())
SUFFIXES = (
    ("路", "Road"),
    ("街", "Street"),
    ("巷", "Lane"),
    ("一路", "1st Road"),
    ("二路", "2nd Road"),
    ("三路", "3rd Road"),
    ("东路", "East Road"),
    ("西路", "West Road"),
    ("南路", "South Road"),
    ("北路", "North Road"),
)


# ---------------------------------------------------------------------------------------------------
# data model
# ---------------------------------------------------------------------------------------------------


@dataclass
class RoadSrc:
    name: str
    name_en: str
    cls: str
    lit: bool
    coords: list
    bridge: bool = False
    status: str = "existing"
    line: LineString | None = None
    stubs: tuple = ()  # end points that overshoot on purpose (pruned after noding when left dangling)
    minor: bool = False  # part of the generated street mesh (its short dead ends are pruned too)


@dataclass
class Seg:
    src: int
    geom: LineString
    along: float
    name: str = ""
    name_en: str = ""
    cls: str = ""
    lit: bool = False
    bridge: bool = False
    status: str = "existing"
    id: str = ""
    district: str = ""


@dataclass
class Feat:
    """One output feature: a point (x, y) or a geometry, in metres, and its properties."""

    props: dict
    x: float = 0.0
    y: float = 0.0
    geom: object = None
    tag: str = ""  # internal label, not written
    extra: dict = field(default_factory=dict)  # internal working values, not written

    @property
    def xy(self) -> tuple[float, float]:
        return (self.x, self.y)


@dataclass
class Ctx:
    rng: np.random.Generator
    box: Polygon = None
    centre: LineString = None
    river: Polygon = None
    districts: list = field(default_factory=list)  # (name, name_en, unit, geom)
    old_city: Polygon = None
    attractions: list = field(default_factory=list)  # Feat with tag=key
    sources: list = field(default_factory=list)
    segs: list = field(default_factory=list)
    nodes: dict = field(default_factory=dict)
    layers: dict = field(default_factory=dict)
    zones: dict = field(default_factory=dict)  # tag -> Feat
    docks: dict = field(default_factory=dict)
    planted: dict = field(default_factory=dict)
    trees: dict = field(default_factory=dict)
    commercial: dict = field(default_factory=dict)

    def district_of(self, x: float, y: float) -> str:
        for name, _en, _unit, geom in self.districts:
            if shapely.contains_xy(geom, x, y):
                return name
        best = min(self.districts, key=lambda d: d[3].distance(Point(x, y)))
        return best[0]

    def on_land(self, x: float, y: float, margin: float = 0.0) -> bool:
        if not shapely.contains_xy(self.box, x, y):
            return False
        if margin > 0:
            return self.river.distance(Point(x, y)) > margin
        return not shapely.contains_xy(self.river, x, y)


def rand_date(rng: np.random.Generator, start: date = date(2026, 1, 5), end: date = date(2026, 11, 25)) -> str:
    return (start + timedelta(days=int(rng.integers(0, (end - start).days + 1)))).isoformat()


# ---------------------------------------------------------------------------------------------------
# frame: river, districts, old city
# ---------------------------------------------------------------------------------------------------

RIVER_CTRL = (
    (111.99, 32.071),
    (112.03, 32.062),
    (112.06, 32.055),
    (112.09, 32.047),
    (112.115, 32.036),
    (112.135, 32.029),
    (112.155, 32.0275),
    (112.175, 32.0305),
    (112.192, 32.030),
    (112.203, 32.022),
    (112.207, 32.008),
    (112.208, 31.995),
    (112.212, 31.980),
    (112.218, 31.962),
    (112.224, 31.945),
    (112.228, 31.925),
    (112.232, 31.895),
    (112.236, 31.87),
)
OLD_CITY = (
    (112.1278, 32.0196),
    (112.1310, 32.0212),
    (112.1487, 32.0210),
    (112.1491, 32.0076),
    (112.1288, 32.0071),
    (112.1274, 32.0130),
)


def build_frame(ctx: Ctx) -> None:
    ctx.box = box(*P(WEST, SOUTH), *P(EAST, NORTH))
    ctx.centre = LineString(chaikin(Pl(RIVER_CTRL), 3))
    ctx.river = ctx.centre.buffer(RIVER_HALF, quad_segs=8).intersection(ctx.box)
    ctx.old_city = Polygon(Pl(OLD_CITY))

    parts = list(split(ctx.box, ctx.centre).geoms)
    inner = next(p for p in parts if p.contains(ctx.old_city.centroid))
    outer = unary_union([p for p in parts if p is not inner])
    big = 1.0
    dj_area = Polygon(Pl([(112.198, SOUTH - big), (EAST + big, SOUTH - big), (EAST + big, 32.042), (112.198, 32.042)]))
    xz_area = unary_union(
        [
            Polygon(
                Pl(
                    [
                        (WEST - big, 32.076),
                        (EAST + big, 32.076),
                        (EAST + big, NORTH + big),
                        (WEST - big, NORTH + big),
                    ]
                )
            ),
            Polygon(Pl([(112.186, 32.042), (EAST + big, 32.042), (EAST + big, 32.08), (112.186, 32.08)])),
        ]
    )
    dj = outer.intersection(dj_area)
    xz = outer.intersection(xz_area).difference(dj)
    fc = outer.difference(dj).difference(xz)
    geoms = {"襄城区": inner, "樊城区": fc, "襄州区": xz, "东津新区": dj}
    for name, en, unit in DISTRICTS:
        g = geoms[name]
        if g.geom_type == "MultiPolygon":  # drop slivers left by the set operations
            polys = [p for p in g.geoms if p.area > 1e4]
            g = polys[0] if len(polys) == 1 else MultiPolygon(polys)
        ctx.districts.append((name, en, unit, g))


def river_point(ctx: Ctx, lon: float, lat: float, off: float) -> tuple[float, float]:
    """Point ``off`` metres left (+, outer bank: Fancheng/Dongjin) or right (-) of the river centreline."""
    d = ctx.centre.project(Point(P(lon, lat)))
    return point_along(ctx.centre, d, 1.0 if off >= 0 else -1.0, abs(off))


def bridge_ends(ctx: Ctx, lon: float, lat: float, half: float = BANK_ROAD + 80.0):
    """(inner end, outer end) of a bridge perpendicular to the river at the point nearest lon/lat."""
    return river_point(ctx, lon, lat, -half), river_point(ctx, lon, lat, half)


# ---------------------------------------------------------------------------------------------------
# attractions (approximately real positions)
# ---------------------------------------------------------------------------------------------------

ATTRACTIONS = (
    # key, name, name_en, kind, grade, (lon, lat), polygon or None, daily visitors, unit
    (
        "gulongzhong",
        "古隆中",
        "Gulongzhong Scenic Area",
        "scenic_spot",
        "AAAAA",
        (112.075, 31.994),
        (
            (112.0670, 31.9875),
            (112.0830, 31.9866),
            (112.0845, 31.9968),
            (112.0755, 31.9972),
            (112.0665, 31.9962),
        ),
        9000,
        "古隆中景区管理处",
    ),
    (
        "ancient_city",
        "襄阳古城",
        "Xiangyang Ancient City",
        "historic",
        "AAAA",
        (112.1385, 32.0140),
        OLD_CITY,
        15000,
        "襄阳古城景区管理处",
    ),
    (
        "zhaoming",
        "昭明台",
        "Zhaoming Tower",
        "historic",
        "AAA",
        (112.1390, 32.0113),
        None,
        3000,
        "襄阳古城景区管理处",
    ),
    (
        "museum",
        "襄阳博物馆",
        "Xiangyang Museum",
        "museum",
        "AAA",
        (112.1403, 32.0108),
        None,
        2500,
        "襄阳博物馆",
    ),
    (
        "furen",
        "夫人城",
        "Lady's City (Furen Cheng)",
        "historic",
        "none",
        (112.1285, 32.0188),
        None,
        1200,
        "襄阳古城景区管理处",
    ),
    (
        "zhongxuan",
        "仲宣楼",
        "Zhongxuan Tower",
        "historic",
        "AAA",
        (112.1478, 32.0160),
        None,
        1800,
        "襄阳古城景区管理处",
    ),
    (
        "migong",
        "米公祠",
        "Mi Fu Memorial Temple",
        "historic",
        "AAA",
        (112.1535, 32.0365),
        None,
        1500,
        "米公祠管理处",
    ),
    (
        "xijiachi",
        "习家池",
        "Xi Family Pond",
        "scenic_spot",
        "AAAA",
        (112.1780, 31.9850),
        None,
        2500,
        "习家池景区管理处",
    ),
    (
        "lumen",
        "鹿门寺",
        "Lumen Temple",
        "historic",
        "AAA",
        (112.2620, 31.9300),
        None,
        800,
        "鹿门寺景区管理处",
    ),
    (
        "tangcheng",
        "唐城影视基地",
        "Tang City Film Studio",
        "scenic_spot",
        "AAAA",
        (112.1050, 31.9920),
        ((112.1015, 31.9895), (112.1085, 31.9895), (112.1085, 31.9945), (112.1015, 31.9945)),
        5000,
        "襄阳唐城管理处",
    ),
    (
        "zhenwu",
        "真武山",
        "Zhenwu Mountain",
        "scenic_spot",
        "AA",
        (112.1560, 31.9930),
        None,
        900,
        "真武山景区管理处",
    ),
    (
        "xianshan",
        "岘山",
        "Xian Mountain",
        "viewpoint",
        "AAA",
        (112.1840, 31.9950),
        None,
        1500,
        "岘山文化旅游区管理处",
    ),
    (
        "renmin_park",
        "人民公园",
        "People's Park",
        "park",
        "none",
        (112.1305, 32.0585),
        None,
        4000,
        "樊城区园林局",
    ),
)


def build_attractions(ctx: Ctx) -> None:
    rng = ctx.rng
    for i, (key, name, en, kind, grade, (lon, lat), poly, visitors, unit) in enumerate(ATTRACTIONS, 1):
        x, y = P(lon, lat)
        geom = Polygon(Pl(poly)) if poly else None
        props = {
            "id": f"A{i:02d}",
            "name": name,
            "name_en": en,
            "kind": kind,
            "grade": grade,
            "daily_visitors": int(visitors),
            "status": "existing",
            "district": ctx.district_of(x, y),
            "unit": unit,
            "updated": rand_date(rng),
            "source": "simulated",
            "notes": "approximate position (± a few hundred metres); grade and visitors illustrative",
        }
        ctx.attractions.append(Feat(props, x, y, geom, key))
    ctx.layers["attractions"] = ctx.attractions


def attraction(ctx: Ctx, key: str) -> Feat:
    return next(a for a in ctx.attractions if a.tag == key)


def attraction_distance(a: Feat, x: float, y: float) -> float:
    if a.geom is not None:
        return a.geom.distance(Point(x, y))
    return math.hypot(a.x - x, a.y - y)


# ---------------------------------------------------------------------------------------------------
# roads
# ---------------------------------------------------------------------------------------------------


def hand_roads(ctx: Ctx) -> list[RoadSrc]:
    """Main roads drawn by hand (approximating the real layout), bridges, riverside and ring roads."""
    rng = ctx.rng
    brw = bridge_ends(ctx, 112.095, 32.045)
    br1 = bridge_ends(ctx, 112.153, 32.0276)
    brc = bridge_ends(ctx, 112.172, 32.0300)
    brp = bridge_ends(ctx, 112.2076, 32.0000)
    z = P(112.1393, 32.0118)  # 昭明台 crossroads
    xj_w = P(112.1250, 32.0128)  # west end of 西街 = start of 隆中路
    pl = P(112.0620, 31.9995)  # where 檀溪路, 隆中路 and 南外环路 meet

    roads: list[RoadSrc] = []

    def road(name, en, cls, pts, lit=True, amp=25.0, ext=(0.0, 0.0), bridge=False, status="existing"):
        coords = wiggle(pts, amp, rng)
        coords = extend(coords, *ext)
        stubs = tuple(c for c, e in ((coords[0], ext[0]), (coords[-1], ext[1])) if e > 0)
        roads.append(RoadSrc(name, en, cls, lit, coords, bridge, status, stubs=stubs))

    # bridges over the Han River (inner / south or west end first)
    bridges = [
        ("卧龙大桥", "Wolong Bridge", brw),
        ("汉江一桥", "Hanjiang No. 1 Bridge", br1),
        ("长虹大桥", "Changhong Bridge", brc),
        ("庞公大桥", "Panggong Bridge", brp),
    ]
    for name, en, (a, b) in bridges:
        road(name, en, "arterial", [a, b], amp=0, bridge=True)
    # expressways
    road(
        "内环快速路",
        "Inner Ring Expressway",
        "expressway",
        [
            P(112.0835, 32.0535),
            P(112.085, 32.070),
            P(112.09, 32.085),
            P(112.13, 32.0885),
            P(112.19, 32.0875),
            P(112.225, 32.076),
            P(112.233, 32.05),
            P(112.236, 32.02),
            P(112.2395, 32.0008),
        ],
        amp=30,
        ext=(300, 150),
    )
    road(
        "福银高速",
        "Fuyin Expressway",
        "expressway",
        [P(112.02, 32.0965), P(112.10, 32.0975), P(112.20, 32.0968), P(112.31, 32.0960)],
        lit=False,
        amp=20,
    )
    # Fancheng and Xiangzhou (north bank)
    road(
        "卧龙大道",
        "Wolong Avenue",
        "arterial",
        [brw[1], P(112.100, 32.065), P(112.103, 32.082), P(112.106, 32.105)],
    )
    road(
        "中原路",
        "Zhongyuan Road",
        "arterial",
        [br1[1], P(112.149, 32.045), P(112.146, 32.06), P(112.1445, 32.075), P(112.143, 32.105)],
    )
    road(
        "长虹路",
        "Changhong Road",
        "arterial",
        [brc[1], P(112.1715, 32.055), P(112.170, 32.075), P(112.168, 32.105)],
    )
    road(
        "邓城大道",
        "Dengcheng Avenue",
        "arterial",
        [P(112.199, 32.0330), P(112.200, 32.05), P(112.205, 32.075), P(112.21, 32.105)],
        ext=(800, 0),
    )
    road(
        "解放路",
        "Jiefang Road",
        "secondary",
        [P(112.125, 32.0400), P(112.1245, 32.05), P(112.123, 32.072), P(112.1225, 32.0870)],
        ext=(800, 150),
    )
    road(
        "建设路",
        "Jianshe Road",
        "secondary",
        [P(112.158, 32.0380), P(112.1585, 32.05), P(112.1575, 32.070), P(112.157, 32.0875)],
        ext=(800, 150),
    )
    road(
        "人民路",
        "Renmin Road",
        "arterial",
        [P(112.1250, 32.0470), P(112.15, 32.0465), P(112.175, 32.0460), P(112.1995, 32.0455)],
        ext=(150, 150),
    )
    road(
        "春园路",
        "Chunyuan Road",
        "secondary",
        [P(112.0980, 32.0535), P(112.13, 32.0533), P(112.17, 32.0527), P(112.2005, 32.0525)],
        ext=(150, 150),
    )
    road(
        "前进路",
        "Qianjin Road",
        "arterial",
        [P(112.0995, 32.0620), P(112.13, 32.0615), P(112.17, 32.0600), P(112.21, 32.059), P(112.31, 32.057)],
        ext=(150, 0),
    )
    road(
        "航空路",
        "Hangkong Road",
        "arterial",
        [P(112.1232, 32.0720), P(112.17, 32.0780), P(112.23, 32.088), P(112.31, 32.093)],
        ext=(150, 0),
    )
    # Xiangcheng (south bank)
    road("卧龙路", "Wolong Road", "secondary", [brw[0], P(112.097, 32.025), P(112.099, 32.0015)], ext=(0, 150))
    road(
        "檀溪路",
        "Tanxi Road",
        "arterial",
        [
            pl,
            P(112.08, 32.0002),
            P(112.10, 32.0010),
            P(112.13, 32.0012),
            P(112.16, 32.0005),
            P(112.185, 32.0002),
            brp[0],
        ],
    )
    road(
        "隆中路",
        "Longzhong Road",
        "secondary",
        [xj_w, P(112.11, 32.0100), P(112.09, 32.0060), P(112.075, 32.0025), pl],
    )
    road(
        "南外环路",
        "South Ring Road",
        "arterial",
        [
            pl,
            P(112.060, 31.985),
            P(112.075, 31.976),
            P(112.11, 31.973),
            P(112.15, 31.972),
            P(112.19, 31.972),
            P(112.2080, 31.972),
        ],
        ext=(0, 400),
    )
    road(
        "长虹南路",
        "Changhong South Road",
        "secondary",
        [brc[0], P(112.1712, 32.012), P(112.1705, 31.990), P(112.1715, 31.9735)],
        ext=(0, 300),
    )
    road(
        "胜利街",
        "Shengli Street",
        "secondary",
        [br1[0], P(112.1535, 32.012), P(112.1540, 32.0018)],
        ext=(0, 150),
    )
    road("北街", "Beijie Street", "pedestrian", [z, P(112.1392, 32.0245)], amp=0, ext=(0, 250))
    road("南街", "Nanjie Street", "branch", [z, P(112.1390, 32.0012)], amp=0, ext=(0, 150))
    road("东街", "Dongjie Street", "secondary", [z, P(112.1535, 32.0122)], amp=0, ext=(0, 100))
    road("西街", "Xijie Street", "secondary", [z, xj_w], amp=0)
    road(
        "荆州街",
        "Jingzhou Street",
        "branch",
        [P(112.1445, 32.0060), P(112.1445, 32.0225)],
        amp=0,
        ext=(100, 100),
    )
    road(
        "绿影壁巷",
        "Lüyingbi Lane",
        "branch",
        [P(112.1255, 32.0172), P(112.1450, 32.0172)],
        amp=0,
        ext=(100, 80),
    )
    road(
        "磁器街",
        "Ciqi Street",
        "pedestrian",
        [P(112.1507, 32.0395), P(112.1625, 32.0395)],
        amp=0,
        ext=(100, 80),
    )
    road(
        "陈老巷",
        "Chenlao Lane",
        "pedestrian",
        [P(112.1625, 32.0340), P(112.1625, 32.0395)],
        amp=0,
        ext=(500, 60),
    )
    road(
        "古隆中景区路",
        "Gulongzhong Scenic Road",
        "branch",
        [P(112.0755, 32.0005), P(112.0755, 31.9974)],
        amp=0,
        ext=(80, 0),
    )
    road(
        "真武山路",
        "Zhenwushan Road",
        "branch",
        [P(112.1560, 32.0012), P(112.1562, 31.9938)],
        amp=0,
        ext=(100, 0),
    )
    # Dongjin (east of the bend)
    road(
        "庞公大道",
        "Panggong Avenue",
        "arterial",
        [brp[1], P(112.235, 32.0005), P(112.26, 32.001), P(112.31, 32.0015)],
    )
    road(
        "东津大道",
        "Dongjin Avenue",
        "arterial",
        [P(112.246, 32.0582), P(112.245, 32.03), P(112.246, 32.0), P(112.248, 31.96), P(112.25, 31.905)],
        ext=(150, 0),
    )
    road("东站路", "Dongzhan Road", "secondary", [P(112.2458, 32.0350), P(112.2610, 32.0360)], ext=(150, 0))
    road(
        "鹿门山路",
        "Lumenshan Road",
        "branch",
        [P(112.2486, 31.9450), P(112.2585, 31.9335)],
        lit=False,
        ext=(150, 0),
    )

    # riverside roads: offsets of the river centreline, renamed at the bridges
    by_name = {r.name: r for r in roads}
    outer = ctx.centre.offset_curve(BANK_ROAD).intersection(ctx.box)
    inner = ctx.centre.offset_curve(-BANK_ROAD).intersection(ctx.box)
    outer_c = list(outer.coords) if outer.geom_type == "LineString" else list(max(outer.geoms, key=lambda g: g.length).coords)
    inner_c = list(inner.coords) if inner.geom_type == "LineString" else list(max(inner.geoms, key=lambda g: g.length).coords)
    outer_c = list(LineString(outer_c).simplify(2.0).coords)
    inner_c = list(LineString(inner_c).simplify(2.0).coords)

    def split_at_roads(coords, names_and_labels):
        """Cut a riverside polyline where the named roads cross it; return the pieces in order."""
        cuts = []
        for cross in names_and_labels:
            r = by_name[cross]
            coords, r.coords, p = insert_crossing(coords, r.coords)
            cuts.append(p)
        cuts.sort(key=coords.index)
        pieces, rest = [], coords
        for p in cuts:
            first, rest = cut_at_vertex(rest, p)
            pieces.append(first)
        pieces.append(rest)
        return pieces

    o1, o2, o3 = split_at_roads(outer_c, ["卧龙大桥", "庞公大桥"])
    o3a, o3b = cut_coords(o3, LineString(o3).project(Point(P(112.2255, 31.955))))
    i1, i2, i3, i4 = split_at_roads(inner_c, ["卧龙大桥", "庞公大桥", "南外环路"])
    roads += [
        RoadSrc("汉江北路", "Hanjiang North Road", "secondary", False, o1),
        RoadSrc("沿江大道", "Yanjiang Avenue", "arterial", True, o2),
        RoadSrc("东津滨江路", "Dongjin Riverside Road", "secondary", True, o3a),
        RoadSrc("汉江东岸路", "Hanjiang East Bank Road", "branch", False, o3b),
        RoadSrc("汉江南路", "Hanjiang South Road", "secondary", False, i1),
        RoadSrc("滨江路", "Binjiang Road", "secondary", True, i2),
        RoadSrc("岘山路", "Xianshan Road", "secondary", True, i3),
        RoadSrc("汉江西岸路", "Hanjiang West Bank Road", "branch", False, i4),
    ]
    # ring road outside the old city wall, split at its four corners
    ring = ctx.old_city.buffer(110.0, join_style="mitre")
    rc = list(ring.exterior.coords)[:-1]
    corners = {
        k: min(range(len(rc)), key=lambda i: dist(rc[i], P(*ll)))
        for k, ll in (
            ("NW", (112.127, 32.021)),
            ("NE", (112.150, 32.022)),
            ("SE", (112.150, 32.006)),
            ("SW", (112.128, 32.006)),
        )
    }
    ring_names = {
        frozenset(("NW", "NE")): ("环城北路", "North Ring Road"),
        frozenset(("NE", "SE")): ("环城东路", "East Ring Road"),
        frozenset(("SE", "SW")): ("环城南路", "South Ring Road (Old City)"),
        frozenset(("SW", "NW")): ("环城西路", "West Ring Road"),
    }
    order = sorted(corners.items(), key=lambda kv: kv[1])
    for (k0, i0), (k1, i1_) in zip(order, order[1:] + order[:1], strict=False):
        idx = list(range(i0, i1_ + 1)) if i1_ > i0 else list(range(i0, len(rc))) + list(range(0, i1_ + 1))
        name, en = ring_names[frozenset((k0, k1))]
        roads.append(RoadSrc(name, en, "secondary", True, [rc[i] for i in idx]))
    return roads


def clip_roads(ctx: Ctx, roads: list[RoadSrc]) -> list[RoadSrc]:
    """Clip to the city box and keep non-bridge roads out of the river."""
    wet = ctx.river.buffer(30.0)
    out = []
    for r in roads:
        g = LineString(r.coords).intersection(ctx.box)
        if not r.bridge:
            g = g.difference(wet)
        parts = [g] if g.geom_type == "LineString" else [p for p in getattr(g, "geoms", []) if p.geom_type == "LineString"]
        for p in parts:
            if p.length >= 40.0:
                ends = (p.coords[0], p.coords[-1])
                stubs = tuple(c for c in ends if r.minor or c in r.stubs or wet.boundary.distance(Point(c)) < 1.0)
                out.append(RoadSrc(r.name, r.name_en, r.cls, r.lit, list(p.coords), r.bridge, r.status, p, stubs, r.minor))
    return out


CORES = ((112.145, 32.052, 2.6), (112.120, 32.004, 2.2), (112.246, 32.003, 1.6), (112.205, 32.080, 1.4))
URBAN_BOXES = (
    (112.085, 32.036, 112.215, 32.092),
    (112.085, 31.968, 112.205, 32.026),
    (112.212, 31.940, 112.285, 32.045),
    (112.190, 32.050, 112.270, 32.095),
)


def core_distance(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Distance (km) to the nearest urban core, scaled by the core's size."""
    out = np.full(np.shape(x), np.inf)
    for lon, lat, r in CORES:
        cx, cy = P(lon, lat)
        out = np.minimum(out, np.hypot(x - cx, y - cy) / 1000.0 / r)
    return out


def minor_roads(ctx: Ctx, main: list[RoadSrc]) -> list[RoadSrc]:
    """An irregular street network: a thinned (Gabriel) Delaunay graph of Poisson-disc points, chained into
    named streets and gently bent."""
    rng = ctx.rng
    urban = unary_union([box(*P(a, b), *P(c, d)) for a, b, c, d in URBAN_BOXES])
    main_lines = unary_union([r.line for r in main])
    blocked = unary_union(
        [
            ctx.river.buffer(90.0),
            ctx.old_city.buffer(60.0),
            main_lines.buffer(80.0),
            *ctx.commercial.values(),
            *[a.geom.buffer(60.0) for a in ctx.attractions if a.geom is not None],
            *[Point(a.xy).buffer(60.0) for a in ctx.attractions],
        ]
    )
    inner_box = ctx.box.buffer(-150.0)
    shapely.prepare(blocked)
    shapely.prepare(urban)
    xmin, ymin, xmax, ymax = ctx.box.bounds
    n_cand = 30000
    cx = rng.uniform(xmin, xmax, n_cand)
    cy = rng.uniform(ymin, ymax, n_cand)
    ok = shapely.contains_xy(inner_box, cx, cy) & ~shapely.contains_xy(blocked, cx, cy)
    is_urban = shapely.contains_xy(urban, cx, cy)
    radius = np.where(is_urban, np.minimum(360.0 + 150.0 * core_distance(cx, cy), 650.0), 2000.0)
    acc = np.empty((0, 2))
    acc_urban = []
    for i in np.flatnonzero(ok):
        p = np.array([cx[i], cy[i]])
        if len(acc) and np.min(np.hypot(acc[:, 0] - p[0], acc[:, 1] - p[1])) < radius[i]:
            continue
        acc = np.vstack([acc, p])
        acc_urban.append(bool(is_urban[i]))
    pts = [(float(a), float(b)) for a, b in acc]
    index = {p: i for i, p in enumerate(pts)}
    tris = shapely.delaunay_triangles(shapely.MultiPoint(pts))
    bad: set[tuple[int, int]] = set()
    edges: set[tuple[int, int]] = set()
    for t in tris.geoms:
        c = [index[(float(x), float(y))] for x, y in list(t.exterior.coords)[:3]]
        for k in range(3):
            a, b, o = c[k], c[(k + 1) % 3], c[(k + 2) % 3]
            e = (min(a, b), max(a, b))
            edges.add(e)
            va = np.subtract(pts[a], pts[o])
            vb = np.subtract(pts[b], pts[o])
            cosang = float(np.dot(va, vb) / (np.linalg.norm(va) * np.linalg.norm(vb)))
            if cosang < math.cos(math.radians(85.0)):  # opposite angle >= 85°: not a Gabriel edge
                bad.add(e)
    wet = ctx.river.buffer(40.0)
    walls = unary_union(
        [
            ctx.old_city.buffer(20.0),
            *[a.geom for a in ctx.attractions if a.geom is not None],
            *ctx.commercial.values(),
        ]
    )
    keep = []
    for e in sorted(edges - bad):
        a, b = pts[e[0]], pts[e[1]]
        length = dist(a, b)
        both_urban = acc_urban[e[0]] and acc_urban[e[1]]
        if length > (950.0 if both_urban else 2600.0):
            continue
        line = LineString([a, b])
        if line.intersects(wet) or line.intersects(walls):
            continue
        near = sum(main_lines.distance(line.interpolate(f, normalized=True)) < 90.0 for f in (0.2, 0.5, 0.8))
        if near >= 2:
            continue
        keep.append(e)

    # chain edges into streets: at every node pair up the straightest continuations
    adj: dict[int, list[int]] = defaultdict(list)
    for k, (a, b) in enumerate(keep):
        adj[a].append(k)
        adj[b].append(k)
    partner: dict[tuple[int, int], int] = {}
    for node in sorted(adj):
        cand = []
        inc = adj[node]
        for i in range(len(inc)):
            for j in range(i + 1, len(inc)):
                ea, eb = keep[inc[i]], keep[inc[j]]
                oa = ea[1] if ea[0] == node else ea[0]
                ob = eb[1] if eb[0] == node else eb[0]
                va = np.subtract(pts[oa], pts[node])
                vb = np.subtract(pts[ob], pts[node])
                cosang = float(np.dot(va, vb) / (np.linalg.norm(va) * np.linalg.norm(vb)))
                deflect = math.degrees(math.pi - math.acos(max(-1.0, min(1.0, cosang))))
                if deflect < 40.0:
                    cand.append((deflect, inc[i], inc[j]))
        used: set[int] = set()
        for _d, i, j in sorted(cand):
            if i in used or j in used:
                continue
            used.update((i, j))
            partner[(node, i)] = j
            partner[(node, j)] = i
    seen: set[int] = set()
    chains = []
    for k0 in range(len(keep)):
        if k0 in seen:
            continue
        seen.add(k0)
        a, b = keep[k0]
        seq = [a, b]
        for direction in (0, 1):  # extend forward from b, then backward from a
            cur_edge, cur_node = k0, (seq[-1] if direction == 0 else seq[0])
            while (cur_node, cur_edge) in partner:
                nxt = partner[(cur_node, cur_edge)]
                if nxt in seen:
                    break
                seen.add(nxt)
                e = keep[nxt]
                other = e[1] if e[0] == cur_node else e[0]
                if direction == 0:
                    seq.append(other)
                else:
                    seq.insert(0, other)
                cur_edge, cur_node = nxt, other
        chains.append(seq)

    # name, classify and bend the chains
    used_names = {r.name for r in main}
    streets = []
    chain_info = []
    for seq in chains:
        coords = [pts[i] for i in seq]
        length = LineString(coords).length
        mid = LineString(coords).interpolate(0.5, normalized=True)
        chain_info.append((length, coords, float(core_distance(np.array(mid.x), np.array(mid.y)))))
    order = sorted(range(len(chain_info)), key=lambda i: (-chain_info[i][0], chain_info[i][1][0]))
    n_secondary = 0
    for i in order:
        length, coords, cd = chain_info[i]
        if n_secondary < 6 and length > 2500.0 and cd < 0.9:
            cls, n_secondary = "secondary", n_secondary + 1
        else:
            cls = "branch"
        pref = 0 if cls == "secondary" or length > 1200 else (1 if length > 500 else 2)
        name = en = ""
        for _attempt in range(400):
            zh, py = STREET_BASES[int(rng.integers(len(STREET_BASES)))]
            for s in [pref] + [k for k in range(len(SUFFIXES)) if k != pref]:
                cand = zh + SUFFIXES[s][0]
                if cand not in used_names:
                    name, en = cand, f"{py} {SUFFIXES[s][1]}"
                    break
            if name:
                break
        used_names.add(name)
        bent = [coords[0]]
        for a, b in itertools.pairwise(coords):
            seg_len = dist(a, b)
            w = float(np.clip(rng.normal(0.0, 0.05 * seg_len), -0.1 * seg_len, 0.1 * seg_len))
            mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
            nx, ny = -(b[1] - a[1]) / seg_len, (b[0] - a[0]) / seg_len
            bent += [(mx + w * nx, my + w * ny), b]
        lit_limit = 0.5 if cls == "branch" else LIT_CORE
        status = "existing"
        district = ctx.district_of(*coords[len(coords) // 2])
        if district == "东津新区" and cd > 0.8:
            status = ("existing", "new", "new", "planned")[int(rng.integers(4))]
        lit = cd < lit_limit and status != "planned"
        streets.append(RoadSrc(name, en, cls, lit, bent, False, status, LineString(bent), minor=True))
    return streets


COMMERCIAL = {
    "C1": ("长虹路商圈", "Changhong Road Shopping District", "樊城区商务局"),
    "C2": ("古城北街商业区", "Old City Beijie Street Shopping Area", "襄城区商务局"),
    "C3": ("中原路商圈", "Zhongyuan Road Shopping District", "樊城区商务局"),
    "C4": ("东津新区商务区", "Dongjin Business District", "东津新区管理委员会"),
}


def commercial_areas(main: list[RoadSrc]) -> dict[str, Polygon]:
    """Shopping districts along main roads (drawn before the minor streets, which keep out of them)."""

    def corridor(road, ll0, ll1, half=150.0):
        line = max((s for s in main if s.name == road), key=lambda s: s.line.length).line
        d0, d1 = line.project(Point(P(*ll0))), line.project(Point(P(*ll1)))
        return substring(line, d0, d1).buffer(half, cap_style="flat")

    return {
        "C1": corridor("长虹路", (112.1714, 32.0400), (112.1712, 32.0580)),
        "C2": rect(112.1368, 32.0125, 112.1418, 32.0200),
        "C3": corridor("中原路", (112.1494, 32.0432), (112.1479, 32.0497)),
        "C4": corridor("庞公大道", (112.2426, 32.0005), (112.2494, 32.0008)),
    }


def build_roads(ctx: Ctx) -> None:
    main = clip_roads(ctx, hand_roads(ctx))
    ctx.commercial = commercial_areas(main)
    minor = clip_roads(ctx, minor_roads(ctx, main))
    sources = main + minor
    ctx.sources = sources
    lines = [s.line for s in sources]
    pieces = list(unary_union(lines).geoms)
    mids = shapely.line_interpolate_point(pieces, 0.5, normalized=True)
    tree = STRtree(lines)
    (qi, qj), qd = tree.query_nearest(mids, return_distance=True, all_matches=True)
    best: dict[int, tuple[float, int]] = {}
    for i, j, d in zip(qi.tolist(), qj.tolist(), qd.tolist(), strict=False):
        if i not in best or (d, j) < best[i]:
            best[i] = (d, j)
    segs = [Seg(best[i][1], p, 0.0) for i, p in enumerate(pieces) if p.length > 0.05]

    xmin, ymin, xmax, ymax = ctx.box.bounds

    def on_edge(pt):
        return min(abs(pt[0] - xmin), abs(pt[0] - xmax), abs(pt[1] - ymin), abs(pt[1] - ymax)) < 0.5

    for _round in range(4):
        deg = Counter()
        for s in segs:
            deg[s.geom.coords[0]] += 1
            deg[s.geom.coords[-1]] += 1
        kept = []
        for s in segs:
            a, b = s.geom.coords[0], s.geom.coords[-1]
            src = sources[s.src]
            da = deg[a] == 1 and not on_edge(a)
            db = deg[b] == 1 and not on_edge(b)
            stub = (da and (src.minor or a in src.stubs)) or (db and (src.minor or b in src.stubs))
            if stub and s.geom.length < PRUNE_LEN:
                continue
            if da and db and s.geom.length < 500.0 and src.minor:
                continue
            kept.append(s)
        if len(kept) == len(segs):
            break
        segs = kept
    for s in segs:
        src = sources[s.src]
        s.along = src.line.project(s.geom.interpolate(0.5, normalized=True))
        s.name, s.name_en, s.cls, s.lit, s.bridge, s.status = (
            src.name,
            src.name_en,
            src.cls,
            src.lit,
            src.bridge,
            src.status,
        )
        mid = s.geom.interpolate(0.5, normalized=True)
        s.district = ctx.district_of(mid.x, mid.y)
        if s.lit and s.cls in ("expressway", "arterial", "secondary") and not s.bridge:
            s.lit = float(core_distance(np.array(mid.x), np.array(mid.y))) < LIT_CORE  # suburban stretches unlit
    segs.sort(key=lambda s: (s.src, s.along))
    for k, s in enumerate(segs, 1):
        s.id = f"R{k:04d}"
    ctx.segs = segs
    nodes: dict[tuple, list[int]] = defaultdict(list)
    for k, s in enumerate(segs):
        nodes[to_ll(*s.geom.coords[0])].append(k)
        nodes[to_ll(*s.geom.coords[-1])].append(k)
    ctx.nodes = dict(nodes)

    feats = []
    for s in segs:
        unit = {
            "expressway": "市交通运输局",
            "arterial": "市住房和城乡建设局",
            "secondary": "市住房和城乡建设局",
        }.get(s.cls, CITY_MGMT[s.district])
        props = {"id": s.id, "name": s.name, "name_en": s.name_en, "road_class": s.cls, "lit": s.lit}
        if s.bridge:
            props["bridge"] = True
        props.update(
            {
                "status": s.status,
                "district": s.district,
                "unit": unit,
                "updated": rand_date(ctx.rng),
                "source": "simulated",
            }
        )
        feats.append(Feat(props, geom=s.geom, tag=s.name))
    ctx.layers["roads"] = feats


def node_xy(node: tuple) -> tuple[float, float]:
    return P(*node)


def main_intersections(ctx: Ctx) -> list[tuple]:
    """Nodes where at least two differently named arterial/secondary roads meet."""
    out = []
    for node in sorted(ctx.nodes):
        names = {ctx.segs[k].name for k in ctx.nodes[node] if ctx.segs[k].cls in MAIN}
        if len(names) >= 2:
            out.append(node)
    return out


# ---------------------------------------------------------------------------------------------------
# lamps
# ---------------------------------------------------------------------------------------------------

LAMP_SPEC = {
    # spacing (m), sides, offset from centreline (m), heights, powers (W)
    "expressway": (34.0, 2, 12.0, (12.0,), (250.0,)),
    "arterial": (32.0, 2, 10.0, (10.0, 11.0, 12.0), (200.0, 250.0)),
    "secondary": (28.0, 1, 7.0, (9.0, 10.0), (150.0, 180.0)),
    "branch": (24.0, 1, 5.0, (7.5, 8.0), (80.0, 100.0)),
    "pedestrian": (12.0, 1, 3.0, (4.0, 4.5), (40.0, 60.0)),
}
DARK_STRETCHES = (
    ("前进路", (112.1350, 32.0613), 460.0),
    ("檀溪路", (112.1150, 32.0012), 400.0),
    ("春园路", (112.1600, 32.0530), 330.0),
)
FAILED_CIRCUITS = (("长虹路", (112.1705, 32.0700)), ("人民路", (112.1350, 32.0467)))
CIRCUIT_SIZE = 36


def build_lamps(ctx: Ctx) -> None:
    rng = ctx.rng
    lamps: list[Feat] = []
    by_road: dict[str, list[Feat]] = defaultdict(list)
    road_style: dict[str, tuple] = {}
    road_code: dict[str, int] = {}
    for s in ctx.segs:
        if not s.lit:
            continue
        spacing, sides, off, heights, powers = LAMP_SPEC[s.cls]
        if s.name not in road_style:
            road_style[s.name] = (
                heights[int(rng.integers(len(heights)))],
                powers[int(rng.integers(len(powers)))],
                float(rng.choice((110.0, 120.0, 130.0))),
            )
            road_code[s.name] = len(road_code) + 1
        h, w, eff = road_style[s.name]
        length = s.geom.length
        n = max(1, math.ceil(length / spacing))
        step = length / n
        phases = (0.5,) if sides == 1 else (0.25, 0.75)
        for i in range(n):
            for k, ph in enumerate(phases):
                d = (i + ph) * step + float(rng.uniform(-0.8, 0.8))
                d = min(max(d, 0.5), max(length - 0.5, 0.5))
                side = 1.0 if k == 0 else -1.0
                x, y = point_along(s.geom, d, side, off)
                props = {
                    "lamp_type": "street",
                    "height_m": h,
                    "power_w": w,
                    "lumens": round(w * eff, -1),
                    "working": True,
                    "road": s.name,
                }
                f = Feat(props, x, y, tag=s.name)
                along = ctx.sources[s.src].line.project(Point(s.geom.interpolate(d)))
                f.extra.update(along=along, src=s.src, cls=s.cls)
                by_road[s.name].append(f)
    # circuits: consecutive lamps along each road
    for name in sorted(by_road, key=lambda n: road_code[n]):
        seq = sorted(by_road[name], key=lambda f: (f.extra["src"], f.extra["along"]))
        by_road[name] = seq
        for i, f in enumerate(seq):
            f.props["circuit"] = f"C{road_code[name]:03d}-{i // CIRCUIT_SIZE + 1:02d}"
    # planted dark stretches: lamps removed
    removed: set[int] = set()
    dark = []
    for name, ll, length in DARK_STRETCHES:
        seq = by_road[name]
        p = Point(P(*ll))
        src = min({f.extra["src"] for f in seq}, key=lambda i: ctx.sources[i].line.distance(p))
        d0 = ctx.sources[src].line.project(p)
        gone = [f for f in seq if f.extra["src"] == src and abs(f.extra["along"] - d0) <= length / 2]
        removed.update(id(f) for f in gone)
        a, b = (
            point_along(ctx.sources[src].line, d0 - length / 2),
            point_along(ctx.sources[src].line, d0 + length / 2),
        )
        dark.append((name, length, len(gone), a, b))
    ctx.planted["dark_stretches"] = dark
    # planted failed circuits
    failed = []
    for name, ll in FAILED_CIRCUITS:
        seq = [f for f in by_road[name] if id(f) not in removed]
        target = min(seq, key=lambda f: dist(f.xy, P(*ll)))
        circuit = target.props["circuit"]
        for f in seq:
            if f.props["circuit"] == circuit:
                f.props["working"] = False
        failed.append((name, circuit))
    ctx.planted["failed_circuits"] = failed
    failed_set = {c for _n, c in failed}
    # scattered failures: at most 1 % on main roads (so that they stay >= 98 %), 3 % elsewhere
    for name in sorted(by_road, key=lambda n: road_code[n]):
        seq = [f for f in by_road[name] if id(f) not in removed and f.props["circuit"] not in failed_set]
        share = 0.01 if seq and seq[0].extra["cls"] in ("expressway", "arterial", "secondary") else 0.04
        k = int(len(seq) * share)
        for i in sorted(rng.choice(len(seq), size=k, replace=False).tolist()) if k else []:
            seq[i].props["working"] = False
        for f in by_road[name]:
            if id(f) not in removed:
                lamps.append(f)

    # landscape lamps: along the old city wall, in parks, in Gulongzhong; floodlights and facade lamps
    def add(x, y, lamp_type, h, w, circuit, unit=None, working=None):
        props = {
            "lamp_type": lamp_type,
            "height_m": h,
            "power_w": w,
            "lumens": round(w * 90.0, -1),
            "working": bool(rng.random() > 0.04) if working is None else working,
            "circuit": circuit,
        }
        f = Feat(props, x, y, tag="landscape")
        f.extra["unit"] = unit
        lamps.append(f)

    wall = ctx.old_city.exterior
    for i, d in enumerate(np.arange(10.0, wall.length, 25.0)):
        x, y = point_along(wall, float(d), 1.0, -6.0 if ctx.old_city.exterior.is_ccw else 6.0)
        add(x, y, "landscape", 3.5, 30.0, f"GC-W{i // 40 + 1:02d}", "襄阳古城景区管理处")
    for key, n, unit in (
        ("G1", 70, "樊城区园林局"),
        ("G2", 60, "市城市照明管理处"),
        ("G3", 50, "东津新区城管局"),
    ):
        zone = ctx.zones[key].geom
        xmin, ymin, xmax, ymax = zone.bounds
        placed = 0
        while placed < n:
            x, y = float(rng.uniform(xmin, xmax)), float(rng.uniform(ymin, ymax))
            if shapely.contains_xy(zone, x, y) and ctx.on_land(x, y, 15.0):
                add(x, y, "landscape", 3.5, 35.0, f"{key}-{placed // 40 + 1:02d}", unit)
                placed += 1
    glz = attraction(ctx, "gulongzhong").geom
    xmin, ymin, xmax, ymax = glz.bounds
    placed = 0
    while placed < 40:
        x, y = float(rng.uniform(xmin, xmax)), float(rng.uniform(ymin, ymax))
        if shapely.contains_xy(glz, x, y):
            add(x, y, "landscape", 3.5, 30.0, "GLZ-01", "古隆中景区管理处")
            placed += 1
    for key, n, h, w in (
        ("zhaoming", 4, 8.0, 600.0),
        ("zhongxuan", 3, 8.0, 400.0),
        ("furen", 2, 6.0, 400.0),
        ("migong", 2, 6.0, 400.0),
    ):
        a = attraction(ctx, key)
        for k in range(n):
            ang = 2 * math.pi * k / n
            add(
                a.x + 25 * math.cos(ang),
                a.y + 25 * math.sin(ang),
                "floodlight",
                h,
                w,
                f"FL-{key[:3].upper()}",
                "市城市照明管理处",
                working=True,
            )
    beijie = [s for s in ctx.segs if s.name == "北街"]
    line = max(beijie, key=lambda s: s.geom.length).geom
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

    feats = []
    # lumens and updated are left out of the lamp file to keep it under 3 MB (lumens follow from power_w)
    for i, f in enumerate(lamps, 1):
        district = ctx.district_of(*f.xy)
        cls = f.extra.get("cls", "")
        unit = f.extra.get("unit") or ("市城市照明管理处" if cls in ("expressway", "arterial") else CITY_MGMT[district])
        p = f.props
        props = {
            "id": f"L{i:05d}",
            "lamp_type": p["lamp_type"],
            "height_m": _compact(p["height_m"]),
            "power_w": _compact(p["power_w"]),
            "working": p["working"],
        }
        if "road" in p:
            props["road"] = p["road"]
        props.update(
            {
                "circuit": p["circuit"],
                "status": "existing",
                "district": district,
                "unit": unit,
                "source": "simulated",
            }
        )
        feats.append(Feat(props, f.x, f.y, tag=f.tag))
    ctx.layers["lamps"] = feats


def _compact(value: float) -> float | int:
    """10.0 -> 10 (the schema's float fields accept whole numbers; saves bytes in the 9,500-lamp file)."""
    return int(value) if float(value).is_integer() else value


# ---------------------------------------------------------------------------------------------------
# zones
# ---------------------------------------------------------------------------------------------------

DENSITY = {"residential": (3.0, 5.0), "commercial": (4.0, 11.0), "green": (5.0, 6.0)}


def rect(lon0, lat0, lon1, lat1) -> Polygon:
    return box(*P(lon0, lat0), *P(lon1, lat1))


def build_zones(ctx: Ctx) -> None:
    rng = ctx.rng
    z: list[Feat] = []

    def zone(tag, name, en, zone_type, geom, unit):
        ctx.zones[tag] = Feat({"name": name, "name_en": en, "zone_type": zone_type, "unit": unit}, geom=geom, tag=tag)
        z.append(ctx.zones[tag])

    for name, en, unit, geom in ctx.districts:
        zone(name, name, en, "district", geom, unit)
    for tag, (name, en, unit) in COMMERCIAL.items():
        zone(tag, name, en, "commercial", ctx.commercial[tag], unit)
    zone(
        "R1",
        "清河居住区",
        "Qinghe Residential Area",
        "residential",
        rect(112.108, 32.066, 112.120, 32.075),
        "樊城区人民政府",
    )
    zone(
        "R2",
        "檀溪居住区",
        "Tanxi Residential Area",
        "residential",
        rect(112.110, 31.990, 112.122, 31.999),
        "襄城区人民政府",
    )
    zone(
        "R3",
        "襄州城区居住区",
        "Xiangzhou Residential Area",
        "residential",
        rect(112.198, 32.080, 112.212, 32.090),
        "襄州区人民政府",
    )
    zone(
        "R4",
        "樊城东居住区",
        "East Fancheng Residential Area",
        "residential",
        rect(112.178, 32.062, 112.190, 32.070),
        "樊城区人民政府",
    )
    zone(
        "R5",
        "东津新城居住区",
        "Dongjin New Town Residential Area",
        "residential",
        rect(112.255, 31.965, 112.270, 31.975),
        "东津新区管理委员会",
    )
    zone("G1", "人民公园", "People's Park", "green", rect(112.1275, 32.0555, 112.1340, 32.0610), "樊城区园林局")
    strip_n = shapely.buffer(ctx.centre, BANK_ROAD - 2.0, single_sided=True).difference(ctx.centre.buffer(RIVER_HALF))
    zone(
        "G2",
        "汉江北岸滨江公园",
        "Han River North Bank Park",
        "green",
        strip_n.intersection(rect(112.1200, 31.9, 112.1480, 32.1)),
        "樊城区园林局",
    )
    g3 = strip_n.intersection(rect(112.19, 31.9700, 112.25, 31.9950))
    zone("G3", "月亮湾湿地公园", "Moon Bay Wetland Park", "green", g3, "东津新区城管局")
    scenic = (
        (
            "S1",
            "古隆中风景区",
            "Gulongzhong Scenic Zone",
            attraction(ctx, "gulongzhong").geom.buffer(200.0),
            "古隆中景区管理处",
        ),
        ("S2", "襄阳古城景区", "Xiangyang Ancient City Scenic Zone", ctx.old_city, "襄阳古城景区管理处"),
        (
            "S3",
            "习家池景区",
            "Xi Family Pond Scenic Zone",
            Point(attraction(ctx, "xijiachi").xy).buffer(350.0),
            "习家池景区管理处",
        ),
        (
            "S4",
            "鹿门山景区",
            "Lumen Mountain Scenic Zone",
            Point(attraction(ctx, "lumen").xy).buffer(900.0),
            "鹿门寺景区管理处",
        ),
        (
            "S5",
            "岘山风景区",
            "Xian Mountain Scenic Zone",
            Point(attraction(ctx, "xianshan").xy).buffer(500.0),
            "岘山文化旅游区管理处",
        ),
        (
            "S6",
            "唐城影视基地",
            "Tang City Film Studio Zone",
            attraction(ctx, "tangcheng").geom.buffer(100.0),
            "襄阳唐城管理处",
        ),
    )
    for tag, name, en, geom, unit in scenic:
        zone(tag, name, en, "scenic", geom, unit)
    # sanitation responsibility zones (门前三包 / 卫生责任区) along central main roads
    units = (
        "市财政局",
        "市教育局",
        "市住房和城乡建设局",
        "市交通运输局",
        "市文化和旅游局",
        "市市场监督管理局",
        "市公安局樊城分局",
        "襄阳市中心医院",
        "襄阳市第一人民医院",
        "湖北文理学院",
        "襄阳五中",
        "襄阳四中",
        "中国银行襄阳分行",
        "襄阳日报社",
        "中国邮政襄阳分公司",
        "国网襄阳供电公司",
        "襄阳火车站",
        "市自然资源和规划局",
        "市民政局",
        "市人力资源和社会保障局",
    )
    cands = [
        s
        for s in ctx.segs
        if s.cls in MAIN
        and s.geom.length > 200
        and not s.bridge
        and core_distance(np.array(s.geom.centroid.x), np.array(s.geom.centroid.y)) < 0.6
    ]
    taken: list[Polygon] = []
    k = 0
    while k < len(units):
        s = cands[int(rng.integers(len(cands)))]
        d = float(rng.uniform(60.0, s.geom.length - 60.0))
        side = float(rng.choice((-1.0, 1.0)))
        a = point_along(s.geom, d - 60.0, side, 15.0)
        b = point_along(s.geom, d + 60.0, side, 15.0)
        c = point_along(s.geom, d + 60.0, side, 75.0)
        e = point_along(s.geom, d - 60.0, side, 75.0)
        poly = Polygon([a, b, c, e])
        if not poly.is_valid or any(poly.intersects(t.buffer(50.0)) for t in taken) or poly.intersects(ctx.river):
            continue
        if any(poly.intersects(ctx.zones[t].geom) for t in ("C1", "C2", "C3", "C4", "R1", "R2", "R3", "R4", "R5")):
            continue
        taken.append(poly)
        unit = units[k]
        zone(
            f"Z{k + 1:02d}",
            f"{unit}门前三包责任区",
            f"Frontage sanitation zone {k + 1:02d} ({s.name_en})",
            "responsibility",
            poly,
            unit,
        )
        k += 1
    feats = []
    for i, f in enumerate(z, 1):
        geom = f.geom
        rp = geom.representative_point()
        props = {
            "id": f"Z{i:03d}",
            "name": f.props["name"],
            "name_en": f.props["name_en"],
            "zone_type": f.props["zone_type"],
            "status": "existing",
            "district": f.props["name"] if f.props["zone_type"] == "district" else ctx.district_of(rp.x, rp.y),
            "unit": f.props["unit"],
            "updated": rand_date(rng),
            "source": "simulated",
        }
        f.props = props
        feats.append(f)
    ctx.layers["zones"] = feats


# ---------------------------------------------------------------------------------------------------
# docks
# ---------------------------------------------------------------------------------------------------

DOCKS = (
    # key, name, name_en, ref lon/lat, side (+1 outer bank, -1 inner bank), dock_type, pontoon, berths, status
    ("xingwu", "兴武街码头", "Xingwu Street Dock", (112.1365, 32.030), 1, "tour", True, 3, "new"),
    ("huilong", "回龙寺码头", "Huilongsi Dock", (112.1840, 32.031), 1, "tour", True, 2, "new"),
    ("linhan", "临汉门码头", "Linhan Gate Dock", (112.1392, 32.028), -1, "tour", True, 4, "renovated"),
    ("furen", "夫人城码头", "Lady's City Dock", (112.1270, 32.031), -1, "tour", True, 2, "existing"),
    ("dongjin", "东津码头", "Dongjin Dock", (112.2076, 32.012), 1, "ferry", True, 2, "existing"),
    ("xianshan", "岘山码头", "Xianshan Dock", (112.2090, 31.988), -1, "tour", False, 2, "existing"),
)


def build_docks(ctx: Ctx) -> None:
    feats = []
    for i, (key, name, en, (lon, lat), side, dtype, pontoon, berths, status) in enumerate(DOCKS, 1):
        x, y = river_point(ctx, lon, lat, side * DOCK_OFFSET)
        props = {
            "id": f"D{i:02d}",
            "name": name,
            "name_en": en,
            "dock_type": dtype,
            "pontoon": pontoon,
            "berths": berths,
            "operator": "襄阳汉江旅游客运有限公司",
            "status": status,
            "district": ctx.district_of(x, y),
            "unit": "市交通运输局",
            "updated": rand_date(ctx.rng),
            "source": "simulated",
        }
        f = Feat(props, x, y, tag=key)
        f.extra["side"] = side
        ctx.docks[key] = f
        feats.append(f)
    ctx.layers["docks"] = feats


def landward(ctx: Ctx, dock: Feat, metres: float, along: float = 0.0) -> tuple[float, float]:
    """A point ``metres`` inland from a dock (perpendicular to the river), shifted ``along`` the bank."""
    d = ctx.centre.project(Point(dock.xy)) + along
    return point_along(ctx.centre, d, float(dock.extra["side"]), DOCK_OFFSET + metres)


# ---------------------------------------------------------------------------------------------------
# toilets
# ---------------------------------------------------------------------------------------------------


class Toilets:
    """Collects toilets and enforces the exclusion areas that keep the planted gaps real."""

    def __init__(self, ctx: Ctx):
        self.ctx = ctx
        self.items: list[Feat] = []
        self.no_graded = [attraction(ctx, k) for k in ("lumen", "xijiachi", "zhenwu")]
        chang = [s for s in ctx.segs if s.name == "长虹路"]
        mid = unary_union([s.geom for s in chang]).intersection(rect(112.160, 32.0445, 112.180, 32.0555))
        self.gap_street = mid
        self.wall = ctx.old_city.exterior.buffer(8.0)
        self.r5 = ctx.zones["R5"].geom.buffer(30.0)
        shapely.prepare(self.wall)
        shapely.prepare(self.r5)

    def allowed(self, x, y, grade, status, allow_planted=False) -> bool:
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
        props = {"name": name, "name_en": name_en, "grade": grade}
        stars = {"AAA": (5, 4), "AA": (4, 3), "A": (3, 2), "none": (1, 1)}[grade]
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
        return [t for t in self.items if t.props["status"] in ACTIVE]


def near_road_point(ctx: Ctx, x, y, classes=None, off=20.0):
    """Point ``off`` metres beside the road nearest to (x, y)."""
    key = tuple(classes) if classes else ()
    if key not in ctx.trees:
        segs = [s for s in ctx.segs if not classes or s.cls in classes]
        ctx.trees[key] = (segs, STRtree([s.geom for s in segs]))
    segs, tree = ctx.trees[key]
    s = segs[int(np.min(tree.query_nearest(Point(x, y))))]
    d = s.geom.project(Point(x, y))
    return point_along(s.geom, d, 1.0, off), s


def best_cover(dmat: np.ndarray, base: np.ndarray, kmax: int, radius: float) -> tuple[int, ...]:
    """Fewest candidates (rows of ``dmat``, at most ``kmax``) that bring every street point (columns) within
    ``radius``, given the distances ``base`` to toilets already there; failing that, the ``kmax`` candidates
    that minimise the largest distance. Exhaustive (n <= ~50 candidates, k <= 3): exact and deterministic."""
    if float(base.max(initial=0.0)) <= radius or kmax < 1:
        return ()
    n = len(dmat)
    best: tuple[float, tuple[int, ...]] = (float("inf"), ())
    for k in range(1, kmax + 1):
        if k == 1:
            worst = np.minimum(dmat, base).max(axis=1)
            i = int(np.argmin(worst))
            cand = (float(worst[i]), (i,))
        elif k == 2:
            worst = np.minimum(np.minimum(dmat[:, None, :], dmat[None, :, :]), base).max(axis=2)
            i, j = np.unravel_index(int(np.argmin(worst)), worst.shape)
            cand = (float(worst[i, j]), (int(i), int(j)))
        else:
            cand = (float("inf"), ())
            for i in range(n):
                first = np.minimum(dmat[i], base)
                worst = np.minimum(np.minimum(first[None, None, :], dmat[:, None, :]), dmat[None, :, :]).max(axis=2)
                j, k2 = np.unravel_index(int(np.argmin(worst)), worst.shape)
                if float(worst[j, k2]) < cand[0]:
                    cand = (float(worst[j, k2]), (i, int(j), int(k2)))
        if cand[0] < best[0]:
            best = cand
        if best[0] <= radius:
            break
    return tuple(sorted(set(best[1])))


def build_toilets(ctx: Ctx) -> None:
    rng = ctx.rng
    T = Toilets(ctx)
    san = SANITATION

    def around(x, y, r0, r1):
        for _ in range(200):
            r, ang = float(rng.uniform(r0, r1)), float(rng.uniform(0, 2 * math.pi))
            yield x + r * math.cos(ang), y + r * math.sin(ang)

    def place_near(a_xy, r0, r1, *args, **kw):
        for x, y in around(*a_xy, r0, r1):
            f = T.add(x, y, *args, **kw)
            if f is not None:
                return f
        raise RuntimeError(f"could not place toilet {args[1]}")

    # scenic toilets
    attraction(ctx, "gulongzhong")
    for n, (ll, grade) in enumerate((((112.0700, 31.9920), "AAA"), ((112.0790, 31.9905), "AAA"), ((112.0755, 31.9960), "AA")), 1):
        T.add(
            *P(*ll),
            grade,
            f"古隆中{n}号旅游厕所",
            f"Gulongzhong Tourist Toilet No. {n}",
            "古隆中景区管理处",
            busy=True,
            status="renovated" if n == 1 else "existing",
        )
    for ll, grade, name, en, status in (
        ((112.1396, 32.0185), "AAA", "北街1号旅游厕所", "Beijie Street Tourist Toilet No. 1", "new"),
        ((112.1396, 32.0145), "AA", "北街2号旅游厕所", "Beijie Street Tourist Toilet No. 2", "renovated"),
        ((112.1465, 32.0150), "AA", "仲宣楼旅游厕所", "Zhongxuan Tower Tourist Toilet", "existing"),
        ((112.1300, 32.0172), "A", "夫人城旅游厕所", "Lady's City Tourist Toilet", "renovated"),
    ):
        T.add(*P(*ll), grade, name, en, "襄阳古城景区管理处", status=status, busy=True)
    for key, grade, kind in (
        ("migong", "AA", "attached"),
        ("xianshan", "A", "standalone"),
        ("renmin_park", "AA", "standalone"),
    ):
        a = attraction(ctx, key)
        place_near(
            a.xy,
            100,
            260,
            grade,
            f"{a.props['name']}旅游厕所",
            f"{a.props['name_en']} Tourist Toilet",
            a.props["unit"],
            kind=kind,
            busy=True,
        )
    tc = attraction(ctx, "tangcheng")
    for n, ll in enumerate(((112.1030, 31.9930), (112.1070, 31.9905)), 1):
        T.add(
            *P(*ll),
            "AAA",
            f"唐城{n}号旅游厕所",
            f"Tang City Tourist Toilet No. {n}",
            tc.props["unit"],
            busy=True,
            status="new",
        )
    # planted: the three scenic spots without a usable graded toilet
    lumen, xjc, zw = (attraction(ctx, k) for k in ("lumen", "xijiachi", "zhenwu"))
    place_near(
        lumen.xy,
        150,
        250,
        "none",
        "鹿门寺公厕",
        "Lumen Temple Public Toilet",
        "鹿门寺景区管理处",
        allow_planted=True,
        tag="planted_lumen",
    )
    place_near(
        xjc.xy,
        120,
        200,
        "AA",
        "习家池旅游厕所(规划)",
        "Xi Family Pond Tourist Toilet (planned)",
        "习家池景区管理处",
        status="planned",
        allow_planted=True,
        tag="planted_xijiachi",
    )
    place_near(
        zw.xy,
        150,
        220,
        "AAA",
        "真武山旅游厕所",
        "Zhenwu Mountain Tourist Toilet",
        "真武山景区管理处",
        status="closed",
        allow_planted=True,
        tag="planted_zhenwu",
    )
    # docks (not at 夫人城码头)
    for key in ("xingwu", "huilong", "linhan", "dongjin", "xianshan"):
        dock = ctx.docks[key]
        x, y = landward(ctx, dock, 75.0, 40.0)
        grade = "AA" if key in ("xingwu", "linhan") else "A"
        f = T.add(
            x,
            y,
            grade,
            f"{dock.props['name']}公厕",
            f"{dock.props['name_en']} Public Toilet",
            "市交通运输局",
            kind="mobile" if key == "xianshan" else "standalone",
            busy=True,
            status="new",
        )
        if f is None:
            raise RuntimeError(f"dock toilet {key}")
    # transport hubs
    for ll, grade, name, en in (
        ((112.1500, 32.0680), "AA", "襄阳站旅游厕所", "Xiangyang Railway Station Tourist Toilet"),
        ((112.2620, 32.0380), "AAA", "襄阳东站旅游厕所", "Xiangyang East Station Tourist Toilet"),
        ((112.1330, 32.0470), "AA", "汽车客运中心站旅游厕所", "Central Bus Station Tourist Toilet"),
    ):
        place_near(P(*ll), 0, 60, grade, name, en, "市交通运输局", busy=True)
    # planted street gap: 长虹路商圈 has toilets only at its two ends
    chang = max((s for s in ctx.sources if s.name == "长虹路"), key=lambda s: s.line.length).line
    for ll, side, name, en in (
        ((112.1714, 32.0405), -1.0, "长虹路南口公厕", "Changhong Road South Public Toilet"),
        ((112.1714, 32.0427), 1.0, "长虹路商场公厕", "Changhong Road Mall Public Toilet"),
        ((112.1712, 32.0572), -1.0, "长虹路北口公厕", "Changhong Road North Public Toilet"),
    ):
        T.add(
            *point_along(chang, chang.project(Point(P(*ll))), side, 25.0),
            "A",
            name,
            en,
            san["樊城区"],
            allow_planted=True,
            kind="attached" if "商场" in name else "standalone",
        )
    # planted density gap: one toilet in 东津新城居住区
    T.add(
        *P(112.2600, 31.9700),
        "none",
        "东津新城公厕",
        "Dongjin New Town Public Toilet",
        san["东津新区"],
        allow_planted=True,
        tag="planted_r5",
    )

    # density zones: fill up to the target; commercial zones first cover their streets (greedy set cover)
    def inside(zone_geom):
        return [t for t in T.active() if zone_geom.contains(Point(t.xy))]

    for tag in ("C2", "C3", "C4", "R1", "R2", "R3", "R4", "G1", "G2", "G3"):
        zf = ctx.zones[tag]
        zt = zf.props["zone_type"]
        area = zf.geom.area / 1e6
        lo, hi = DENSITY[zt]
        cap = max(math.floor(hi * area), math.ceil(lo * area))
        target = min(max(math.ceil(lo * area * 1.05), round((lo + hi) / 2 * area)), cap)
        district = ctx.district_of(*zf.geom.representative_point().coords[0])
        n_new = 0

        def new_toilet(x, y, zf=zf, zt=zt, district=district):
            nonlocal n_new
            grade = str(rng.choice(("A", "AA"))) if zt != "residential" else str(rng.choice(("none", "A", "A")))
            f = T.add(
                x,
                y,
                grade,
                f"{zf.props['name']}{n_new + 1}号公厕",
                f"{zf.props['name_en']} Public Toilet No. {n_new + 1}",
                san[district],
                busy=zt == "commercial",
                kind="mobile" if zt == "green" and n_new % 2 else "standalone",
            )
            n_new += f is not None
            return f

        if zt == "commercial":
            street_pts = []
            for s in ctx.segs:
                if s.cls == "expressway" or not s.geom.intersects(zf.geom):
                    continue
                part = s.geom.intersection(zf.geom)
                for g in getattr(part, "geoms", [part]):
                    if g.geom_type == "LineString":
                        street_pts += [(g.interpolate(float(d)), s) for d in np.arange(0.0, g.length + 0.1, 15.0)]
            sxy = np.array([(p.x, p.y) for p, _s in street_pts])
            have = inside(zf.geom)
            base = np.full(len(sxy), np.inf)
            for t in have:
                base = np.minimum(base, np.hypot(sxy[:, 0] - t.x, sxy[:, 1] - t.y))
            cidx = np.arange(0, len(sxy), max(1, math.ceil(len(sxy) / 50)))
            dmat = np.hypot(sxy[cidx, None, 0] - sxy[None, :, 0], sxy[cidx, None, 1] - sxy[None, :, 1])
            for ci in best_cover(dmat, base, min(3, cap - len(have)), 225.0):
                p, s = street_pts[int(cidx[ci])]
                d0 = s.geom.project(p)
                for shift, off in (
                    (0, 18),
                    (0, -18),
                    (15, 18),
                    (-15, 18),
                    (15, -18),
                    (-15, -18),
                    (0, 30),
                    (0, -30),
                ):
                    x, y = point_along(s.geom, d0 + shift, 1.0, float(off))
                    if zf.geom.contains(Point(x, y)) and new_toilet(x, y) is not None:
                        break
        for _k in range(400):
            have = inside(zf.geom)
            if len(have) >= target:
                break
            xmin, ymin, xmax, ymax = zf.geom.bounds
            x, y = float(rng.uniform(xmin, xmax)), float(rng.uniform(ymin, ymax))
            if not zf.geom.buffer(-20.0).contains(Point(x, y)):
                continue
            if have and min(dist((x, y), t.xy) for t in have) < 250.0:
                continue
            new_toilet(x, y)

    # scattered toilets along urban roads, outside the density zones, some deficient on purpose
    dens_zones = unary_union([ctx.zones[t].geom for t in ("C1", "C2", "C3", "C4", "R1", "R2", "R3", "R4", "R5", "G1", "G2", "G3")]).buffer(
        60.0
    )
    urban_segs = [
        s
        for s in ctx.segs
        if s.cls in ("arterial", "secondary", "branch")
        and not s.bridge
        and float(core_distance(np.array(s.geom.centroid.x), np.array(s.geom.centroid.y))) < 1.0
    ]
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

    feats = []
    names = Counter()
    for i, t in enumerate(T.items, 1):
        p = t.props
        names[p["name"]] += 1
        name = p["name"] if names[p["name"]] == 1 else f"{p['name']}({names[p['name']]})"
        props = {
            "id": f"T{i:03d}",
            "name": name,
            "name_en": p["name_en"] if names[p["name"]] == 1 else f"{p['name_en']} ({names[p['name']]})",
        }
        for k2 in (
            "grade",
            "stars",
            "female_stalls",
            "male_stalls",
            "accessible_stalls",
            "family_room",
            "fee",
            "opening_hours",
            "kind",
            "status",
        ):
            if k2 in p:
                props[k2] = p[k2]
        props.update(
            {
                "district": ctx.district_of(*t.xy),
                "unit": p["unit"],
                "updated": rand_date(rng),
                "source": "simulated",
            }
        )
        t.props = props
        feats.append(t)
    ctx.layers["toilets"] = feats


# ---------------------------------------------------------------------------------------------------
# stops
# ---------------------------------------------------------------------------------------------------


def build_stops(ctx: Ctx) -> None:
    rng = ctx.rng
    stops: list[Feat] = []
    far = [attraction(ctx, k) for k in ("lumen", "xianshan")]

    def ok(x, y):
        return (
            ctx.on_land(x, y, 20.0)
            and all(attraction_distance(a, x, y) > 450.0 for a in far)
            and all(dist((x, y), s.xy) > 120.0 for s in stops)
        )

    def routes(kind):
        if kind == "bus":
            return ";".join(f"{int(r)}路" for r in sorted(rng.choice(np.arange(1, 61), size=int(rng.integers(2, 5)), replace=False)))
        if kind == "sightseeing_bus":
            return ";".join(f"观光{int(r)}线" for r in sorted(rng.choice((1, 2, 3), size=int(rng.integers(1, 3)), replace=False)))
        if kind == "tour_bus":
            return str(rng.choice(("旅游专线1号", "旅游专线2号", "一日游专线")))
        return ""

    def add(x, y, kind, name, en, unit, shelter=True, bilingual=True):
        props = {"name": name, "name_en": en, "stop_type": kind}
        r = routes(kind)
        if r:
            props["routes"] = r
        props.update({"shelter": shelter, "bilingual": bilingual, "status": "existing", "unit": unit})
        f = Feat(props, x, y, tag=kind)
        stops.append(f)
        return f

    units = {
        "bus": "市公交集团",
        "sightseeing_bus": "市旅游汽车公司",
        "tour_bus": "市旅游汽车公司",
        "taxi": "市客运出租汽车管理处",
    }
    # at scenic spots (not at 鹿门寺 and 岘山)
    spot_kinds = {
        "gulongzhong": ("sightseeing_bus", "tour_bus", "bus"),
        "ancient_city": ("sightseeing_bus", "bus"),
        "zhaoming": ("sightseeing_bus",),
        "furen": ("bus",),
        "zhongxuan": ("bus",),
        "migong": ("sightseeing_bus", "bus"),
        "xijiachi": ("sightseeing_bus",),
        "tangcheng": ("tour_bus", "bus"),
        "zhenwu": ("bus",),
        "renmin_park": ("bus",),
        "museum": ("bus",),
    }
    for a in ctx.attractions:
        for j, kind in enumerate(spot_kinds.get(a.tag, ())):
            suffix = ("站", "游客中心站", "东站")[j]
            en_suffix = (" Stop", " Visitor Centre Stop", " East Stop")[j]
            for _t in range(100):
                base = a.geom.boundary.interpolate(float(rng.uniform(0, a.geom.boundary.length))) if a.geom else Point(a.xy)
                (x, y), s = near_road_point(ctx, base.x + rng.uniform(-150, 150), base.y + rng.uniform(-150, 150), off=10.0)
                if attraction_distance(a, x, y) < 260.0 and ok(x, y):
                    add(
                        x,
                        y,
                        kind,
                        a.props["name"] + suffix,
                        a.props["name_en"] + en_suffix,
                        units[kind],
                        bilingual=bool(rng.random() < 0.9),
                    )
                    break
            else:  # no road close by: a terminus at the scenic spot's car park, towards the nearest road
                (rx, ry), _s = near_road_point(ctx, a.x, a.y, off=0.0)
                d = math.hypot(rx - a.x, ry - a.y) or 1.0
                x, y = a.x + (rx - a.x) / d * min(150.0, d), a.y + (ry - a.y) / d * min(150.0, d)
                if ok(x, y):
                    add(
                        x,
                        y,
                        kind,
                        a.props["name"] + "停车场" + suffix,
                        a.props["name_en"] + " Car Park" + en_suffix,
                        units[kind],
                        shelter=False,
                    )
    # bus stops near main intersections
    nodes = main_intersections(ctx)
    order = rng.permutation(len(nodes)).tolist()
    n_bus = 0
    for i in order:
        if n_bus >= 28:
            break
        node = nodes[i]
        segs = [ctx.segs[k] for k in ctx.nodes[node]]
        arts = sorted(
            [s for s in segs if s.cls in ("arterial", "secondary") and not s.bridge and s.geom.length > 80],
            key=lambda s: s.id,
        )
        if not arts:
            continue
        s = arts[0]
        cross = sorted({t.name for t in segs if t.name != s.name})
        cross_en = {t.name: t.name_en for t in segs}
        if not cross:
            continue
        at_start = to_ll(*s.geom.coords[0]) == node
        d = 45.0 if at_start else s.geom.length - 45.0
        x, y = point_along(s.geom, d, 1.0, 9.0)
        if not ok(x, y):
            continue
        add(
            x,
            y,
            "bus",
            f"{cross[0]}路口",
            f"{cross_en[cross[0]]} Crossing",
            units["bus"],
            shelter=bool(rng.random() < 0.8),
            bilingual=bool(rng.random() < 0.85),
        )
        n_bus += 1
    # taxi ranks
    for ll, name, en in (
        ((112.1505, 32.0690), "襄阳站出租车候客站", "Xiangyang Railway Station Taxi Rank"),
        ((112.2625, 32.0390), "襄阳东站出租车候客站", "Xiangyang East Station Taxi Rank"),
        ((112.1392, 32.0232), "临汉门出租车候客点", "Linhan Gate Taxi Rank"),
        ((112.1520, 32.0370), "米公祠出租车候客点", "Mi Fu Temple Taxi Rank"),
        ((112.0760, 31.9990), "古隆中出租车候客点", "Gulongzhong Taxi Rank"),
        ((112.1440, 32.0470), "中原路商圈出租车候客点", "Zhongyuan Road Taxi Rank"),
    ):
        (x, y), _s = near_road_point(ctx, *P(*ll), off=8.0)
        add(x, y, "taxi", name, en, units["taxi"], shelter=False, bilingual=True)
    feats = []
    for i, f in enumerate(stops, 1):
        p = f.props
        props = {"id": f"S{i:03d}", **p}
        props.update({"district": ctx.district_of(*f.xy), "updated": rand_date(rng), "source": "simulated"})
        # keep common fields after the layer's own ones
        f.props = {
            k: props[k]
            for k in (
                "id",
                "name",
                "name_en",
                "stop_type",
                "routes",
                "shelter",
                "bilingual",
                "status",
                "district",
                "unit",
                "updated",
                "source",
            )
            if k in props
        }
        feats.append(f)
    ctx.layers["stops"] = feats


# ---------------------------------------------------------------------------------------------------
# signs
# ---------------------------------------------------------------------------------------------------


def build_signs(ctx: Ctx) -> None:
    rng = ctx.rng
    signs: list[Feat] = []

    def add(x, y, sign_type, zh, en, unit, road=None, condition="good", tag=""):
        props = {"sign_type": sign_type, "text_zh": zh}
        if en:
            props["text_en"] = en
        props["condition"] = condition
        if road:
            props["road"] = road
        props["unit"] = unit
        f = Feat(props, x, y, tag=tag)
        signs.append(f)
        return f

    # road-name signs at intersections of named main roads
    mains = main_intersections(ctx)
    main_xy = np.array([node_xy(n) for n in mains])

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
        and not any(ctx.segs[k].bridge for k in ctx.nodes[mains[i]])
    ]
    no_sign = sorted(rng.choice(cand, size=4, replace=False).tolist())
    # the planted gaps stand alone, so that no neighbour's sign covers them
    rest = [i for i in range(len(mains)) if isolated(i, 100.0) and all(dist(node_xy(mains[i]), node_xy(mains[j])) > 300.0 for j in no_sign)]
    no_english = sorted(rng.choice(rest, size=6, replace=False).tolist())
    ctx.planted["no_sign_nodes"] = [mains[i] for i in no_sign]
    ctx.planted["no_english_nodes"] = [mains[i] for i in no_english]

    def name_sign(node, seg, en=True, condition="good", tag=""):
        at_start = to_ll(*seg.geom.coords[0]) == node
        d = min(14.0, seg.geom.length * 0.4)
        d = d if at_start else seg.geom.length - d
        x, y = point_along(seg.geom, d, 1.0, 6.0)
        return add(
            x,
            y,
            "road_name",
            seg.name,
            seg.name_en if en else None,
            "市民政局",
            road=seg.name,
            condition=condition,
            tag=tag,
        )

    for i, node in enumerate(mains):
        if i in no_sign:
            continue
        segs = sorted((ctx.segs[k] for k in ctx.nodes[node]), key=lambda s: (s.cls not in MAIN, s.id))
        by_name = []
        for s in segs:
            if s.name not in [t.name for t in by_name]:
                by_name.append(s)
        if i in no_english:
            name_sign(node, by_name[0], en=False, tag="no_english")
            continue
        name_sign(node, by_name[0])
        if rng.random() < 0.8:
            name_sign(node, by_name[1], condition="damaged" if rng.random() < 0.04 else "good")
    # signs at some junctions of main roads with branch streets (a few without English), away from the
    # main intersections
    n_extra_noen = 0
    for node in sorted(ctx.nodes):
        segs = [ctx.segs[k] for k in ctx.nodes[node]]
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
        name_sign(node, s[0], en=en)

    # direction signs on main roads before main intersections
    targets = [
        a for a in ctx.attractions if a.tag in ("gulongzhong", "ancient_city", "migong", "xijiachi", "tangcheng", "lumen", "xianshan")
    ]
    order = rng.permutation(len(mains)).tolist()
    n_dir = 0
    for i in order:
        if n_dir >= 50:
            break
        node = mains[i]
        if i in no_sign:
            continue
        segs = [ctx.segs[k] for k in ctx.nodes[node] if ctx.segs[k].cls in MAIN and ctx.segs[k].geom.length > 180]
        if not segs:
            continue
        s = sorted(segs, key=lambda t: t.id)[0]
        at_start = to_ll(*s.geom.coords[0]) == node
        d = 110.0 if at_start else s.geom.length - 110.0
        x, y = point_along(s.geom, d, -1.0, 8.0)
        tgt = min(targets, key=lambda a: dist(a.xy, (x, y)) + float(rng.uniform(0, 3000)))
        km = max(1, round(dist(tgt.xy, (x, y)) / 1000.0))
        en = None if rng.random() < 0.08 else f"{tgt.props['name_en']} {km} km"
        add(x, y, "direction", f"{tgt.props['name']} {km}km", en, "市公安局交通管理支队", road=s.name)
        n_dir += 1

    # scenic guides, overview maps and information boards at the scenic spots
    for a in ctx.attractions:
        base = a.geom.representative_point() if a.geom is not None else Point(a.xy)
        n_guide = {"gulongzhong": 6, "ancient_city": 8, "tangcheng": 4}.get(a.tag, 3)
        for _k in range(n_guide):
            for _t in range(50):
                (x, y), s = near_road_point(
                    ctx,
                    base.x + rng.uniform(-900, 900),
                    base.y + rng.uniform(-900, 900),
                    classes=(*MAIN, "branch"),
                    off=7.0,
                )
                if ctx.on_land(x, y, 20.0):
                    break
            en = None if rng.random() < 0.08 else f"{a.props['name_en']} →"
            add(x, y, "scenic_guide", f"{a.props['name']} →", en, "市文化和旅游局", road=s.name)
        for kind, n in (
            ("overview_map", 1),
            ("info_board", 1 if a.tag not in ("gulongzhong", "ancient_city") else 3),
        ):
            for k in range(n):
                for _t in range(50):
                    ang = float(rng.uniform(0, 2 * math.pi))
                    x, y = base.x + 60 * math.cos(ang) * (k + 1), base.y + 60 * math.sin(ang) * (k + 1)
                    if ctx.on_land(x, y, 20.0):
                        break
                zh = f"{a.props['name']}导览图" if kind == "overview_map" else f"{a.props['name']}简介"
                en = f"{a.props['name_en']} Visitor Map" if kind == "overview_map" else f"About {a.props['name_en']}"
                add(x, y, kind, zh, en, a.props["unit"])
    # docks: a bilingual overview map, except 岘山码头 (Chinese-only board)
    for key, dock in sorted(ctx.docks.items()):
        x, y = landward(ctx, dock, 40.0, -20.0)
        if key == "xianshan":
            add(x, y, "info_board", f"{dock.props['name']}乘船须知", None, "市交通运输局", tag="dock_noen")
        else:
            add(
                x,
                y,
                "overview_map",
                f"{dock.props['name']}导览图",
                f"{dock.props['name_en']} Map",
                "市交通运输局",
            )
    # stop signs
    for st in ctx.layers["stops"]:
        kind = "taxi_stop" if st.props["stop_type"] == "taxi" else "bus_stop"
        en = st.props["name_en"] if st.props["bilingual"] else None
        add(
            st.x + 4.0,
            st.y + 2.0,
            kind,
            st.props["name"],
            en,
            "市客运出租汽车管理处" if kind == "taxi_stop" else "市公交集团",
        )
    # toilet direction signs
    for t in ctx.layers["toilets"]:
        if t.props["status"] not in ACTIVE or (t.props["grade"] == "none" and rng.random() < 0.5):
            continue
        for _t in range(30):
            ang = float(rng.uniform(0, 2 * math.pi))
            r = float(rng.uniform(60, 140))
            x, y = t.x + r * math.cos(ang), t.y + r * math.sin(ang)
            if ctx.on_land(x, y, 20.0):
                break
        en = None if rng.random() < 0.06 else f"Toilet {round(r / 10) * 10} m"
        add(x, y, "toilet_direction", f"厕所 {round(r / 10) * 10}m", en, SANITATION[ctx.district_of(x, y)])

    # keep the planted gaps clean: no road-name sign within 45 m of an unsigned intersection and no
    # bilingual sign within 130 m of 岘山码头
    bad_nodes = [node_xy(n) for n in ctx.planted["no_sign_nodes"]]
    dock = ctx.docks["xianshan"].xy
    kept = []
    for f in signs:
        if f.props["sign_type"] == "road_name" and any(dist(f.xy, b) < 45.0 for b in bad_nodes):
            continue
        if f.props.get("text_en") and dist(f.xy, dock) < 130.0:
            continue
        kept.append(f)
    signs = kept
    # conditions: a few damaged or missing signs of every type (not the road-name signs that carry an
    # intersection alone)
    by_type = defaultdict(list)
    for f in signs:
        by_type[f.props["sign_type"]].append(f)
    for st in sorted(by_type):
        group = [f for f in by_type[st] if f.tag != "no_english" and f.tag != "dock_noen"]
        if st == "road_name":
            continue
        n_bad = max(2, round(0.08 * len(group)))
        for j, i in enumerate(sorted(rng.choice(len(group), size=min(n_bad, len(group)), replace=False).tolist())):
            group[i].props["condition"] = "missing" if j % 4 == 3 else "damaged"
    feats = []
    for i, f in enumerate(signs, 1):
        p = f.props
        status = "existing"
        if p["sign_type"] in ("road_name", "scenic_guide") and rng.random() < 0.15:
            status = "new"
        elif rng.random() < 0.05:
            status = "renovated"
        props = {"id": f"G{i:04d}", "sign_type": p["sign_type"], "text_zh": p["text_zh"]}
        if "text_en" in p:
            props["text_en"] = p["text_en"]
        props["condition"] = p["condition"]
        if "road" in p:
            props["road"] = p["road"]
        props.update(
            {
                "status": status,
                "district": ctx.district_of(*f.xy),
                "unit": p["unit"],
                "updated": rand_date(rng),
                "source": "simulated",
            }
        )
        f.props = props
        feats.append(f)
    ctx.layers["signs"] = feats


# ---------------------------------------------------------------------------------------------------
# billboards and reports
# ---------------------------------------------------------------------------------------------------


def build_billboards(ctx: Ctx) -> None:
    rng = ctx.rng
    segs = [
        s
        for s in ctx.segs
        if s.cls in ("arterial", "secondary")
        and not s.bridge
        and s.geom.length > 100
        and float(core_distance(np.array(s.geom.centroid.x), np.array(s.geom.centroid.y))) < 0.8
    ]
    units = (
        "市创优办",
        "市委宣传部",
        "襄城区委宣传部",
        "樊城区委宣传部",
        "市文化和旅游局",
        "市文明办",
        "襄州区委宣传部",
        "东津新区管理委员会",
    )
    commercial_units = ("中国移动襄阳分公司", "襄阳日报社", "武商襄阳购物中心", "襄阳汉江旅游客运有限公司")
    publicity = (
        ("创建中国优秀旅游城市宣传牌", "Excellent Tourist City campaign billboard"),
        ("文明襄阳公益广告牌", "Civilised Xiangyang public-service billboard"),
        ("襄阳欢迎您大型宣传牌", "Welcome to Xiangyang billboard"),
        ("千古帝乡 智慧襄阳宣传牌", "Xiangyang city promotion billboard"),
    )
    pts: list[Feat] = []
    kinds = ["publicity"] * 30 + ["commercial"] * 10
    expired = set(rng.choice(40, size=8, replace=False).tolist())
    damaged = set(rng.choice(40, size=5, replace=False).tolist())
    k = 0
    while k < 40:
        s = segs[int(rng.integers(len(segs)))]
        x, y = point_along(s.geom, float(rng.uniform(0, s.geom.length)), float(rng.choice((-1.0, 1.0))), 22.0)
        if not ctx.on_land(x, y, 30.0) or any(dist((x, y), b.xy) < 300.0 for b in pts):
            continue
        kind = kinds[k]
        name, en = publicity[k % len(publicity)] if kind == "publicity" else ("商业广告牌", "Commercial billboard")
        year = int(rng.choice((2024, 2025, 2026)))
        if k in expired:
            exp = date(2025, 3, 1) + timedelta(days=int(rng.integers(0, 620)))
            exp = min(exp, date(2026, 11, 20))
        else:
            exp = date(2026, 12, 15) + timedelta(days=int(rng.integers(0, 730)))
        cond = ("damaged" if k % 5 else "missing") if k in damaged else "good"
        props = {
            "id": f"B{k + 1:03d}",
            "name": name,
            "name_en": en,
            "kind": kind,
            "illuminated": bool(rng.random() < 0.7),
            "permit_no": f"XYGG-{year}-{int(rng.integers(1, 400)):03d}",
            "permit_expiry": exp.isoformat(),
            "condition": cond,
            "status": "existing",
            "district": ctx.district_of(x, y),
            "unit": units[k % len(units)] if kind == "publicity" else commercial_units[k % len(commercial_units)],
            "updated": rand_date(rng),
            "source": "simulated",
        }
        pts.append(Feat(props, x, y))
        k += 1
    ctx.layers["billboards"] = pts


REPORT_KINDS = {
    "illegal_ad": ("违规小广告(牛皮癣)", "Illegal small ads"),
    "litter": ("垃圾堆放", "Litter"),
    "dark_lamp": ("路灯不亮", "Dark lamp"),
    "damaged_sign": ("标牌损坏", "Damaged sign"),
    "damaged_toilet": ("厕所设施损坏", "Damaged toilet"),
    "other": ("其他市容问题", "Other street issue"),
}


def build_reports(ctx: Ctx) -> None:
    rng = ctx.rng
    lamps_off = [f for f in ctx.layers["lamps"] if not f.props["working"]]
    bad_signs = [f for f in ctx.layers["signs"] if f.props["condition"] != "good"]
    toilets = [t for t in ctx.layers["toilets"] if t.props["status"] in ACTIVE]
    busy = [s for s in ctx.segs if any(s.geom.intersects(ctx.zones[t].geom) for t in ("C1", "C2", "C3", "C4"))]
    urban = [
        s
        for s in ctx.segs
        if s.cls != "expressway" and float(core_distance(np.array(s.geom.centroid.x), np.array(s.geom.centroid.y))) < 0.8
    ]
    plan = ["illegal_ad"] * 18 + ["litter"] * 12 + ["dark_lamp"] * 10 + ["damaged_sign"] * 8 + ["damaged_toilet"] * 6 + ["other"] * 6
    feats = []
    for i, kind in enumerate(plan, 1):
        unit = None
        if kind == "dark_lamp":
            f = lamps_off[int(rng.integers(len(lamps_off)))]
            x, y, unit = f.x + 3.0, f.y + 3.0, "市城市照明管理处"
        elif kind == "damaged_sign":
            f = bad_signs[int(rng.integers(len(bad_signs)))]
            x, y, unit = f.x + 2.0, f.y - 2.0, f.props["unit"]
        elif kind == "damaged_toilet":
            f = toilets[int(rng.integers(len(toilets)))]
            x, y, unit = f.x + 4.0, f.y + 1.0, f.props["unit"]
        elif kind == "litter" and i % 3 == 0:
            dock = ctx.docks[sorted(ctx.docks)[int(rng.integers(len(ctx.docks)))]]
            x, y = landward(ctx, dock, float(rng.uniform(30, 90)), float(rng.uniform(-80, 80)))
        else:
            s = busy if kind == "illegal_ad" and rng.random() < 0.6 else urban
            s = s[int(rng.integers(len(s)))]
            x, y = point_along(s.geom, float(rng.uniform(0, s.geom.length)), 1.0, 12.0)
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
        zh, en = REPORT_KINDS[kind]
        props = {
            "id": f"P{i:03d}",
            "name": zh,
            "name_en": en,
            "kind": kind,
            "status": status,
            "reported_on": reported.isoformat(),
        }
        if fixed_on:
            props["fixed_on"] = fixed_on.isoformat()
        props.update(
            {
                "photo": f"photos/P{i:03d}.jpg",
                "district": district,
                "unit": unit,
                "updated": (fixed_on or min(reported + timedelta(days=2), REF_DATE)).isoformat(),
                "source": "simulated",
            }
        )
        feats.append(Feat(props, x, y))
    ctx.layers["reports"] = feats


# ---------------------------------------------------------------------------------------------------
# audit: what the coverage rules should find (asserted against the plan, written to README)
# ---------------------------------------------------------------------------------------------------


def audit(ctx: Ctx) -> dict:
    L = ctx.layers
    out: dict[str, list] = {}
    toilets = L["toilets"]
    graded = [t for t in toilets if t.props["grade"] in GRADED and t.props["status"] in ACTIVE]
    active = [t for t in toilets if t.props["status"] in ACTIVE]
    out["spot_no_toilet"] = [
        (a.props["id"], a.props["name"], round(min(attraction_distance(a, *t.xy) for t in graded)))
        for a in L["attractions"]
        if min(attraction_distance(a, *t.xy) for t in graded) > 500.0
    ]
    # commercial street gaps (a road portion in a commercial zone > 250 m from every toilet)
    gaps = []
    tx, ty = np.array([t.x for t in active]), np.array([t.y for t in active])
    for tag in ("C1", "C2", "C3", "C4"):
        z = ctx.zones[tag]
        worst: dict[str, float] = {}
        for s in ctx.segs:
            if s.cls == "expressway" or not s.geom.intersects(z.geom):
                continue
            part = s.geom.intersection(z.geom)
            for g in getattr(part, "geoms", [part]):
                if g.geom_type != "LineString":
                    continue
                for d in np.arange(0.0, g.length + 0.1, 10.0):
                    p = g.interpolate(float(d))
                    worst[s.name] = max(worst.get(s.name, 0.0), float(np.min(np.hypot(tx - p.x, ty - p.y))))
        gaps += [(z.props["id"], z.props["name"], road, round(m)) for road, m in sorted(worst.items()) if m > 250.0]
    out["street_gap"] = gaps
    dens = []
    for z in L["zones"]:
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
    # lamps: gaps along lit segments and working share per road
    lamps = [f for f in L["lamps"] if "road" in f.props]
    by_road = defaultdict(list)
    for f in lamps:
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
        h = near[0].props["height_m"] if near else LAMP_SPEC[s.cls][3][0]
        if gap > 3.5 * h:
            gap_list.append((s.id, s.name, round(gap)))
    out["lamp_gap_segments"] = gap_list
    share = []
    for name in sorted(by_road):
        cls = next(s.cls for s in ctx.segs if s.name == name)
        n = len(by_road[name])
        w = sum(1 for f in by_road[name] if f.props["working"])
        limit = 0.98 if cls in ("expressway", "arterial", "secondary") else 0.96
        if w / n < limit:
            share.append((name, cls, n, w, round(100.0 * w / n, 1)))
    out["low_working"] = share
    # road-name signs at main intersections
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
    # docks
    dk = []
    lamp_xy = np.array([f.xy for f in L["lamps"]])
    bil = [f for f in L["signs"] if f.props.get("text_en") and f.props["condition"] != "missing"]
    for d in L["docks"]:
        t = min(dist(d.xy, t.xy) for t in active)
        lp = float(np.min(np.hypot(lamp_xy[:, 0] - d.x, lamp_xy[:, 1] - d.y)))
        sg = min(dist(d.xy, f.xy) for f in bil)
        if t > 200.0:
            dk.append((d.props["id"], d.props["name"], "toilet", round(t)))
        if lp > 30.0:
            dk.append((d.props["id"], d.props["name"], "lamp", round(lp)))
        if sg > 100.0:
            dk.append((d.props["id"], d.props["name"], "bilingual sign", round(sg)))
    out["dock_gaps"] = dk
    stops = [s for s in L["stops"] if s.props["stop_type"] in ("bus", "sightseeing_bus")]
    out["spot_no_stop"] = [
        (a.props["id"], a.props["name"], round(min(attraction_distance(a, *s.xy) for s in stops)))
        for a in L["attractions"]
        if min(attraction_distance(a, *s.xy) for s in stops) > 300.0
    ]
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


def check_plan(ctx: Ctx, found: dict) -> None:
    """The audit must find exactly the planted shortfalls (and nothing unplanned where we control it)."""
    names = sorted(n for _i, n, _d in found["spot_no_toilet"])
    assert names == sorted(["鹿门寺", "习家池", "真武山"]), names
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
    assert sorted(n for _i, n, _d in found["spot_no_stop"]) == sorted(["鹿门寺", "岘山"]), found["spot_no_stop"]
    assert len(found["permit_expired"]) == 8
    assert found["reports_late"] and found["reports_stale"]


# ---------------------------------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------------------------------


def _ring(coords) -> list:
    out = []
    for x, y in coords:
        p = list(to_ll(x, y))
        if not out or out[-1] != p:
            out.append(p)
    if out[0] != out[-1]:
        out.append(out[0])
    return out


def geojson_geometry(f: Feat) -> dict:
    g = f.geom
    if g is None:
        return {"type": "Point", "coordinates": list(to_ll(f.x, f.y))}
    if g.geom_type == "LineString":
        coords = []
        for x, y in g.coords:
            p = list(to_ll(x, y))
            if not coords or coords[-1] != p:
                coords.append(p)
        return {"type": "LineString", "coordinates": coords}
    if g.geom_type == "Polygon":
        g = orient(g, 1.0)
        return {
            "type": "Polygon",
            "coordinates": [_ring(g.exterior.coords)] + [_ring(r.coords) for r in g.interiors],
        }
    if g.geom_type == "MultiPolygon":
        polys = [orient(p, 1.0) for p in g.geoms]
        return {
            "type": "MultiPolygon",
            "coordinates": [[_ring(p.exterior.coords)] + [_ring(r.coords) for r in p.interiors] for p in polys],
        }
    raise TypeError(g.geom_type)


def feature_collection(feats: list[Feat]) -> str:
    lines = ['{"type":"FeatureCollection","features":[']
    for i, f in enumerate(feats):
        obj = {"type": "Feature", "properties": f.props, "geometry": geojson_geometry(f)}
        text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
        lines.append(text + ("," if i < len(feats) - 1 else ""))
    lines.append("]}")
    return "\n".join(lines) + "\n"


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; these are ordinary data files
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def city_toml() -> str:
    return (
        'name = "襄阳"\nname_en = "Xiangyang"\nzoom = 13\ncrs = "auto"\n\n'
        f"[center]\nlon = {CENTER[0]}\nlat = {CENTER[1]}\n\n"
        "[bounds]  # WGS84; every feature lies inside\n"
        f"west = {WEST}\nsouth = {SOUTH}\neast = {EAST}\nnorth = {NORTH}\n"
    )


def readme(ctx: Ctx, found: dict, seed: int) -> str:
    counts = {name: len(ctx.layers[name]) for name in ctx.layers}

    def node_txt(node):
        return f"({node[0]:.6f}, {node[1]:.6f})"

    lines = [
        "# 襄阳 Xiangyang — demo city / 示例城市",
        "",
        f"Generated by `scripts/make_demo_city.py --seed {seed}` — do not edit by hand; re-run the script.",
        "由脚本生成，请勿手工修改。",
        "",
        "## What is real and what is not / 数据说明",
        "",
        "- **Approximate / 近似**: positions of the scenic spots (景区景点) and the course of the",
        "  Han River (汉江) are approximately real (± a few hundred metres); grades and visitor numbers",
        "  are illustrative. 景点位置和汉江走向为近似位置（误差数百米）。",
        "- **Simulated / 模拟**: everything else — roads (names partly real, geometry invented), the",
        "  bridges' exact positions, toilets, signs, docks, lamps, stops, billboards, zones, district",
        "  boundaries and reports. 其余数据均为模拟。 Every feature carries `source: simulated`.",
        "  Do not use for navigation or planning decisions.",
        "- Coordinates: WGS84 lon/lat (not GCJ-02). `water.geojson` is the river polygon for",
        "  basemap-free maps (无底图模式下的水系背景).",
        "",
        "## Counts / 数量",
        "",
        "| layer | features |",
        "| --- | ---: |",
    ]
    lines += [f"| {name} | {counts[name]} |" for name in sorted(counts)]
    lines += [
        "",
        "## Planted shortfalls / 预设问题",
        "",
        "Put in on purpose so that each coverage rule of DOMAIN.md finds something (the audit in the script",
        "checks them on every run; distances in metres in a local metric projection).",
        "",
        "- Scenic spots with no graded (A+, existing/new/renovated) toilet within 500 m / "
        "500米内无A级厕所的景点: " + "; ".join(f"{i} {n} (nearest {d} m)" for i, n, d in found["spot_no_toilet"]),
        "- Commercial street with a toilet gap > 500 m / 商业街厕所间距过大: "
        + "; ".join(f"{i} {n}: {r} (a point {d} m from the nearest toilet)" for i, n, r, d in found["street_gap"]),
        "- Zone below the toilet density threshold / 厕所密度不足: "
        + "; ".join(f"{i} {n}: {c} toilet(s) on {a} km² = {q}/km²" for i, n, c, a, q in found["low_density"]),
        "- Toilets with no accessible stall and no family room / 无障碍厕位和第三卫生间均缺: "
        + ", ".join(f"{i} {n}" for i, n in found["no_access"]),
        "- Toilets with female:male stalls below 3:2 / 女男厕位比低于3:2: "
        + ", ".join(f"{i} ({f}:{m})" for i, _n, f, m in found["low_ratio"]),
        "- Dark stretches (lamps missing) / 路灯缺失路段: "
        + "; ".join(f"{n} ~{int(length)} m, {k} lamps missing" for n, length, k, _a, _b in ctx.planted["dark_stretches"])
        + "; lit segments whose lamp gap exceeds 3.5 × mounting height: "
        + ", ".join(f"{i} {n} ({g} m)" for i, n, g in found["lamp_gap_segments"]),
        "- Failed circuits (all lamps off) / 整条回路不亮: "
        + "; ".join(f"{n} circuit {c}" for n, c in ctx.planted["failed_circuits"])
        + "; roads below the working-share limit (main 98 %, others 96 %): "
        + "; ".join(f"{n} ({c}) {w}/{t} = {p} %" for n, c, t, w, p in found["low_working"]),
        "- Intersections of named main roads (arterial/secondary) with no road-name sign within 30 m / "
        "主要道路交叉口30米内无路名牌: " + "; ".join(f"{node_txt(n)} {names}" for n, names in found["intersection_no_sign"]),
        "- Intersections whose only road-name sign has no English / 路名牌无英文: "
        + "; ".join(f"{node_txt(n)} {names} (sign {sid})" for n, names, sid in found["intersection_no_english"]),
        "- Damaged or missing signs / 损坏或缺失的标牌: " + ", ".join(f"{i} ({t}, {c})" for i, t, c in found["signs_bad"]),
        "- Docks / 码头: "
        + "; ".join(f"{i} {n}: no {w} within range (nearest {d} m)" for i, n, w, d in found["dock_gaps"])
        + " — limits: toilet 200 m, lamp 30 m, bilingual sign 100 m",
        "- Scenic spots with no bus or sightseeing stop within 300 m / 300米内无公交或观光车站: "
        + "; ".join(f"{i} {n} (nearest {d} m)" for i, n, d in found["spot_no_stop"]),
        "- Billboards with an expired permit (before 2026-11-29) / 许可证过期的广告牌: "
        + ", ".join(f"{i} ({e})" for i, e in found["permit_expired"]),
        "- Reports fixed more than 7 days after being reported / 超期整改: "
        + ", ".join(f"{i} ({k}, {d} days)" for i, k, d in found["reports_late"]),
        "- Reports open or assigned for more than 30 days (on 2026-11-29) / 超过30天未办结: "
        + ", ".join(f"{i} ({k}, {s}, {d} days)" for i, k, s, d in found["reports_stale"]),
        "",
        "Notes: the working share is counted per road name over the lamps whose `road` is that road;",
        "lamp gaps per lit segment over lamps of the same road within 20 m of it, ends of the segment",
        "included. Main roads for the road-name-sign rule are arterial and secondary roads; an",
        "intersection is a shared segment endpoint where two or more differently named main roads meet.",
        "Commercial-street gaps: any point of a road inside a commercial zone farther than 250 m from",
        "every usable toilet (i.e. a gap of more than 500 m between toilets along it).",
        "",
    ]
    return "\n".join(lines)


def build(seed: int) -> tuple[Ctx, dict]:
    ctx = Ctx(np.random.Generator(np.random.PCG64(seed)))
    build_frame(ctx)
    build_attractions(ctx)
    build_roads(ctx)
    build_zones(ctx)
    build_docks(ctx)
    build_lamps(ctx)
    build_toilets(ctx)
    build_stops(ctx)
    build_signs(ctx)
    build_billboards(ctx)
    build_reports(ctx)
    found = audit(ctx)
    check_plan(ctx, found)
    return ctx, found


LAYER_ORDER = (
    "attractions",
    "toilets",
    "signs",
    "docks",
    "lamps",
    "roads",
    "stops",
    "billboards",
    "zones",
    "reports",
)


def write_city(ctx: Ctx, found: dict, out: Path, seed: int) -> dict[str, int]:
    sizes = {}
    for name in LAYER_ORDER:
        text = feature_collection(ctx.layers[name])
        write_atomic(out / f"{name}.geojson", text)
        sizes[f"{name}.geojson"] = len(text.encode("utf-8"))
    water = Feat(
        {"id": "W1", "name": "汉江", "name_en": "Han River", "source": "simulated"},
        geom=ctx.river.simplify(5.0),
    )
    text = feature_collection([water])
    write_atomic(out / "water.geojson", text)
    sizes["water.geojson"] = len(text.encode("utf-8"))
    for fname, text in (("city.toml", city_toml()), ("README.md", readme(ctx, found, seed))):
        write_atomic(out / fname, text)
        sizes[fname] = len(text.encode("utf-8"))
    return sizes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    ctx, found = build(args.seed)
    sizes = write_city(ctx, found, args.out, args.seed)
    if not args.quiet:
        for name in LAYER_ORDER:
            print(f"{name:12s} {len(ctx.layers[name]):6d} features  {sizes[name + '.geojson'] / 1024:8.1f} KiB")
        total = sum(sizes.values()) / 1024 / 1024
        print(f"total {total:.2f} MiB in {args.out}  ({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
