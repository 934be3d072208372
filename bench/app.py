"""Benchmark the Streamlit app in headless Chromium: cold start to map visible, and a filter change to repaint.

    .venv/bin/python -m bench.app                 # the demo city, then a synthetic copy with 100,000 lamps
    .venv/bin/python -m bench.app --demo          # the demo city only

For each city it starts `streamlit run app.py` on a free loopback port (a cold process: nothing cached),
and measures
- **server start**: process launch to the health endpoint answering;
- **first page**: opening the address to the sign-in form shown (what a user sees first);
- **cold start**: opening the page, signing in (demo-viewer), to the map drawn (lamps included), on the cold
  server;
- **filter change**: from choosing a district in the map's filters (the Enter key) to the map redrawn with fewer
  features — new filters (the map is built, not taken from the cache), and the same again after clearing
  (cached).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

from bench.local import CHROMIUM, FLAGS, free_port
from facilities.settings import DEMO_CITY, ROOT

#: the demo's viewer account (data/xiangyang/accounts.toml; the synthetic city is a copy of the demo)
LOGIN, PASSWORD = "demo-viewer", "demo-viewer-2026"
LAMPS_DRAWN = """() => {
  const f = [...document.querySelectorAll("iframe")].find(x => x.title.includes("streamlit_folium"));
  if (!f || !f.contentWindow) return -1;
  const w = f.contentWindow;
  const k = Object.keys(w).find(k => k.startsWith("point_cloud_"));
  const c = k && w[k];
  if (!c || !c.drawnCount || c.drawnCount() === 0) return -1;
  let n = 0;
  Object.keys(w).filter(k => k.startsWith("geo_json_") && w[k] && w[k].getLayers).forEach(k => n += w[k].getLayers().length);
  return n;
}"""


def synthetic_city(folder: Path, n_lamps: int) -> Path:
    """The demo city with its lamps replaced by n_lamps spread along its roads."""
    shutil.copytree(DEMO_CITY, folder)
    roads = json.loads((folder / "roads.geojson").read_text(encoding="utf-8"))["features"]
    rng = np.random.default_rng(5)
    feats = []
    for i in range(n_lamps):
        road = roads[int(rng.integers(len(roads)))]
        coords = road["geometry"]["coordinates"]
        coords = coords[0] if road["geometry"]["type"] == "MultiLineString" else coords
        a, b = coords[int(rng.integers(len(coords) - 1))], coords[-1]
        f = float(rng.random())
        lon, lat = a[0] + (b[0] - a[0]) * f * 0.2, a[1] + (b[1] - a[1]) * f * 0.2
        props = {"id": f"L{i:06d}", "status": "existing", "lamp_type": "street", "working": bool(rng.random() > 0.03),
                 "road": road["properties"].get("name"), "district": road["properties"].get("district"), "source": "simulated"}  # fmt: skip
        feats.append({"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}})
    (folder / "lamps.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False), encoding="utf-8"
    )
    return folder


def measure(data_dir: Path, city: str, browser) -> dict:
    """Start the app on one city and time it in the browser; return seconds for server start, cold start, new and cached filter changes."""
    port = free_port()
    env = {**os.environ, "FACILITIES_DATA_DIR": str(data_dir), "FACILITIES_CITY": city}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        server = time.perf_counter() - t0
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.route(
            "**/*",
            lambda r: (
                r.continue_() if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")) else r.abort()
            ),
        )
        t1 = time.perf_counter()
        page.goto(f"http://127.0.0.1:{port}/")
        page.get_by_label("用户名", exact=True).fill(LOGIN)  # (every page needs a signed-in user)
        first_page = time.perf_counter() - t1
        page.get_by_label("密码", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="登录", exact=True).click()
        page.wait_for_function(f"({LAMPS_DRAWN})() >= 0", timeout=180_000, polling=20)
        cold = time.perf_counter() - t1
        before = page.evaluate(LAMPS_DRAWN)
        districts = page.locator(".st-key-map_districts [data-testid='stMultiSelect']")

        def pick_district(name: str) -> float:
            box = districts
            box.click()
            page.keyboard.type(name)
            t = time.perf_counter()  # from the choice (Enter) to the map redrawn
            page.keyboard.press("Enter")
            page.wait_for_function(
                f"(() => {{ const n = ({LAMPS_DRAWN})(); return n >= 0 && n < {before}; }})", timeout=120_000, polling=10
            )
            return time.perf_counter() - t

        first = pick_district("襄城区")
        page.keyboard.press("Escape")
        # clear, wait for the full map again, then pick the same district: now cached
        districts.locator("[role='button'][aria-label^='Remove'], button[aria-label^='Remove']").first.click()
        page.wait_for_function(f"({LAMPS_DRAWN})() === {before}", timeout=120_000, polling=10)
        again = pick_district("襄城区")
        page.close()
        return {"server": server, "first_page": first_page, "cold": cold, "filter_new": first, "filter_cached": again}
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    """Benchmark the demo city and a synthetic 100,000-lamp city, then print the timings as a Markdown table."""
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        # each city in a data folder of its own, as a city office has it: a first start loads only that city
        shutil.copytree(DEMO_CITY, Path(tmp) / "demo" / "xiangyang")
        cities = [("demo", "xiangyang", "demo city (9,531 lamps)")]
        if "--demo" not in sys.argv[1:]:
            synthetic_city(Path(tmp) / "big" / "lamps100k", 100_000)
            cities.append(("big", "lamps100k", "synthetic, 100,000 lamps"))
        for folder, city, label in cities:
            r = measure(Path(tmp) / folder, city, browser)
            rows.append((label, r))
            print(label, {k: round(v, 2) for k, v in r.items()}, flush=True)
        browser.close()
    print()
    print("| city | server start | first page | cold start → map drawn | filter change (new) | filter change (cached) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, r in rows:
        cells = " | ".join(f"{r[k]:.2f} s" for k in ("server", "first_page", "cold", "filter_new", "filter_cached"))
        print(f"| {label} | {cells} |")


if __name__ == "__main__":
    main()
