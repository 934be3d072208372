"""Benchmark: a dense lamp layer as our packed canvas layer against one folium.CircleMarker per point.

    .venv/bin/python -m bench.maps                 # 1k, 10k, 100k lamps (both), 1M (ours only)
    .venv/bin/python -m bench.maps --sizes 1000 10000

For each size it builds the map, saves it as one self-contained HTML file (assets inlined, so both open
offline), and opens it in headless Chromium (Debian's /usr/bin/chromium), every outside request blocked.
It prints the HTML size, the build-and-save time, and the time to first frame: from navigation start to
the first animation frame after every point has been drawn.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from bench.local import CHROMIUM, FLAGS
from maps.assets import INLINE, localize
from maps.city_map import point_cloud
from maps.export import save_map

CENTER = (32.03, 112.14)


def synthetic_lamps(n: int, seed: int = 1) -> gpd.GeoDataFrame:
    """n lamps every ~30 m along random streets around Xiangyang's centre."""
    rng = np.random.default_rng(seed)
    per = 200
    streets = max(1, n // per)
    start = np.column_stack([rng.uniform(-0.15, 0.15, streets), rng.uniform(-0.12, 0.12, streets)])
    heading = rng.uniform(0, 2 * np.pi, streets)
    steps = np.arange(per) * 0.0003
    lon = (CENTER[1] + start[:, :1] + np.cos(heading)[:, None] * steps).ravel()[:n]
    lat = (CENTER[0] + start[:, 1:] + np.sin(heading)[:, None] * steps).ravel()[:n]
    ids = pd.Series([f"L{i:07d}" for i in range(n)])
    return gpd.GeoDataFrame(
        {
            "id": ids,
            "status": "existing",
            "lamp_type": "street",
            "working": rng.random(n) > 0.03,
            "road": pd.Series(rng.integers(0, 300, n)).map(lambda k: f"道路{k}"),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=4326,
    )


def ours(lamps: gpd.GeoDataFrame, path: Path) -> None:
    """Save the lamps as one packed canvas layer (our point cloud) in a self-contained HTML map at `path`."""
    m = folium.Map(location=CENTER, zoom_start=13, tiles=None, prefer_canvas=True)
    point_cloud(lamps, "路灯 Lamps").add_to(m)
    save_map(localize(m, INLINE), path)


def plain(lamps: gpd.GeoDataFrame, path: Path) -> None:
    """What users write: one CircleMarker per lamp (assets inlined too, so it can open offline)."""
    m = folium.Map(location=CENTER, zoom_start=13, tiles=None)
    for lon, lat, working, lamp_id in zip(lamps.geometry.x, lamps.geometry.y, lamps["working"], lamps["id"], strict=True):
        folium.CircleMarker([lat, lon], radius=2, color="#f4d03f" if working else "#1c2833", tooltip=lamp_id).add_to(m)
    save_map(localize(m, INLINE), path)


FIRST_FRAME_OURS = """() => new Promise(resolve => {
  const check = () => {
    const c = Object.keys(window).filter(k => k.startsWith('point_cloud_')).map(k => window[k])[0];
    if (c && c.drawnCount() > 0) requestAnimationFrame(() => resolve(performance.now())); else setTimeout(check, 5);
  };
  check();
})"""
FIRST_FRAME_PLAIN = "() => new Promise(resolve => requestAnimationFrame(() => resolve(performance.now())))"


def first_frame(browser, path: Path, script: str) -> float:
    """Open a saved map offline in the browser; return the seconds from navigation start to the frame `script` waits for."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "about:")) else r.abort())
    page.goto(path.as_uri(), wait_until="load", timeout=600_000)
    ms = page.evaluate(script)
    page.close()
    return ms / 1000


def main() -> None:
    """Build, save and open both kinds of map for each size, then print HTML size, build time and first frame as a Markdown table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000, 100_000, 1_000_000])
    ap.add_argument("--plain-max", type=int, default=100_000, help="largest size for the one-marker-per-point map")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for n in args.sizes:
            lamps = synthetic_lamps(n)
            for name, build, script in (("ours", ours, FIRST_FRAME_OURS), ("CircleMarker per point", plain, FIRST_FRAME_PLAIN)):
                if name != "ours" and n > args.plain_max:
                    continue
                path = Path(tmp) / f"{name[:4]}-{n}.html"
                t0 = time.perf_counter()
                build(lamps, path)
                t_build = time.perf_counter() - t0
                t_frame = first_frame(browser, path, script)
                rows.append((n, name, path.stat().st_size / 2**20, t_build, t_frame))
                print(f"{n:>9,} {name:<24} {rows[-1][2]:8.1f} MB {t_build:7.2f} s {t_frame:7.2f} s", flush=True)
        browser.close()
    print()
    print("| lamps | map | HTML size | build + save | first frame in Chromium |")
    print("| ---: | --- | ---: | ---: | ---: |")
    for n, name, size, t_build, t_frame in rows:
        print(f"| {n:,} | {name} | {size:.1f} MB | {t_build:.2f} s | {t_frame:.2f} s |")
    print("\nAt 1M the layer draws a density grid (more than 150,000 points in view) and leaves out the per-lamp ids.")


if __name__ == "__main__":
    main()
