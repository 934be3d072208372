"""Benchmark the store's database: load a city folder into it and read it back, on SQLite and PostGIS.

    .venv/bin/python bench/store.py                 # the demo city, then a synthetic copy with 100,000 lamps
    .venv/bin/python bench/store.py --runs 5 --no-postgis

For each city it times (median of ``--runs`` runs)

- **the folder** (the reference): :func:`facilities.store.folder.load` — validate the GeoJSON folder and
  read every layer; and what a GIS user writes without this project, ``geopandas.read_file`` of every layer
  file, and of ``lamps.geojson`` alone;
- **the store**, on SQLite (a fresh file per load) and on PostgreSQL + PostGIS (a fresh database per load,
  on a throw-away server started on 127.0.0.1, :class:`bench.postgis.TempPostGIS`; skipped, with the
  reason, when it cannot be started): ``load_folder`` (validate, then write every layer and its audit rows
  in one transaction), ``backend.load`` (every layer back as GeoDataFrames, what the app reads), and the
  GIS user's ``geopandas.read_postgis`` of every layer table, and of the lamps table alone;

checks that the city read back from the store equals the folder read (every layer, column by column), and
prints a Markdown table with each time's ratio to the folder read (the machine is noisy: compare ratios).
Aims: reading the demo city from the store in ≤ 0.5 s, the 100,000-lamp city in ≤ 2 s.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import statistics
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import sqlalchemy as sa

from facilities.auth import User
from facilities.schema import ALL_LAYERS
from facilities.settings import ROOT
from facilities.store import folder as folder_store
from facilities.store.db import backend, engine, tables

DEMO = ROOT / "data" / "xiangyang"
#: seconds: reading the city from the store (``backend.load``), by city label
AIMS = {"demo": 0.5, "synthetic": 2.0}
KEY = "bench"
#: who the benchmark acts as (an administrator: imports are theirs)
BENCH = User("bench", "bench", "admin")


def synthetic_city(out: Path, n_lamps: int, seed: int = 11) -> Path:
    """The demo city folder copied to ``out`` with its lamps replaced by ``n_lamps`` random street lamps
    inside the bounds of its ``city.toml`` (valid per the layer model)."""
    shutil.copytree(DEMO, out)
    bounds = tomllib.loads((out / "city.toml").read_text(encoding="utf-8"))["bounds"]
    rng = np.random.default_rng(seed)
    lon = rng.uniform(bounds["west"], bounds["east"], n_lamps).round(6)
    lat = rng.uniform(bounds["south"], bounds["north"], n_lamps).round(6)
    working = rng.random(n_lamps) > 0.05
    height = rng.choice([6.0, 8.0, 10.0, 12.0], n_lamps)
    lines = []
    for i in range(n_lamps):
        props = {"id": f"L{i + 1:06d}", "lamp_type": "street", "status": "existing", "working": bool(working[i]),
                 "height_m": float(height[i]), "power_w": 150.0, "circuit": f"C{i // 200:04d}", "source": "simulated"}  # fmt: skip
        geometry = {"type": "Point", "coordinates": [float(lon[i]), float(lat[i])]}
        lines.append(json.dumps({"type": "Feature", "properties": props, "geometry": geometry}, ensure_ascii=False))
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    (out / "lamps.geojson").write_text(text, encoding="utf-8")
    return out


def median_time(fn: Callable[[], Any], runs: int, before: Callable[[], Any] | None = None) -> tuple[float, Any]:
    """The median seconds of ``runs`` calls of ``fn`` (``before`` runs, untimed, before each) and the last result."""
    times, result = [], None
    for _ in range(runs):
        if before is not None:
            before()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def read_file_layers(folder: Path) -> dict[str, gpd.GeoDataFrame]:
    """Every layer file of a city folder read with ``geopandas.read_file`` (no validation, no schema)."""
    return {name: gpd.read_file(folder / spec.filename) for name, spec in ALL_LAYERS.items() if (folder / spec.filename).exists()}


def read_postgis_layers(url: str, layers: list[str]) -> dict[str, gpd.GeoDataFrame]:
    """Layer tables of city :data:`KEY` read with ``geopandas.read_postgis`` (what a GIS user writes)."""
    read_engine, _ = engine.engines(url)
    with read_engine.connect() as conn:
        return {
            name: gpd.read_postgis(
                sa.text(f"SELECT * FROM {name} WHERE city = :city"), conn, geom_col="geom", crs=4326, params={"city": KEY}
            )
            for name in layers
        }


def same_city(expected: Any, got: Any) -> list[str]:
    """The layers whose frames differ between two cities (the folder read and the store read)."""
    differ = []
    for name in ALL_LAYERS:
        a = pd.DataFrame(expected[name].sort_values("id", kind="stable", ignore_index=True))
        try:
            pd.testing.assert_frame_equal(a, pd.DataFrame(got[name]))
        except AssertionError:
            differ.append(name)
    return differ


def sqlite_databases(tmp: Path) -> Iterator[str]:
    """Fresh SQLite files in ``tmp``, one URL per call of ``next``."""
    for i in itertools.count(1):
        yield f"sqlite:///{tmp / f'store-{i}.sqlite'}"


def postgis_databases(pg: Any, prefix: str) -> Iterator[str]:
    """Fresh databases ``<prefix>_<n>`` on the server ``pg`` (a TempPostGIS), one URL per call of ``next``."""
    base = pg.url.rsplit("/", 1)[0]
    for i in itertools.count(1):
        with pg.connect() as conn:
            conn.execute(f"CREATE DATABASE {prefix}_{i}")
        yield f"{base}/{prefix}_{i}"


def measure_backend(name: str, databases: Iterator[str], folder: Path, reference: Any, runs: int) -> list[tuple[str, str, float]]:
    """Time ``load_folder`` (into a fresh database each run), ``backend.load`` and ``read_postgis`` on one backend."""
    urls: list[str] = []

    def fresh() -> None:
        urls.append(next(databases))
        engine.engines(urls[-1])  # created and migrated before the clock starts

    def load_folder() -> None:
        result, report = backend.load_folder(folder, KEY, user=BENCH, database=urls[-1])
        if not result.written:
            raise SystemExit(f"{folder}: not loaded: {report.errors[:3]}")

    t_load, _ = median_time(load_folder, runs, before=fresh)
    url = urls[-1]
    t_read, city = median_time(lambda: backend.load(KEY, database=url), runs)
    differ = same_city(reference, city)
    print(f"  {name}: read back = folder read: {'yes, every layer' if not differ else 'NO: ' + ', '.join(differ)}", flush=True)
    stored = [n for n in tables.layers if len(reference[n])]
    t_pg_all, _ = median_time(lambda: read_postgis_layers(url, stored), runs)
    t_pg_lamps, frames = median_time(lambda: read_postgis_layers(url, ["lamps"]), runs)
    assert len(frames["lamps"]) == len(reference["lamps"])
    engine.dispose()
    return [
        (name, "`load_folder`: validate, write every layer + audit rows", t_load),
        (name, "**`backend.load`: every layer as GeoDataFrames** (aim)", t_read),
        (name, "`gpd.read_postgis`, every layer table", t_pg_all),
        (name, "`gpd.read_postgis`, lamps table", t_pg_lamps),
    ]


def measure_city(label: str, folder: Path, runs: int, pg: Any, pg_reason: str | None, tmp: Path) -> tuple[float, list]:
    """Every timing of one city folder: the folder reads, then each backend; (folder read time, rows)."""
    t_folder, reference = median_time(lambda: folder_store.load(folder), runs)
    t_file_all, _ = median_time(lambda: read_file_layers(folder), runs)
    t_file_lamps, _ = median_time(lambda: gpd.read_file(folder / "lamps.geojson"), runs)
    rows: list[tuple[str, str, float | str]] = [
        ("folder", "**`store.folder.load`: validate + read every layer** (the reference)", t_folder),
        ("folder", "`gpd.read_file`, every layer file", t_file_all),
        ("folder", "`gpd.read_file`, lamps.geojson", t_file_lamps),
    ]
    print(f"{label}: folder read {t_folder:.2f} s", flush=True)
    databases = tmp / f"databases-{label}"
    databases.mkdir()
    rows += measure_backend("SQLite", sqlite_databases(databases), folder, reference, runs)
    print(f"{label}: SQLite done", flush=True)
    if pg is not None:
        rows += measure_backend("PostGIS", postgis_databases(pg, label), folder, reference, runs)
        print(f"{label}: PostGIS done", flush=True)
    else:
        rows += [("PostGIS", "every measurement", f"skipped: {pg_reason}")]
    return t_folder, rows


def main() -> None:
    """Measure the demo city and a synthetic 100,000-lamp city on both backends; print a Markdown table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement (the median is shown; default 3)")
    ap.add_argument("--lamps", type=int, default=100_000, help="lamps of the synthetic city (default 100,000)")
    ap.add_argument("--no-postgis", action="store_true", help="SQLite only")
    args = ap.parse_args()
    from bench.postgis import TempPostGIS, postgis_available

    started = time.perf_counter()
    reason = "disabled (--no-postgis)" if args.no_postgis else postgis_available()
    pg = TempPostGIS().__enter__() if reason is None else None
    results = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-store-") as name:
            tmp = Path(name)
            demo_lamps = sum(1 for line in (DEMO / "lamps.geojson").open(encoding="utf-8") if '"Feature"' in line)
            cities = [
                ("demo", f"demo city ({demo_lamps:,} lamps)", DEMO),
                ("synthetic", f"synthetic, {args.lamps:,} lamps", synthetic_city(tmp / "synthetic", args.lamps)),
            ]
            for short, label, folder in cities:
                t_folder, rows = measure_city(short, folder, args.runs, pg, reason, tmp)
                results.append((short, label, t_folder, rows))
    finally:
        engine.dispose()
        if pg is not None:
            pg.__exit__(None, None, None)

    print()
    print(f"| city | backend | what | median of {args.runs} | × folder read |")
    print("| --- | --- | --- | ---: | ---: |")
    for _, label, t_folder, rows in results:
        for backend_name, what, t in rows:
            if isinstance(t, str):
                print(f"| {label} | {backend_name} | {what} | {t} | |")
            else:
                print(f"| {label} | {backend_name} | {what} | {t:.2f} s | {t / t_folder:.2f}× |")
    print("\nAims: reading the city from the store (`backend.load`)")
    for short, label, t_folder, rows in results:
        for backend_name, what, t in rows:
            if what.startswith("**`backend.load`") and not isinstance(t, str):
                verdict = "aim met" if t <= AIMS[short] else "not met"
                print(f"- {label}, {backend_name}: {t:.2f} s ({t / t_folder:.2f}× the folder read) ≤ {AIMS[short]} s: {verdict}")
    print(f"\n(total run time {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    if __package__ in (None, ""):  # run as a file (python bench/store.py): the project root on the path, for bench.postgis
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
