"""Folium's and branca's Jinja templates compiled once per process, not once per map element.

Rendering a folium map calls ``jinja2.Template(source)`` about 240 times for the demo city's map, and each
call lexes, parses and compiles its source into Python: over half the time of rendering the map (profiled
with cProfile; ``bench/map_render.py`` prints the figures). Two kinds of source come in:

- the rendered output of every layer, wrapped again in a ``branca.element.Element`` (``Element(script)``):
  text with no Jinja syntax at all, unique to each map (it holds the element ids). Compiled, such a template
  only prints its text, so it becomes a :class:`ConstantTemplate` that returns the text as Jinja would
  (newlines normalised, one trailing newline dropped) — nothing compiled;
- a few fixed sources with Jinja syntax (popup and tooltip styles, …): compiled once, kept in a bounded
  cache. A compiled template holds no state between renders (each render has its own context), so sharing
  one between elements, maps and Streamlit's threads is safe.

:func:`install` makes the ``Template`` names of branca's module (plain Jinja) and of folium's modules (with
folium's ``tojavascript`` filter) these subclasses. A source given Jinja options (none is, in folium 0.20 and
branca 0.8) is compiled as before. The rendered HTML is byte for byte the same
(``tests/test_map_templates.py``).
"""

from __future__ import annotations

import functools
import re
import types
from typing import Any

import branca.element
import folium.elements
import folium.features
import folium.folium
import folium.map
import folium.raster_layers
import folium.template
import folium.vector_layers
import jinja2

#: the modules whose ``Template`` is folium's (the name each of them imported)
FOLIUM_MODULES = (folium.elements, folium.features, folium.folium, folium.map, folium.raster_layers, folium.vector_layers)
#: how many distinct sources are kept (the demo city's maps use fewer than 40)
CACHE_SIZE = 512


#: what starts Jinja syntax (the default delimiters; folium and branca use no others, nor line statements)
JINJA_SYNTAX = re.compile(r"\{[{%#]")
#: Jinja's newline (jinja2.lexer.newline_re)
NEWLINE = re.compile(r"\r\n|\r|\n")


class ConstantTemplate:
    """A source with no Jinja syntax: renders as the text Jinja would print for it, without compiling it."""

    __slots__ = ("text",)
    #: what branca reads of a macro template's module (a constant has no header, html or script macro)
    module = types.SimpleNamespace()

    def __init__(self, source: str) -> None:
        """Keep the text as Jinja outputs it: newlines as ``\\n``, one trailing newline dropped."""
        lines = NEWLINE.split(source)
        if lines[-1] == "":  # (keep_trailing_newline=False, Jinja's default)
            del lines[-1]
        self.text = "\n".join(lines)

    def render(self, *args: Any, **kwargs: Any) -> str:
        """The text (a constant has no variables)."""
        return self.text


@functools.lru_cache(maxsize=CACHE_SIZE)
def _compiled(cls: type, source: str) -> Any:
    """``source`` compiled by Jinja as a template of class ``cls`` (once per class and source)."""
    return jinja2.Template.__new__(cls, source)


def _template(cls: type, source: Any, options: dict) -> Any:
    """A constant, a cached compiled template, or (with options, or a parsed source) Jinja's own."""
    if options or not isinstance(source, str):
        return jinja2.Template.__new__(cls, source, **options)
    if JINJA_SYNTAX.search(source) is None:
        return ConstantTemplate(source)
    return _compiled(cls, source)


class CachedJinjaTemplate(jinja2.Template):
    """branca's ``Template``: a plain Jinja template, compiled once per source."""

    def __new__(cls, source: Any, **options: Any) -> Any:
        """A constant or cached template for a string source without options; otherwise Jinja's own."""
        return _template(cls, source, options)


class CachedFoliumTemplate(folium.template.Template):
    """folium's ``Template`` (its environment has the ``tojavascript`` filter), compiled once per source."""

    def __new__(cls, source: Any, **options: Any) -> Any:
        """A constant or cached template for a string source without options; otherwise Jinja's own."""
        return _template(cls, source, options)


def install() -> None:
    """Point branca's and folium's modules at the caching templates (idempotent)."""
    branca.element.Template = CachedJinjaTemplate  # type: ignore[assignment,misc]
    for module in FOLIUM_MODULES:
        if getattr(module, "Template", None) is folium.template.Template:
            module.Template = CachedFoliumTemplate  # type: ignore[attr-defined]


def cache_info() -> Any:
    """How many compilations were saved (``functools`` cache statistics)."""
    return _compiled.cache_info()
