"""``import osm|table|file``: the command line of the importers (:mod:`facilities.importers`).

Exit codes: 0 imported with no error; 1 rows rejected or other problems (the report lists every one:
row, field, value, reason); 2 bad usage or unreadable input — a table mixing encodings (every odd row
listed), an archive over the size or member limit — or a file that could not be written (disk full: the
message names it; nothing imported, the previous files intact).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from facilities.city_config import Bounds
from facilities.errors import ImportUsageError
from facilities.importers.crs import ACCEPTED as CRS_ACCEPTED
from facilities.importers.osm import OSM_LAYERS
from facilities.importers.result import ImportResult
from facilities.schema import LAYERS
from facilities.store import MODES


def _bounds(text: str) -> Bounds:
    try:
        w, s, e, n = (float(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: write WEST,SOUTH,EAST,NORTH in degrees, e.g. 118.70,32.00,118.90,32.12") from None
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise argparse.ArgumentTypeError(f"{text!r}: not a box (west < east, south < north, in degrees)")
    return Bounds(w, s, e, n)


def _layers(text: str) -> tuple[str, ...]:
    names = tuple(x.strip() for x in text.split(",") if x.strip())
    bad = [x for x in names if x not in OSM_LAYERS]
    if bad or not names:
        raise argparse.ArgumentTypeError(f"{text!r}: accepted layers: {', '.join(OSM_LAYERS)}")
    return names


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, help="city folder to write into (created with city.toml and rules.toml if new)")
    p.add_argument(
        "--mode",
        choices=MODES,
        default="new",
        help="new (default): refuse if the layer file exists; merge: add features and update those with the same id; "
        "replace: write the import instead (merge and replace keep <layer>.geojson.bak-<time>)",
    )
    p.add_argument("--name", help="city name for a new city's city.toml (default: from the data or the folder name)")
    p.add_argument("--name-en", help="English city name for a new city's city.toml")
    p.add_argument("--bounds", type=_bounds, help="WEST,SOUTH,EAST,NORTH for a new city (default: the data plus a margin)")
    p.add_argument("--dry-run", action="store_true", help="check everything and report, write nothing")
    p.add_argument("--json", action="store_true", help="print the result as JSON (for scripts)")
    p.add_argument("--limit", type=int, default=20, help="at most this many report lines per problem kind (default 20)")


def _fields(p: argparse.ArgumentParser) -> None:
    p.add_argument("--layer", choices=list(LAYERS), help="layer to import into (may come from the mapping file)")
    p.add_argument("--mapping", help="column mapping (TOML file, or a shipped one: taipei_toilets, dc_streetlights)")
    p.add_argument("--crs", help=f"coordinate system of the input: {CRS_ACCEPTED}; converted to WGS84")
    p.add_argument(
        "--set", dest="sets", action="append", default=[], metavar="FIELD=VALUE", help="a value for every row, e.g. --set grade=none"
    )


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add ``import`` with its three sources to the sub-commands."""
    imp = sub.add_parser("import", help="import OSM data, a table (CSV/XLSX) or a GIS file into a city folder")
    kinds = imp.add_subparsers(dest="source_kind", required=True)

    o = kinds.add_parser("osm", help="an OpenStreetMap extract (.osm, .osm.pbf): every layer OSM has")
    o.add_argument("file", help=".osm or .osm.pbf file")
    o.add_argument("--layers", type=_layers, default=OSM_LAYERS, help=f"comma-separated subset of: {', '.join(OSM_LAYERS)}")
    _common(o)
    o.set_defaults(func=_run)

    t = kinds.add_parser("table", help="a table of points (.csv, .xlsx) into one layer")
    t.add_argument("file", help=".csv/.tsv/.txt or .xlsx file")
    _fields(t)
    t.add_argument("--lon", help="longitude (x) column (default: found by name: 经度, lng, lon, longitude, x, XCOORD …)")
    t.add_argument("--lat", help="latitude (y) column (default: found by name: 纬度, lat, latitude, y, YCOORD …)")
    t.add_argument(
        "--encoding", help="text encoding (default: detected among UTF-8, GBK/GB18030, Big5, UTF-16; a file mixing them is refused)"
    )
    t.add_argument("--sheet", help="worksheet of an .xlsx file (default: the first)")
    _common(t)
    t.set_defaults(func=_run)

    f = kinds.add_parser("file", help="a GIS file (.shp, .zip, .gpkg, .geojson, .kml) into one layer, via pyogrio")
    f.add_argument("file", help="GIS file")
    _fields(f)
    f.add_argument("--source-layer", help="layer of a multi-layer file (GeoPackage, KML)")
    f.add_argument("--to-points", action="store_true", help="for a point layer: a point inside each line or polygon")
    _common(f)
    f.set_defaults(func=_run)


def _import(args: argparse.Namespace) -> ImportResult:
    common = {"mode": args.mode, "name": args.name, "name_en": args.name_en, "bounds": args.bounds, "dry_run": args.dry_run}
    if args.source_kind == "osm":
        from facilities.importers.osm import import_osm

        return import_osm(args.file, args.out, layers=args.layers, **common)
    fields = {"layer": args.layer, "mapping": args.mapping, "crs": args.crs, "sets": args.sets}
    if args.source_kind == "table":
        from facilities.importers.table import import_table

        return import_table(args.file, args.out, lon=args.lon, lat=args.lat, encoding=args.encoding, sheet=args.sheet, **fields, **common)
    from facilities.importers.vector import import_file

    return import_file(args.file, args.out, source_layer=args.source_layer, to_points=args.to_points, **fields, **common)


def _run(args: argparse.Namespace) -> int:
    try:
        result = _import(args)
    except ImportUsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # unreadable input or unwritable folder: a clear line, no traceback
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    if args.json:
        out = {
            "source": str(result.source),
            "out": str(result.out),
            "dry_run": result.dry_run,
            "exit_code": result.exit_code,
            "layers": {
                k: {
                    **{f: v for f, v in asdict(o).items() if f not in ("path", "backup")},
                    "written": o.written,
                    "backup": str(o.backup or ""),
                }
                for k, o in result.layers.items()
            },
            "notes": result.notes,
            "problems": [asdict(p) for p in result.report.problems],
        }
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        print(result.to_text(limit=args.limit))
    return result.exit_code


__all__ = ["add_parsers"]
