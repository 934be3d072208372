"""Filtering a drawn map in the browser: the map is built once, a filter change sends only what it keeps.

Building and rendering the demo city's map costs the server about half a second and the browser a second
more to parse and draw its megabytes again; a filter change does not need either. :class:`MapFilter` gives
a map a function, ``applyMapFilter(kept)``, that shows only the features ``kept`` names — facilities by
layer and id, gaps by id, lamps by a bit mask — by taking the others off their layer (they stay in memory,
ready to come back). *What* a filter keeps is never decided in the browser: :func:`kept` takes the ids of
the frames :func:`facilities.query.filter_city` and :func:`facilities.query.filter_gaps` returned, so the
map, the counts and the list beside it agree by construction. :func:`filter_call` is the line of JavaScript
that applies it, which the app hands to the map component (streamlit-folium evaluates it whenever it
changes, without redrawing the map).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from maps.escape import html_text, script_json


class MapFilter(MacroElement):
    """``window.applyMapFilter(kept)`` for one map: ``facilities`` layer name -> the JS name of its GeoJSON
    layer, ``gaps`` the JS names of the gap layers, ``lamps`` the lamps' point cloud's (or None)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var facilities = {{ this.facilities }}, gaps = {{ this.gaps }}, lamps = {{ this.lamps }};
          function every(group) {  // the layer's features as first drawn (once: then some may be taken off)
            if (!group._everyFeature) group._everyFeature = group.getLayers();
            return group._everyFeature;
          }
          function keep(group, ids, field) {  // ids: null keeps all, [] none
            var wanted = ids === null ? null : new Set(ids), all = every(group);
            group.clearLayers();
            for (var i = 0; i < all.length; i++) {
              var p = all[i].feature && all[i].feature.properties;
              if (wanted === null || (p && wanted.has(String(p[field])))) group.addLayer(all[i]);
            }
          }
          function mask(b64) {
            if (b64 === null) return null;
            var s = atob(b64), bits = new Uint8Array(s.length);
            for (var i = 0; i < s.length; i++) bits[i] = s.charCodeAt(i);
            return bits;
          }
          window.mapFilterLayers = {facilities: facilities, gaps: gaps, lamps: lamps};  // (what it acts on)
          window.applyMapFilter = function (kept) {
            for (var name in facilities) {
              if (window[facilities[name]]) keep(window[facilities[name]], name in kept.facilities ? kept.facilities[name] : null, "id");
            }
            for (var g = 0; g < gaps.length; g++) if (window[gaps[g]]) keep(window[gaps[g]], kept.gaps, "gap_id");
            if (lamps && window[lamps] && window[lamps].setMask) window[lamps].setMask(mask(kept.lamps), kept.lampCount);
          };
        })();
        {% endmacro %}
        """
    )

    def __init__(self, facilities: Mapping[str, str], gaps: Sequence[str], lamps: str | None) -> None:
        """Name the layers the filter acts on (their JS variable names, from ``get_name()``)."""
        super().__init__()
        self._name = "MapFilter"
        self.facilities = script_json(dict(facilities))
        self.gaps = script_json(list(gaps))
        self.lamps = script_json(lamps)


def _ids(values: pd.Series) -> list[str]:
    """Ids as the map's features carry them (text, escaped as :func:`maps.city_map.features` escapes it)."""
    return [html_text(v) for v in values.astype("string").fillna("")]


def kept(
    drawn: Mapping[str, gpd.GeoDataFrame],
    shown: Mapping[str, gpd.GeoDataFrame | None],
    gaps: pd.DataFrame | None,
) -> dict:
    """What a filter keeps, for :func:`filter_call`.

    ``drawn``: the layers as drawn on the map (lamps in their drawn order); ``shown``: for each drawn layer,
    the rows the filter keeps (a subset of the drawn rows, matched by ``id``), None to keep the layer whole,
    and an absent layer is hidden; ``gaps``: the gaps to show (None: all).
    """
    facilities: dict[str, list[str] | None] = {}
    lamp_mask, lamp_count = None, None
    for name, frame in drawn.items():
        rows = shown[name] if name in shown else frame.iloc[0:0]  # (not chosen: nothing kept)
        if name == "lamps":
            if rows is not None:
                keep = frame["id"].isin(rows["id"]).to_numpy(dtype=bool) if len(frame) else np.zeros(0, dtype=bool)
                lamp_mask = base64.b64encode(keep.astype(np.uint8).tobytes()).decode("ascii")
                lamp_count = int(keep.sum())
            continue
        facilities[name] = None if rows is None else _ids(rows["id"])
    return {
        "facilities": facilities,
        "gaps": None if gaps is None else _ids(gaps["gap_id"]),
        "lamps": lamp_mask,
        "lampCount": lamp_count,
    }


def filter_call(kept_: dict) -> str:
    """The JavaScript that applies ``kept_`` to a map with a :class:`MapFilter` (data as inert JSON)."""
    return f"window.applyMapFilter && window.applyMapFilter({script_json(kept_)});\n"


__all__ = ["MapFilter", "filter_call", "kept"]
