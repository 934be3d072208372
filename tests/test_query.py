"""The map page's one filter state (facilities.query): the facilities and the gaps kept, checked row by row
against a plain loop over the demo's own records, and the view that fits them, against a hand calculation."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from facilities.check import check
from facilities.query import filter_city, filter_gaps, layer_values
from facilities.rules import load_rules
from facilities.schema import LAYERS
from facilities.store import load
from maps.city_map import fit_view
from tests.helpers import DEMO

AS_OF = dt.date(2026, 11, 29)


@pytest.fixture(scope="module")
def demo():
    city = load(DEMO)
    return city, check(city, load_rules(DEMO / "rules.toml"), as_of=AS_OF)


def _kept(city, layer, **wanted):
    """The ids a plain loop keeps: every chosen field's value among those chosen, where the layer offers one."""
    out = []
    for _, row in city[layer].iterrows():
        ok = True
        for field, values in wanted.items():
            spec = LAYERS[layer].field(field)
            if spec is None or not set(spec.allowed or ()) & set(values):
                continue  # the layer has none of these values: not filtered by this field
            ok &= row[field] in values
        if ok:
            out.append(row["id"])
    return sorted(out)


def test_a_status_filters_only_the_layers_that_have_it(demo):
    city, _ = demo
    shown = filter_city(city, statuses=["planned"])
    for layer in ("toilets", "signs", "lamps", "reports", "attractions"):
        assert sorted(shown[layer]["id"]) == _kept(city, layer, status=["planned"]), layer
    # street reports have statuses of their own (open, assigned, fixed): a toilet's status leaves them all
    assert "planned" not in LAYERS["reports"].field("status").allowed
    assert len(shown["reports"]) == len(city["reports"]) > 0
    assert 0 < len(shown["toilets"]) < len(city["toilets"])


def test_aaa_toilets_in_a_district(demo):
    city, _ = demo
    shown = filter_city(city, districts=["襄城区"], grades=["AAA"])
    by_hand = [r["id"] for _, r in city["toilets"].iterrows() if r["grade"] == "AAA" and r["district"] == "襄城区"]
    assert sorted(shown["toilets"]["id"]) == sorted(by_hand) and len(by_hand) >= 2
    # a grade asks about graded things: the scenic spots of that grade stay, the layers with no grade go
    by_hand_spots = [r["id"] for _, r in city["attractions"].iterrows() if r["grade"] == "AAA" and r["district"] == "襄城区"]
    assert sorted(shown["attractions"]["id"]) == sorted(by_hand_spots)
    for layer in ("signs", "lamps", "stops", "docks", "billboards", "reports"):
        assert len(shown[layer]) == 0 < len(city[layer]), layer
    assert len(shown["roads"]) == len(city["roads"])  # (the background is never filtered)


def test_a_type_keeps_the_layers_that_have_it(demo):
    city, _ = demo
    kind = LAYERS["signs"].type_field
    value = city["signs"][kind].dropna().iloc[0]
    shown = filter_city(city, types=[value])
    assert sorted(shown["signs"]["id"]) == sorted(r["id"] for _, r in city["signs"].iterrows() if r[kind] == value)
    others = [n for n in ("toilets", "lamps", "stops") if value not in (LAYERS[n].field(LAYERS[n].type_field).allowed or ())]
    assert others and all(len(shown[n]) == 0 for n in others)


def test_the_gaps_follow_the_facilities_they_are_about(demo):
    city, result = demo
    shown = filter_city(city, districts=["樊城区"], statuses=["existing"])
    gaps = filter_gaps(result.gaps, shown, ["樊城区"])
    ids = {layer: set(shown[layer]["id"]) for layer in shown.layers}
    expected = [
        g.gap_id
        for g in result.gaps.itertuples()
        if g.district == "樊城区" and (g.layer in ("roads", "zones") or g.layer not in ids or g.feature_id in ids[g.layer])
    ]
    assert list(gaps["gap_id"]) == expected and 0 < len(expected) < len(result.gaps)
    assert set(gaps["district"]) == {"樊城区"}
    # no filter keeps every gap
    assert len(filter_gaps(result.gaps, city)) == len(result.gaps)


def test_each_filter_offers_the_values_of_the_chosen_layers():
    assert layer_values(["reports"], "status") == list(LAYERS["reports"].field("status").allowed)
    both = layer_values(["toilets", "reports"], "status")
    assert set(both) == set(LAYERS["toilets"].field("status").allowed) | set(LAYERS["reports"].field("status").allowed)
    assert len(both) == len(set(both))
    assert layer_values(["signs"], "grade") == []


def test_the_view_fits_the_box():
    # a box 0.02° wide at the equator on an 800 × 540 map: 800·360/(256·0.02) = 56,250 → 2^15.78 → zoom 15
    (lat, lon), zoom = fit_view(100.0, -0.005, 100.02, 0.005)
    assert (lat, lon) == pytest.approx((0.0, 100.01)) and zoom == math.floor(math.log2(800 * 360 / (256 * 0.02))) == 15
    # one point: the closest zoom allowed
    assert fit_view(112.1, 32.0, 112.1, 32.0)[1] == 17
    # north–south spans count more away from the equator (Mercator): at 60° a box 0.01° high fits like 0.02°
    assert fit_view(0.0, 59.995, 0.0001, 60.005)[1] == math.floor(math.log2(540 * 360 / (256 * 0.01 / 0.5)))
