"""The local metric frame (projection), the generator's data model (Ctx, Feat, Seg, RoadSrc), the river and districts.

All geometry is built in metres in an equirectangular projection at 32.005°N (good to about 0.1 % over the city)
and converted to WGS84 lon/lat, rounded to 6 decimals, on output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box
from shapely.ops import split, unary_union

from .geometry import chaikin, point_along
from .places import DISTRICTS, PLACES

REF_DATE = date(2026, 11, 29)  # "today" for permits and reports
WEST, SOUTH, EAST, NORTH = 112.03, 31.91, 112.30, 32.10
CENTER = (112.15, 32.025)
LON0, LAT0 = 112.165, 32.005
KX, KY = 94488.0, 110886.9  # metres per degree of longitude / latitude at LAT0 (WGS84)

RIVER_HALF = 320.0  # half width of the Han River (m)
BANK_ROAD = 450.0  # riverside roads run this far from the river centreline (130 m from the bank)
DOCK_OFFSET = RIVER_HALF - 10.0  # docks sit on their pontoons 10 m out from the bank
PRUNE_LEN = 230.0  # dangling overshoot stubs shorter than this are removed after noding
LIT_CORE = 1.45  # main roads are lit within this scaled distance of an urban core (see core_distance)


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
    """A list of lon/lat pairs in local metres."""
    return [P(lo, la) for lo, la in coords]


def rect(lon0, lat0, lon1, lat1) -> Polygon:
    """The rectangle between two lon/lat corners, in local metres."""
    return box(*P(lon0, lat0), *P(lon1, lat1))


def core_distance(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Distance (km) to the nearest urban core, scaled by the core's size."""
    out = np.full(np.shape(x), np.inf)
    for lon, lat, r in PLACES["cores"]:
        cx, cy = P(lon, lat)
        out = np.minimum(out, np.hypot(x - cx, y - cy) / 1000.0 / r)
    return out


def core_km(x: float, y: float) -> float:
    """:func:`core_distance` of one point."""
    return float(core_distance(np.array(x), np.array(y)))


def rand_date(rng: np.random.Generator, start: date = date(2026, 1, 5), end: date = date(2026, 11, 25)) -> str:
    """A random ISO date from ``start`` to ``end`` (the date of a survey)."""
    return (start + timedelta(days=int(rng.integers(0, (end - start).days + 1)))).isoformat()


# ---------------------------------------------------------------------------------------------------
# data model
# ---------------------------------------------------------------------------------------------------


@dataclass
class RoadSrc:
    """A road as drawn, before the network is noded into segments."""

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
    """A road segment between two intersections: one feature of the roads layer."""

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

    @property
    def core(self) -> float:
        """Scaled distance of the segment's centroid to the nearest urban core."""
        c = self.geom.centroid
        return core_km(c.x, c.y)


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
        """The point (x, y)."""
        return (self.x, self.y)


@dataclass
class Ctx:
    """Everything built so far, shared by the layer builders."""

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
    island: Polygon = None  # Yuliang Island (walkways): a hole in the river when the water is written

    def district_of(self, x: float, y: float) -> str:
        """The district (x, y) lies in, or the nearest one."""
        for name, _en, _unit, geom in self.districts:
            if shapely.contains_xy(geom, x, y):
                return name
        best = min(self.districts, key=lambda d: d[3].distance(Point(x, y)))
        return best[0]

    def on_land(self, x: float, y: float, margin: float = 0.0) -> bool:
        """(x, y) lies in the city box and out of the river (by more than ``margin`` metres)."""
        if not shapely.contains_xy(self.box, x, y):
            return False
        if margin > 0:
            return self.river.distance(Point(x, y)) > margin
        return not shapely.contains_xy(self.river, x, y)


# ---------------------------------------------------------------------------------------------------
# frame: river, districts, old city
# ---------------------------------------------------------------------------------------------------


def build_frame(ctx: Ctx) -> None:
    """The city box, the Han River, the old city and the four districts."""
    ctx.box = box(*P(WEST, SOUTH), *P(EAST, NORTH))
    ctx.centre = LineString(chaikin(Pl(PLACES["river"]), 3))
    ctx.river = ctx.centre.buffer(RIVER_HALF, quad_segs=8).intersection(ctx.box)
    ctx.old_city = Polygon(Pl(PLACES["old_city"]))

    parts = list(split(ctx.box, ctx.centre).geoms)
    inner = next(p for p in parts if p.contains(ctx.old_city.centroid))
    outer = unary_union([p for p in parts if p is not inner])
    big = 1.0
    dj_area = Polygon(Pl([(112.198, SOUTH - big), (EAST + big, SOUTH - big), (EAST + big, 32.042), (112.198, 32.042)]))
    xz_area = unary_union(
        [
            Polygon(Pl([(WEST - big, 32.076), (EAST + big, 32.076), (EAST + big, NORTH + big), (WEST - big, NORTH + big)])),
            Polygon(Pl([(112.186, 32.042), (EAST + big, 32.042), (EAST + big, 32.08), (112.186, 32.08)])),
        ]
    )
    dj = outer.intersection(dj_area)
    xz = outer.intersection(xz_area).difference(dj)
    fc = outer.difference(dj).difference(xz)
    geoms = {"襄城区": inner, "樊城区": fc, "襄州区": xz, "东津新区": dj}
    for d in DISTRICTS:
        g = geoms[d["name"]]
        if g.geom_type == "MultiPolygon":  # drop slivers left by the set operations
            polys = [p for p in g.geoms if p.area > 1e4]
            g = polys[0] if len(polys) == 1 else MultiPolygon(polys)
        ctx.districts.append((d["name"], d["name_en"], d["unit"], g))


def river_point(ctx: Ctx, lon: float, lat: float, off: float) -> tuple[float, float]:
    """Point ``off`` metres left (+, outer bank: Fancheng/Dongjin) or right (-) of the river centreline."""
    d = ctx.centre.project(Point(P(lon, lat)))
    return point_along(ctx.centre, d, 1.0 if off >= 0 else -1.0, abs(off))


def bridge_ends(ctx: Ctx, lon: float, lat: float, half: float = BANK_ROAD + 80.0):
    """(inner end, outer end) of a bridge perpendicular to the river at the point nearest lon/lat."""
    return river_point(ctx, lon, lat, -half), river_point(ctx, lon, lat, half)
