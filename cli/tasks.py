"""``tasks``: rectification tasks for batch work and scripts.

``tasks file <city> [--rule R] [--district D] [--unit U] [--assign UNIT] [--due DATE]``: file a task for
each gap of the current check (the gaps of rule R, district D, responsible unit U) that has none open;
``tasks list <city> [--state S] [--unit U] [--overdue] [--json]``; ``tasks show <city> <task>``: a task and
its timeline; ``tasks move <city> <task> --to <state> [--note N] [--photo FILE] [--as USER]``: one step of
the case flow (verifying and closing re-run the check on the current inventory);
``tasks extend <city> <task> (--to DATE --reason R | --approve | --refuse)``;
``tasks notices <city> [--unit U] --out <folder> [--number N]``: dispatch the filed tasks under one new
numbered notice per unit and write each notice as .docx and .html (``--number``: write an issued notice
again). Every command takes ``--as-of`` (the check date; nothing depends on the calendar otherwise).
Tasks live in the database: a city folder is loaded first with ``db load``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import pandas as pd

from cli.arguments import ACTING_HELP, AS_OF_HELP, acting_user, as_of_arg, pad
from facilities import settings, store
from facilities.auth.roles import User
from facilities.check import Result, check
from facilities.city import City
from facilities.errors import EvidenceRejected, StoreError, TaskRefused
from facilities.rules import RuleSet, city_rules
from facilities.tasks import flow, letters, queries, service
from facilities.tasks.evidence import inspect_photo
from facilities.tasks.units import responsible_units


def _user(args: argparse.Namespace) -> User:
    return acting_user(args.user)


def _source(text: str) -> store.DbCity:
    source = store.resolve(text)
    if isinstance(source, store.DbCity):
        return source
    if Path(text).is_dir():
        raise StoreError(f"{text}: tasks live in the database; load the folder first: python -m facilities db load {text}")
    known = ", ".join(c.key for c in store.cities()) or "none yet"
    raise StoreError(f"{text}: no such city in the database (cities: {known}; load a folder with: python -m facilities db load <folder>)")


def _checked(source: store.DbCity, as_of: dt.date | None) -> tuple[City, RuleSet, Result]:
    """The city as stored now, its rules and its check (recorded as a run; closed tasks whose gap is back reopened)."""
    city = store.load(source)
    rules = city_rules(city)
    if rules is None:
        raise StoreError(f"{source.key}: the city has no rules file, so there are no gaps to work on")
    result = check(city, rules, settings.check_date(as_of, rules.as_of))
    synced = queries.sync(source.key, result, city.revision, database=source.database)
    for task_id in synced.reopened:
        print(f"task {task_id} reopened 重新打开: its gap is there again")
    return city, rules, result


def _file(args: argparse.Namespace) -> int:
    source = _source(args.city)
    city, rules, result = _checked(source, args.as_of)
    gaps = result.gaps
    if args.rule:
        unknown = sorted(set(args.rule) - {r.id for r in rules})
        if unknown:
            raise TaskRefused(f"--rule {', '.join(unknown)}: not a rule of the city (accepted: {', '.join(r.id for r in rules)})")
        gaps = gaps[gaps["rule"].isin(args.rule)]
    if args.district:
        gaps = gaps[gaps["district"].isin(args.district)]
    if args.unit:
        gaps = gaps[responsible_units(city, rules, gaps)["unit"].isin(args.unit)]
    filed = service.file_tasks(source.key, city, gaps, user=_user(args), as_of=result.as_of, unit=args.assign, due=args.due,
                               note=args.note or "", via="cli", database=source.database)  # fmt: skip
    print(f"filed 立案 {len(filed.created)} task(s) from {len(gaps)} gap(s); {len(filed.already)} already had a task 已有任务")
    if filed.created:
        _print(queries.annotate(queries.tasks(source.key, user=_user(args), ids=filed.created, database=source.database), result.as_of))
    return 0


def _print(frame: pd.DataFrame) -> None:
    print(f"{'task':>5}  {pad('state 状态', 20)} {pad('unit 责任单位', 22)} {'due 期限':<11} {'left':>5}  {pad('rule', 28)} gap")
    for r in queries.rows(frame):
        state = flow.both(flow.STATES[r.state])
        left = "" if pd.isna(r.days_left) else str(r.days_left)
        mark = " ⚠ overdue 逾期" if r.overdue else ""
        due = r.due.isoformat() if isinstance(r.due, dt.date) else ""
        print(f"{r.id:>5}  {pad(state, 20)} {pad(str(r.unit or '—'), 22)} {due:<11} {left:>5}  {pad(r.rule, 28)} {r.gap_id}{mark}")


def _list(args: argparse.Namespace) -> int:
    source = _source(args.city)
    as_of = settings.check_date(args.as_of)
    frame = queries.tasks(source.key, user=_user(args), states=args.state, units=args.unit, database=source.database)
    frame = queries.annotate(frame, as_of)
    if args.overdue:
        frame = frame[frame["overdue"]]
    if args.json:
        rows = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
        print(json.dumps(rows, ensure_ascii=False, indent=1, default=str))
        return 0
    if frame.empty:
        print("no tasks 无任务")
        return 0
    _print(frame)
    print(f"{len(frame)} task(s); {int(frame['overdue'].sum())} overdue 逾期 on {as_of.isoformat()}")
    return 0


def _show(args: argparse.Namespace) -> int:
    source = _source(args.city)
    t = queries.task(source.key, args.task, user=_user(args), database=source.database)
    print(f"task 任务 {t.id}: {t.title_zh} / {t.title_en}")
    zh, en = t.detail_in("zh"), t.detail_in("en")  # both, as the title: a task filed before 0006 has its English only
    print(f"  gap 缺口 {t.gap_id}: {zh if zh == en else f'{zh} / {en}'}")
    print(
        f"  state 状态 {flow.both(flow.STATES[t.state])} · unit 责任单位 {t.unit or '—'} · due 期限 {t.due}"
        f" · notice 通知书 {t.notice or '—'}"
    )
    print(f"  rework 返工 {t.rework} · reopened 重新打开 {t.reopened} · version {t.version}")
    for e in queries.rows(queries.timeline(source.key, args.task, user=_user(args), database=source.database)):
        label = flow.STEPS[e.action].label if e.action in flow.STEPS else flow.EVENTS.get(e.action, (e.action, e.action))
        photos = f" · {len(e.attachments)} photo(s)" if e.attachments else ""
        note = f" — {e.note}" if e.note else ""
        print(f"  {e.at:%Y-%m-%d %H:%M} ({e.on}) {pad(str(e.user), 12)} {flow.both(label)}{note}{photos}")
    return 0


def _move(args: argparse.Namespace) -> int:
    source = _source(args.city)
    photos = [inspect_photo(Path(p).read_bytes(), Path(p).name) for p in args.photo or ()]
    recheck, as_of = None, settings.check_date(args.as_of)
    current = queries.task(source.key, args.task, user=_user(args), database=source.database)
    step = flow.step_to(current.state, args.to)
    if step.name in ("verify", "close"):
        city, _, result = _checked(source, args.as_of)
        recheck, as_of = service.Recheck.of(result.gaps, city.revision, source.key), result.as_of
    t = service.move(source.key, args.task, step.name, user=_user(args), as_of=as_of, note=args.note or "", unit=args.unit, due=args.due,
                     photos=photos, recheck=recheck, via="cli", database=source.database)  # fmt: skip
    extra = f" · notice 通知书 {t.notice}" if step.name == "dispatch" else ""
    if step.name == "verify":
        extra = " · the gap is still there 缺口仍在" if t.gap_present else " · the gap is gone 缺口已消除: it can be closed"
    print(f"task {t.id}: {flow.both(step.label)} → {flow.both(flow.STATES[t.state])} · due 期限 {t.due}{extra}")
    return 0


def _extend(args: argparse.Namespace) -> int:
    source = _source(args.city)
    as_of = settings.check_date(args.as_of)
    if args.approve or args.refuse:
        t = service.decide_extension(source.key, args.task, approve=args.approve, user=_user(args), as_of=as_of, note=args.note or "",
                                     via="cli", database=source.database)  # fmt: skip
        print(f"task {t.id}: extension {'approved 批准延期' if args.approve else 'refused 不予延期'} · due 期限 {t.due}")
        return 0
    if args.to is None:
        raise TaskRefused("tasks extend: give --to DATE and --reason (a request), or --approve / --refuse (a decision)")
    t = service.request_extension(source.key, args.task, args.to, reason=args.reason or "", user=_user(args), as_of=as_of, via="cli",
                                  database=source.database)  # fmt: skip
    print(f"task {t.id}: extension to {t.extension_due} requested 已申请延期 (due 期限 {t.due} until approved)")
    return 0


def _notices(args: argparse.Namespace) -> int:
    from documents.notice import notice_docx, notice_filename, notice_html
    from facilities.store.atomic import write_atomic

    source = _source(args.city)
    city, rules, result = _checked(source, args.as_of)
    if args.number:
        numbers = list(args.number)
    else:
        issued = service.issue_notices(source.key, user=_user(args), as_of=result.as_of, units=args.unit, due=args.due, via="cli",
                                       database=source.database)  # fmt: skip
        numbers = [n.number for n in issued]
        if not issued:
            print("no filed tasks with a unit to dispatch 无待派遣任务 (file them first: tasks file; give a unit to those without one)")
            return 0
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for number in numbers:
        content = letters.notice_content(source.key, number, city, rules, user=_user(args), database=source.database)
        for suffix, data in ((".docx", notice_docx(content)), (".html", notice_html(content).encode("utf-8"))):
            path = out / notice_filename(content, suffix)
            write_atomic(path, data)
        print(f"{number}  {pad(content.unit, 24)} {len(content.items)} task(s) → {out / notice_filename(content, '.docx')}")
    return 0


def _guard(func):
    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except (TaskRefused, EvidenceRejected) as exc:
            print(f"refused 未执行: {exc}", file=sys.stderr)
            return 1

    return run


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add ``tasks file|list|show|move|extend|notices`` to the sub-commands."""
    tasks = sub.add_parser("tasks", help="rectification tasks: file gaps, list, move through the case flow, notices")
    cmds = tasks.add_subparsers(dest="tasks_command", required=True)

    def command(name: str, func, help_text: str, task: bool = False) -> argparse.ArgumentParser:
        p = cmds.add_parser(name, help=help_text)
        p.add_argument("city", help="the city's key in the database (e.g. xiangyang or db:xiangyang)")
        if task:
            p.add_argument("task", type=int, help="the task's number (see `tasks list`)")
        p.add_argument("--as-of", type=as_of_arg, help=AS_OF_HELP)
        p.add_argument("--as", dest="user", help=ACTING_HELP)
        p.set_defaults(func=_guard(func))
        return p

    f = command("file", _file, "file a task (立案) for each gap of the current check that has none open")
    f.add_argument("--rule", action="append", help="only the gaps of this rule (repeatable)")
    f.add_argument("--district", action="append", help="only the gaps in this district (repeatable)")
    f.add_argument("--unit", action="append", help="only the gaps this unit is responsible for (repeatable)")
    f.add_argument("--assign", help="give every new task this responsible unit instead of the gap's own")
    f.add_argument("--due", type=as_of_arg, help="due date YYYY-MM-DD (default: the rule's deadline_days, never after the inspection)")
    f.add_argument("--note", help="a note for the timeline")
    ls = command("list", _list, "the tasks, with their countdown to the due date")
    ls.add_argument("--state", action="append", choices=list(flow.STATES), help="only tasks in this state (repeatable)")
    ls.add_argument("--unit", action="append", help="only this unit's tasks (repeatable)")
    ls.add_argument("--overdue", action="store_true", help="only overdue tasks (past due, not finished)")
    ls.add_argument("--json", action="store_true", help="print the tasks as JSON")
    command("show", _show, "one task and its timeline", task=True)
    m = command("move", _move, "take one step of the case flow", task=True)
    m.add_argument("--to", required=True, choices=list(flow.STATES), help="the state to move to")
    m.add_argument("--note", help="a note; a reason where one is needed (reject, return, redispatch)")
    m.add_argument("--photo", action="append", help="an evidence photo (JPEG, PNG or WebP; repeatable)")
    m.add_argument("--unit", help="the responsible unit (dispatch, redispatch)")
    m.add_argument("--due", type=as_of_arg, help="the due date YYYY-MM-DD (dispatch, redispatch)")
    e = command("extend", _extend, "ask for a later due date, or approve / refuse one", task=True)
    e.add_argument("--to", type=as_of_arg, help="the due date asked for")
    e.add_argument("--reason", help="why (needed for a request)")
    e.add_argument("--approve", action="store_true", help="approve the pending request")
    e.add_argument("--refuse", action="store_true", help="refuse the pending request")
    e.add_argument("--note", help="a note with the decision")
    n = command("notices", _notices, "dispatch filed tasks under numbered notices (整改通知书) and write them")
    n.add_argument("--unit", action="append", help="only this unit (repeatable)")
    n.add_argument("--out", required=True, help="folder to write the notices to (.docx and .html)")
    n.add_argument("--due", type=as_of_arg, help="one due date for every task dispatched (default: each task's own)")
    n.add_argument("--number", action="append", help="write this issued notice again instead of issuing new ones (repeatable)")


__all__ = ["add_parsers"]
