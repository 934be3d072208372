"""``db``: the store's database — load a city folder into it, dump a city back out, its history, a revert.

``python -m facilities db load <folder> [--as KEY] [--dry-run]``: validate the folder as ``validate`` does
(nothing is loaded when it has errors: exit 1), then insert or update its features by id, recorded in the
audit trail as an import; ``db dump <city> --out <folder>``: the city as a folder again;
``db history <city> [--feature ID] [--layer L] [--user U] [--limit N] [--json]``: the audit trail;
``db list``: the cities; ``db revert <city> <change>``: undo one change of a field (recorded too).
The database is ``FACILITIES_DB`` (default: the embedded SQLite file in the data folder).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cli.arguments import ACTING_HELP, acting_user, pad
from facilities import settings, store
from facilities.auth.roles import User
from facilities.errors import EditConflict, EditRejected, StoreError
from facilities.store.db.backend import when
from facilities.store.db.engine import safe_url


def _user(args: argparse.Namespace) -> User:
    return acting_user(args.user)


def _key(text: str) -> store.DbCity:
    return store.DbCity(text.removeprefix(store.DB_PREFIX))


def _load(args: argparse.Namespace) -> int:
    from facilities.city_config import CONFIG_FILE

    try:
        result, report = store.load_folder(args.folder, _key(args.key) if args.key else store.DbCity(_folder_key(args.folder)),
                                           user=_user(args), dry_run=args.dry_run)  # fmt: skip
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not report.ok:
        print(report.to_text(limit=args.limit))
        print(f"nothing was loaded 未载入: fix the errors above, then run `python -m facilities db load {args.folder}` again")
        return 1
    if result.errors:
        print("\n".join(p.to_text() for p in result.errors))
        print("nothing was loaded 未载入")
        return 1
    verb = "would load" if args.dry_run else "loaded 已载入"
    print(f"{verb} {args.folder} into {result.target} ({safe_url(settings.database_url())})")
    print(f"{pad('layer 图层', 16)} {'added':>8} {'changed':>8} {'kept':>8}")
    for name, w in result.layers.items():
        print(f"{pad(name, 16)} {w.added:>8} {w.updated:>8} {w.kept:>8}")
    if result.city_toml:
        print(f"new city 新城市 ({CONFIG_FILE} stored)")
    return 0


def _folder_key(folder: str) -> str:
    return Path(folder).resolve().name


def _dump(args: argparse.Namespace) -> int:
    try:
        city = store.dump(_key(args.city), args.out)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    n = sum(len(g) for g in city.layers.values())
    print(f"wrote {args.out}: {n} features 要素, revision {city.revision}")
    return 0


def _history(args: argparse.Namespace) -> int:
    try:
        by = acting_user(args.acting)
        frame = store.history(_key(args.city), by=by, feature=args.feature, layer=args.layer, user=args.by, limit=args.limit)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        rows = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
        for row in rows:
            row["at"] = when(row["at"])
        print(json.dumps(rows, ensure_ascii=False, indent=1, default=str))
        return 0
    if frame.empty:
        print("no changes 无修改记录")
        return 0
    print(f"{'change':>7} {'when (UTC)':<19}  {pad('who', 12)} {pad('source', 7)} {pad('feature', 22)} {pad('field', 16)} old → new")
    for r in frame.itertuples(index=False):
        old, new = (_short(v) for v in (r.old, r.new))
        print(f"{r.change:>7} {when(r.at):<19}  {pad(str(r.user), 12)} {pad(str(r.source), 7)} {pad(f'{r.layer}/{r.feature_id}', 22)} "
              f"{pad(str(r.field), 16)} {old} → {new}" + (f"  ({r.note})" if isinstance(r.note, str) and r.note else ""))  # fmt: skip
    return 0


def _short(value: object, width: int = 40) -> str:
    text = "∅" if value is None or (isinstance(value, float) and value != value) else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _list(args: argparse.Namespace) -> int:
    from facilities.store.db.backend import cities

    found = cities()
    print(f"database 数据库: {safe_url(settings.database_url())}")
    if not found:
        print("no cities yet 尚无城市; load one: python -m facilities db load data/xiangyang")
    for c in found:
        print(f"  db:{c['key']:<20} {c['name']}  (revision {c['revision']})")
    return 0


def _revert(args: argparse.Namespace) -> int:
    try:
        saved = store.revert(_key(args.city), args.change, user=_user(args), note=args.note or "")
    except (EditConflict, EditRejected) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"reverted change {args.change} 已撤销 (revision {saved.revision})")
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add ``db load|dump|history|list|revert`` to the sub-commands."""
    db = sub.add_parser("db", help="the store's database: load, dump, history, list, revert")
    cmds = db.add_subparsers(dest="db_command", required=True)
    p = cmds.add_parser("load", help="validate a city folder, then insert or update its features by id")
    p.add_argument("folder", help="city folder (city.toml + <layer>.geojson files)")
    p.add_argument("--as", dest="key", help="the city's key in the database (default: the folder's name)")
    p.add_argument("--dry-run", action="store_true", help="check everything, change nothing")
    p.add_argument("--user", help=ACTING_HELP)
    p.add_argument("--limit", type=int, default=20, help="report lines per file and problem kind")
    p.set_defaults(func=_load)
    d = cmds.add_parser("dump", help="write a city of the database as a city folder")
    d.add_argument("city", help="the city's key (e.g. xiangyang or db:xiangyang)")
    d.add_argument("--out", required=True, help="folder to write")
    d.set_defaults(func=_dump)
    h = cmds.add_parser("history", help="the audit trail of a city: who changed what, when")
    h.add_argument("city", help="the city's key")
    h.add_argument("--feature", help="one feature id")
    h.add_argument("--layer", help="one layer")
    h.add_argument("--user", dest="by", help="changes by one person (their login)")
    h.add_argument("--as", dest="acting", help=ACTING_HELP)
    h.add_argument("--limit", type=int, help="at most this many changes (newest first)")
    h.add_argument("--json", action="store_true", help="print the changes as JSON")
    h.set_defaults(func=_history)
    ls = cmds.add_parser("list", help="the cities in the database")
    ls.set_defaults(func=_list)
    r = cmds.add_parser("revert", help="undo one change of a field (the revert is recorded too)")
    r.add_argument("city", help="the city's key")
    r.add_argument("change", type=int, help="the change number (see `db history`)")
    r.add_argument("--user", help=ACTING_HELP)
    r.add_argument("--note", help="why")
    r.set_defaults(func=_revert)


__all__ = ["add_parsers"]
