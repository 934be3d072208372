"""Features as rows of a layer table and back: typed columns, ``extra`` (JSON) and WKB geometry.

A feature's *properties* here are plain JSON values (text, numbers, booleans, dates as ``YYYY-MM-DD``),
as in a GeoJSON file; rows hold them in the declared column types. The same two conversions serve
loading, dumping and editing, so a city read back is the city written.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from facilities import settings
from facilities.schema import LayerSpec
from facilities.store.db import tables
from facilities.store.frames import coerce_layer, empty_layer, plain

Props = dict[str, Any]


def plain_props(props: Mapping[str, Any]) -> Props:
    """A feature's properties as plain JSON values, the missing ones left out."""
    return {k: v for k, v in ((k, plain(v)) for k, v in props.items()) if v is not None}


def same(a: Any, b: Any) -> bool:
    """Whether two plain values are the same value (``10`` and ``10.0`` are)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (type(a) is type(b) and a == b)
    return a == b


def to_json(value: Any) -> str | None:
    """A plain value as the JSON text of the audit trail (None stays None)."""
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def from_json(text: str | None) -> Any:
    """The audit trail's JSON text as a value."""
    return None if text is None else json.loads(text)


def to_row(props: Mapping[str, Any], spec: LayerSpec) -> dict[str, Any]:
    """Column values of a feature's properties (declared fields typed; the others in ``extra``)."""
    declared = {f.name: f for f in spec.fields}
    row: dict[str, Any] = {name: None for name in declared if name != "id"}
    extra = {}
    for key, value in props.items():
        value = plain(value)
        f = declared.get(key)
        if key == "id":
            continue
        if f is None:
            if value is not None:
                extra[key] = value
        elif f.type == "date" and isinstance(value, str):
            row[key] = dt.date.fromisoformat(value)
        else:
            row[key] = value
    row["extra"] = extra or None
    return row


def from_row(row: Any, spec: LayerSpec) -> Props:
    """A row's properties (``id`` first; no missing value; ``extra`` spread out)."""
    props: Props = {"id": row["id"]}
    for f in spec.fields:
        if f.name != "id":
            value = plain(row[f.name])
            if value is not None:
                props[f.name] = value
    props.update(row.get("extra") or {})
    return props


def geometry_column(conn: Connection, table: sa.Table) -> Any:
    """The geometry as WKB in a SELECT."""
    return sa.func.ST_AsBinary(table.c.geom) if conn.dialect.name == "postgresql" else table.c.geom


def geometry_bind(conn: Connection, name: str = "wkb") -> Any:
    """A WKB value bound as the geometry in an INSERT or UPDATE."""
    bound = sa.bindparam(name, type_=sa.LargeBinary)
    return sa.func.ST_GeomFromWKB(bound, tables.SRID) if conn.dialect.name == "postgresql" else bound


def to_wkb(geom: Any) -> bytes | None:
    """A shapely geometry as WKB (None stays None)."""
    return None if geom is None else bytes(shapely.to_wkb(geom))


def _columns(conn: Connection, spec: LayerSpec) -> tuple[sa.Table, list[Any]]:
    table = tables.layers[spec.name]
    names = ["id", "version", *(f.name for f in spec.fields if f.name != "id"), "extra"]
    return table, [table.c[n] for n in names] + [geometry_column(conn, table).label("wkb")]


def read_layer(conn: Connection, key: str, spec: LayerSpec) -> gpd.GeoDataFrame:
    """Layer ``spec`` of city ``key`` as a GeoDataFrame with the declared dtypes, sorted by id."""
    table, columns = _columns(conn, spec)
    rows = conn.execute(sa.select(*columns).where(table.c.city == key)).mappings().all()
    if not rows:
        return empty_layer(spec)
    frame = pd.DataFrame(rows, columns=[c.key if hasattr(c, "key") else c.name for c in columns])
    extras = frame.pop("extra")
    geometry = shapely.from_wkb(frame.pop("wkb").to_numpy())
    frame = frame.drop(columns="version")
    for f in spec.fields:
        if f.type == "date":
            frame[f.name] = frame[f.name].map(lambda v: v.isoformat() if v is not None and not pd.isna(v) else None)
    if extras.notna().any():
        extra = pd.DataFrame([e or {} for e in extras], index=frame.index)
        frame = pd.concat([frame, extra.astype(object)], axis=1)
    gdf = gpd.GeoDataFrame(frame, geometry=geometry, crs=settings.STORAGE_CRS)
    gdf = gdf.sort_values("id", kind="stable", ignore_index=True)
    return coerce_layer(gdf, spec)


def read_features(
    conn: Connection, key: str, spec: LayerSpec, ids: Iterable[str] | None = None, lock: bool = False
) -> dict[str, tuple[int, Props, bytes | None]]:
    """Stored features of a layer by id: (version, properties, WKB); only ``ids`` when given.
    ``lock``: take the rows' write locks (PostgreSQL ``FOR UPDATE``) until the transaction ends."""
    table, columns = _columns(conn, spec)
    query = sa.select(*columns).where(table.c.city == key)
    if ids is not None:
        wanted = list(ids)
        found: dict[str, tuple[int, Props, bytes | None]] = {}
        for start in range(0, len(wanted), 500):
            chunk = query.where(table.c.id.in_(wanted[start : start + 500]))
            found.update(_features(conn, chunk.with_for_update() if lock else chunk, spec))
        return found
    return _features(conn, query.with_for_update() if lock else query, spec)


def _features(conn: Connection, query: Any, spec: LayerSpec) -> dict[str, tuple[int, Props, bytes | None]]:
    out = {}
    for row in conn.execute(query).mappings():
        wkb = row["wkb"]
        out[row["id"]] = (int(row["version"]), from_row(row, spec), bytes(wkb) if wkb is not None else None)
    return out


__all__ = [
    "from_json",
    "from_row",
    "geometry_bind",
    "geometry_column",
    "plain",
    "read_features",
    "read_layer",
    "same",
    "to_json",
    "to_row",
    "to_wkb",
]
