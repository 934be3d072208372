"""Write tests/data/broken_city/: one city folder holding one instance of every validation problem class.

Run from the project root: ``python tests/data/make_broken_city.py``. The output is committed;
this script documents how each broken byte was made (some, like GBK text, cannot be typed).
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent / "broken_city"

CITY_TOML = """name = "破损测试城"
name_en = "Broken test city"
zoom = 13
crs = "auto"

[center]
lon = 112.1
lat = 32.0

[bounds]
west = 112.0
south = 31.9
east = 112.2
north = 32.1
"""


def pt(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def feat(props: dict, geom: dict | None) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geom}


def fc(features: list[dict], **extra: object) -> dict:
    return {"type": "FeatureCollection", **extra, "features": features}


def toilet(fid: str | None, **kw: object) -> dict:
    props = {"id": fid, "name": "公厕", "status": "existing", "grade": "A"}
    if fid is None:
        del props["id"]
    props.update(kw)
    return props


def dump(obj: object) -> str:
    # allow_nan: the non-finite coordinate case needs a NaN token in the file
    return json.dumps(obj, ensure_ascii=False, indent=1, allow_nan=True)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    (OUT / "city.toml").write_text(CITY_TOML, encoding="utf-8")
    toilets = [
        feat(toilet("T01"), pt(112.10, 32.00)),  # valid
        feat(toilet("T02"), {"type": "LineString", "coordinates": [[112.1, 32.0], [112.11, 32.0]]}),  # geometry_type
        feat(toilet("T03"), {"type": "Point", "coordinates": []}),  # geometry_empty
        feat(toilet("T04"), pt(float("nan"), 32.0)),  # geometry_nonfinite
        feat(toilet("T05"), pt(512345.0, 3540000.0)),  # out_of_range (projected metres)
        feat(toilet("T06"), pt(116.397, 39.909)),  # out_of_bounds (Beijing)
        feat(toilet("T07"), pt(32.01, 112.12)),  # swapped
        feat(toilet(None), pt(112.10, 32.01)),  # id_missing (feature #8)
        feat(toilet("T01"), pt(112.10, 32.02)),  # id_duplicate
        feat({"id": "T10", "status": "existing"}, pt(112.10, 32.03)),  # required: grade missing
        feat(toilet("T11", female_stalls="3"), pt(112.10, 32.04)),  # type: number as text
        feat(toilet("T12", grade="AAAA"), pt(112.10, 32.05)),  # allowed
        feat(toilet("T13", stars=7), pt(112.10, 32.06)),  # range
        feat(toilet("T14", updated="2026/01/02"), pt(112.10, 32.07)),  # type: date format
        feat(toilet("T15"), None),  # geometry_missing
    ]
    (OUT / "toilets.geojson").write_text(dump(fc(toilets)), encoding="utf-8")

    zones = [
        feat(
            {"id": "Z1", "name": "襄城区", "status": "existing", "zone_type": "district"},
            {"type": "Polygon", "coordinates": [[[112.0, 31.9], [112.2, 31.9], [112.2, 32.1], [112.0, 32.1], [112.0, 31.9]]]},
        ),
        # geometry_invalid: a bow-tie (self-intersecting ring)
        feat(
            {"id": "Z2", "name": "蝴蝶区", "status": "existing", "zone_type": "scenic"},
            {"type": "Polygon", "coordinates": [[[112.05, 31.95], [112.15, 32.05], [112.15, 31.95], [112.05, 32.05], [112.05, 31.95]]]},
        ),
    ]
    (OUT / "zones.geojson").write_text(dump(fc(zones)), encoding="utf-8")

    # geometry_invalid (cannot be built): a LineString with a single position
    roads = [
        feat(
            {"id": "R1", "name": "长虹路", "status": "existing", "road_class": "arterial"},
            {"type": "LineString", "coordinates": [[112.1, 32.0]]},
        )
    ]
    (OUT / "roads.geojson").write_text(dump(fc(roads)), encoding="utf-8")

    # type: a boolean written as text
    lamps = [feat({"id": "L1", "status": "existing", "lamp_type": "street", "working": "yes"}, pt(112.11, 32.0))]
    (OUT / "lamps.geojson").write_text(dump(fc(lamps)), encoding="utf-8")

    # allowed: reports override the common status with their own set; district names no zone (warning)
    reports = [
        feat({"id": "P1", "status": "done", "kind": "illegal_ad", "reported_on": "2026-10-01", "district": "樊城区"}, pt(112.12, 32.0))
    ]
    (OUT / "reports.geojson").write_text(dump(fc(reports)), encoding="utf-8")

    # encoding: GBK text
    signs = [
        feat({"id": "S1", "status": "existing", "sign_type": "road_name", "text_zh": "长虹路", "text_en": "Changhong Rd"}, pt(112.13, 32.0))
    ]
    (OUT / "signs.geojson").write_bytes(dump(fc(signs)).encode("gb18030"))

    # crs: a declared CRS other than WGS84 (Web Mercator metres)
    docks = [feat({"id": "D1", "status": "existing", "dock_type": "tour"}, pt(12478000.0, 3763000.0))]
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
    (OUT / "docks.geojson").write_text(dump(fc(docks, crs=crs)), encoding="utf-8")

    # json: malformed (a trailing comma, then a missing bracket)
    (OUT / "stops.geojson").write_text(
        '{"type": "FeatureCollection", "features": [\n'
        ' {"type": "Feature", "properties": {"id": "B1", "status": "existing", "stop_type": "bus"},\n'
        '  "geometry": {"type": "Point", "coordinates": [112.1, 32.0],}}\n',
        encoding="utf-8",
    )

    # not_feature_collection: a single Feature
    (OUT / "billboards.geojson").write_text(
        dump(feat({"id": "A1", "status": "existing", "kind": "publicity"}, pt(112.1, 32.0))), encoding="utf-8"
    )

    # unknown_file (warning): a typo of toilets.geojson
    (OUT / "toilet.geojson").write_text(dump(fc([])), encoding="utf-8")


if __name__ == "__main__":
    main()
