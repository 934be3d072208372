"""`python -m facilities check`: scorecard, files written, exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from tests.helpers import DATA, DEMO, ROOT


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "facilities", *args], capture_output=True, text=True, cwd=ROOT, timeout=300)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    run = _cli("check", str(DEMO), "--out", str(out), "--as-of", "2026-11-29")
    return run, out


def test_demo_check_prints_scorecard_and_writes_files(demo_run):
    run, out = demo_run
    assert run.returncode in (0, 1), run.stderr
    assert "Traceback" not in run.stderr
    summary = pd.read_csv(out / "summary.csv")
    table = run.stdout.split("\n\n")[0]  # the scorecard: up to the first blank line
    rules = [line.split()[0] for line in table.splitlines()[1:]]
    assert rules == summary["rule"].tolist() and len(rules) >= 13
    assert summary["checked"].gt(0).all(), "every default rule has something to check in the demo city"
    gaps = json.loads((out / "gaps.geojson").read_text(encoding="utf-8"))
    assert gaps["type"] == "FeatureCollection" and len(gaps["features"]) > 0
    assert {f["properties"]["rule"] for f in gaps["features"]} <= set(summary["rule"])
    assert "pass mark 达标线 850" in run.stdout
    passed = "PASS 达标" in run.stdout
    assert run.returncode == (0 if passed else 1)


def test_demo_check_reports_illuminance_per_road_class(demo_run):
    """The estimate per road class against CJJ 45-2015 Table 3.3.1 (low grade: the levels typed here from the
    standard); the km checked are the lit roads of each class, summed here with geopandas."""
    import datetime as dt

    from facilities.rules import load_rules
    from facilities.store import folder

    run, _ = demo_run
    text = run.stdout.split("lighting_cjj45: estimated road illuminance against CJJ 45-2015, low grade")[1]
    rule = load_rules(DEMO / "rules.toml").get("lighting_cjj45")
    roads = folder.load(DEMO).metric("roads")
    roads = roads[rule.selections["roads"].where.mask(roads, dt.date(2026, 11, 29))]
    km = (roads.length / 1000).groupby(roads["road_class"]).sum()
    levels = {"Expressway": (20, 0.4), "Arterial": (20, 0.4), "Secondary": (15, 0.4), "Branch": (8, 0.3)}
    for name, (eav, u0) in levels.items():
        line = next(row for row in text.splitlines() if row.startswith(f"{name} "))
        checked, meeting, share, got_eav, got_u0 = line.split()[2:]
        assert float(checked) == pytest.approx(km[name.lower()], abs=0.06) and 0 <= float(meeting) <= float(checked)
        assert (float(got_eav), float(got_u0)) == (eav, u0) and share.endswith("%")
    total = next(row for row in text.splitlines() if row.startswith("all 全部")).split()
    assert float(total[2]) == pytest.approx(km.sum(), abs=0.06)


# Sub-rules the demo city meets in full (so the scorecard shows passes too); every other rule finds gaps.
FULLY_MET = {"toilet_density_commercial", "lamp_gap_pedestrian"}


def test_every_default_rule_finds_a_planted_shortfall(demo_run):
    _, out = demo_run
    summary = pd.read_csv(out / "summary.csv")
    gaps = json.loads((out / "gaps.geojson").read_text(encoding="utf-8"))
    with_gaps = {f["properties"]["rule"] for f in gaps["features"]}
    assert set(summary["rule"]) - FULLY_MET == with_gaps


def test_planted_shortfalls_are_found(demo_run):
    """The generator's planted shortfalls (data/xiangyang/README.md), found by the engine."""
    _, out = demo_run
    gaps = json.loads((out / "gaps.geojson").read_text(encoding="utf-8"))["features"]

    def ids(rule):
        return {f["properties"]["feature_id"] for f in gaps if f["properties"]["rule"] == rule}

    # the generator's straight-line shortfalls, and on foot A04, A06 and the island A14 (data/xiangyang/README.md)
    assert ids("toilet_reach") == {"A08", "A09", "A11"} | {"A04", "A06", "A14"}
    assert ids("stop_near_scenic_spot") == {"A09", "A12", "A14"}
    assert ids("dock_toilet") == {"D04"} and ids("dock_light") == {"D05"} and ids("dock_sign") == {"D06"}
    assert {"B005", "B006", "B011", "B014", "B016", "B021", "B023", "B035"} == ids("billboard_permits")
    assert {"P018", "P020", "P022", "P024", "P043", "P049", "P058", "P005", "P017", "P029", "P041", "P053"} <= ids("reports_fixed_in_time")
    assert {"前进路 × 唐家路", "中原路 × 春园路", "建设路 × 春园路", "人民路 × 长虹路", "沿江大道 × 解放路"} <= ids("road_name_signs")
    assert {"前进路", "檀溪路", "春园路"} <= ids("lamp_gap_arterial") | ids("lamp_gap_secondary") | ids("lamp_gap_branch")
    assert "Z013" in ids("toilet_density_residential")


def test_check_on_invalid_city_exits_2_with_report(tmp_path):
    run = _cli("check", str(DATA / "broken_city"), "--rules", str(DEMO / "rules.toml"))
    assert run.returncode == 2 and "INVALID" in run.stdout and "Traceback" not in run.stderr


def test_check_with_invalid_rules_exits_2_with_report(tmp_path):
    run = _cli("check", str(DEMO), "--rules", str(DATA / "broken_rules.toml"))
    assert run.returncode == 2 and 'kind: "nearby"' in run.stdout and "Traceback" not in run.stderr


def test_check_without_rules_file_exits_2(tmp_path):
    city = tmp_path / "c"
    shutil.copytree(DEMO, city)
    (city / "rules.toml").unlink()
    run = _cli("check", str(city))
    assert run.returncode == 2 and "no rules file" in run.stderr
