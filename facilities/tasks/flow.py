"""A rectification task's life, modelled on the case flow of China's digital city management (数字城管,
GB/T 30428): its states, the steps between them, and what each step needs. Declared once; the service
(:mod:`facilities.tasks.service`), the command line and the pages read it.

::

    立案 filed ──派遣 dispatch──▶ 派遣 dispatched ──签收 accept──▶ 签收 accepted ──反馈 submit──▶ 反馈 submitted
       │  ▲                          │                                                         │
       │  └──────────退回 return─────┘                                                   核查 verify
       │                             ▲                                                         ▼
     不予立案 reject                  └──────────重新派遣 redispatch (a rework)─────────── 核查 verifying
       ▼                             ▲                                                         │
    不予立案 rejected                 └──────────重新打开 reopen (the gap came back)── 结案 closed ◀─结案 close─┘

A due-date extension (延期) is asked for while dispatched or accepted and approved or refused by staff; it
does not change the state. Overdue is computed (past the due date and not finished), never stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from facilities.errors import TaskRefused

Pair = tuple[str, str]

#: the states, in the order a task goes through them, with their (zh, en) labels
STATES: dict[str, Pair] = {
    "filed": ("立案", "Filed"),
    "dispatched": ("派遣", "Dispatched"),
    "accepted": ("签收", "Accepted"),
    "submitted": ("反馈", "Reported fixed"),
    "verifying": ("核查", "Verifying"),
    "closed": ("结案", "Closed"),
    "rejected": ("不予立案", "Rejected"),
}
#: states in which nothing more is asked of anyone (a closed task may still be reopened)
FINISHED = frozenset({"closed", "rejected"})
#: states in which the responsible unit has the task in hand (a deadline extension may be asked for)
WITH_UNIT = frozenset({"dispatched", "accepted"})


@dataclass(frozen=True)
class Step:
    """One allowed move: its name, (zh, en) label, from and to state, and what it needs.

    ``needs_note``: a reason must be given; ``needs_unit_and_due``: a responsible unit and due date;
    ``by``: who takes it — ``staff`` (the campaign office), ``unit`` (the responsible unit) or ``system``
    (the check, when a closed task's gap comes back); the task service enforces it
    (:data:`facilities.tasks.service.STEP_ACTIONS`).
    """

    name: str
    label: Pair
    source: str
    target: str
    by: str
    needs_note: bool = False
    needs_unit_and_due: bool = False
    needs_evidence: bool = False


STEPS: dict[str, Step] = {
    s.name: s
    for s in (
        Step("dispatch", ("派遣", "Dispatch"), "filed", "dispatched", "staff", needs_unit_and_due=True),
        Step("reject", ("不予立案", "Reject"), "filed", "rejected", "staff", needs_note=True),
        Step("accept", ("签收", "Accept"), "dispatched", "accepted", "unit"),
        Step("return", ("退回", "Return"), "dispatched", "filed", "unit", needs_note=True),
        Step("submit", ("反馈（已整改）", "Report fixed"), "accepted", "submitted", "unit", needs_evidence=True),
        Step("verify", ("核查", "Verify"), "submitted", "verifying", "staff"),
        Step("close", ("结案", "Close"), "verifying", "closed", "staff"),
        Step("redispatch", ("重新派遣", "Send back"), "verifying", "dispatched", "staff", needs_note=True),
        Step("reopen", ("重新打开", "Reopen"), "closed", "dispatched", "system", needs_note=True),
    )
}

#: the other things that happen to a task, recorded in its timeline like the steps (no change of state)
EVENTS: dict[str, Pair] = {
    "file": ("立案", "Filed"),
    "extension_requested": ("申请延期", "Extension requested"),
    "extension_approved": ("批准延期", "Extension approved"),
    "extension_refused": ("不予延期", "Extension refused"),
    "attach": ("上传照片", "Photo attached"),
    "reassign": ("变更责任单位", "Unit changed"),
}


def state_label(state: str, lang: str = "zh") -> str:
    """The label of a state in ``lang`` (``zh`` or ``en``)."""
    zh, en = STATES[state]
    return zh if lang == "zh" else en


def both(pair: Pair) -> str:
    """``中文 English`` (what messages and the command line show)."""
    return f"{pair[0]} {pair[1]}"


def steps_from(state: str) -> list[Step]:
    """The steps allowed from ``state`` (in declaration order)."""
    return [s for s in STEPS.values() if s.source == state]


def step_to(state: str, target: str) -> Step:
    """The step that moves a task from ``state`` to ``target``; TaskRefused when there is none."""
    for s in steps_from(state):
        if s.target == target:
            return s
    if target not in STATES:
        raise TaskRefused(f"{target!r}: not a state or a step (accepted: the states {', '.join(STATES)}; the steps {', '.join(STEPS)})")
    return _refuse(state, f"to {both(STATES[target])}")


def step_named(state: str, name: str) -> Step:
    """The step ``name`` if it is allowed from ``state``; TaskRefused saying what is allowed otherwise."""
    step = STEPS.get(name)
    if step is None:
        raise TaskRefused(f"{name!r}: not a step (accepted: {', '.join(STEPS)})")
    if step.source != state:
        _refuse(state, f"{both(step.label)}")
    return step


def _refuse(state: str, what: str) -> Step:
    allowed = steps_from(state)
    accepted = ", ".join(f"{both(s.label)} → {both(STATES[s.target])}" for s in allowed) or "nothing (the task is finished)"
    raise TaskRefused(f"a task in state {both(STATES[state])} cannot move {what} (allowed: {accepted})")


def is_overdue(state: str, due: dt.date | None, as_of: dt.date) -> bool:
    """Past its due date on ``as_of`` and not finished (computed, never stored)."""
    return due is not None and state not in FINISHED and due < as_of


def days_left(due: dt.date | None, as_of: dt.date) -> int | None:
    """Days from ``as_of`` to the due date (negative when overdue); None without a due date."""
    return None if due is None else (due - as_of).days


def default_due(as_of: dt.date, deadline_days: int, inspection: dt.date | None) -> dt.date:
    """The due date of a task filed on ``as_of``: ``deadline_days`` later, never after the inspection date.

    When the inspection date has already passed (a re-inspection not yet set), the deadline is not capped.
    """
    due = as_of + dt.timedelta(days=deadline_days)
    if inspection is not None and inspection >= as_of:
        due = min(due, inspection)
    return due


def check_due(due: dt.date, as_of: dt.date, inspection: dt.date | None) -> None:
    """Refuse a due date chosen by hand that falls after the inspection date or before ``as_of``."""
    if inspection is not None and inspection >= as_of and due > inspection:
        raise TaskRefused(
            f"due date {due.isoformat()}: after the inspection date (accepted: {as_of.isoformat()} to {inspection.isoformat()})"
        )
    if due < as_of:
        raise TaskRefused(f"due date {due.isoformat()}: in the past (accepted: {as_of.isoformat()} or later)")


__all__ = [
    "EVENTS", "FINISHED", "STATES", "STEPS", "WITH_UNIT", "Step", "both", "check_due", "days_left", "default_due",
    "is_overdue", "state_label", "step_named", "step_to", "steps_from",
]  # fmt: skip
