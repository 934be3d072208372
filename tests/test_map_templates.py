"""Folium's templates compiled once (maps/templates.py): the maps are byte for byte what folium makes alone.

The oracle is folium itself: the same map built and rendered with branca's and folium's own ``Template``
(every source compiled by Jinja) and with ours, the element ids drawn from the same seeded sequence.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random

import branca.element
import folium
import folium.features
import folium.template
import jinja2
import pytest

from facilities.check import check
from facilities.rules import load_rules
from facilities.store import folder
from maps import MAP_LAYERS, build_map, templates
from tests.helpers import DEMO

AS_OF = dt.date(2026, 11, 29)


@pytest.fixture(scope="module")
def demo():
    city = folder.load(DEMO)
    return city, check(city, load_rules(DEMO / "rules.toml"), as_of=AS_OF)


def _render(monkeypatch, build, own: bool) -> str:
    """The map ``build()`` makes, rendered, with ids from a seeded sequence; with folium's own templates
    unless ``own``."""
    rng = random.Random(7)
    monkeypatch.setattr(branca.element, "urandom", lambda n: bytes(rng.getrandbits(8) for _ in range(n)))
    if own:
        templates.install()
    else:
        monkeypatch.setattr(branca.element, "Template", jinja2.Template)
        for module in templates.FOLIUM_MODULES:
            monkeypatch.setattr(module, "Template", folium.template.Template)
    try:
        return build().get_root().render()
    finally:
        templates.install()  # (the package's state for the other tests)


def test_the_demo_map_is_rendered_byte_for_byte_as_folium_renders_it(monkeypatch, demo):
    city, result = demo

    def build():
        return build_map(city, result, list(MAP_LAYERS), basemap="none", lang="zh", legend_open=False)

    theirs = _render(monkeypatch, build, own=False)
    ours = _render(monkeypatch, build, own=True)
    assert len(theirs) > 500_000  # the whole city, lamps, gaps and popups
    assert ours == theirs


def test_a_hostile_name_is_text_in_both(monkeypatch):
    """Raw data named like Jinja: ours prints what folium alone prints (folium renders a layer's output as a
    template once more, which is why every text reaches our maps through maps/escape.py)."""

    def build():
        m = folium.Map(location=(32.0, 112.1), zoom_start=12, tiles=None)
        data = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "{{ 7*7 }} {% if 1 %}x{% endif %}"},
                "geometry": {"type": "Point", "coordinates": [112.1, 32.0]}}]}  # fmt: skip
        folium.GeoJson(data, tooltip=folium.GeoJsonTooltip(["name"]), popup=folium.GeoJsonPopup(["name"])).add_to(m)
        folium.Marker((32.0, 112.1), tooltip="a\r\nb\n").add_to(m)
        return m

    theirs = _render(monkeypatch, build, own=False)
    ours = _render(monkeypatch, build, own=True)
    assert ours == theirs


@pytest.mark.parametrize(
    "source",
    ["", "\n", "plain", "a\nb\n", "a\r\nb\r\n\n", "x\ry", "trailing\n\n\n", "  indented\n  lines  ", "中文 <b>&amp;</b>\n"],
)
def test_a_constant_renders_as_jinja_renders_it(source):
    assert templates.ConstantTemplate(source).render(this=None, kwargs={}) == jinja2.Template(source).render(this=None, kwargs={})


def test_sources_with_jinja_syntax_are_compiled_once_and_constants_never():
    cls = templates.CachedFoliumTemplate
    before = templates.cache_info()
    a, b = cls("<p>{{ this }}</p>"), cls("<p>{{ this }}</p>")
    assert a is b and a.render(this="x") == "<p>x</p>"
    after = templates.cache_info()
    assert after.hits - before.hits >= 1
    constant = cls("<p>no syntax</p>")
    assert isinstance(constant, templates.ConstantTemplate) and templates.cache_info().misses == after.misses
    # folium's filter is there: tojavascript of a dict
    assert cls("{{ x|tojavascript }}").render(x={"a": 1}).replace(" ", "").replace("\n", "") == '{"a":1,}'


def test_install_points_the_libraries_at_the_cache():
    templates.install()
    assert branca.element.Template is templates.CachedJinjaTemplate
    assert folium.features.Template is templates.CachedFoliumTemplate
    assert all(m.Template is templates.CachedFoliumTemplate for m in templates.FOLIUM_MODULES)
    assert isinstance(templates.CachedFoliumTemplate("{{ a }}"), folium.template.Template)


def test_distinct_sources_stay_distinct():
    sources = [f"{{{{ this }}}}-{i}" for i in range(20)]
    rendered = [templates.CachedJinjaTemplate(s).render(this="v") for s in sources]
    assert rendered == [f"v-{i}" for i in range(20)]
    assert len(set(itertools.chain(rendered))) == 20
