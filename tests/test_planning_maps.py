"""The planning maps (maps/planning.py): the illuminance estimate's classes by hand, hostile road names escaped,
the suggested sites drawn with their rank, every asset local."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point

from facilities.check import check, illuminance_stretches
from facilities.rules import load_rules
from facilities.store import folder
from maps.assets import INLINE
from maps.planning import LUX_CLASSES, illuminance_map, lux_class, site_layer, sites_map
from tests.helpers import DEMO

HOSTILE = "<script>alert(1)</script>{{ 7*7 }}长虹路"
DAY = dt.date(2026, 11, 29)


@pytest.mark.parametrize(
    ("e_avg", "e_required", "u0", "u0_required", "expected"),
    [
        (20.0, 20.0, 0.4, 0.4, "meets"),  # both levels met exactly
        (25.0, 20.0, 0.39, 0.4, "uneven"),  # Eav met, U0 short
        (19.9, 20.0, 0.9, 0.4, "dim"),  # Eav short, even if uniform
        (9.9, 20.0, 0.9, 0.4, "dark"),  # below half the level
        (10.0, 20.0, 0.1, 0.4, "dim"),  # exactly half is dim, not dark
    ],
)
def test_lux_classes_by_hand(e_avg, e_required, u0, u0_required, expected):
    assert lux_class(e_avg, e_required, u0, u0_required) == expected and expected in LUX_CLASSES


def _html(m) -> str:
    return m.get_root().render()


def test_illuminance_map_escapes_names_and_colours_each_class():
    city = folder.load(DEMO)
    stretches = gpd.GeoDataFrame(
        {
            "id": ["R1", "R2"], "name": [HOSTILE, "中原路"], "road_class": ["arterial", "branch"], "district": ["襄城区", "樊城区"],
            "unit": [None, None], "start_m": [0.0, 0.0], "length_m": [100.0, 100.0], "e_avg": [5.0, 12.0], "e_min": [1.0, 6.0],
            "u0": [0.2, 0.5], "e_required": [20.0, 8.0], "u0_required": [0.4, 0.3], "ok": [False, True],
        },
        geometry=[LineString([(112.13, 32.01), (112.131, 32.01)]), LineString([(112.14, 32.02), (112.141, 32.02)])],
        crs=4326,
    )  # fmt: skip
    html = _html(illuminance_map(city, stretches, asset_url=INLINE))
    assert "<script>alert(1)" not in html and "{{ 7*7 }}" not in html and "49长虹路" not in html
    # escaped, braces as references (maps/escape.py), inside JSON: \u0026lt;script\u0026gt; and \u0026#123;
    assert "\\u0026lt;script\\u0026gt;" in html and "\\u0026#123;\\u0026#123; 7*7 \\u0026#125;\\u0026#125;" in html
    assert '"lux_class": "dark"' in html and '"lux_class": "meets"' in html  # 5 of 20 lx; 12 of 8 lx, U0 0.5 ≥ 0.3
    for colour, label in LUX_CLASSES.values():
        assert colour in html and label[0] in html  # the legend explains every class
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html  # no request leaves the machine


def test_demo_estimate_on_the_map():
    city = folder.load(DEMO)
    rule = load_rules(DEMO / "rules.toml").get("lighting_cjj45")
    stretches = illuminance_stretches(city, rule, DAY)
    html = _html(illuminance_map(city, stretches, asset_url=INLINE))
    assert html.count('"lux_class": ') == len(stretches)  # every stretch drawn, each in one class


def test_sites_are_drawn_with_their_rank_and_the_rules_gaps_only():
    city = folder.load(DEMO)
    rules = load_rules(DEMO / "rules.toml")
    result = check(city, rules, as_of=DAY)
    rule = rules.get("toilet_reach")
    sites = gpd.GeoDataFrame(
        {"rank": [1, 2], "gain": [2, 1], "points": [10.7, 21.4], "road": [HOSTILE, None]},
        geometry=[Point(112.14, 32.01), Point(112.15, 32.0)],
        crs=4326,
    )
    html = _html(sites_map(city, result, rule, sites, asset_url=INLINE))
    assert "<script>alert(1)" not in html and "{{ 7*7 }}" not in html
    assert '"label": "#1 +2"' in html and '"label": "#2 +1"' in html and '"points_text": "+10.7"' in html
    assert "\\u003e1\\u003c/div\\u003e" in html and "\\u003e2\\u003c/div\\u003e" in html  # the rank inside each circle
    n_gaps = int((result.gaps["rule"] == "toilet_reach").sum())
    assert f"({n_gaps})" in html and "lighting_cjj45" not in html  # only this rule's gaps
    layer = site_layer(sites)
    assert layer.layer_name.endswith("(2)")


def test_the_city_map_carries_the_estimate_hidden():
    from maps import build_map

    city = folder.load(DEMO)
    rules = load_rules(DEMO / "rules.toml")
    result = check(city, rules, as_of=DAY)
    stretches = illuminance_stretches(city, rules.get("lighting_cjj45"), DAY)
    html = _html(build_map(city, result, ["toilets"], asset_url=INLINE, illuminance={"lighting_cjj45": stretches}))
    assert html.count('"lux_class": ') == len(stretches)
    assert f"({len(stretches)})" in html  # its entry in the layer control, with the number of stretches
    plain = _html(build_map(city, result, ["toilets"], asset_url=INLINE))
    assert '"lux_class": ' not in plain
