"""The minimal city map, without a browser: layers present, text escaped, no CDN."""

from __future__ import annotations

import json
import re

import pytest

from facilities import load_city
from maps import OfflineAssetError, build_map, localize

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def city(mini_city):
    toilets = [
        {
            "type": "Feature",
            "properties": {"id": f"T{i}", "status": s, "grade": "A", "name": n},
            "geometry": {"type": "Point", "coordinates": [112.1 + i / 100, 32.0]},
        }
        for i, (s, n) in enumerate([("existing", XSS), ("planned", "规划公厕"), ("existing", "东门公厕")])
    ]
    (mini_city / "toilets.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": toilets}))
    return load_city(mini_city)


def test_map_has_layer_with_all_features_and_escapes_text(city):
    html = build_map(city, ["toilets"]).get_root().render()
    assert json.dumps("旅游厕所 Tourist toilets (3)")[1:-1] in html  # layer-control label (JS-escaped)
    assert html.count('"id": "T') == 3
    assert "<img" not in html
    # escaped once in Python (&lt;), then JSON-escaped by folium (\u0026)
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in html


def test_no_cdn_in_map(city):
    html = build_map(city, ["toilets"]).get_root().render()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, "the map should load Leaflet"
    assert all(u.startswith("/app/static/vendor/") for u in urls), urls
    assert "cdn" not in html.lower()


def test_offline_basemap_has_no_tiles_and_online_has_tiles(city):
    assert "tile.openstreetmap.org" not in build_map(city, ["toilets"], basemap="none").get_root().render()
    assert "tile.openstreetmap.org" in build_map(city, ["toilets"], basemap="osm").get_root().render()


def test_unvendored_asset_raises():
    import folium

    m = folium.Map(tiles=None)
    folium.Marker([32, 112], icon=folium.Icon(icon="info-sign")).add_to(m)
    with pytest.raises(OfflineAssetError, match="not vendored"):
        localize(m)


@pytest.mark.parametrize(
    ("kw", "message"), [({"basemap": "google"}, "basemap"), ({"lang": "fr"}, "lang"), ({"layers": ["nope"]}, "unknown map layer")]
)
def test_bad_arguments(city, kw, message):
    with pytest.raises(ValueError, match=message):
        build_map(city, **kw)
