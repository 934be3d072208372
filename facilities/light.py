"""Road lighting photometry: a lamp's flux and height from the inventory, and horizontal illuminance on the
ground by the point-by-point method. No Streamlit, Folium or HTML.

**The levels** (:data:`CJJ45`) are CJJ 45-2015 *Standard for lighting design of urban road* (城市道路照明设计
标准), Table 3.3.1, maintained values for motorised-traffic roads (read second-hand ⚠): average horizontal
illuminance Eh,av (low / high grade) and the uniformity U0 = Emin / Eav.

**The method**: the horizontal illuminance at a ground point is ``E = Σ I(γ, C) · cos³γ / h²`` over the lamps,
``γ`` the angle from the lamp's downward vertical, ``C`` the azimuth (C = 0 along the road the lamp lights, C =
90 towards it), ``h`` the mounting height. Only lamps within :func:`cutoff_m` (``max(10 h, 100 m)``) of a point
are summed. What that leaves out, for a point at ``y`` across from a long straight row of isotropic lamps, is the
share ``1 − X / √(X² + y² + h²)`` of the row's light there, ``X = √(R² − y²)`` (``∫ h dx / (x² + a²)^{3/2}``
beyond X): 0.5 % beneath a row of 10 m lamps, 2.5 % 20 m across from it. Over a whole city of isotropic lamps
the far light adds up to a little more: on the demo the cut-off leaves out at most about 0.5 lx of a stretch's
Eav or Emin (checked against a plain sum over every lamp in ``tests/test_illuminance.py``). The estimate errs
low by that much; a real road luminaire (cut-off or semi-cut-off) sends almost nothing at γ = 84° (10 h away),
so the cut-off is nearer the truth than the isotropic far field. (A 60 m cut-off lost 2–7 %, enough to fail
arterial stretches that pass.)

**The distribution** by default is isotropic over the lower hemisphere: ``I = Φ / (2π)`` cd for γ < 90°, none
above (every lumen goes down, spread evenly over the solid angle). A real street luminaire throws more of its
light along and onto the road; an IES file (:func:`read_ies`) gives its measured intensities instead, scaled by
the lamp's flux over the file's rated lumens.

**The flux** ``Φ`` is the lamp's ``lumens``, else ``power_w × efficacy`` (lm/W, by ``lamp_type``), times the
maintenance factor MF (dirt and lumen depreciation: a *maintained* value, as CJJ 45's levels are).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

#: where the levels come from
CJJ45_SOURCE = "CJJ 45-2015 Standard for lighting design of urban road, Table 3.3.1 (maintained values) ⚠"

#: CJJ 45-2015 Table 3.3.1 by road class: (Eav low grade lx, Eav high grade lx, U0 minimum)
CJJ45: dict[str, tuple[float, float, float]] = {
    "expressway": (20.0, 30.0, 0.4),  # class I 快速路
    "arterial": (20.0, 30.0, 0.4),  # class I 主干路
    "secondary": (15.0, 20.0, 0.4),  # class II 次干路
    "branch": (8.0, 10.0, 0.3),  # class III 支路
}
GRADES = ("low", "high")

#: lm/W by lamp type when a lamp records power_w but no lumens: street 110 (a 250 W high-pressure sodium lamp
#: gives about 28,000 lm, 110 lm/W; today's LED street luminaires 120–150 ⚠), landscape 60 (small LED and
#: compact fluorescent garden lights after their optics ⚠), floodlight 90 (metal halide 80–100 lm/W ⚠),
#: facade 60 (LED linear and wall-washers after their optics ⚠)
DEFAULT_EFFICACY: dict[str, float] = {"street": 110.0, "landscape": 60.0, "floodlight": 90.0, "facade": 60.0}
#: mounting height (m) by lamp type when a lamp records none ⚠ (typical values: branch-road poles 8 m, park
#: lanterns 3.5 m, floodlight masts 8 m, facade fittings 6 m)
DEFAULT_HEIGHT_M: dict[str, float] = {"street": 10.0, "landscape": 3.5, "floodlight": 8.0, "facade": 6.0}
#: maintenance factor: CJJ 45-2015 §7 (as quoted second-hand ⚠): 0.70 for luminaires of IP54 or better, 0.65
#: below; a sealed modern street luminaire is IP65, so 0.70
DEFAULT_MAINTENANCE_FACTOR = 0.7
#: carriageway width (m) by road class when a road records none ⚠: typical Chinese cross-sections (CJJ 37-2012
#: lanes of 3.5–3.75 m): expressway 6 lanes and shoulders 24, arterial 4–6 lanes 20, secondary 4 lanes 14,
#: branch 2 lanes 8
DEFAULT_WIDTH_M: dict[str, float] = {"expressway": 24.0, "arterial": 20.0, "secondary": 14.0, "branch": 8.0}

#: the cut-off: lamps farther than ``max(CUTOFF_HEIGHTS × h, CUTOFF_MIN_M)`` from a point are not summed
CUTOFF_HEIGHTS = 10.0
CUTOFF_MIN_M = 100.0
#: points per batch of the pair search (bounds memory: some 20–40 pairs per point on a lit road)
CHUNK = 100_000

ISOTROPIC = "isotropic over the lower hemisphere, I = Φ/(2π) cd"


def required(road_class: str, grade: str) -> tuple[float, float] | None:
    """CJJ 45-2015's (Eav lx, U0 minimum) for a road class and grade (``low`` or ``high``); None for a class it
    gives no level for (e.g. pedestrian streets)."""
    row = CJJ45.get(road_class)
    if row is None:
        return None
    return (row[0] if grade == "low" else row[1]), row[2]


def cutoff_m(height: np.ndarray | float) -> np.ndarray:
    """The cut-off radius of a lamp of mounting height ``height``: ``max(10 h, 100 m)``."""
    return np.maximum(CUTOFF_HEIGHTS * np.asarray(height, dtype=float), CUTOFF_MIN_M)


def _column(lamps: pd.DataFrame, name: str) -> np.ndarray:
    if name not in lamps.columns:
        return np.full(len(lamps), np.nan)
    return pd.to_numeric(lamps[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def lamp_flux(lamps: pd.DataFrame, efficacy: Mapping[str, float], maintenance_factor: float) -> np.ndarray:
    """Each lamp's maintained luminous flux (lm): ``lumens``, else ``power_w × efficacy[lamp_type]``, times the
    maintenance factor; NaN for a lamp with neither (not counted)."""
    lumens, power = _column(lamps, "lumens"), _column(lamps, "power_w")
    types = lamps["lamp_type"] if "lamp_type" in lamps.columns else pd.Series([None] * len(lamps))
    eff = np.array([efficacy.get(t, np.nan) if isinstance(t, str) else np.nan for t in types], dtype=float)
    return np.where(np.isnan(lumens), power * eff, lumens) * maintenance_factor


def lamp_height(lamps: pd.DataFrame, default_height: Mapping[str, float]) -> np.ndarray:
    """Each lamp's mounting height (m): ``height_m`` when given and above 0, else the default of its type."""
    h = _column(lamps, "height_m")
    types = lamps["lamp_type"] if "lamp_type" in lamps.columns else pd.Series([None] * len(lamps))
    fallback = np.array([default_height.get(t, np.nan) if isinstance(t, str) else np.nan for t in types], dtype=float)
    return np.where(np.isnan(h) | (h <= 0), fallback, h)


# --------------------------------------------------------------------------- distributions


@dataclass(frozen=True)
class Distribution:
    """A luminous intensity distribution per lumen of flux (cd/lm), from a table over γ (0–180°) and C (0–360°)
    (an IES file's, :func:`read_ies`), or isotropic over the lower hemisphere when ``table`` is None."""

    name: str = ISOTROPIC
    gammas: np.ndarray | None = None
    cs: np.ndarray | None = None
    #: shape (len(cs), len(gammas)), cd per lumen
    table: np.ndarray | None = None

    def per_lumen(self, gamma_deg: np.ndarray, c_deg: np.ndarray | None = None) -> np.ndarray:
        """Intensity per lumen (cd/lm) towards ``gamma_deg`` from the downward vertical, azimuth ``c_deg``."""
        gamma = np.asarray(gamma_deg, dtype=float)
        if self.table is None:
            return np.where(gamma < 90.0, 1.0 / (2.0 * math.pi), 0.0)
        assert self.gammas is not None and self.cs is not None
        c = np.mod(np.zeros_like(gamma) if c_deg is None else np.asarray(c_deg, dtype=float), 360.0)
        return _bilinear(self.cs, self.gammas, self.table, c, np.clip(gamma, self.gammas[0], self.gammas[-1]))


def _bilinear(xs: np.ndarray, ys: np.ndarray, table: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Bilinear interpolation of ``table[xs, ys]`` at (x, y), both within the grid's range."""
    i = np.clip(np.searchsorted(xs, x, side="right") - 1, 0, len(xs) - 2) if len(xs) > 1 else np.zeros(len(x), dtype=int)
    j = np.clip(np.searchsorted(ys, y, side="right") - 1, 0, len(ys) - 2)
    if len(xs) == 1:
        tx = np.zeros(len(x))
        i1 = i
    else:
        tx = (x - xs[i]) / (xs[i + 1] - xs[i])
        i1 = i + 1
    ty = (y - ys[j]) / (ys[j + 1] - ys[j])
    low = table[i, j] * (1 - tx) + table[i1, j] * tx
    high = table[i, j + 1] * (1 - tx) + table[i1, j + 1] * tx
    return low * (1 - ty) + high * ty


ISOTROPIC_DISTRIBUTION = Distribution()


def read_ies(path: str | Path) -> Distribution:
    """An IES LM-63 file's intensity distribution (type C photometry), per lumen of its rated lamp flux
    (lamps × lumens per lamp, times the ballast factor; a file in absolute photometry, lumens −1, is scaled by
    its own integrated flux). Read with ``photompy`` (imported here only: it pulls in matplotlib).

    Raises
    ------
    ValueError
        naming the file when it cannot be read or is not type C photometry.
    """
    import photompy

    path = Path(path)
    try:
        ies = photompy.IESFile.read(path)
    except Exception as exc:  # photompy raises its own errors and ValueError; name the file either way
        raise ValueError(f"cannot read the IES file {path}: {exc}") from exc
    if ies.header.photometric_type != photompy.PhotometricType.C:
        raise ValueError(f"IES file {path}: type {ies.header.photometric_type.name} photometry; type C (road luminaires) is read")
    full = ies.photometry.expanded()  # symmetric files mirrored to C 0–360
    rated = ies.header.num_lamps * ies.header.lumens_per_lamp
    if rated <= 0:
        rated = float(full.total_optical_power())
    values = np.asarray(full.values, dtype=float) * float(ies.header.ballast_factor or 1.0) / rated
    return Distribution(f"IES {path.name}", np.asarray(full.thetas, dtype=float), np.asarray(full.phis, dtype=float), values)


# --------------------------------------------------------------------------- illuminance


def _pairs(points: np.ndarray, tree: cKDTree, radius: np.ndarray, r_max: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(point index, lamp index, horizontal distance) of the pairs within the lamp's cut-off radius."""
    ptree = cKDTree(points)
    m = ptree.sparse_distance_matrix(tree, r_max, output_type="ndarray")
    i, j, d = m["i"].astype(np.intp), m["j"].astype(np.intp), m["v"]
    keep = d <= radius[j]
    return i[keep], j[keep], d[keep]


def illuminance(
    points: np.ndarray,
    lamps: np.ndarray,
    flux: np.ndarray,
    height: np.ndarray,
    distributions: Sequence[Distribution] = (ISOTROPIC_DISTRIBUTION,),
    which: np.ndarray | None = None,
    c0: np.ndarray | None = None,
    cutoff: bool = True,
) -> np.ndarray:
    """Horizontal illuminance (lx) at ground ``points`` (n × 2, metres) from ``lamps`` (m × 2).

    Parameters
    ----------
    flux, height : each lamp's maintained flux (lm) and mounting height (m); a lamp with a NaN is skipped.
    distributions, which : the distributions, and each lamp's index into them (default: all the first).
    c0 : each lamp's C = 0 direction (m × 2 unit vectors, along its road, with C = 90 to its left: towards
        the road); needed only for a table distribution.
    cutoff : sum only the lamps within :func:`cutoff_m` of a point (False: every lamp, for tests).
    """
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    out = np.zeros(len(points))
    usable = np.isfinite(flux) & np.isfinite(height) & (height > 0) & (flux > 0)
    if not len(points) or not usable.any():
        return out
    idx = np.flatnonzero(usable)
    xy, phi, h = np.asarray(lamps, dtype=float).reshape(-1, 2)[idx], flux[idx], height[idx]
    dist_of = np.zeros(len(idx), dtype=np.intp) if which is None else np.asarray(which, dtype=np.intp)[idx]
    c0u = None if c0 is None else np.asarray(c0, dtype=float)[idx]
    radius = cutoff_m(h) if cutoff else np.full(len(idx), np.inf)
    tree = cKDTree(xy)
    for start in range(0, len(points), CHUNK):
        chunk = points[start : start + CHUNK]
        if cutoff:
            i, j, _ = _pairs(chunk, tree, radius, float(radius.max()))
        else:
            i, j = (a.ravel() for a in np.meshgrid(np.arange(len(chunk)), np.arange(len(idx)), indexing="ij"))
        dx, dy = chunk[i, 0] - xy[j, 0], chunk[i, 1] - xy[j, 1]
        hj = h[j]
        d2 = dx * dx + dy * dy
        # cos³γ / h² = h / (d² + h²)^{3/2}
        geometric = hj / (d2 + hj * hj) ** 1.5
        per_lumen = np.empty(len(i))
        for k, dist in enumerate(distributions):
            sel = dist_of[j] == k
            if not sel.any():
                continue
            gamma = np.degrees(np.arctan2(np.sqrt(d2[sel]), hj[sel]))
            c = None
            if dist.table is not None:
                if c0u is None:
                    raise ValueError(f"{dist.name}: a table distribution needs each lamp's C = 0 direction (c0)")
                t = c0u[j[sel]]
                along, across = dx[sel] * t[:, 0] + dy[sel] * t[:, 1], -dx[sel] * t[:, 1] + dy[sel] * t[:, 0]
                c = np.degrees(np.arctan2(across, along))
            per_lumen[sel] = dist.per_lumen(gamma, c)
        out[start : start + len(chunk)] = np.bincount(i, weights=phi[j] * per_lumen * geometric, minlength=len(chunk))
    return out


def road_directions(lamps: np.ndarray, lines: Sequence[Any]) -> np.ndarray:
    """For each lamp (m × 2), the unit direction of the nearest of ``lines`` where it passes the lamp, turned
    so that the line lies to its left (C = 90 towards the road); (1, 0) when there are no lines."""
    import shapely

    pts = shapely.points(np.asarray(lamps, dtype=float).reshape(-1, 2))
    out = np.tile([1.0, 0.0], (len(pts), 1))
    geoms = np.asarray(list(lines), dtype=object)
    if not len(geoms) or not len(pts):
        return out
    tree = shapely.STRtree(geoms)
    near = tree.nearest(pts)
    line = geoms[near]
    at = shapely.line_locate_point(line, pts)
    length = shapely.length(line)
    a = shapely.get_coordinates(shapely.line_interpolate_point(line, np.clip(at - 1.0, 0, length)))
    b = shapely.get_coordinates(shapely.line_interpolate_point(line, np.clip(at + 1.0, 0, length)))
    foot = shapely.get_coordinates(shapely.line_interpolate_point(line, at))
    t = b - a
    n = np.hypot(t[:, 0], t[:, 1])
    ok = n > 0
    t[ok] /= n[ok, None]
    t[~ok] = (1.0, 0.0)
    to_road = foot - shapely.get_coordinates(pts)
    left = -to_road[:, 0] * t[:, 1] + to_road[:, 1] * t[:, 0]  # the road's side: its component on t turned +90°
    t[left < 0] *= -1
    return t
