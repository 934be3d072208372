"""``illuminance``: the estimated road illuminance of every stretch of the selected roads against CJJ 45-2015.

An **estimate from the inventory** (:mod:`facilities.light`): each lamp's flux (its ``lumens``, else ``power_w``
× an efficacy by lamp type) times the maintenance factor, its height, and a light distribution (isotropic over
the lower hemisphere unless the rule gives an IES file for the lamp type) give the horizontal illuminance at a
grid of calculation points on each road by the point-by-point method.

Each selected road segment of a class CJJ 45 gives a level for (:data:`facilities.light.CJJ45`; others are
skipped and the note says how many) is cut into equal stretches of at most ``stretch_m``; on each, points every
``grid_m`` along the centreline (at the middle of each interval) × ``points_across`` across the carriageway
(the road's ``width_m``, else the class default; at the middle of equal bands, as CIE 140 places them). A
stretch complies when its mean Eav reaches the grade's level and its uniformity U0 = Emin / Eav the class's
minimum. Checked and compliant are lengths in metres, as for ``along`` rules.

Gaps: one per road (segments of one name are one road, as for ``along`` rules) and road class with failing
stretches, about the road (``<rule>:roads/<road key>/<class>``): its failing stretches as one line, measured by
their length-weighted mean Eav in lx, the detail giving how many stretches and km fall short, the lowest Eav and
U0 and the levels; drawn as lines. (Every stretch, passing or not, is in :func:`stretches`: the map colours them.)
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.ops import substring

from facilities import light
from facilities.kinds.base import SHARE, Context, Kind, Outcome, Param, feature_about, gap, road_keys
from facilities.problems import Problem
from facilities.schema import LAYERS

#: the stretch table's columns (besides geometry); ``id`` is the road segment's
STRETCH_COLUMNS = [
    "id", "name", "road_class", "district", "unit", "start_m", "length_m", "e_avg", "e_min", "u0", "e_required", "u0_required", "ok",
]  # fmt: skip

LAMP_TYPES = tuple(LAYERS["lamps"].field("lamp_type").allowed or ())  # type: ignore[union-attr]
#: the kind's own keys: a table each, by lamp type or by road class, with the accepted values
TABLES: dict[str, tuple[tuple[str, ...], str, float, float]] = {
    "efficacy_lm_per_w": (LAMP_TYPES, "lm/W", 1.0, 300.0),
    "default_height_m": (LAMP_TYPES, "m", 0.5, 60.0),
    "width_m": (tuple(light.CJJ45), "m", 1.0, 100.0),
}
EXTRA_KEYS = frozenset({*TABLES, "ies"})


def _value_problem(key: str, value: Any) -> tuple[str, str] | None:
    """What is wrong with one value of the table ``key`` and what is accepted; None when it is usable."""
    if key == "ies":
        ok = isinstance(value, str) and value.lower().endswith(".ies")
        return None if ok else ("not an IES file", 'a path ending ".ies", relative to the city folder')
    _, unit, lo, hi = TABLES[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        return "not a usable value", f"a number from {lo:g} to {hi:g} ({unit})"
    return None


def parse_extra(raw: dict, selections: dict, file: str, label: str) -> tuple[dict[str, Any], list[Problem]]:
    """Read ``efficacy_lm_per_w``, ``default_height_m`` (by lamp type), ``width_m`` (by road class) and ``ies``
    (by lamp type: a ``.ies`` file, relative to the city folder), each a table; unknown types are errors."""
    problems: list[Problem] = []
    options: list[tuple[str, Any]] = []
    for key in sorted(EXTRA_KEYS & set(raw)):
        table = raw[key]
        keys = TABLES[key][0] if key in TABLES else LAMP_TYPES
        what = "lamp type" if keys is LAMP_TYPES else "road class with a CJJ 45 level"
        if not isinstance(table, dict):
            shape = '{ street = "photometry/street.ies", … }' if key == "ies" else f"{{ {keys[0]} = N, … }}"
            problems.append(Problem.error("rules", file, key, table, "not a table", f"{shape} by {what}: {', '.join(keys)}", label))
            continue
        pairs = []
        for name, value in table.items():
            if name not in keys:
                problems.append(Problem.error("rules", file, f"{key}.{name}", value, f"unknown {what}", ", ".join(keys), label))
            elif (bad := _value_problem(key, value)) is not None:
                problems.append(Problem.error("rules", file, f"{key}.{name}", value, bad[0], bad[1], label))
            else:
                pairs.append((name, value if key == "ies" else float(value)))
        options.append((key, tuple(sorted(pairs))))
    return {"options": tuple(options)}, problems


def settings(ctx: Context) -> dict[str, Any]:
    """The rule's photometry: its tables merged over :mod:`facilities.light`'s defaults."""
    rule = ctx.rule
    return {
        "efficacy": {**light.DEFAULT_EFFICACY, **dict(rule.option("efficacy_lm_per_w", ()))},
        "height": {**light.DEFAULT_HEIGHT_M, **dict(rule.option("default_height_m", ()))},
        "width": {**light.DEFAULT_WIDTH_M, **dict(rule.option("width_m", ()))},
        "ies": dict(rule.option("ies", ())),
    }


def _distributions(ctx: Context, lamps: gpd.GeoDataFrame, ies: dict[str, str]) -> tuple[list[light.Distribution], np.ndarray]:
    """The distributions (isotropic first, then one per IES file) and each lamp's index into them."""
    dists = [light.ISOTROPIC_DISTRIBUTION]
    which = np.zeros(len(lamps), dtype=np.intp)
    for lamp_type, path in sorted(ies.items()):
        file = ctx.city.folder / path
        if not file.resolve().is_relative_to(ctx.city.folder.resolve()):
            raise ValueError(f"rule {ctx.rule.id}: ies.{lamp_type} = {path!r} is outside the city folder {ctx.city.folder}")
        if not file.is_file():
            raise ValueError(f"rule {ctx.rule.id}: ies.{lamp_type} = {path!r}: no such file in {ctx.city.folder}")
        dists.append(light.read_ies(file))
        which[(lamps["lamp_type"] == lamp_type).to_numpy(dtype=bool)] = len(dists) - 1
    return dists, which


def grid_points(geoms: np.ndarray, lengths: np.ndarray, widths: np.ndarray, p: dict) -> dict[str, np.ndarray]:
    """The stretches of every road (road index, start, length) and their calculation points (xy, stretch index)."""
    n_s = np.maximum(1, np.ceil(lengths / p["stretch_m"] - 1e-9)).astype(np.intp)
    road = np.repeat(np.arange(len(lengths)), n_s)
    first = np.repeat(np.cumsum(n_s) - n_s, n_s)
    s_len = (lengths / n_s)[road]
    start = (np.arange(len(road)) - first) * s_len
    n_a = np.maximum(1, np.ceil(s_len / p["grid_m"] - 1e-9)).astype(np.intp)
    stretch = np.repeat(np.arange(len(road)), n_a)
    k = np.arange(len(stretch)) - np.repeat(np.cumsum(n_a) - n_a, n_a)
    d = start[stretch] + (k + 0.5) * (s_len / n_a)[stretch]
    g, total = geoms[road[stretch]], lengths[road[stretch]]
    centre = shapely.get_coordinates(shapely.line_interpolate_point(g, d))
    a = shapely.get_coordinates(shapely.line_interpolate_point(g, np.clip(d - 0.5, 0, total)))
    b = shapely.get_coordinates(shapely.line_interpolate_point(g, np.clip(d + 0.5, 0, total)))
    t = b - a
    norm = np.hypot(t[:, 0], t[:, 1])
    t = np.divide(t, norm[:, None], out=np.zeros_like(t), where=norm[:, None] > 0)
    normal = np.column_stack([-t[:, 1], t[:, 0]])
    m = p["points_across"]
    across = ((np.arange(m) + 0.5) / m - 0.5)[None, :] * widths[road[stretch]][:, None]  # (points, m)
    xy = (centre[:, None, :] + across[:, :, None] * normal[:, None, :]).reshape(-1, 2)
    return {"road": road, "start": start, "length": s_len, "n_along": n_a, "points": xy}


def _stretch_line(geom: Any, start: float, length: float) -> Any:
    if geom.geom_type == "LineString":
        return substring(geom, start, start + length)
    steps = np.linspace(start, start + length, max(2, math.ceil(length / 2.0) + 1))
    return shapely.LineString(shapely.get_coordinates(shapely.line_interpolate_point(geom, steps)))


#: the last few estimates, by what they were computed from (:func:`_key`): a city loaded again, or checked
#: again, with the same lamps, roads and rule gets the same stretches without computing them again
_CACHE: OrderedDict[bytes, tuple[gpd.GeoDataFrame, dict[str, Any]]] = OrderedDict()
_CACHE_SIZE = 8


def _key(ctx: Context, roads: gpd.GeoDataFrame, lamps: gpd.GeoDataFrame) -> bytes:
    """A digest of everything an estimate depends on: the selected roads and lamps (every field, every
    geometry), the rule (parameters and tables), the city's folder and metric CRS, and its IES files' times."""
    h = hashlib.blake2b(digest_size=32)
    for frame in (roads, lamps):
        h.update(frame.drop(columns="geometry").to_csv().encode())
        h.update(b"".join(shapely.to_wkb(frame.geometry.to_numpy())))
    rule = ctx.rule
    ies = [(path, (ctx.city.folder / path).stat().st_mtime_ns if (ctx.city.folder / path).is_file() else None)
           for _, path in sorted(dict(rule.option("ies", ())).items())]  # fmt: skip
    h.update(repr((rule.id, sorted(rule.params.items()), rule.options, str(ctx.city.folder), str(ctx.city.metric_crs), ies)).encode())
    return h.digest()


def compute(ctx: Context) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """The stretches (metric CRS, :data:`STRETCH_COLUMNS`) and what the note says (lamps not counted, roads
    skipped); the same inputs give the same answer from a small cache (:data:`_CACHE`)."""
    roads, lamps = ctx.select("roads"), ctx.select("lamps")
    key = _key(ctx, roads, lamps)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        out, info = _CACHE[key]
        return out.copy(), dict(info)
    out, info = _compute(ctx, roads, lamps)
    _CACHE[key] = (out.copy(), dict(info))
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return out, info


def _compute(ctx: Context, roads: gpd.GeoDataFrame, lamps: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    p, s = ctx.rule.params, settings(ctx)
    rated = roads["road_class"].isin(list(light.CJJ45)).to_numpy(dtype=bool)
    info: dict[str, Any] = {"skipped": int((~rated).sum()), "lamps": len(lamps)}
    roads = roads[rated]
    roads = roads[(roads.geometry.length > 0).to_numpy()]
    flux = light.lamp_flux(lamps, s["efficacy"], p["maintenance_factor"])
    height = light.lamp_height(lamps, s["height"])
    info["uncounted"] = int(np.isnan(flux).sum())
    dists, which = _distributions(ctx, lamps, s["ies"])
    info["distribution"] = "; ".join([light.ISOTROPIC, *(f"{t}: {d.name}" for t, d in zip(sorted(s["ies"]), dists[1:], strict=True))])
    geoms, lengths = roads.geometry.to_numpy(), roads.geometry.length.to_numpy()
    width = pd.to_numeric(roads["width_m"], errors="coerce") if "width_m" in roads.columns else pd.Series(np.nan, index=roads.index)
    default = roads["road_class"].map(s["width"]).astype(float)
    widths = width.where(width > 0, default).to_numpy(dtype=float)
    grid = grid_points(geoms, lengths, widths, p)
    lamp_xy = shapely.get_coordinates(lamps.geometry.to_numpy()) if len(lamps) else np.empty((0, 2))
    c0 = light.road_directions(lamp_xy, shapely.get_parts(geoms)) if len(dists) > 1 else None
    e = light.illuminance(grid["points"], lamp_xy, flux, height, dists, which, c0)
    m = p["points_across"]
    per_row = e.reshape(-1, m)
    bounds = np.cumsum(grid["n_along"]) - grid["n_along"]
    if len(per_row):
        e_avg = np.add.reduceat(per_row.sum(axis=1), bounds) / (grid["n_along"] * m)
        e_min = np.minimum.reduceat(per_row.min(axis=1), bounds)
    else:
        e_avg = e_min = np.empty(0)
    u0 = np.divide(e_min, e_avg, out=np.zeros_like(e_avg), where=e_avg > 0)
    r = grid["road"]
    cls = roads["road_class"].to_numpy()[r]
    req = np.array([light.required(c, p["grade"]) for c in cls], dtype=float).reshape(-1, 2)
    ok = (e_avg >= req[:, 0] - 1e-9) & (u0 >= req[:, 1] - 1e-9)
    cols = {c: roads[c].to_numpy()[r] if c in roads.columns else np.full(len(r), None) for c in ("id", "name", "district", "unit")}
    frame = pd.DataFrame({
        **cols, "road_class": cls, "start_m": grid["start"], "length_m": grid["length"], "e_avg": e_avg, "e_min": e_min,
        "u0": u0, "e_required": req[:, 0], "u0_required": req[:, 1], "ok": ok,
    })  # fmt: skip
    lines = [_stretch_line(geoms[i], a, n) for i, a, n in zip(r.tolist(), grid["start"].tolist(), grid["length"].tolist(), strict=True)]
    out = gpd.GeoDataFrame(frame[STRETCH_COLUMNS], geometry=gpd.GeoSeries(lines, crs=ctx.city.metric_crs), crs=ctx.city.metric_crs)
    return out, info


def stretches(ctx: Context) -> gpd.GeoDataFrame:
    """Every stretch of the selected roads with its estimated Eav, Emin, U0, the levels and ``ok`` (metric CRS)."""
    return compute(ctx)[0]


def detail(e_avg: float, e_required: float, u0: float, u0_required: float) -> str:
    """A failing stretch's detail, built from its numbers (kept in the stretch table for other languages)."""
    return f"estimated Eav {e_avg:.1f} lx (needs ≥ {e_required:g}), U0 {u0:.2f} (needs ≥ {u0_required:g}); estimate"


def road_detail(bad: pd.DataFrame, total: int) -> tuple[str, str]:
    """The detail of a road's gap (Chinese, English): how many of its ``total`` stretches fall short, over how
    many km, with the lowest Eav and U0 among them and the levels."""
    n, km = len(bad), bad["length_m"].sum() / 1000
    lo, hi = bad["e_avg"].min(), bad["e_avg"].max()
    req, ureq = bad["e_required"].iloc[0], bad["u0_required"].iloc[0]
    span = f"{lo:.1f} lx" if round(lo, 1) == round(hi, 1) else f"{lo:.1f}–{hi:.1f} lx"
    zh = (
        f"{total} 段中 {n} 段（{km:.2f} 公里）未达 CJJ 45：估算平均照度 {span}（要求 ≥ {req:g}），"
        f"均匀度最低 {bad['u0'].min():.2f}（要求 ≥ {ureq:g}）；估算"
    )
    return zh, (
        f"{n} of {total} stretches ({km:.2f} km) below CJJ 45: estimated Eav {span} (needs ≥ {req:g}), "
        f"U0 down to {bad['u0'].min():.2f} (needs ≥ {ureq:g}); estimate"
    )


def road_gaps(rule: Any, table: gpd.GeoDataFrame) -> list[dict]:
    """One gap per road and road class with failing stretches (a road's segments share its name, as along
    rules count them): about ``roads/<road key>/<class>``, its failing stretches as one line, measured by
    their length-weighted mean Eav (lx)."""
    keys = road_keys(table)
    gaps = []
    for (key, cls), rows in table.groupby([keys.to_numpy(), table["road_class"].to_numpy()], sort=False):
        bad = rows[~rows["ok"].to_numpy(dtype=bool)]
        if not len(bad):
            continue
        first = bad.drop(columns="geometry").iloc[0].to_dict()
        first["id"] = key  # a road's gap belongs to the whole road: reported with the road key, as along rules do
        district = bad.groupby("district", dropna=True)["length_m"].sum()
        first["district"] = district.idxmax() if len(district) else first["district"]  # where most of it is
        line = shapely.line_merge(shapely.multilinestrings(bad.geometry.to_numpy()))
        e_mean = float(np.average(bad["e_avg"], weights=bad["length_m"]))
        gaps.append(gap(rule, feature_about("roads", f"{key}/{cls}"), "roads", first, line, e_mean, "lx", road_detail(bad, len(rows))))
    return gaps


def note(ctx: Context, info: dict[str, Any]) -> str:
    """The outcome's note: what the estimate assumes, the lamps not counted and the roads skipped."""
    s, p = settings(ctx), ctx.rule.params
    eff = ", ".join(f"{k} {v:g}" for k, v in s["efficacy"].items())
    parts = [
        f"estimate from the inventory 按台账估算: {info['distribution']}, MF {p['maintenance_factor']:g}, "
        f"efficacies (lamps without lumens) {eff} lm/W"
    ]
    if info["uncounted"]:
        parts.append(
            f"{info['uncounted']} of {info['lamps']} lamps have neither lumens nor power_w (not counted) "
            f"{info['uncounted']} 盏灯无光通量和功率（未计入）"
        )
    if info["skipped"]:
        n = info["skipped"]
        parts.append(f"{n} road segments of classes CJJ 45 gives no level for skipped {n} 段道路无 CJJ 45 标准（未检查）")
    return "; ".join(parts)


def evaluate(ctx: Context) -> Outcome:
    """The stretches below the grade's Eav or the class's U0 are gaps."""
    table, info = compute(ctx)
    rule = ctx.rule
    gaps = road_gaps(rule, table)
    outcome = Outcome.of(float(table["length_m"].sum()), float(table.loc[table["ok"], "length_m"].sum()), gaps)
    outcome.note = "; ".join(n for n in (outcome.note, note(ctx, info)) if n)
    return outcome


KIND = Kind(
    "illuminance",
    {"roads": "roads", "lamps": "lamps"},
    (
        Param("grade", "str", "low", doc="CJJ 45-2015's low or high level (Table 3.3.1)", choices=light.GRADES),
        Param("maintenance_factor", "float", light.DEFAULT_MAINTENANCE_FACTOR, 0, 1, "maintained / initial flux (CJJ 45: 0.70, IP54+)"),
        Param("grid_m", "float", 5.0, 0.5, 50, "spacing of the calculation points along the road (m)"),
        Param("points_across", "int", 5, 1, 50, "calculation points across the carriageway"),
        Param("stretch_m", "float", 200.0, 10, 10_000, "a segment longer than this is cut into equal stretches (m)"),
        SHARE,
    ),
    "the estimated average illuminance and uniformity of every stretch of the selected roads reach CJJ 45-2015's level",
    evaluate,
    gap_shape="line",
    extra_keys=EXTRA_KEYS,
    parse_extra=parse_extra,
    against="lamps",
)
