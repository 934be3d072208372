"""Values as a reader sees them: a layer's rows with coded values by their labels (from the layer model,
:mod:`facilities.schema`, through :mod:`facilities.words`), yes/no in words, missing values as empty cells.

Used by every table, popup and download that shows a layer's values; the codes stay in the store and in GeoJSON.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from facilities.schema import ALL_LAYERS
from facilities.words import field_label, label, value_label


def is_coded(layer: str, field: str) -> bool:
    """Whether ``field`` of ``layer`` holds codes a reader needs labelled (a closed set of values, or yes/no)."""
    spec = ALL_LAYERS.get(layer)
    f = spec.field(field) if spec is not None else None
    return f is not None and (bool(f.value_labels) or f.type == "bool")


def readable(frame: pd.DataFrame, layer: str, lang: str, headers: bool = True) -> pd.DataFrame:
    """``frame`` (rows of ``layer``) as a reader sees it: coded values by their labels, yes/no in words,
    missing values as empty cells (never ``None`` or ``nan``), headings labelled when ``headers``."""
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        values = frame[col]
        na = values.isna().to_numpy(dtype=bool)
        if is_coded(layer, col):
            out[col] = ["" if m else value_label(layer, col, v, lang) for v, m in zip(values, na, strict=True)]
        elif (
            values.dtype == object
            or pd.api.types.is_string_dtype(values)
            or pd.api.types.is_datetime64_any_dtype(values)  # (dates as dates, not midnight timestamps)
            or na.any()
        ):
            out[col] = ["" if m else _plain(v) for v, m in zip(values, na, strict=True)]
        else:
            out[col] = values
    if headers:
        out.columns = [field_label(layer, c, lang) if ALL_LAYERS[layer].field(c) else label(c, lang) for c in frame.columns]
    return out


def _plain(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat(sep=" ", timespec="minutes")
    return str(value)


__all__ = ["is_coded", "readable"]
