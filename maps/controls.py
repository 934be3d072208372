"""Map controls of ours: a legend, and search by name over every facility layer (leaflet-search)."""

from __future__ import annotations

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from maps.escape import html_text, script_json


class Legend(MacroElement):
    """A collapsible legend box. ``entries``: (section, [(colour, label, hollow)]); labels are escaped here."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var legend = L.control({position: "bottomleft"});
          legend.onAdd = function () {
            var div = L.DomUtil.create("div", "map-legend");
            div.style.cssText = "background:rgba(255,255,255,.92);padding:6px 8px;border-radius:4px;font:12px sans-serif;" +
              "max-height:45vh;overflow:auto;box-shadow:0 1px 4px rgba(0,0,0,.3)";
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

    def __init__(self, title: str, entries: list[tuple[str, list[tuple[str, str, bool]]]], open_: bool = True) -> None:
        super().__init__()
        self._name = "Legend"
        state = " open" if open_ else ""
        parts = [f'<details{state}><summary style="cursor:pointer;font-weight:700">{html_text(title)}</summary>']
        for section, items in entries:
            parts.append(f'<div style="margin-top:4px;font-weight:600">{html_text(section)}</div>')
            for color, label, hollow in items:
                fill = "transparent" if hollow else html_text(color)
                dot = (
                    f'<span style="display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:4px;'
                    f'border:1.5px solid {html_text(color)};background:{fill}"></span>'
                )
                parts.append(f"<div>{dot}{html_text(label)}</div>")
        parts.append("</details>")
        self.html = script_json("".join(parts))


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
