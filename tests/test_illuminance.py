"""The illuminance estimate (facilities/light.py) and the ``illuminance`` rule kind, checked by hand and by a
brute-force oracle.

The hand figures use one isotropic lamp of flux Φ = 10,000 lm (MF 1) at h = 10 m: I = Φ / (2π) = 1,591.55 cd
towards every direction below the horizontal, and ``E = I · cos³γ / h²``:

- directly below (γ = 0): E = 1,591.55 / 10² = 15.92 lx;
- 10 m off (γ = 45°, cos³γ = 0.35355): E = 1,591.55 × 0.35355 / 100 = 5.63 lx;
- 20 m off (cos γ = 10 / √500 = 0.44721, cos³γ = 0.08944): E = 1.42 lx;
- 2 m off (cos³γ / h² = h / (d² + h²)^{3/2} = 10 / 104^{1.5} = 0.0094287): E = 15.01 lx.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString, Point

from facilities import light
from facilities.check import check, illuminance_stretches
from facilities.kinds import KINDS
from facilities.kinds.illuminance import STRETCH_COLUMNS
from facilities.rules import RulesError, load_rules
from facilities.stats import illuminance_km
from facilities.store import load as load_city
from tests.helpers import DATA, make_city

TODAY = dt.date(2026, 11, 29)
PHI, H = 10_000.0, 10.0
I0 = PHI / (2 * math.pi)  # 1,591.55 cd
IES = DATA / "photometry" / "street.ies"


def _e(points, lamps, flux=PHI, height=H, **kw):
    lamps = np.asarray(lamps, dtype=float).reshape(-1, 2)
    return light.illuminance(
        np.asarray(points, dtype=float), lamps, np.full(len(lamps), flux, dtype=float), np.full(len(lamps), height, dtype=float), **kw
    )


# --------------------------------------------------------------------------- the photometry, by hand


def test_one_lamp_by_hand():
    e = _e([(0, 0), (10, 0), (0, 20), (2, 0)], [(0, 0)])
    assert e == pytest.approx([15.92, 5.63, 1.42, 15.01], abs=0.01)
    assert e[0] == pytest.approx(I0 / H**2)


def test_two_lamps_by_hand():
    # lamps at x = 0 and 20 m: half-way each is 10 m off, 5.63 + 5.63 = 11.25 lx; below one, 15.92 + 1.42 = 17.34 lx
    e = _e([(10, 0), (0, 0)], [(0, 0), (20, 0)])
    assert e == pytest.approx([11.25, 17.34], abs=0.01)


def test_inverse_square_law():
    # doubling the height quarters the illuminance below the lamp: 15.92 / 4 = 3.98 lx
    assert _e([(0, 0)], [(0, 0)], height=2 * H)[0] == pytest.approx(_e([(0, 0)], [(0, 0)])[0] / 4)
    assert _e([(0, 0)], [(0, 0)], height=2 * H)[0] == pytest.approx(3.98, abs=0.01)


@pytest.mark.parametrize("offset", [1.0, 5.0, 10.0, 17.3, 30.0])
def test_cosine_law(offset):
    # isotropic: E(d) = E(0) · cos³γ with tan γ = d / h
    gamma = math.atan2(offset, H)
    assert _e([(offset, 0)], [(0, 0)])[0] == pytest.approx(_e([(0, 0)], [(0, 0)])[0] * math.cos(gamma) ** 3)


def test_no_light_above_the_horizontal_nor_from_a_lamp_with_no_flux():
    assert light.ISOTROPIC_DISTRIBUTION.per_lumen(np.array([0.0, 89.9, 90.0, 120.0])).tolist() == [1 / (2 * math.pi)] * 2 + [0.0] * 2
    lamps = np.array([(0.0, 0.0), (1.0, 0.0)])
    e = light.illuminance(np.array([(0.0, 0.0)]), lamps, np.array([np.nan, 0.0]), np.array([H, H]))
    assert e.tolist() == [0.0]


def _brute(points, lamps, flux, height, cutoff):
    """The oracle: a double Python loop over every point and every lamp."""
    out = []
    for px, py in points:
        total = 0.0
        for (lx, ly), phi, h in zip(lamps, flux, height, strict=True):
            d = math.hypot(px - lx, py - ly)
            if cutoff and d > max(10 * h, 100.0):
                continue
            total += phi / (2 * math.pi) * math.cos(math.atan2(d, h)) ** 3 / h**2
        out.append(total)
    return out


coords = st.tuples(st.floats(-150, 150), st.floats(-150, 150))


@settings(max_examples=60, deadline=None)
@given(
    points=st.lists(coords, min_size=1, max_size=12),
    lamps=st.lists(st.tuples(coords, st.floats(100, 40_000), st.floats(3, 20)), min_size=1, max_size=12),
)
def test_against_a_brute_force_double_loop(points, lamps):
    xy = np.array([c for c, _, _ in lamps])
    flux, height = np.array([f for _, f, _ in lamps]), np.array([h for _, _, h in lamps])
    pts = np.array(points)
    for cutoff in (True, False):
        got = light.illuminance(pts, xy, flux, height, cutoff=cutoff)
        assert got == pytest.approx(_brute(points, xy, flux, height, cutoff), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(("y", "loss"), [(0.0, 1 - 100 / math.sqrt(100**2 + 10**2)), (20.0, 1 - math.sqrt(100**2 - 20**2) / 100.5)])
def test_what_the_cutoff_leaves_out_of_a_row_of_lamps(y, loss):
    # a 4 km row of lamps 1 m apart at 10 m (a line source, near enough): beyond R = 100 m the share
    # 1 − X / √(X² + y² + h²), X = √(R² − y²), is left out: 0.5 % beneath the row, 2.5 % 20 m across
    row = [(x, 0.0) for x in np.arange(-2000, 2001, 1.0)]
    cut, full = _e([(0.5, y)], row), _e([(0.5, y)], row, cutoff=False)
    assert 1 - cut[0] / full[0] == pytest.approx(loss, abs=0.002) and loss < 0.03


def test_flux_from_lumens_else_power_times_efficacy_times_mf():
    import pandas as pd

    lamps = pd.DataFrame(
        {"lamp_type": ["street", "street", "landscape", "street"], "lumens": [12_000, None, None, None], "power_w": [100, 100, 50, None]}
    )
    flux = light.lamp_flux(lamps, {"street": 110, "landscape": 60}, 0.7)
    assert flux[:3] == pytest.approx([12_000 * 0.7, 100 * 110 * 0.7, 50 * 60 * 0.7])
    assert math.isnan(flux[3])  # neither: not counted
    heights = light.lamp_height(pd.DataFrame({"lamp_type": ["street", "landscape"], "height_m": [None, 4.0]}), light.DEFAULT_HEIGHT_M)
    assert heights.tolist() == [light.DEFAULT_HEIGHT_M["street"], 4.0]


def test_the_levels_are_cjj45_table_3_3_1():
    assert light.required("arterial", "low") == (20, 0.4) and light.required("expressway", "high") == (30, 0.4)
    assert light.required("secondary", "low") == (15, 0.4) and light.required("branch", "high") == (10, 0.3)
    assert light.required("pedestrian", "low") is None


# --------------------------------------------------------------------------- IES


def test_an_ies_file_is_read_with_its_own_values():
    d = light.read_ies(IES)
    # the file: 3,000 cd at γ = 0 for its rated 10,000 lm; at γ = 45°, 2,200 cd in C = 0 and 3,400 cd in C = 90
    assert d.per_lumen(np.array([0.0, 45.0, 45.0, 45.0]), np.array([0.0, 0.0, 90.0, 270.0])) * 10_000 == pytest.approx(
        [3000, 2200, 3400, 3400]
    )
    # below the lamp: 3,000 / 10² = 30 lx; 10 m along the road (C = 0): 2,200 × 0.35355 / 100 = 7.78 lx;
    # 10 m across (C = 90): 3,400 × 0.35355 / 100 = 12.02 lx; a lamp of half the flux gives half
    c0 = np.array([(1.0, 0.0)])
    e = _e([(0, 0), (10, 0), (0, 10)], [(0, 0)], distributions=[d], c0=c0)
    assert e == pytest.approx([30.0, 7.78, 12.02], abs=0.01)
    assert _e([(0, 0)], [(0, 0)], flux=PHI / 2, distributions=[d], c0=c0)[0] == pytest.approx(15.0)


def test_c0_runs_along_the_nearest_road_with_the_road_on_its_left():
    road = [LineString([(-50, 0), (50, 0)])]
    assert light.road_directions(np.array([(0, -10), (0, 10)]), road).tolist() == [[1.0, 0.0], [-1.0, 0.0]]


def test_a_broken_ies_file_is_named(tmp_path):
    bad = tmp_path / "bad.ies"
    bad.write_text("not an IES file\n")
    with pytest.raises(ValueError, match=r"bad\.ies"):
        light.read_ies(bad)


# --------------------------------------------------------------------------- the rule kind on a small city


def _rule(**extra: str) -> str:
    params = {"grade": '"low"', "maintenance_factor": "1.0", "grid_m": "10", "points_across": "1", "stretch_m": "10", **extra}
    lines = "\n".join(f"{k} = {v}" for k, v in params.items())
    return f"""
total = 100
[[rule]]
id = "lux"
title_zh = "照度（估算）"
title_en = "Illuminance (estimate)"
kind = "illuminance"
weight = 100
source = "CJJ 45-2015 Table 3.3.1"
roads = {{ where = {{ lit = true }} }}
lamps = {{ where = {{ working = true }} }}
{lines}
"""


def _road(rid="R1", cls="branch", length=20.0, **props):
    return {"id": rid, "status": "existing", "name": f"路{rid}", "road_class": cls, "district": "襄城区", "lit": True, **props}, LineString(
        [(0, 0), (length, 0)]
    )


def _lamp(lid, x, y, **props):
    p = {"id": lid, "status": "existing", "lamp_type": "street", "working": True, "height_m": H, "lumens": PHI, **props}
    return p, Point(x, y)


def _run(tmp_path, roads, lamps, rules=None, files=()):
    folder = make_city(tmp_path / "c", {"roads": roads, "lamps": lamps}, rules or _rule())
    for f in files:
        shutil.copy(f, folder / f.name)
    city, ruleset = load_city(folder), load_rules(folder / "rules.toml")
    return city, ruleset, check(city, ruleset, as_of=TODAY)


def test_the_kind_is_registered():
    assert KINDS["illuminance"].gap_shape == "line" and {"efficacy_lm_per_w", "width_m", "ies"} <= KINDS["illuminance"].extra_keys


def test_a_pass_and_a_fail_stretch_by_hand(tmp_path):
    # a 20 m branch road cut into two 10 m stretches, one point each (x = 5 and 15 m on the centreline); one lamp
    # above x = 5: 15.92 lx there (≥ 8: passes), 5.63 lx at x = 15 (< 8: fails); U0 = 1 with one point
    city, rules, result = _run(tmp_path, [_road()], [_lamp("L1", 5, 0)])
    s = illuminance_stretches(city, rules.get("lux"), TODAY)
    assert list(s.columns) == [*STRETCH_COLUMNS, "geometry"] and s.crs.to_epsg() == 4326
    assert s["start_m"].tolist() == pytest.approx([0, 10]) and s["length_m"].tolist() == pytest.approx([10, 10])
    assert s["e_avg"].round(2).tolist() == [15.92, 5.63] and s["ok"].tolist() == [True, False]
    assert s["e_required"].tolist() == [8, 8] and s["u0_required"].tolist() == [0.3, 0.3] and s["u0"].tolist() == [1, 1]
    row = result.summary.set_index("rule").loc["lux"]
    assert (row["checked"], row["compliant"], row["share"]) == (pytest.approx(20), pytest.approx(10), pytest.approx(0.5))
    assert "estimate" in row["note"] and "MF 1" in row["note"] and "isotropic" in row["note"]
    (g,) = result.gaps.itertuples()
    # one gap for the road (its name), its one short stretch: x = 10–20 m
    assert g.gap_id == "lux:roads/路R1/branch" and g.measure == pytest.approx(5.63, abs=0.01) and g.measure_unit == "lx"
    assert g.detail == "1 of 2 stretches (0.01 km) below CJJ 45: estimated Eav 5.6 lx (needs ≥ 8), U0 down to 1.00 (needs ≥ 0.3); estimate"
    assert g.geometry.geom_type == "LineString" and g.name == "路R1"


def test_uniformity(tmp_path):
    # a 40 m wide branch road, two points across (y = ±10 m); the lamp above (5, 10): 15.92 and 1.42 lx,
    # Eav 8.67 lx ≥ 8 but U0 = 1.42 / 8.67 = 0.16 < 0.3: the stretch fails on its uniformity alone
    rules = _rule(points_across="2")
    city, ruleset, result = _run(tmp_path, [_road(length=10, width_m=40.0)], [_lamp("L1", 5, 10)], rules)
    (s,) = illuminance_stretches(city, ruleset.get("lux"), TODAY).itertuples()
    assert (round(s.e_avg, 2), round(s.e_min, 2), round(s.u0, 2), s.ok) == (8.67, 1.42, 0.16, False)
    assert "U0 down to 0.16 (needs ≥ 0.3)" in result.gaps["detail"].iloc[0]


def test_high_grade_against_low(tmp_path):
    # a secondary road, the lamp above the first point: 15.92 lx ≥ 15 (low) but < 20 (high)
    low = _run(tmp_path / "low", [_road(cls="secondary")], [_lamp("L1", 5, 0)])[2]
    high = _run(tmp_path / "high", [_road(cls="secondary")], [_lamp("L1", 5, 0)], _rule(grade='"high"'))[2]
    assert low.summary["compliant"].iloc[0] == pytest.approx(10) and high.summary["compliant"].iloc[0] == 0
    # one gap for the road either way: one of its two stretches short at the low grade, both at the high
    assert len(low.gaps) == len(high.gaps) == 1
    assert low.gaps["detail"].iloc[0].startswith("1 of 2 stretches") and high.gaps["detail"].iloc[0].startswith("2 of 2 stretches")


def test_width_from_the_road_else_the_class_default(tmp_path):
    # two points across, one lamp above the centreline: the branch default 8 m puts them 2 m off (15.01 lx),
    # a road width of 40 m 10 m off (5.63 lx); the rule's width_m table replaces the class default
    rules = _rule(points_across="2")
    roads = [_road("R1", length=10), _road("R2", length=10, width_m=40.0)]
    lamps = [_lamp("L1", 5, 0), _lamp("L2", 5, 1000)]
    roads[1] = (roads[1][0], LineString([(0, 1000), (10, 1000)]))
    city, ruleset, _ = _run(tmp_path / "a", roads, lamps, rules)
    s = illuminance_stretches(city, ruleset.get("lux"), TODAY)
    assert s["e_avg"].round(2).tolist() == [15.01, 5.63]
    city, ruleset, _ = _run(tmp_path / "b", roads[:1], lamps[:1], rules + "width_m = { branch = 40 }\n")
    assert illuminance_stretches(city, ruleset.get("lux"), TODAY)["e_avg"].round(2).tolist() == [5.63]


def test_lamps_with_neither_lumens_nor_power_are_not_counted(tmp_path):
    # L2 records power only: 100 W × 100 lm/W = 10,000 lm, as L1; L3 records neither and adds nothing
    lamps = [_lamp("L1", 5, 0), _lamp("L2", 15, 0, lumens=None, power_w=100.0), _lamp("L3", 10, 0, lumens=None)]
    rules = _rule() + "efficacy_lm_per_w = { street = 100 }\n"
    city, ruleset, result = _run(tmp_path, [_road()], lamps, rules)
    s = illuminance_stretches(city, ruleset.get("lux"), TODAY)
    assert s["e_avg"].tolist() == pytest.approx([21.54, 21.54], abs=0.01)  # 15.915 + 5.627 each
    assert "1 of 3 lamps have neither lumens nor power_w (not counted)" in result.summary["note"].iloc[0]


def test_roads_of_a_class_with_no_level_are_skipped_and_no_lamps_is_no_data(tmp_path):
    _, _, result = _run(tmp_path / "a", [_road(), _road("R2", cls="pedestrian")], [_lamp("L1", 5, 0)])
    assert "1 road segments of classes CJJ 45 gives no level for skipped" in result.summary["note"].iloc[0]
    assert result.summary["checked"].iloc[0] == pytest.approx(20)
    _, _, result = _run(tmp_path / "b", [_road()], [])
    assert result.summary["assessment"].iloc[0] == "no_data" and result.gaps.empty


def test_a_rule_with_an_ies_file(tmp_path):
    # the lamp 10 m south of a 10 m road at x = 5, one point on the centreline at (5, 0): γ = 45° across the
    # road (C = 90): 3,400 × 0.35355 / 10² = 12.02 lx (isotropic: 5.63 lx)
    rules = _rule() + 'ies = { street = "street.ies" }\n'
    city, ruleset, result = _run(tmp_path, [_road(length=10)], [_lamp("L1", 5, -10)], rules, files=[IES])
    assert illuminance_stretches(city, ruleset.get("lux"), TODAY)["e_avg"].round(2).tolist() == [12.02]
    assert "street: IES street.ies" in result.summary["note"].iloc[0]


@pytest.mark.parametrize(("path", "fragment"), [("missing.ies", "no such file"), ("../street.ies", "outside the city folder")])
def test_an_ies_file_that_is_not_there_is_named(tmp_path, path, fragment):
    shutil.copy(IES, tmp_path / "street.ies")
    with pytest.raises(ValueError, match=fragment):
        _run(tmp_path, [_road(length=10)], [_lamp("L1", 5, -10)], _rule() + f'ies = {{ street = "{path}" }}\n')


def test_lit_km_by_district_and_class(tmp_path):
    city, ruleset, _ = _run(tmp_path, [_road(), _road("R2", cls="secondary", length=10)], [_lamp("L1", 5, 0)])
    t = illuminance_km(city, ruleset.get("lux"), TODAY)
    assert list(t.columns) == ["district", "road_class", "checked_km", "meeting_km", "meeting_share"]
    rows = {(r.district, r.road_class): (round(r.checked_km, 3), round(r.meeting_km, 3)) for r in t.itertuples()}
    assert rows[("襄城区", "branch")] == (0.02, 0.01) and rows[("襄城区", "secondary")] == (0.01, 0.01)
    assert rows[("全市 City", "全部 All")] == (0.03, 0.02)


# --------------------------------------------------------------------------- the rules file


@pytest.mark.parametrize(
    ("extra", "field", "fragment"),
    [
        ({"grade": '"medium"'}, "grade", "not a value it takes"),
        ("efficacy_lm_per_w = { streetlight = 110 }", "efficacy_lm_per_w.streetlight", "unknown lamp type"),
        ("efficacy_lm_per_w = { street = 0 }", "efficacy_lm_per_w.street", "not a usable value"),
        ("width_m = { pedestrian = 6 }", "width_m.pedestrian", "unknown road class"),
        ('default_height_m = "10"', "default_height_m", "not a table"),
        ('ies = { street = "street.ldt" }', "ies.street", "not an IES file"),
        ({"maintenance_factor": "1.5"}, "maintenance_factor", "out of range"),
    ],
)
def test_rules_file_errors_name_the_key_and_value(tmp_path, extra, field, fragment):
    path = tmp_path / "rules.toml"
    text = _rule(**extra) if isinstance(extra, dict) else _rule() + extra + "\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as info:
        load_rules(path)
    (p,) = info.value.report.problems
    assert (p.field, fragment in p.message, p.feature) == (field, True, "lux (#1)")
    assert p.accepted  # says what is accepted


def test_the_rule_keeps_its_tables_and_compares_equal():
    text = _rule() + "efficacy_lm_per_w = { street = 100, facade = 50 }\n"
    from facilities.rules import parse_rules

    a, b = parse_rules(text.encode()), parse_rules(text.encode())
    assert a.rules == b.rules
    assert a.rules[0].option("efficacy_lm_per_w") == (("facade", 50.0), ("street", 100.0))


# --------------------------------------------------------------------------- the demo city


@pytest.fixture(scope="module")
def demo():
    from tests.helpers import DEMO

    city = load_city(DEMO)
    rules = load_rules(DEMO / "rules.toml")
    return city, rules.get("lighting_cjj45"), check(city, rules, as_of=TODAY)


def _oracle_stretch(geom, start, length, width, lamps_xy, flux, height, grid=5.0, across=5):
    """The rule's grid rebuilt point by point (shapely in a loop), and a plain numpy sum over every lamp (no index,
    no cut-off)."""
    n = max(1, math.ceil(length / grid - 1e-9))
    values = []
    for k in range(n):
        d = start + (k + 0.5) * length / n
        c, a, b = geom.interpolate(d), geom.interpolate(max(d - 0.5, 0)), geom.interpolate(min(d + 0.5, geom.length))
        tx, ty = b.x - a.x, b.y - a.y
        norm = math.hypot(tx, ty)
        for j in range(across):
            off = ((j + 0.5) / across - 0.5) * width
            px, py = c.x - off * ty / norm, c.y + off * tx / norm
            d2 = (lamps_xy[:, 0] - px) ** 2 + (lamps_xy[:, 1] - py) ** 2
            values.append(float(np.sum(flux / (2 * math.pi) * height / (d2 + height**2) ** 1.5)))
    return float(np.mean(values)), float(np.min(values))


def test_the_demo_estimate_against_a_plain_sum(demo):
    city, rule, result = demo
    lamps = city.metric("lamps")
    keep = (lamps["working"] == True) & ~lamps["status"].isin(["planned", "closed"]) & lamps["lamp_type"].isin(["street", "landscape"])  # noqa: E712
    lamps = lamps[keep.fillna(False).to_numpy(dtype=bool)]
    # the rules file's figures: lumens, else power × 110 (street) or 60 (landscape) lm/W; MF 0.7
    eff = lamps["lamp_type"].map({"street": 110.0, "landscape": 60.0}).to_numpy(dtype=float)
    lumens = lamps["lumens"].to_numpy(dtype=float, na_value=np.nan)
    flux = np.where(np.isnan(lumens), lamps["power_w"].to_numpy(dtype=float, na_value=np.nan) * eff, lumens) * 0.7
    xy = np.column_stack([lamps.geometry.x, lamps.geometry.y])
    height = lamps["height_m"].to_numpy(dtype=float)
    assert np.isfinite(flux).all() and np.isfinite(height).all()  # every demo lamp records its flux or power, and a height
    s = illuminance_stretches(city, rule, TODAY).to_crs(city.metric_crs)
    roads = city.metric("roads").set_index("id")
    widths = {"expressway": 24.0, "arterial": 20.0, "secondary": 14.0, "branch": 8.0}
    for row in s.iloc[::40].itertuples():
        e_avg, e_min = _oracle_stretch(roads.loc[row.id, "geometry"], row.start_m, row.length_m, widths[row.road_class], xy, flux, height)
        # the cut-off at max(10 h, 100 m) leaves out the far light of the city's lamps: at most about 0.5 lx
        assert e_avg - 0.6 <= row.e_avg <= e_avg + 1e-9 and e_min - 0.6 <= row.e_min <= e_min + 1e-9
    gaps = result.gaps[result.gaps["rule"] == "lighting_cjj45"]
    # one gap per road (its name, else #id) and class with stretches short of the level: 715 stretches on 56 roads
    bad = s[~s["ok"].to_numpy(dtype=bool)]
    roads_short = {
        (n if isinstance(n, str) and n else f"#{i}", c) for n, i, c in zip(bad["name"], bad["id"], bad["road_class"], strict=True)
    }
    assert len(bad) == 715 and len(gaps) == len(roads_short) == 56 and set(gaps["measure_unit"]) == {"lx"}
    assert set(gaps["gap_id"]) == {f"lighting_cjj45:roads/{key}/{c}" for key, c in roads_short}
    for g in gaps.to_crs(city.metric_crs).itertuples():  # a road's gap: its short stretches, their length-weighted Eav
        key, cls = g.gap_id.split("/", 1)[1].rsplit("/", 1)
        own = bad[[(n if isinstance(n, str) and n else f"#{i}") == key for n, i in zip(bad["name"], bad["id"], strict=True)]]
        own = own[own["road_class"] == cls]
        assert g.measure == pytest.approx(float((own["e_avg"] * own["length_m"]).sum() / own["length_m"].sum()))
        assert g.geometry.length == pytest.approx(own["length_m"].sum(), rel=1e-6)
        assert f"{len(own)} of " in g.detail and "estimate" in g.detail
    # the demo's figures (docs/rules.md): 180.9 km checked, 59.8 km meeting the low grade
    row = result.summary.set_index("rule").loc["lighting_cjj45"]
    assert (round(row["checked"] / 1000, 1), round(row["compliant"] / 1000, 1), row["points"], row["weight"]) == (180.9, 59.8, 0, 0)
    t = illuminance_km(city, rule, TODAY).set_index(["district", "road_class"])
    by_class = {c: (round(t.at[("全市 City", c), "checked_km"], 1), round(t.at[("全市 City", c), "meeting_km"], 1)) for c in widths}
    assert by_class == {"expressway": (7.1, 1.2), "arterial": (63.3, 39.5), "secondary": (72.6, 0.3), "branch": (38.0, 18.7)}


def test_the_same_inputs_give_the_same_answer_and_any_change_a_new_one(tmp_path):
    # two lamps above a 20 m road; the estimate is kept by what it was computed from (kinds/illuminance._CACHE)
    roads, lamps = [_road()], [_lamp("L1", 5, 0), _lamp("L2", 15, 0)]
    city, rules, _ = _run(tmp_path / "a", roads, lamps)
    first = illuminance_stretches(city, rules.get("lux"), TODAY)
    again = illuminance_stretches(load_city(city.folder), rules.get("lux"), TODAY)  # loaded anew: the same answer
    assert again["e_avg"].tolist() == first["e_avg"].tolist()
    brighter = [lamps[0], _lamp("L2", 15, 0, lumens=2 * PHI)]  # one lamp's flux doubled: computed again
    city2, rules2, _ = _run(tmp_path / "b", roads, brighter)
    changed = illuminance_stretches(city2, rules2.get("lux"), TODAY)
    assert changed["e_avg"].iloc[1] > first["e_avg"].iloc[1] and changed["e_avg"].iloc[0] > first["e_avg"].iloc[0]
    city3, rules3, _ = _run(tmp_path / "c", roads, lamps, _rule(maintenance_factor="0.5"))  # a parameter changed
    assert illuminance_stretches(city3, rules3.get("lux"), TODAY)["e_avg"].tolist() == pytest.approx((first["e_avg"] * 0.5).tolist())
