"""Filtering a drawn map in the browser (maps/filtering.py): what is sent names exactly the features the
filter kept, as the drawn map spells them; and in a real browser the map page's district filter shows what
the data files hold for that district, without redrawing the map.

Oracles: the ids the drawn map carries (read back from the map's own GeoJSON, not from the filter), and the
demo's GeoJSON files read with ``json`` and counted with plain loops.
"""

from __future__ import annotations

import base64
import datetime as dt
import json

import geopandas as gpd
import numpy as np
from shapely.geometry import Point

from facilities.check import check
from facilities.rules import load_rules
from facilities.store import folder
from maps.city_map import features
from maps.filtering import MapFilter, filter_call, kept
from tests.helpers import BROWSER, DEMO, demo_app, open_signed_in, page_ready

AS_OF = "2026-11-29"
DISTRICT = "襄城区"
HOSTILE = '<b>x</b>{{ 7*7 }}"'


def _frame(ids: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": ids}, geometry=[Point(112.1 + i * 1e-3, 32.0) for i in range(len(ids))], crs="EPSG:4326")


def test_kept_names_the_shown_features_as_the_map_spells_them():
    toilets = _frame(["T1", HOSTILE, "T3"])
    signs = _frame(["S1", "S2"])
    lamps = _frame([f"L{i}" for i in range(10)])
    gaps = gpd.GeoDataFrame({"gap_id": ["g1", f"g-{HOSTILE}"]}, geometry=[Point(0, 0)] * 2)
    drawn = {"toilets": toilets, "signs": signs, "docks": _frame(["D1"]), "lamps": lamps}
    shown = {"toilets": toilets.iloc[[1, 2]], "signs": None, "lamps": lamps.iloc[[0, 3, 9]]}  # docks: not chosen
    out = kept(drawn, shown, gaps.iloc[[1]])
    drawn_ids = [f["properties"]["id"] for f in features(toilets, ["id"])["features"]]  # the map's own spelling
    assert out["facilities"] == {"toilets": drawn_ids[1:], "signs": None, "docks": []}
    assert out["gaps"] == [features(gaps.iloc[[1]].assign(geometry=[Point(0, 0)]), ["gap_id"])["features"][0]["properties"]["gap_id"]]
    bits = np.frombuffer(base64.b64decode(out["lamps"]), dtype=np.uint8)
    assert bits.tolist() == [1, 0, 0, 1, 0, 0, 0, 0, 0, 1] and out["lampCount"] == 3
    # nothing filtered: every layer whole, every gap
    whole = kept(drawn, dict.fromkeys(drawn), None)
    assert whole == {"facilities": {"toilets": None, "signs": None, "docks": None}, "gaps": None, "lamps": None, "lampCount": None}


def test_the_call_is_inert_data():
    call = filter_call(kept({"toilets": _frame([HOSTILE])}, {"toilets": _frame([HOSTILE])}, None))
    assert call.startswith("window.applyMapFilter && window.applyMapFilter(") and call.rstrip().endswith(");")
    assert "<" not in call and "{{" not in call and "</script" not in call.lower()
    payload = json.loads(call[call.index("(", call.index("applyMapFilter(")) + 1 : call.rindex(")")])
    assert payload["facilities"]["toilets"] == [features(_frame([HOSTILE]), ["id"])["features"][0]["properties"]["id"]]


def test_the_map_names_its_layers_for_the_filter():
    from maps import build_map

    city = folder.load(DEMO)
    result = check(city, load_rules(DEMO / "rules.toml"), as_of=dt.date.fromisoformat(AS_OF))
    m = build_map(city, result, basemap="none", legend_open=False)
    registry = [c for c in m._children.values() if isinstance(c, MapFilter)]
    assert len(registry) == 1
    html = m.get_root().render()
    names = json.loads(registry[0].facilities)
    assert set(names) == {n for n in ("attractions", "toilets", "signs", "docks", "stops", "billboards", "reports") if len(city[n])}
    assert all(f"var {v} = L.geoJson(" in html for v in names.values())
    gaps = json.loads(registry[0].gaps)
    assert len(gaps) == result.gaps["rule"].nunique()  # one layer per rule with gaps
    assert json.loads(registry[0].lamps).startswith("point_cloud_") and "window.applyMapFilter = function" in html


# --------------------------------------------------------------------------- in the browser

COUNT = """() => {
  const f = [...document.querySelectorAll("iframe")].find(x => x.title.includes("streamlit_folium"));
  if (!f || !f.contentWindow || !f.contentWindow.applyMapFilter) return null;
  const w = f.contentWindow, reg = w.mapFilterLayers, out = {probe: w.__probe || null, facilities: 0, gaps: 0};
  Object.values(reg.facilities).forEach(k => out.facilities += w[k].getLayers().length);
  reg.gaps.forEach(k => out.gaps += w[k].getLayers().length);
  out.lamps = reg.lamps ? w[reg.lamps].keptCount() : null;
  return out;
}"""


#: a mark left in the map's window: still there after a filter change = the same map, not drawn again
PROBE = """() => { const f = [...document.querySelectorAll("iframe")].find(x => x.title.includes("streamlit_folium"));
  f.contentWindow.__probe = 1; }"""


def _raw(layer: str) -> list[dict]:
    return [f["properties"] for f in json.loads((DEMO / f"{layer}.geojson").read_text(encoding="utf-8"))["features"]]


@BROWSER[0]
@BROWSER[1]
def test_the_district_filter_shows_the_districts_features_without_redrawing_the_map(tmp_path_factory, browser):
    city = folder.load(DEMO)
    result = check(city, load_rules(DEMO / "rules.toml"), as_of=dt.date.fromisoformat(AS_OF))
    facility_layers = ("attractions", "toilets", "signs", "docks", "stops", "billboards", "reports")
    in_district = {n: {p["id"] for p in _raw(n) if p.get("district") == DISTRICT} for n in facility_layers}
    expected_facilities = sum(len(v) for v in in_district.values())
    expected_lamps = sum(1 for p in _raw("lamps") if p.get("district") == DISTRICT)
    expected_gaps = sum(
        1 for g in result.gaps.itertuples()
        if g.district == DISTRICT and (g.layer not in in_district or g.feature_id in in_district[g.layer])
    )  # fmt: skip
    with demo_app(tmp_path_factory, "filter.log", AS_OF) as (url, _):
        page, outside, _ = open_signed_in(browser, f"{url}/map", ("demo-staff", "demo-staff-2026"))
        page.wait_for_function(f"({COUNT})() !== null", timeout=120_000)
        before = page.evaluate(COUNT)
        assert before["lamps"] == len(city["lamps"])
        page.evaluate(PROBE)
        box = page.locator(".st-key-map_districts [data-testid='stMultiSelect']")
        box.click()
        page.keyboard.type(DISTRICT)
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        page.wait_for_function(f"(() => {{ const c = ({COUNT})(); return c && c.lamps === {expected_lamps}; }})", timeout=60_000)
        page_ready(page)
        after = page.evaluate(COUNT)
        assert after["probe"] == 1  # the same map: filtered in place, not drawn again
        assert after["facilities"] == expected_facilities
        assert after["gaps"] == expected_gaps
        assert after["lamps"] == expected_lamps
        assert outside == []
