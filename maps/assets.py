"""Local copies of every JS/CSS asset a map uses, so no map ever loads from a CDN.

Folium elements declare their assets as ``default_js`` / ``default_css`` lists of ``(name, url)``.
:func:`localize` rewrites them, element by element, to the copies under ``static/`` — vendored packages in
``static/vendor`` (from the npm registry, with their licences) and our own code in ``static/js``. In the app
Streamlit serves them at ``/app/static/...``; :func:`inline_assets` puts them into an exported HTML file
(images in CSS as data URIs) so it works from disk with no network. An element that needs an asset we have
not vendored raises :class:`OfflineAssetError` rather than silently reaching the internet.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Iterator
from pathlib import Path

import folium
from branca.element import Element

from facilities.errors import OfflineAssetError

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
#: URL under which Streamlit serves ``static/`` (``server.enableStaticServing = true``).
APP_STATIC_URL = "/app/static"
#: placeholder base URL of maps meant to be exported (replaced by the files' contents)
INLINE = "inline:"

#: asset name (as folium or our elements name it) -> path under static/
ASSETS: dict[str, str] = {
    "leaflet": "vendor/leaflet/leaflet.js",
    "leaflet_css": "vendor/leaflet/leaflet.css",
    "Leaflet.Search.js": "vendor/leaflet-search/dist/leaflet-search.min.js",
    "Leaflet.Search.css": "vendor/leaflet-search/dist/leaflet-search.min.css",
    "leaflet_measure_js": "vendor/leaflet-measure/leaflet-measure.min.js",
    "leaflet_measure_css": "vendor/leaflet-measure/leaflet-measure.css",
    "Control.Fullscreen.js": "vendor/leaflet.fullscreen/Control.FullScreen.js",
    "Control.FullScreen.css": "vendor/leaflet.fullscreen/Control.FullScreen.css",
    "pointcloud_js": "js/pointcloud.js",
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


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def localize(m: folium.Map, base_url: str = APP_STATIC_URL) -> folium.Map:
    """Point every asset of every element of ``m`` at the local copy under ``base_url`` (in place).

    ``base_url`` is ``/app/static`` in the Streamlit app, or :data:`INLINE` for a map to be exported with
    :func:`inline_assets`.
    """
    uses_icons = any(isinstance(e, folium.Icon) for e in _walk(m))
    for element in _walk(m):
        for attr in ("default_js", "default_css"):
            assets = getattr(element, attr, None)
            if not assets:
                continue
            local = []
            for name, url in assets:
                if name in ASSETS:
                    local.append((name, f"{base_url}/{ASSETS[name]}"))
                elif name in ICON_ONLY and not uses_icons:
                    continue
                else:
                    raise OfflineAssetError(
                        f"{type(element).__name__} needs {name} ({url}), which is not vendored in {STATIC_DIR}; "
                        f"vendored: {', '.join(ASSETS)}"
                    )
            setattr(element, attr, local)  # instance attribute: the class default stays untouched
    return m


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _css_with_data_uris(path: Path) -> str:
    """A stylesheet with every relative url(...) replaced by the file's contents as a data URI."""
    css = path.read_text(encoding="utf-8")

    def repl(match: re.Match) -> str:
        ref = match.group(1).strip("'\" ")
        if ref.startswith(("data:", "http:", "https:", "#")):
            return match.group(0)
        target = (path.parent / ref.split("?")[0].split("#")[0]).resolve()
        return f'url("{_data_uri(target)}")' if target.is_file() else match.group(0)

    return re.sub(r"url\(([^)]+)\)", repl, css)


def inline_assets(html: str) -> str:
    """Replace every ``inline:`` script and stylesheet reference by the file itself (one self-contained page)."""

    def script(match: re.Match) -> str:
        js = (STATIC_DIR / match.group(1)).read_text(encoding="utf-8").replace("</script", "<\\/script")
        return f"<script>{js}</script>"

    def style(match: re.Match) -> str:
        css = _css_with_data_uris(STATIC_DIR / match.group(1)).replace("</style", "<\\/style")
        return f"<style>{css}</style>"

    prefix = re.escape(INLINE + "/")
    html = re.sub(rf'<script src="{prefix}([^"]+)"></script>', lambda m: script(m), html)
    html = re.sub(rf'<link rel="stylesheet" href="{prefix}([^"]+)"\s*/>', lambda m: style(m), html)
    if INLINE + "/" in html:
        raise OfflineAssetError("an asset reference was left un-inlined: " + html[html.index(INLINE) : html.index(INLINE) + 80])
    return html
