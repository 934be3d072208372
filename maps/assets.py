"""Local copies of every JS/CSS asset a map uses, so no map ever loads from a CDN.

Folium elements declare their assets as ``default_js`` / ``default_css`` lists of
``(name, url)``. :func:`localize` rewrites them, element by element, to the vendored copies in
``static/vendor`` (served by Streamlit at ``/app/static/vendor``). An element that needs an asset
we have not vendored raises :class:`OfflineAssetError` rather than silently reaching the internet.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import folium
from branca.element import Element

VENDOR_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor"
#: URL under which Streamlit serves ``static/`` (``server.enableStaticServing = true``).
APP_VENDOR_URL = "/app/static/vendor"

#: asset name (as folium names it) -> path inside static/vendor
VENDORED: dict[str, str] = {
    "leaflet": "leaflet/leaflet.js",
    "leaflet_css": "leaflet/leaflet.css",
}

#: assets folium's Map declares for marker icons (jQuery, Bootstrap, Font Awesome, awesome-markers);
#: our maps draw no folium.Icon, so they are dropped. An Icon in the map raises instead.
ICON_ONLY = frozenset(
    {
        "jquery",
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
)


class OfflineAssetError(RuntimeError):
    """A map element needs a JS/CSS asset that is not vendored."""


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def localize(m: folium.Map, base_url: str = APP_VENDOR_URL) -> folium.Map:
    """Point every asset of every element of ``m`` at the vendored copy under ``base_url`` (in place)."""
    uses_icons = any(isinstance(e, folium.Icon) for e in _walk(m))
    for element in _walk(m):
        for attr in ("default_js", "default_css"):
            assets = getattr(element, attr, None)
            if not assets:
                continue
            local = []
            for name, url in assets:
                if name in VENDORED:
                    local.append((name, f"{base_url}/{VENDORED[name]}"))
                elif name in ICON_ONLY and not uses_icons:
                    continue
                else:
                    raise OfflineAssetError(
                        f"{type(element).__name__} needs {name} ({url}), which is not vendored in {VENDOR_DIR}; "
                        f"vendored: {', '.join(VENDORED)}"
                    )
            setattr(element, attr, local)  # instance attribute: the class default stays untouched
    return m
