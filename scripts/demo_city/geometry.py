"""Plane geometry in the local metric frame: polylines (bend, extend, cut, cross) and random points."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator

import numpy as np
import shapely
from shapely.geometry import LineString, Point


def dist(a, b) -> float:
    """Distance between two (x, y) points."""
    return math.hypot(a[0] - b[0], a[1] - b[1])


def chaikin(pts, rounds=3):
    """Smooth a polyline by Chaikin's corner cutting (endpoints kept)."""
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


def cut_near(coords, p):
    """Split a polyline at the point of it nearest to ``p``."""
    return cut_coords(coords, LineString(coords).project(Point(p)))


def insert_crossing(a, b):
    """Insert the crossing point of polylines a and b as a vertex in both; return (a, b, point)."""
    inter = LineString(a).intersection(LineString(b))
    if inter.is_empty:
        raise RuntimeError("lines do not cross")
    p = inter if inter.geom_type == "Point" else inter.geoms[0]
    p = (p.x, p.y)

    def put(coords):
        first, second = cut_near(coords, p)
        return [*first[:-1], p, *second[1:]]

    return put(a), put(b), p


def cut_at_vertex(coords, p):
    """Split a polyline at its vertex ``p`` (exact match); both halves share ``p``."""
    i = coords.index(p)
    return coords[: i + 1], coords[i:]


def longest_line(g) -> LineString:
    """``g`` if it is a LineString, else its longest part."""
    return g if g.geom_type == "LineString" else max(g.geoms, key=lambda part: part.length)


def random_point(rng: np.random.Generator, geom) -> tuple[float, float]:
    """A uniformly random point in the bounding box of ``geom``."""
    xmin, ymin, xmax, ymax = geom.bounds
    return float(rng.uniform(xmin, xmax)), float(rng.uniform(ymin, ymax))


def scatter(
    rng: np.random.Generator, geom, n: int, accept: Callable[[float, float], bool] | None = None
) -> Iterator[tuple[int, float, float]]:
    """Yield ``n`` random points (index, x, y) inside ``geom`` that ``accept`` takes, drawn one by one.

    The caller may draw random numbers between two points: the next one is drawn only when asked for.
    """
    placed = 0
    while placed < n:
        x, y = random_point(rng, geom)
        if shapely.contains_xy(geom, x, y) and (accept is None or accept(x, y)):
            yield placed, x, y
            placed += 1


def around(rng: np.random.Generator, x: float, y: float, r0: float, r1: float, tries: int) -> Iterator[tuple[float, float]]:
    """Up to ``tries`` random points at a distance from ``r0`` to ``r1`` of (x, y)."""
    for _ in range(tries):
        r, ang = float(rng.uniform(r0, r1)), float(rng.uniform(0, 2 * math.pi))
        yield x + r * math.cos(ang), y + r * math.sin(ang)
