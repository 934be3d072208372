"""A small static map of one notice item, as PNG, drawn with Pillow only (no tiles, no network).

``small_map_png(item)`` projects WGS84 to a local plane (equirectangular around the centre of the gap: metres
east = R · Δλ · cos φ₀, metres north = R · Δφ, R the mean Earth radius), frames the item's ``geometry`` (or
its ``lon``/``lat`` point when it has none) with a margin of :data:`MARGIN_M` metres (more for a large gap,
:data:`MARGIN_SHARE` of its size) on each side, fitted to the picture with the gap in the middle and north up.
It draws the item's ``map_shapes`` by category, in the order of
:data:`facilities.tasks.notice.MAP_CATEGORIES` (water light blue, zones a thin grey outline, roads grey lines,
facilities small dark dots, gaps red), then the gap itself on top in red (a point as a ring, a line as a
thick line, an area as an outline; a gap too small to see gets a ring as well), a scale bar and a north arrow.

The shapes are drawn at twice the size and scaled down (smooth edges); the same item always gives the same
bytes. Empty geometries, parts with non-finite coordinates and shapes of an unknown category are not drawn;
an item with no usable location gives a blank map saying so.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import shapely
from PIL import Image, ImageDraw, ImageFont
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from facilities.tasks.notice import MAP_CATEGORIES, NoticeItem

#: the mean Earth radius (IUGG), metres
EARTH_RADIUS_M = 6_371_008.8
#: the least margin around the gap, metres, on each side
MARGIN_M = 150.0
#: the margin around a large gap, as a share of its larger side
MARGIN_SHARE = 0.15
#: shapes are drawn this many times larger, then scaled down
SUPERSAMPLE = 2
#: the allowed picture sizes, pixels
MIN_PX, MAX_PX = 64, 4096

BACKGROUND = (243, 240, 233)
WATER_FILL, WATER_EDGE = (170, 211, 234), (120, 172, 208)
ZONE_EDGE = (150, 150, 150)
ROAD = (160, 160, 160)
FACILITY = (45, 45, 45)
GAP = (227, 26, 28)
HALO = (255, 255, 255)
INK = (20, 20, 20)

_ROAD_WIDTH_M = 12.0  # a road is drawn about this wide, within 2–7 pixels


@dataclass(frozen=True)
class _Frame:
    """The local plane and the picture: the projection's origin and the metres of one (final) pixel."""

    lon0: float
    lat0: float
    cx: float  # the centre of the picture, metres east of lon0
    cy: float  # … metres north of lat0
    m_per_px: float
    width: int
    height: int

    def metres(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """WGS84 degrees to metres east and north of the origin."""
        k = EARTH_RADIUS_M * math.pi / 180.0
        return (lon - self.lon0) * k * math.cos(math.radians(self.lat0)), (lat - self.lat0) * k

    def pixels(self, coords: np.ndarray) -> np.ndarray:
        """(n, 2) WGS84 lon/lat to (n, 2) pixel x/y of the supersampled canvas."""
        x, y = self.metres(coords[:, 0], coords[:, 1])
        f = SUPERSAMPLE / self.m_per_px
        return np.column_stack((self.width * SUPERSAMPLE / 2 + (x - self.cx) * f, self.height * SUPERSAMPLE / 2 - (y - self.cy) * f))


def _finite(geom: BaseGeometry | None) -> bool:
    return geom is not None and not geom.is_empty and bool(np.isfinite(shapely.get_coordinates(geom)).all())


def _parts(geom: BaseGeometry | None) -> Iterator[BaseGeometry]:
    """The points, lines and polygons of a geometry (multi-parts and collections opened), empty ones left out."""
    if geom is None or geom.is_empty:
        return
    if hasattr(geom, "geoms"):
        for g in geom.geoms:
            yield from _parts(g)
    elif _finite(geom):
        yield geom


def _frame(item: NoticeItem, width: int, height: int) -> _Frame | None:
    """The picture's frame around the gap, or None when the item has no finite location at all."""
    parts = list(_parts(item.geometry))
    if parts:
        lon_min, lat_min, lon_max, lat_max = shapely.GeometryCollection(parts).bounds
    elif math.isfinite(item.lon) and math.isfinite(item.lat):
        lon_min = lon_max = item.lon
        lat_min = lat_max = item.lat
    else:
        return None
    lon0, lat0 = (lon_min + lon_max) / 2, max(-89.0, min(89.0, (lat_min + lat_max) / 2))
    probe = _Frame(lon0, lat0, 0.0, 0.0, 1.0, width, height)
    x, y = probe.metres(np.array([lon_min, lon_max]), np.array([lat_min, lat_max]))
    w, h = float(x[1] - x[0]), float(y[1] - y[0])
    margin = max(MARGIN_M, MARGIN_SHARE * max(w, h))
    m_per_px = max((w + 2 * margin) / width, (h + 2 * margin) / height)
    return _Frame(lon0, lat0, float(x[0] + x[1]) / 2, float(y[0] + y[1]) / 2, m_per_px, width, height)


def _xy(coords: np.ndarray) -> list[tuple[float, float]]:
    return [(float(a), float(b)) for a, b in coords]


class _Painter:
    """Draws WGS84 geometries on the supersampled canvas of one frame, clipped to it."""

    def __init__(self, frame: _Frame) -> None:
        self.frame = frame
        self.size = (frame.width * SUPERSAMPLE, frame.height * SUPERSAMPLE)
        self.image = Image.new("RGB", self.size, BACKGROUND)
        self.draw = ImageDraw.Draw(self.image)
        pad = 50.0 * SUPERSAMPLE
        self._clip = (-pad, -pad, self.size[0] + pad, self.size[1] + pad)

    def _canvas(self, geom: BaseGeometry) -> BaseGeometry:
        """A geometry in canvas pixels, clipped to the canvas and a little around it (no huge coordinates)."""
        px = shapely.transform(geom, self.frame.pixels)
        if isinstance(px, Point):
            return px
        return shapely.clip_by_rect(px, *self._clip)

    def shape(self, category: str, geom: BaseGeometry) -> None:
        """One shape of the background (or a gap) drawn in the style of its category."""
        for part in _parts(geom):
            for piece in _parts(self._canvas(part)):
                self._piece(category, piece)

    def _px(self, value: float) -> int:
        return max(1, round(value * SUPERSAMPLE))

    def _piece(self, category: str, g: BaseGeometry) -> None:
        d = self.draw
        if isinstance(g, Point):
            if category == "gap":
                self.ring(g.x, g.y)
            elif category == "water":
                pass  # a point of water has no area to fill
            else:
                r = self._px(3.0 if category == "facility" else 2.0)
                color = FACILITY if category == "facility" else ZONE_EDGE if category == "zone" else ROAD
                d.ellipse((g.x - r, g.y - r, g.x + r, g.y + r), fill=color)
        elif isinstance(g, LineString):
            xy = _xy(np.asarray(g.coords)[:, :2])
            if category == "road":
                road_px = max(2.0, min(7.0, _ROAD_WIDTH_M / self.frame.m_per_px))
                d.line(xy, fill=ROAD, width=self._px(road_px), joint="curve")
            elif category == "gap":
                d.line(xy, fill=HALO, width=self._px(8), joint="curve")
                d.line(xy, fill=GAP, width=self._px(5), joint="curve")
            elif category == "water":
                d.line(xy, fill=WATER_EDGE, width=self._px(3), joint="curve")
            else:
                d.line(xy, fill=FACILITY if category == "facility" else ZONE_EDGE, width=self._px(1))
        elif isinstance(g, Polygon):
            rings = [_xy(np.asarray(g.exterior.coords)[:, :2])] + [_xy(np.asarray(r.coords)[:, :2]) for r in g.interiors]
            if category == "water":
                d.polygon(rings[0], fill=WATER_FILL, outline=WATER_EDGE)
                for hole in rings[1:]:
                    d.polygon(hole, fill=BACKGROUND, outline=WATER_EDGE)
                return
            color, width = {"gap": (GAP, 3), "facility": (FACILITY, 1.5), "road": (ROAD, 1.5)}.get(category, (ZONE_EDGE, 1))
            for ring in rings:
                if category == "gap":
                    d.line(ring, fill=HALO, width=self._px(width + 3), joint="curve")
                d.line(ring, fill=color, width=self._px(width), joint="curve")

    def ring(self, x: float, y: float) -> None:
        """The red ring (on a white halo) that marks a point of a gap, with a dot at its centre."""
        r, d = self._px(10), self.draw
        d.ellipse((x - r, y - r, x + r, y + r), outline=HALO, width=self._px(5))
        d.ellipse((x - r, y - r, x + r, y + r), outline=GAP, width=self._px(3))
        c = self._px(2)
        d.ellipse((x - c, y - c, x + c, y + c), fill=GAP)

    def gap(self, item: NoticeItem) -> None:
        """The gap on top: its geometry in red; a ring at its point when it has none or it is too small to see."""
        parts = list(_parts(item.geometry))
        for part in parts:
            self.shape("gap", part)
        if parts:
            whole = shapely.GeometryCollection(parts)
            corners = self.frame.pixels(np.array(whole.bounds).reshape(2, 2))
            extent = float(np.abs(corners[1] - corners[0]).max())
            if all(isinstance(p, Point) for p in parts) or extent >= self._px(8):
                return
            c = whole.centroid
        elif math.isfinite(item.lon) and math.isfinite(item.lat):
            c = Point(item.lon, item.lat)
        else:
            return
        p = self._canvas(c)
        if _finite(p):
            self.ring(p.x, p.y)


def _nice_length(target_m: float) -> float:
    """The largest 1, 2 or 5 × 10ⁿ metres not above ``target_m``."""
    exp = math.floor(math.log10(target_m))
    for step in (5, 2, 1):
        if step * 10**exp <= target_m:
            return float(step * 10**exp)
    return float(10**exp)


def _length_label(metres: float) -> str:
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


def _furniture(image: Image.Image, m_per_px: float) -> None:
    """The scale bar (bottom left) and the north arrow (top right), drawn on the final picture."""
    w, h = image.size
    d = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(10, min(16, h // 22)))
    length = _nice_length(0.22 * w * m_per_px)
    bar = round(length / m_per_px)
    label = _length_label(length)
    x0, y0 = 10, h - 12
    tw = d.textlength(label, font=font)
    d.rectangle((x0 - 5, y0 - 22, x0 + max(bar, tw) + 6, y0 + 6), fill=(255, 255, 255))
    d.rectangle((x0, y0 - 4, x0 + bar, y0), fill=INK)
    d.rectangle((x0 + bar // 2, y0 - 3, x0 + bar, y0 - 1), fill=(255, 255, 255))
    for tx in (x0, x0 + bar):
        d.line((tx, y0 - 8, tx, y0), fill=INK, width=1)
    d.text((x0, y0 - 9), label, fill=INK, font=font, anchor="ls")
    # north arrow
    cx, top = w - 22, 8
    d.rectangle((cx - 13, top - 3, cx + 13, top + 42), fill=(255, 255, 255))
    d.text((cx, top), "N", fill=INK, font=font, anchor="mt")
    d.polygon([(cx, top + 16), (cx - 7, top + 38), (cx, top + 32), (cx + 7, top + 38)], fill=INK)
    d.rectangle((0, 0, w - 1, h - 1), outline=(120, 120, 120))


def _no_location(width: int, height: int) -> Image.Image:
    image = Image.new("RGB", (width, height), BACKGROUND)
    d = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(10, min(16, height // 22)))
    d.text((width / 2, height / 2), "no location", fill=INK, font=font, anchor="mm")
    d.rectangle((0, 0, width - 1, height - 1), outline=(120, 120, 120))
    return image


def small_map_png(item: NoticeItem, width_px: int = 480, height_px: int = 320) -> bytes:
    """A small map of a notice item's gap and what is around it, as PNG bytes.

    Parameters
    ----------
    item : the notice item: its ``geometry`` (or ``lon``/``lat``) is framed and drawn in red, its
        ``map_shapes`` drawn around it by category.
    width_px, height_px : the size of the picture, pixels (64–4096 each).

    Returns
    -------
    bytes
        An RGB PNG of exactly ``width_px`` × ``height_px``, north up, with a scale bar and a north arrow;
        the same item gives the same bytes.
    """
    for name, value in (("width_px", width_px), ("height_px", height_px)):
        if not isinstance(value, int) or not MIN_PX <= value <= MAX_PX:
            raise ValueError(f"{name} should be a whole number of pixels from {MIN_PX} to {MAX_PX}, got {value!r}")
    frame = _frame(item, width_px, height_px)
    if frame is None:
        image = _no_location(width_px, height_px)
    else:
        painter = _Painter(frame)
        for category in MAP_CATEGORIES:
            for cat, geom in item.map_shapes:
                if cat == category:
                    painter.shape(category, geom)
        painter.gap(item)
        image = painter.image.reduce(SUPERSAMPLE)  # a box filter: smooth lines, a tenth of Lanczos's time
        _furniture(image, frame.m_per_px)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=6)
    return out.getvalue()


__all__ = ["MARGIN_M", "small_map_png"]
