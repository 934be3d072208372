"""Maps without a browser: layers and counts, gaps per rule, escaping, no CDN, basemaps, packed points."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re

import folium
import numpy as np
import pytest

from facilities.check import check
from facilities.chinacrs import wgs84_to_gcj02
from facilities.rules import load_rules
from facilities.store import load as load_city
from maps import BasemapError, OfflineAssetError, build_map, localize
from maps.assets import INLINE
from maps.city_map import MAP_LAYERS
from maps.export import map_html
from maps.pointcloud import pack_points
from tests.helpers import DEMO

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def demo():
    city = load_city(DEMO)
    return city, check(city, load_rules(DEMO / "rules.toml"), as_of=dt.date(2026, 11, 29))


@pytest.fixture(scope="module")
def demo_html(demo):
    city, result = demo
    return map_html(build_map(city, result, asset_url=INLINE, reach_circles=True))


def _layer_names(html: str) -> list[str]:
    block = html[html.index("overlays :") : html.index("};", html.index("overlays :"))]
    return [json.loads(f'"{k}"') for k in re.findall(r'"((?:[^"\\]|\\.)*)"\s*:', block)]


def test_every_layer_with_its_count(demo, demo_html):
    city, _ = demo
    names = _layer_names(demo_html)
    for layer in MAP_LAYERS:
        n = len(city[layer])
        assert any(name.endswith(f"({n})") for name in names), (layer, names)
    # one GeoJSON feature per facility (lamps are packed, counted below)
    for layer in ("attractions", "toilets", "signs", "docks", "stops", "billboards", "reports"):
        ids = set(city[layer]["id"])
        found = set(re.findall(r'"id": "([^"]+)"', demo_html)) & ids
        assert found == ids, layer


def test_a_gap_layer_per_rule_with_its_count(demo, demo_html):
    _, result = demo
    names = _layer_names(demo_html)
    for rule, group in result.gaps.groupby("rule"):
        title = result.summary.set_index("rule").loc[rule, "title_zh"]
        assert f"缺口 · {title} ({len(group)})" in names


def test_lamps_are_one_packed_layer(demo, demo_html):
    city, _ = demo
    assert demo_html.count("L.pointCloud(") == 1
    assert '"name":"id","label":"编号","prefix":"L","width":5,"number":' in demo_html  # ids packed as numbers
    assert "L00001" not in demo_html  # no per-lamp strings, no per-lamp objects
    assert demo_html.count("L.circleMarker") < len(city["lamps"]) / 10


def test_offline_export_has_no_outside_url(demo_html):
    # nothing the page would load: scripts, stylesheets, images, CSS urls (links like Leaflet's attribution are not loads)
    loads = re.findall(r'<(?:script|img|iframe)[^>]*\ssrc="([^"]+)"', demo_html) + re.findall(r'<link[^>]*\shref="([^"]+)"', demo_html)
    loads += re.findall(r'url\("?(https?:[^")]+)', demo_html)
    assert all(u.startswith("data:") for u in loads), loads
    assert "cdn.jsdelivr" not in demo_html and "cdnjs" not in demo_html and "code.jquery" not in demo_html
    assert "tile.openstreetmap.org" not in demo_html
    assert INLINE not in demo_html


def test_app_map_points_at_local_static(demo):
    city, result = demo
    html = build_map(city, result).get_root().render()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/app/static/") for u in urls), urls


@pytest.fixture
def xss_city(mini_city):
    feats = [
        {"type": "Feature", "properties": {"id": "T1", "status": "existing", "grade": "A", "name": XSS, "name_en": XSS, "unit": XSS},
         "geometry": {"type": "Point", "coordinates": [112.1, 32.0]}},
        {"type": "Feature", "properties": {"id": "T2", "status": "planned", "grade": "AA", "name": "规划公厕"},
         "geometry": {"type": "Point", "coordinates": [112.11, 32.0]}},
    ]  # fmt: skip
    lamps = [
        {"type": "Feature", "properties": {"id": XSS, "status": "existing", "lamp_type": "street", "working": False, "road": XSS},
         "geometry": {"type": "Point", "coordinates": [112.12, 32.0]}},
    ]  # fmt: skip
    (mini_city / "toilets.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    (mini_city / "lamps.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": lamps}))
    (mini_city / "rules.toml").write_text(
        f"""[[rule]]
id = "x"
title_zh = "{XSS}"
title_en = "{XSS}"
kind = "reach"
weight = 10
source = "{XSS}"
target = {{ layer = "toilets" }}
facility = {{ layer = "lamps" }}
distance_m = 10
"""
    )
    return mini_city


def test_text_from_data_is_escaped_everywhere(xss_city):
    city = load_city(xss_city)
    result = check(city, load_rules(xss_city / "rules.toml"))
    html = map_html(build_map(city, result, asset_url=INLINE, reach_circles=True))
    assert "<img" not in html
    # popups/tooltips (GeoJSON properties), search records, layer names: escaped once, then JSON-escaped
    assert html.count("\\u0026lt;img src=x onerror=alert(1)\\u0026gt;") >= 3
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # search records / layer names
    # the lamp layer's data carries the raw text (shown with textContent, never as HTML), "<" written \u003c
    assert "\\u003cimg src=x onerror=alert(1)>" in html


def test_basemap_none_has_no_tiles_and_osm_has(demo):
    city, _ = demo
    assert "L.tileLayer" not in build_map(city, layers=["toilets"]).get_root().render()
    assert "tile.openstreetmap.org" in build_map(city, layers=["toilets"], basemap="osm").get_root().render()


def test_gaode_shifts_every_layer_to_gcj02_for_display(demo):
    city, _ = demo
    t = city["toilets"].iloc[0]
    glon, glat = (round(float(v), 6) for v in wgs84_to_gcj02(t.geometry.x, t.geometry.y))
    html = build_map(city, layers=["toilets"], basemap="gaode").get_root().render()
    assert "autonavi.com" in html
    assert f"[{glon}, {glat}]" in html
    assert f"[{round(t.geometry.x, 6)}, {round(t.geometry.y, 6)}]" not in html
    assert city["toilets"].iloc[0].geometry.x == t.geometry.x  # stored data untouched


def test_tianditu_needs_a_key(demo, monkeypatch):
    city, _ = demo
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    with pytest.raises(BasemapError, match="TIANDITU_KEY"):
        build_map(city, layers=["toilets"], basemap="tianditu")
    monkeypatch.setenv("TIANDITU_KEY", "abc123")
    html = build_map(city, layers=["toilets"], basemap="tianditu").get_root().render()
    assert "tianditu.gov.cn" in html and "tk=abc123" in html


def test_packed_points_decode_to_the_input():
    rng = np.random.default_rng(1)
    lon, lat = rng.uniform(112, 112.3, 1000), rng.uniform(31.9, 32.1, 1000)
    payload = pack_points(lon, lat, np.arange(1000) % 3, ["#a", "#b", "#c"], ["a", "b", "c"])
    x = np.frombuffer(base64.b64decode(payload["x"]), dtype="<i4") * 1e-6 + payload["lon0"]
    y = np.frombuffer(base64.b64decode(payload["y"]), dtype="<i4") * 1e-6 + payload["lat0"]
    assert np.max(np.abs(x - lon)) <= 5e-7 and np.max(np.abs(y - lat)) <= 5e-7
    assert list(base64.b64decode(payload["cls"]))[:4] == [0, 1, 2, 0]


def test_unvendored_asset_raises():
    m = folium.Map(tiles=None)
    folium.Marker([32, 112], icon=folium.Icon(icon="info-sign")).add_to(m)
    with pytest.raises(OfflineAssetError, match="not vendored"):
        localize(m)


@pytest.mark.parametrize(
    ("kw", "error", "message"),
    [
        ({"basemap": "google"}, BasemapError, "basemap"),
        ({"lang": "fr"}, ValueError, "lang"),
        ({"layers": ["nope"]}, ValueError, "unknown map layer"),
    ],
)
def test_bad_arguments(demo, kw, error, message):
    city, _ = demo
    with pytest.raises(error, match=message):
        build_map(city, **kw)
