"""A map that reads at a glance: distinct colour-blind-safe classes, gaps beneath facilities, a legend of every
symbol once, a scale bar and a north arrow in the exported map.

Colour differences are CIEDE2000 (Sharma, Wu & Dalal 2005), written out here from sRGB by hand, and checked
against the paper's test pairs. Colour-vision deficiencies are simulated with Machado, Oliveira & Fernandes
(2009) at severity 1.0 (the full dichromacy), applied to linear RGB.

Thresholds: ΔE2000 ≈ 1 is a just-noticeable difference for two large patches side by side. Map symbols are
small dots (5–9 px radius) read against a legend, not compared side by side, and the difference needed grows
several-fold as marks get smaller (Stone, Szafir & Setlur 2014, "An engineering model for color difference as
a function of size"). We ask every two classes of one layer for ΔE2000 ≥ 20 in normal vision (the spacing of
good qualitative palettes: Okabe–Ito's own closest pair, orange and yellow, is 21.7) and ≥ 15 under
deuteranopia and protanopia (1 in 12 men has a red-green deficiency); the old toilet blues AA/AAA were 11.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import re

import pytest

from facilities.check import check
from facilities.palette import OKABE_ITO, WHITE
from facilities.rules import load_rules
from facilities.schema import ALL_LAYERS, MAP_LAYERS
from facilities.store import load as load_city
from maps import build_map
from maps.assets import INLINE
from maps.city_map import legend
from maps.controls import Legend
from maps.export import map_html, save_map
from maps.style import GAP_COLOR, GAP_SHAPE_STYLES, PANES, SYMBOL_LABELS, layer_style
from tests.helpers import DEMO

NORMAL_MIN = 20.0
CVD_MIN = 15.0

# --------------------------------------------------------------------------- colour science, by hand

#: Machado et al. 2009, Table 1, severity 1.0 (linear RGB)
MACHADO = {
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
}


def _linear(c: float) -> float:
    """An sRGB channel (0–1) to linear light (IEC 61966-2-1)."""
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def lab(color: str, vision: str | None = None) -> tuple[float, float, float]:
    """CIELAB (D65) of an sRGB hex colour, as seen with ``vision`` (a key of MACHADO) or normal vision."""
    rgb = [_linear(int(color.lstrip("#")[i : i + 2], 16) / 255) for i in (0, 2, 4)]
    if vision:
        rgb = [min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb, strict=True)))) for row in MACHADO[vision]]
    r, g, b = rgb
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def ciede2000(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    """ΔE2000 between two CIELAB colours (Sharma, Wu & Dalal 2005, eqs. 1–22; kL = kC = kH = 1)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = l2 - l1, c2p - c1p
    dh = 0.0
    if c1p * c2p:
        dh = h2p - h1p
        dh = dh - 360 if dh > 180 else dh + 360 if dh < -180 else dh
    d_h = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_bar, cp_bar = (l1 + l2) / 2, (c1p + c2p) / 2
    if not c1p * c2p:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    else:
        h_bar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_bar - 30))
        + 0.24 * math.cos(math.radians(2 * h_bar))
        + 0.32 * math.cos(math.radians(3 * h_bar + 6))
        - 0.20 * math.cos(math.radians(4 * h_bar - 63))
    )
    d_theta = 30 * math.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(cp_bar**7 / (cp_bar**7 + 25**7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    s_c, s_h = 1 + 0.045 * cp_bar, 1 + 0.015 * cp_bar * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    return math.sqrt((dl / s_l) ** 2 + (dc / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (dc / s_c) * (d_h / s_h))


@pytest.mark.parametrize(
    ("lab1", "lab2", "expected"),
    [  # Sharma, Wu & Dalal 2005, Table 1: pairs 1, 7, 17 and 25
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ],
)
def test_ciede2000_agrees_with_sharmas_test_data(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)


def test_srgb_to_lab_by_hand():
    assert lab("#FFFFFF") == pytest.approx((100.0, 0.0, 0.0), abs=0.01)
    assert lab("#FF0000") == pytest.approx((53.24, 80.09, 67.20), abs=0.05)  # the usual textbook figures


def test_simulated_deuteranopia_confuses_red_and_green():
    """The simulation does what it should: ColorBrewer's red and green, far apart in normal vision, all but
    merge for a deuteranope (the reason a red/green palette fails)."""
    red, green = "#E31A1C", "#33A02C"
    assert ciede2000(lab(red), lab(green)) > 60
    assert ciede2000(lab(red, "deuteranopia"), lab(green, "deuteranopia")) < 6


# --------------------------------------------------------------------------- the palette


def _class_colors() -> list[tuple[str, dict[str, str]]]:
    """Each drawn layer's colour by class, read from its one declaration (``facilities.schema``); the lamps' planned
    class is a ring, not a colour."""
    out = []
    for layer in MAP_LAYERS:
        st = ALL_LAYERS[layer].style
        assert st is not None, layer
        colors = dict(st.palette) or {k: c for k, (c, _, hollow) in st.classes.items() if not hollow}
        out.append((layer, colors))
    return out


PAIRS = [(layer, a, b, colors[a], colors[b]) for layer, colors in _class_colors() for a, b in itertools.combinations(colors, 2)]


@pytest.mark.parametrize("vision", [None, "deuteranopia", "protanopia"])
@pytest.mark.parametrize(("layer", "a", "b", "color_a", "color_b"), PAIRS, ids=[f"{p[0]}:{p[1]}-{p[2]}" for p in PAIRS])
def test_every_two_classes_of_a_layer_differ_clearly(layer, a, b, color_a, color_b, vision):
    least = NORMAL_MIN if vision is None else CVD_MIN
    de = ciede2000(lab(color_a, vision), lab(color_b, vision))
    assert de >= least, f"{layer}: {a} {color_a} and {b} {color_b} differ by ΔE2000 {de:.1f} ({vision or 'normal'}), want ≥ {least}"


def test_every_class_of_every_drawn_layer_has_a_colour():
    for layer in MAP_LAYERS:
        st = ALL_LAYERS[layer].style
        assert st is not None, layer
        if layer == "lamps":  # the point cloud's classes
            assert set(st.classes) == {"working", "dark", "planned"}
            continue
        assert st.by, layer
        allowed = set(ALL_LAYERS[layer].field(st.by).allowed)  # type: ignore[union-attr]
        assert set(st.palette) == allowed, (layer, set(st.palette) ^ allowed)


def test_the_map_draws_the_declared_style():
    """maps.style adds no colour of its own: each layer is drawn in the style declared with it."""
    for layer, spec in ALL_LAYERS.items():
        if spec.style is not None:
            assert layer_style(layer) is spec.style, layer
    with pytest.raises(ValueError, match="layers with a style"):
        layer_style("nowhere")


def test_the_facilities_colours_are_okabe_ito_and_white():
    allowed = {c.upper() for c in OKABE_ITO.values()} | {WHITE}
    for layer, colors in _class_colors():
        assert {c.upper() for c in colors.values()} <= allowed, layer


@pytest.mark.parametrize("vision", [None, "deuteranopia", "protanopia"])
def test_the_gaps_red_is_kept_for_gaps(vision):
    """No facility class is drawn in or near the gaps' red: a red mark is a gap."""
    least = NORMAL_MIN if vision is None else CVD_MIN
    for layer, colors in _class_colors():
        for value, color in colors.items():
            de = ciede2000(lab(GAP_COLOR, vision), lab(color, vision))
            assert de >= least, (layer, value, color, round(de, 1))


def test_gaps_are_never_filled():
    for shape, style in GAP_SHAPE_STYLES.items():
        assert style.get("fill") is False or style.get("fillOpacity", 0) <= 0.05, shape
        assert style["pane"] == "gaps", shape
    assert GAP_SHAPE_STYLES["outline"]["dashArray"] and GAP_SHAPE_STYLES["line"]["dashArray"]


# --------------------------------------------------------------------------- the rendered map


@pytest.fixture(scope="module")
def demo():
    city = load_city(DEMO)
    return city, check(city, load_rules(DEMO / "rules.toml"), as_of=dt.date(2026, 11, 29))


@pytest.fixture(scope="module")
def demo_html(demo):
    city, result = demo
    return map_html(build_map(city, result, asset_url=INLINE))


def _layer_panes(html: str) -> dict[str, str | None]:
    """Each overlay of the layer control by its name -> the pane its L.geoJson options give (None: none)."""
    options = {
        var: (re.search(r'"pane":\s*"([^"]+)"', body) or [None, None])[1]
        for var, body in re.findall(r"var (geo_json_\w+) = L\.geoJson\(null, \{(.*?)\n\s*\}\);", html, flags=re.S)
    }
    block = html[html.index("overlays :") : html.index("};", html.index("overlays :"))]
    return {json.loads(f'"{name}"'): options.get(var) for name, var in re.findall(r'"((?:[^"\\]|\\.)*)"\s*:\s*(\w+)', block)}


def test_gaps_are_drawn_in_a_pane_beneath_the_facilities(demo, demo_html):
    city, result = demo
    created = re.search(r'\}\)\(map_\w+, (\{"gaps":\d+,"facilities":\d+\})\);', demo_html)
    assert created, "the panes are created on the map"
    z = json.loads(created[1])
    assert z == PANES and z["gaps"] < z["facilities"]
    # Leaflet's overlay pane (the background, the lamps) is 400: both panes lie above it, beneath the markers (600)
    assert 400 < z["gaps"] < z["facilities"] < 600
    panes = _layer_panes(demo_html)
    gap_layers = {n: p for n, p in panes.items() if n.startswith("缺口 · ")}
    assert len(gap_layers) == result.gaps["rule"].nunique()
    assert set(gap_layers.values()) == {"gaps"}
    for layer in ("attractions", "toilets", "signs", "docks", "stops", "billboards", "reports"):
        spec = ALL_LAYERS[layer]
        name = f"{spec.title_zh} {spec.title_en} ({len(city[layer])})"
        assert panes[name] == "facilities", (name, panes.get(name))
    # the panes are created before any layer that uses them
    assert demo_html.index('{"gaps":410,"facilities":420}') < demo_html.index('"pane": "gaps"')


def test_a_pane_lets_clicks_through_where_it_draws_nothing(demo_html):
    script = demo_html[demo_html.index("map.createPane(name)") - 200 : demo_html.index("map.createPane(name)") + 600]
    assert 'pane.style.pointerEvents = "none"' in script
    assert "L.svg({pane: name})" in script  # not the shared canvas, whose element would take every click


# --------------------------------------------------------------------------- the legend


def _legend_html(html: str) -> str:
    match = re.search(r"div\.innerHTML = (\"(?:[^\"\\]|\\.)*\");", html)
    assert match, "a legend"
    return json.loads(match[1])


def _legend_lines(legend_html: str) -> list[str]:
    """Each line of the legend: a section's title, or "section / label" for a symbol."""
    lines, section = [], ""
    for attrs, body in re.findall(r"<div([^>]*)>(.*?)</div>", legend_html):
        label = re.sub(r"<[^>]+>", "", body).strip()
        if "font-weight" in attrs:
            section = label
            lines.append(section)
        else:
            lines.append(f"{section} / {label}")
    return lines


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_legend_lists_every_symbol_once(lang, demo):
    city, result = demo
    html = map_html(build_map(city, result, asset_url=INLINE, lang=lang))
    lines = _legend_lines(_legend_html(html))
    assert len(lines) == len(set(lines)), [x for x in lines if lines.count(x) > 1]
    gaps = "缺口" if lang == "zh" else "Gaps"
    assert [line for line in lines if gaps in line.split(" / ")[-1]] == [gaps]  # once: the section of the gaps
    i = 0 if lang == "zh" else 1
    labels = [line.split(" / ", 1)[-1] for line in lines]
    # each kind of symbol once: the statuses (for every layer), the gaps by shape, the background
    for key in ("ring", "line", "outline", "route", "existing", "planned", "closed", "district", "road", "water"):
        assert labels.count(SYMBOL_LABELS[key][i]) == 1, key
    # each layer's classes, by their labels in the reader's language only
    toilets = ALL_LAYERS["toilets"]
    section = f"{(toilets.title_zh, toilets.title_en)[i]} · {('等级', 'Grade')[i]}"
    assert f"{section} / {('AAA级', 'Grade AAA')[i]}" in lines
    assert SYMBOL_LABELS["ring"][1 - i] not in _legend_html(html)
    if lang == "en":
        assert not any(re.search(r"[\u4e00-\u9fff]", line) for line in lines), lines


def test_the_legend_draws_each_gap_shape_as_it_is_drawn():
    html = json.loads(legend(["toilets"], "zh").html)
    assert 'stroke-dasharray="3 2"' in html  # the dashed outline
    assert '<circle cx="7" cy="7" r="5" fill="none" stroke="#E31A1C"' in html  # the ring, unfilled
    only_rings = json.loads(legend(["toilets"], "zh", gap_shapes=("ring",)).html)
    assert SYMBOL_LABELS["line"][0] not in only_rings and SYMBOL_LABELS["ring"][0] in only_rings


def test_the_legend_escapes_what_it_is_given():
    hostile = "<script>alert(1)</script>{{ 7*7 }}"
    box = Legend(hostile, [(hostile, [("#000000", hostile, "dot"), ('"><script>', hostile, True)])])
    assert "<script>" not in box.html and "{{" not in box.html
    shown = json.loads(box.html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and "<script>" not in shown


# --------------------------------------------------------------------------- the exported map


def test_the_exported_map_has_a_scale_bar_and_a_north_arrow_and_fetches_nothing(demo, tmp_path):
    city, result = demo
    m = build_map(city, result, asset_url=INLINE)
    m.control_scale = False  # the export adds what is missing
    html = save_map(m, tmp_path / "map.html").read_text(encoding="utf-8")
    assert "L.control.scale().addTo(" in html
    assert html.count("map-north-arrow") == 1
    arrow = html[html.index("map-north-arrow") - 300 : html.index("map-north-arrow") + 900]
    assert "\\u003csvg" in arrow and "\\u003cpolygon" in arrow  # inline SVG, no image
    # nothing the page would fetch: every script, stylesheet and image is inline
    assert not re.findall(r'<(?:script|img|iframe|link)[^>]+(?:src|href)="(?!data:)[^"#]', html)
    assert not re.findall(r'url\(\s*["\']?(?:https?:)?//', html)
    assert "@import" not in html
    save_map(m, tmp_path / "again.html")
    assert (tmp_path / "again.html").read_text(encoding="utf-8").count("map-north-arrow") == 1  # added once
