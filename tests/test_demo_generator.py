"""The demo-city generator (scripts/make_demo_city.py) and its committed output, data/xiangyang/.

The schema check below is written independently of facilities' own validator on purpose: it reads the
declarations in facilities.schema.LAYERS and checks each property by hand.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from shapely.geometry import shape
from shapely.prepared import prep

from facilities.schema import LAYERS

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "make_demo_city.py"
DATA = ROOT / "data" / "xiangyang"
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _load(folder: Path, name: str) -> list[dict]:
    doc = json.loads((folder / f"{name}.geojson").read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc, name
    return doc["features"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("xiangyang")
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(out), "--quiet"], check=True, cwd=ROOT, timeout=120)
    return out


@pytest.fixture(scope="module")
def city() -> dict[str, list[dict]]:
    return {name: _load(DATA, name) for name in LAYERS}


@pytest.fixture(scope="module")
def bounds() -> dict[str, float]:
    return tomllib.loads((DATA / "city.toml").read_text(encoding="utf-8"))["bounds"]


def _coords(geometry: dict):
    """Every (lon, lat) pair of a GeoJSON geometry."""
    stack = [geometry["coordinates"]]
    while stack:
        c = stack.pop()
        if isinstance(c[0], (int, float)):
            yield c[0], c[1]
        else:
            stack.extend(c)


# (1) determinism -------------------------------------------------------------------------------


def test_default_seed_reproduces_the_committed_files_byte_for_byte(generated):
    produced = sorted(p.name for p in generated.iterdir() if p.is_file())
    # the folder may also hold hand-written files (e.g. rules.toml); the generator writes exactly these
    expected = {f"{name}.geojson" for name in LAYERS} | {"water.geojson", "city.toml", "README.md"}
    assert set(produced) == expected
    for name in produced:
        assert (DATA / name).is_file(), f"{name} is not committed"
        assert (generated / name).read_bytes() == (DATA / name).read_bytes(), f"{name} differs"


# (2) counts, coverage, schema, bounds -----------------------------------------------------------


def test_counts_and_coverage(city):
    roads = [f["properties"] for f in city["roads"]]
    assert len(roads) >= 300
    assert {r["road_class"] for r in roads} == {"expressway", "arterial", "secondary", "branch", "pedestrian", "footway", "path", "steps"}
    assert len({r["name"] for r in roads if r.get("bridge")}) >= 3
    segments_per_name = Counter(r["name"] for r in roads)
    assert sum(1 for n in segments_per_name.values() if n >= 3) >= 20  # named roads split at intersections
    assert len(city["lamps"]) >= 8000
    working = sum(f["properties"]["working"] for f in city["lamps"]) / len(city["lamps"])
    assert 0.95 <= working <= 0.99
    toilets = [f["properties"] for f in city["toilets"]]
    assert {t["grade"] for t in toilets} == {"none", "A", "AA", "AAA"}
    assert {"existing", "new", "renovated", "planned"} <= {t["status"] for t in toilets}
    signs = [f["properties"] for f in city["signs"]]
    assert {s["sign_type"] for s in signs} == set(LAYERS["signs"].field("sign_type").allowed)
    assert any(s["sign_type"] == "road_name" and not s.get("text_en") for s in signs)
    assert {s["condition"] for s in signs} == {"good", "damaged", "missing"}
    assert 4 <= len(city["docks"]) <= 6
    assert {z["properties"]["zone_type"] for z in city["zones"]} == set(LAYERS["zones"].field("zone_type").allowed)
    assert sum(z["properties"]["zone_type"] == "responsibility" for z in city["zones"]) >= 20
    assert {s["properties"]["stop_type"] for s in city["stops"]} == {
        "bus",
        "sightseeing_bus",
        "tour_bus",
        "taxi",
    }
    assert {r["properties"]["status"] for r in city["reports"]} == {"open", "assigned", "fixed"}


def _type_ok(kind: str, value) -> bool:
    if kind == "str":
        return isinstance(value, str)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "date":
        if not (isinstance(value, str) and DATE_RE.fullmatch(value)):
            return False
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
        return True
    raise AssertionError(f"unknown field type {kind}")


def test_every_feature_obeys_the_schema(city):
    problems = []
    for name, spec in LAYERS.items():
        ids = Counter()
        for f in city[name]:
            p = f["properties"]
            where = f"{name}/{p.get('id')}"
            ids[p.get("id")] += 1
            if f.get("type") != "Feature" or f["geometry"]["type"] not in spec.geometry_types:
                problems.append(f"{where}: geometry {f['geometry']['type']}")
            for fld in spec.fields:
                value = p.get(fld.name)
                if value is None:
                    if fld.required:
                        problems.append(f"{where}: {fld.name} missing")
                    continue
                if not _type_ok(fld.type, value):
                    problems.append(f"{where}: {fld.name}={value!r} is not {fld.type}")
                elif fld.allowed is not None and value not in fld.allowed:
                    problems.append(f"{where}: {fld.name}={value!r} not allowed")
                elif fld.type in ("int", "float") and (
                    (fld.min is not None and value < fld.min) or (fld.max is not None and value > fld.max)
                ):
                    problems.append(f"{where}: {fld.name}={value!r} out of range")
            if p.get("source") != "simulated":
                problems.append(f"{where}: source {p.get('source')!r}")
            for key in ("district", "unit"):
                if not p.get(key):
                    problems.append(f"{where}: no {key}")
            # lamps carry no `updated` (kept out to keep lamps.geojson under 3 MB)
            if name != "lamps" and not str(p.get("updated", "")).startswith("2026-"):
                problems.append(f"{where}: updated {p.get('updated')!r}")
        problems += [f"{name}: id {i!r} used {n} times" for i, n in ids.items() if n > 1]
    assert not problems, "\n".join(problems[:30])


def test_every_feature_lies_within_the_bounds(city, bounds):
    w, s, e, n = bounds["west"], bounds["south"], bounds["east"], bounds["north"]
    outside = [
        f"{name}/{f['properties']['id']}"
        for name, feats in city.items()
        for f in feats
        if any(not (w <= x <= e and s <= y <= n) for x, y in _coords(f["geometry"]))
    ]
    water = _load(DATA, "water")
    outside += ["water" for f in water if any(not (w <= x <= e and s <= y <= n) for x, y in _coords(f["geometry"]))]
    assert not outside, outside[:20]


def test_only_bridges_cross_the_river(city):
    water = prep(shape(_load(DATA, "water")[0]["geometry"]))
    wet = [f["properties"]["id"] for f in city["roads"] if not f["properties"].get("bridge") and water.intersects(shape(f["geometry"]))]
    assert not wet
    for name in ("toilets", "lamps", "stops", "signs"):
        # lamps on bridges stand over the water; everything else on land
        on_water = [
            f["properties"]["id"]
            for f in city[name]
            if water.contains(shape(f["geometry"])) and f["properties"].get("road", "").find("桥") < 0
        ]
        assert not on_water, (name, on_water[:10])


# (3) road network ------------------------------------------------------------------------------


def test_road_segments_meet_end_to_end(city, bounds):
    ends = Counter()
    for f in city["roads"]:
        c = f["geometry"]["coordinates"]
        ends[tuple(c[0])] += 1
        ends[tuple(c[-1])] += 1

    def on_edge(x, y):
        return (
            min(
                abs(x - bounds["west"]),
                abs(x - bounds["east"]),
                abs(y - bounds["south"]),
                abs(y - bounds["north"]),
            )
            < 1e-6
        )

    total = shared = 0
    for f in city["roads"]:
        c = f["geometry"]["coordinates"]
        for x, y in (c[0], c[-1]):
            total += 1
            shared += ends[(x, y)] > 1 or on_edge(x, y)
    assert shared / total >= 0.95, f"only {shared}/{total} segment ends are shared"
