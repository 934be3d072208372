"""Map controls of ours: a legend, search by name over every facility layer (leaflet-search), the panes that
keep gaps beneath facilities, a north arrow, and the view kept across redraws."""

from __future__ import annotations

from collections.abc import Sequence

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from maps.escape import html_text, script_json

#: legend symbols: a shape name -> inline SVG (14 x 14 px) drawn in a colour (``{c}``); no asset needed
SYMBOLS: dict[str, str] = {
    "dot": '<circle cx="7" cy="7" r="5" fill="{c}" stroke="#333" stroke-width="1"/>',
    "ring": '<circle cx="7" cy="7" r="5" fill="none" stroke="{c}" stroke-width="2.5"/>',
    "dashed-ring": '<circle cx="7" cy="7" r="5" fill="{c}" fill-opacity=".35" stroke="#333" stroke-width="1.5" stroke-dasharray="2 2"/>',
    "line": '<line x1="0" y1="7" x2="14" y2="7" stroke="{c}" stroke-width="2"/>',
    "thick-dashed-line": '<line x1="0" y1="7" x2="14" y2="7" stroke="{c}" stroke-width="4" stroke-dasharray="5 2"/>',
    "thin-dashed-line": '<line x1="0" y1="7" x2="14" y2="7" stroke="{c}" stroke-width="1.5" stroke-dasharray="3 2"/>',
    "outline": '<rect x="1.5" y="2.5" width="11" height="9" fill="none" stroke="{c}" stroke-width="2" stroke-dasharray="3 2"/>',
    "patch": '<rect x="1" y="2" width="12" height="10" fill="{c}" stroke="none"/>',
}


def symbol_svg(shape: str | bool, color: str) -> str:
    """The legend's picture of ``shape`` (a key of :data:`SYMBOLS`; True/False: ring/dot) in ``color``."""
    key = shape if isinstance(shape, str) else ("ring" if shape else "dot")
    return (
        '<svg width="14" height="14" viewBox="0 0 14 14" style="vertical-align:-2px;margin-right:5px" aria-hidden="true">'
        + SYMBOLS[key].format(c=html_text(color))
        + "</svg>"
    )


class Legend(MacroElement):
    """A collapsible legend box. ``entries``: (section, [(colour, label, shape)]), ``shape`` a key of
    :data:`SYMBOLS` (or True/False: a ring/a dot); labels are escaped here."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var legend = L.control({position: "bottomleft"});
          legend.onAdd = function () {
            var div = L.DomUtil.create("div", "map-legend");
            div.style.cssText = "background:rgba(255,255,255,.92);padding:6px 8px;border-radius:4px;font:12px sans-serif;" +
              "max-height:45vh;max-width:240px;overflow:auto;box-shadow:0 1px 4px rgba(0,0,0,.3)";
            div.innerHTML = {{ this.html }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
          };
          legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, title: str, entries: Sequence[tuple[str, Sequence[tuple[str, str, bool | str]]]], open_: bool = True) -> None:
        super().__init__()
        self._name = "Legend"
        state = " open" if open_ else ""
        parts = [f'<details{state}><summary style="cursor:pointer;font-weight:700">{html_text(title)}</summary>']
        for section, items in entries:
            parts.append(f'<div style="margin-top:4px;font-weight:600">{html_text(section)}</div>')
            parts.extend(f"<div>{symbol_svg(shape, color)}{html_text(label)}</div>" for color, label, shape in items)
        parts.append("</details>")
        self.html = script_json("".join(parts))


class Panes(MacroElement):
    """Leaflet panes (name -> z-index), each drawn by its own SVG renderer: a pane with a higher z-index is
    drawn above, and clicks pass through a pane wherever it draws nothing (the pane ignores the pointer, its
    interactive shapes do not), so a facility above a gap zone gets its own click and the roads below keep
    their tooltips. Add it to the map before the layers that use the panes (``pane=<name>``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map, panes) {
          Object.keys(panes).forEach(function (name) {
            var pane = map.createPane(name);
            pane.style.zIndex = String(panes[name]);
            pane.style.pointerEvents = "none";
            // the renderer Leaflet picks for a layer with {pane: name} (Map.getRenderer): SVG, not the map's
            // shared canvas, whose element would take every click in the pane's place
            map._paneRenderers[name] = L.svg({pane: name});
          });
        })({{ this._parent.get_name() }}, {{ this.panes }});
        {% endmacro %}
        """
    )

    def __init__(self, panes: dict[str, int]) -> None:
        super().__init__()
        self._name = "Panes"
        self.z_index = dict(panes)
        self.panes = script_json(self.z_index)


class NorthArrow(MacroElement):
    """A north arrow (inline SVG, no asset) in a corner of the map; ``label`` is its tooltip ("北 North")."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var arrow = L.control({position: {{ this.position }}});
          arrow.onAdd = function () {
            var div = L.DomUtil.create("div", "map-north-arrow leaflet-bar");
            div.style.cssText = "background:rgba(255,255,255,.92);padding:3px 5px 2px;line-height:0";
            div.title = {{ this.label }};
            div.innerHTML = {{ this.svg }};
            return div;
          };
          arrow.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    SVG = (
        '<svg width="26" height="40" viewBox="0 0 26 40" role="img" aria-label="N">'
        '<text x="13" y="11" text-anchor="middle" font-family="sans-serif" font-size="11" font-weight="700" fill="#222">N</text>'
        '<polygon points="13,13 21,37 13,31" fill="#222"/>'
        '<polygon points="13,13 5,37 13,31" fill="#fff" stroke="#222" stroke-width="1"/>'
        "</svg>"
    )

    def __init__(self, label: str, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "NorthArrow"
        self.position = script_json(position)
        self.label = script_json(label)
        self.svg = script_json(self.SVG)


class NameSearch(JSCSSMixin, MacroElement):
    """Search features by name (Chinese or English); picking a result zooms there.

    ``records``: dicts with ``title`` (shown; HTML-escaped here, since leaflet-search writes it as HTML),
    ``lat`` and ``lng``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var records = {{ this.records }};
          var control = new L.Control.Search({
            sourceData: function (text, callResponse) { callResponse(records); return { abort: function () {} }; },
            propertyName: "title",
            propertyLoc: ["lat", "lng"],
            position: "topleft",
            initial: false,
            zoom: 17,
            marker: { icon: false, animate: true, circle: { radius: 20, weight: 3, color: "#e31a1c", stroke: true, fill: false } },
            textPlaceholder: {{ this.placeholder }},
            textErr: {{ this.not_found }}
          });
          {{ this._parent.get_name() }}.addControl(control);
        })();
        {% endmacro %}
        """
    )
    # folium declares these as lists (an instance variable of its mixin)
    default_js = [  # noqa: RUF012
        ("Leaflet.Search.js", "https://cdn.jsdelivr.net/npm/leaflet-search@2.9.7/dist/leaflet-search.min.js")
    ]
    default_css = [  # noqa: RUF012
        ("Leaflet.Search.css", "https://cdn.jsdelivr.net/npm/leaflet-search@2.9.7/dist/leaflet-search.min.css")
    ]

    def __init__(self, records: list[dict], placeholder: str, not_found: str) -> None:
        super().__init__()
        self._name = "NameSearch"
        safe = [{"title": html_text(r["title"]), "lat": r["lat"], "lng": r["lng"]} for r in records]
        self.records = script_json(safe)
        self.placeholder = script_json(placeholder)
        self.not_found = script_json(not_found)
        self.count = len(safe)


class ViewMemory(MacroElement):
    """Remember the map's view (centre, zoom) in the browser's localStorage under ``key`` and restore it
    when the map is drawn again — e.g. after a filter change re-renders it — without a round trip."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map, key) {
          try {
            var saved = JSON.parse(window.localStorage.getItem(key) || "null");
            if (saved && isFinite(saved.lat) && isFinite(saved.lng) && isFinite(saved.zoom)) {
              map.setView([saved.lat, saved.lng], saved.zoom, {animate: false});
            }
          } catch (e) {}
          map.on("moveend", function () {
            var c = map.getCenter();
            try { window.localStorage.setItem(key, JSON.stringify({lat: c.lat, lng: c.lng, zoom: map.getZoom()})); } catch (e) {}
          });
        })({{ this._parent.get_name() }}, {{ this.key }});
        {% endmacro %}
        """
    )

    def __init__(self, key: str) -> None:
        super().__init__()
        self._name = "ViewMemory"
        self.key = script_json(f"facilities-map-view:{key}")
