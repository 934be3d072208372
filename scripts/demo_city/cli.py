"""Command line: build the demo city from a seed, audit it, write it."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from . import __doc__ as package_doc
from .attractions import build_attractions
from .audit import audit, check_plan, check_written
from .billboards import build_billboards
from .docks import build_docks
from .frame import Ctx, build_frame
from .lamps import build_lamps
from .model import LAYER_ORDER
from .output import write_city
from .reports import build_reports
from .roads import build_roads
from .signs import build_signs
from .stops import build_stops
from .toilets import build_toilets
from .walkways import build_walkways
from .zones import build_zones

DEFAULT_SEED = 20261129
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "data" / "xiangyang"

#: the builders in the order they run (each uses what the ones before it built)
BUILDERS = (
    build_frame,
    build_attractions,
    build_roads,
    build_zones,
    build_docks,
    build_lamps,
    build_toilets,
    build_stops,
    build_signs,
    build_billboards,
    build_reports,
    build_walkways,  # last: it draws no random numbers and changes nothing built before it
)


def build(seed: int) -> tuple[Ctx, dict]:
    """Build the city from ``seed``; return it and what the audit found (checked against the plan)."""
    ctx = Ctx(np.random.Generator(np.random.PCG64(seed)))
    for builder in BUILDERS:
        builder(ctx)
    check_written(ctx)
    found = audit(ctx)
    check_plan(ctx, found)
    return ctx, found


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, build and write the city, print a summary unless ``--quiet``."""
    ap = argparse.ArgumentParser(description=package_doc.split("\n")[0])
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
