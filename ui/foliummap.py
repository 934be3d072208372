"""Show a Folium map through streamlit-folium's component, with the expensive preparation cached.

``st_folium`` renders the whole map (twice) and rewrites its script on every rerun: about 0.6 s for the
demo city, on every click of any widget. :func:`prepare` does that work once, in a cache, and
:func:`show` hands the prepared strings to the same component. It follows ``st_folium`` of
streamlit-folium 0.27.4 (pinned in requirements.txt); the app and browser tests exercise it.
"""

from __future__ import annotations

from collections.abc import Iterable

import folium
import streamlit_folium as sf


def _assets(m: folium.Map) -> tuple[list[str], list[str]]:
    css, js = [], []

    def walk(element):
        yield element
        for child in getattr(element, "_children", {}).values():
            yield from walk(child)

    for element in walk(m):
        css.extend(href for _, href in getattr(element, "default_css", []))
        js.extend(src for _, src in getattr(element, "default_js", []))
    return list(dict.fromkeys(css)), list(dict.fromkeys(js))


def prepare(m: folium.Map, returned_objects: Iterable[str] = ()) -> dict:
    """Everything the component needs, as plain strings and dicts (cacheable). Consumes ``m``."""
    m.get_root().render()  # st_folium renders the map a second time here; once is enough for what follows
    html = sf._get_html(m)
    header = sf._get_header(m)
    script = sf._get_map_string(m)
    css, js = _assets(m)
    returned = list(returned_objects)
    defaults = {k: None for k in returned}
    return {"script": script, "header": header, "html": html, "id": sf.get_full_id(m), "default": defaults,
            "returned_objects": returned, "css_links": css, "js_links": js}  # fmt: skip


def show(
    prepared: dict,
    key: str,
    height: int = 600,
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
    script: str | None = None,
) -> dict | None:
    """Draw a prepared map; returns what the map sends back (only ``returned_objects``, on click).

    ``center`` and ``zoom`` move the view without redrawing the map; so does ``script``, JavaScript run on the
    drawn map whenever it changes (e.g. :func:`maps.filtering.filter_call`; the component's "feature group").
    """
    hash_key = sf.generate_js_hash(prepared["script"], key, False)
    return sf._component_func(
        **prepared,
        key=hash_key,
        height=height,
        width=None,
        zoom=zoom,
        center=center,
        feature_group=script,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        wrap_longitude=False,
    )
