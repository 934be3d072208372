"""Benchmark: the illuminance estimate. Ours (a KD-tree pair search within the cut-off, a vectorised sum) against
the plain approach (every lamp summed for every chunk of points, no spatial index).

    .venv/bin/python -m bench.illuminance                # the demo city and a 100,000-lamp synthetic city
    .venv/bin/python -m bench.illuminance --side 20      # a smaller synthetic city

Two cities:

- **the demo city**: its ``lighting_cjj45`` rule end to end (:func:`facilities.check.illuminance_stretches`:
  selection, grid, illuminance, stretches), timed; then the kernel alone on the same calculation points;
- **a synthetic city**: a square grid of ``side`` × ``side`` lit branch roads 200 m apart, lamps every 35 m on
  both sides (staggered, 4 m off the centreline, 8 m high, 8,000 lm), the rule's grid on every road (5 m ×
  5 points across 8 m).

The plain approach is timed on a sample of the points (``--sample``) and scaled to all of them; it applies
the same cut-off (a mask on the full distance matrix), so both answers must agree to 1e-9 lx on the sample.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np
import shapely

from facilities import light
from facilities.check import Context, illuminance_stretches
from facilities.distance import EUCLIDEAN
from facilities.kinds import illuminance
from facilities.rules import load_rules
from facilities.settings import DEMO_CITY
from facilities.store import load as load_city

AS_OF = dt.date(2026, 11, 29)


def timed(fn):
    """(fn(), seconds it took)."""
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def plain(points: np.ndarray, lamps: np.ndarray, flux: np.ndarray, height: np.ndarray, chunk: int = 2000) -> np.ndarray:
    """Every lamp for every point, chunk by chunk (a full distance matrix), with the same cut-off."""
    out = np.empty(len(points))
    radius = light.cutoff_m(height)
    for s in range(0, len(points), chunk):
        p = points[s : s + chunk]
        d2 = (p[:, None, 0] - lamps[None, :, 0]) ** 2 + (p[:, None, 1] - lamps[None, :, 1]) ** 2
        e = flux / (2 * np.pi) * height / (d2 + height**2) ** 1.5
        out[s : s + chunk] = np.where(d2 <= radius**2, e, 0.0).sum(axis=1)
    return out


def synthetic(side: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    """(calculation points, lamps, flux, height, km of road) of a grid of lit branch roads."""
    step, spacing, length = 200.0, 35.0, (side - 1) * 200.0
    lines, lamps = [], []
    along = np.arange(spacing / 4, length, spacing)
    for k in range(side):
        c = k * step
        lines += [shapely.LineString([(0, c), (length, c)]), shapely.LineString([(c, 0), (c, length)])]
        for off, shift in ((4.0, 0.0), (-4.0, spacing / 2)):
            a = np.minimum(along + shift, length)
            lamps.append(np.column_stack([a, np.full(len(a), c + off)]))
            lamps.append(np.column_stack([np.full(len(a), c + off), a]))
    geoms = np.array(lines, dtype=object)
    lengths = shapely.length(geoms)
    grid = illuminance.grid_points(geoms, lengths, np.full(len(geoms), 8.0), {"stretch_m": 200.0, "grid_m": 5.0, "points_across": 5})
    xy = np.concatenate(lamps)
    return grid["points"], xy, np.full(len(xy), 8000.0), np.full(len(xy), 8.0), float(lengths.sum()) / 1000


def demo_inputs():
    """The demo's rule, city, and the kernel's inputs (points, lamps, flux, height), as the rule builds them."""
    city = load_city(DEMO_CITY)
    rule = load_rules(DEMO_CITY / "rules.toml").get("lighting_cjj45")
    ctx = Context(city, rule, AS_OF, EUCLIDEAN)
    s, p = illuminance.settings(ctx), rule.params
    roads, lamps = ctx.select("roads"), ctx.select("lamps")
    roads = roads[roads["road_class"].isin(list(light.CJJ45)).to_numpy()]
    widths = roads["road_class"].map(s["width"]).to_numpy(dtype=float)
    grid = illuminance.grid_points(roads.geometry.to_numpy(), roads.geometry.length.to_numpy(), widths, p)
    flux = light.lamp_flux(lamps, s["efficacy"], p["maintenance_factor"])
    height = light.lamp_height(lamps, s["height"])
    return city, rule, grid["points"], shapely.get_coordinates(lamps.geometry.to_numpy()), flux, height


def compare(name: str, km: float, points, lamps, flux, height, sample: int, rng, full: float | None = None) -> tuple[list, bool]:
    """Time ours and the plain sum on ``sample`` points (scaled); rows for the table and whether they agree."""
    e, ours = timed(lambda: light.illuminance(points, lamps, flux, height))
    pick = np.sort(rng.choice(len(points), min(sample, len(points)), replace=False))
    ok = np.isfinite(flux) & np.isfinite(height)
    ref, t = timed(lambda: plain(points[pick], lamps[ok], flux[ok], height[ok]))
    scaled = t * len(points) / len(pick)
    same = bool(np.allclose(e[pick], ref, rtol=1e-9, atol=1e-9))
    rows = []
    if full is not None:
        rows.append((f"{name}: the rule end to end (ours)", len(lamps), km, len(points), full, None))
    rows.append((f"{name}: illuminance kernel (ours, KD-tree + cut-off)", len(lamps), km, len(points), ours, 1.0))
    label = f"{name}: plain numpy sum over every lamp (scaled from {len(pick):,} points)"
    rows.append((label, len(lamps), km, len(points), scaled, scaled / ours))
    return rows, same


def main(argv: list[str] | None = None) -> int:
    """Time both cities, check the answers agree, print the table; exit 1 when they disagree."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--side", type=int, default=67, help="roads per direction of the synthetic grid (67: about 100,000 lamps)")
    ap.add_argument("--sample", type=int, default=4000, help="points the plain sum is timed on")
    ap.add_argument("--seed", type=int, default=20261203)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)

    city, rule, points, lamps, flux, height = demo_inputs()
    stretches, full = timed(lambda: illuminance_stretches(city, rule, AS_OF))
    km = float(stretches["length_m"].sum()) / 1000
    rows, same_demo = compare("demo", km, points, lamps, flux, height, args.sample, rng, full)

    points, lamps, flux, height, km2 = synthetic(args.side)
    more, same_syn = compare("synthetic", km2, points, lamps, flux, height, args.sample, rng)
    rows += more

    print("\n| run | lamps | road km | points | time s | s per km | × ours |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, n, k, pts, t, ratio in rows:
        r = "" if ratio is None else f"{ratio:.1f}"
        print(f"| {name} | {n:,} | {k:,.1f} | {pts:,} | {t:.2f} | {t / k:.4f} | {r} |")
    print(f"\nsame illuminance (to 1e-9 lx) on the sampled points: demo {same_demo}, synthetic {same_syn}")
    return 0 if same_demo and same_syn else 1


if __name__ == "__main__":
    raise SystemExit(main())
