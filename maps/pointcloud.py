"""A dense point layer for Folium: one canvas, packed data, no per-point objects (see static/js/pointcloud.js).

Coordinates are stored as int32 micro-degree offsets (≈ 0.1 m), classes as one byte per point and text
fields dictionary-encoded, all base64: about 11 bytes a point for the geometry and class, so 100,000
lamps fit in a few MB of HTML and draw in one pass.
"""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd
from folium.elements import JSCSSMixin
from folium.map import Layer
from jinja2 import Template

from maps.escape import script_json


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()).decode("ascii")


def _pack_field(name: str, label: str, values: pd.Series) -> dict:
    """Text per point: "prefix + zero-padded number" when every value has that form (ids like L00042:
    4 bytes a point), else a dictionary of the distinct values and an index per point."""
    text = pd.Series(values).astype("string").fillna("")
    distinct = text.nunique()
    # only mostly-unique text (ids) is worth the prefix + number form; few distinct values pack as a dictionary
    parts = text.str.extract(r"^(.*?)(\d{1,9})$") if distinct > len(text) // 2 else None
    if parts is not None and len(text) and parts.notna().all().all() and parts[0].nunique() == 1 and parts[1].str.len().nunique() == 1:
        return {
            "name": name,
            "label": label,
            "prefix": str(parts[0].iloc[0]),
            "width": int(parts[1].str.len().iloc[0]),
            "number": _b64(parts[1].astype(np.int64).to_numpy().astype(np.uint32)),
        }
    codes, uniques = pd.factorize(text, sort=False)
    return {"name": name, "label": label, "values": [str(u) for u in uniques], "index": _b64(codes.astype(np.uint32))}


def pack_points(
    lon: np.ndarray,
    lat: np.ndarray,
    classes: np.ndarray,
    colors: list[str],
    labels: list[str],
    fields: dict[str, tuple[str, pd.Series]] | None = None,
    hollow: list[bool] | None = None,
) -> dict:
    """The JSON-ready payload of a point cloud.

    Parameters
    ----------
    lon, lat : WGS84 (or display-shifted) degrees.
    classes : small integers, index into ``colors`` / ``labels``.
    fields : name -> (label, values) shown on hover and click (as plain text, never HTML).
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    lon0 = float(np.floor(lon.min())) if len(lon) else 0.0
    lat0 = float(np.floor(lat.min())) if len(lat) else 0.0
    packed_fields = [_pack_field(name, label, values) for name, (label, values) in (fields or {}).items()]
    return {
        "n": len(lon),
        "lon0": lon0,
        "lat0": lat0,
        "x": _b64(np.round((lon - lon0) * 1e6).astype(np.int32)),
        "y": _b64(np.round((lat - lat0) * 1e6).astype(np.int32)),
        "cls": _b64(np.asarray(classes, dtype=np.uint8)),
        "colors": colors,
        "labels": labels,
        "hollow": hollow or [False] * len(colors),
        "fields": packed_fields,
    }


class PointCloud(JSCSSMixin, Layer):
    """A toggleable Folium layer drawing packed points on a canvas (JS in static/js/pointcloud.js)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.pointCloud({{ this.payload }}, {{ this.options }});
        {% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
        {% endmacro %}
        """
    )
    default_js = [("pointcloud_js", "js/pointcloud.js")]  # noqa: RUF012  (folium declares it a list)

    def __init__(self, payload: dict, name: str, radius: float = 2.5, max_points: int = 150_000, show: bool = True, title: str = ""):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "PointCloud"
        # inside <script>, "<" is written \u003c: data can never close the script or look like markup
        # and a "{" that would open a Jinja tag is written \u007b (see maps/escape.py)
        self.payload = script_json(payload)
        self.options = script_json({"radius": radius, "maxPoints": max_points, "title": title})
        self.n = payload["n"]


__all__ = ["PointCloud", "pack_points"]
