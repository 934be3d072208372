"""Text from data on the way into a map page: escaped, and inert to the template engine.

Folium renders each element's Jinja template, then renders the *output* once more as a template (branca's
``MacroElement.render`` wraps it in ``Element(...)``): a toilet named ``{{ 7*7 }}`` would come out as ``49``,
and a crafted name could run code on the machine exporting the map. Every text from a layer, ``city.toml``
or a rules file therefore reaches a map only through the two functions below, whose output holds no ``{``
followed by ``{``, ``%`` or ``#`` — the only ways Jinja's lexer leaves plain text:

* :func:`html_text` for text a page inserts as HTML (popups, tooltips, layer names, the legend, search
  results): HTML-escaped, with ``{`` and ``}`` as character references (the browser shows them as typed);
* :func:`script_json` for values written into a ``<script>`` (read as plain text by our own JS): JSON with
  ``<`` as ``\\u003c`` (the data can never close the script) and a ``{`` that would open a Jinja tag as
  ``\\u007b`` (the same character once the JSON is parsed).
"""

from __future__ import annotations

import html
import json
import re

#: what starts a Jinja expression, statement or comment
JINJA_OPENERS = ("{{", "{%", "{#")
_OPENER = re.compile(r"\{(?=[{%#])")


def html_text(value: object) -> str:
    """``value`` as HTML text: escaped, braces as character references."""
    return html.escape(str(value)).replace("{", "&#123;").replace("}", "&#125;")


def script_json(value: object) -> str:
    """``value`` as JSON for a ``<script>`` block of a template-rendered page.

    Outside strings JSON never holds ``{{``, ``{%`` or ``{#`` (an object starts ``{"`` or ``{}``), so every
    such pair is inside a string, where ``\\u007b`` is the same character.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return _OPENER.sub(r"\\u007b", text)


def is_inert(text: str) -> bool:
    """True when ``text`` holds nothing a Jinja template would act on."""
    return not any(opener in text for opener in JINJA_OPENERS)


__all__ = ["JINJA_OPENERS", "html_text", "is_inert", "script_json"]
