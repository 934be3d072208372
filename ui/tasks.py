"""What the task pages share: the chosen city's tasks (read fresh: they change often), the sync of tasks
with the check (once per revision and date), a task's card, timeline and photos, and the form of each
allowed step. The writes go through :mod:`facilities.tasks.service`, which checks every step.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from facilities.auth import accounts
from facilities.check import Result
from facilities.errors import EvidenceRejected, StoreError, TaskConflict, TaskRefused
from facilities.tasks import flow, queries, service
from facilities.tasks.evidence import Photo, inspect_photo
from facilities.words import pick
from maps.tasks_map import tasks_map
from ui.auth import allowed, me
from ui.foliummap import prepare
from ui.safe import md
from ui.state import as_of, current_key, current_result, lang, load, t


@st.cache_resource(max_entries=32, show_spinner=False)
def _synced(database: str, key: str, revision: int, as_of_date: dt.date, _result: Result) -> queries.Synced:
    """Record the check run and reopen closed tasks whose gap is back: once per (revision, date) per process."""
    return queries.sync(key, _result, revision, database=database)


def synced_result() -> Result:
    """The current check, with the tasks kept in step with it (see :func:`facilities.tasks.queries.sync`)."""
    result = current_result()
    assert result is not None
    database, key, revision = current_key()
    done = _synced(database, key, revision, result.as_of, result)
    if done.reopened:
        st.warning(pick(("重新打开的任务（缺口重现）：", "Reopened (the gap is back): "), lang()) + ", ".join(map(str, done.reopened)))
    return result


def all_tasks(result: Result) -> pd.DataFrame:
    """The city's tasks with overdue, days left and whether the gap is there now."""
    database, key, _ = current_key()
    return queries.annotate(queries.tasks(key, user=me(), database=database), as_of(), result.gaps["gap_id"])


@st.cache_resource(max_entries=16, show_spinner=False)
def _map(
    database: str, key: str, revision: int, as_of_date: dt.date, language: str, focus: int | None, fingerprint: tuple, _frame: pd.DataFrame
) -> dict:
    return prepare(tasks_map(load(database, key, revision), _frame, as_of_date, lang=language, focus=focus))


def detail_text(row: pd.Series) -> str:
    """The task's gap detail in the chosen language (Chinese: ``detail_zh``, or the English ``detail`` of a
    task filed before it was stored; never translated here)."""
    return queries.detail_text(row.get("detail_zh"), row["detail"], lang())


def task_map(frame: pd.DataFrame, focus: int | None = None) -> dict:
    """The map of ``frame``'s tasks, prepared for :func:`ui.foliummap.show` (each marker's detail in the
    chosen language); cached on the tasks it shows (their ids and versions), the city's revision, the date
    and the language."""
    database, key, revision = current_key()
    fingerprint = tuple(zip(frame["id"].astype(int), frame["version"].astype(int), strict=True))
    lg = lang()
    shown = frame.assign(detail=[queries.detail_text(z, d, lg) for z, d in zip(frame["detail_zh"], frame["detail"], strict=True)])
    return _map(database, key, revision, as_of(), lang(), focus, fingerprint, shown)


def state_text(state: str) -> str:
    """A state's label in the chosen language."""
    return pick(flow.STATES[state], lang())


def step_text(step: flow.Step) -> str:
    """A step's label in the chosen language."""
    return pick(step.label, lang())


def countdown_text(days: object) -> str:
    """``还剩 5 天`` / ``逾期 3 天`` (days to the due date)."""
    if days is None or pd.isna(days):
        return ""
    n = int(days)  # type: ignore[call-overload]
    if n < 0:
        return pick((f"逾期 {-n} 天", f"{-n} days overdue"), lang())
    return pick((f"还剩 {n} 天", f"{n} days left"), lang())


def card(row: pd.Series) -> None:
    """A task's summary: number, state, unit, due date with the countdown, the gap (all data shown literally)."""
    title = row["title_zh"] if lang() == "zh" else row["title_en"]
    flag = " ⚠" if row["overdue"] else ""
    st.markdown(f"**#{int(row['id'])} · {state_text(row['state'])}**{flag} · {md(row['unit'] or '—')}")
    st.caption(f"{md(title)}")
    due = row["due"].isoformat() if isinstance(row["due"], dt.date) else "—"
    st.markdown(
        f"{t('due')} {due} · **{countdown_text(row['days_left'])}**" + (f" · {t('notice')} {md(row['notice'])}" if row["notice"] else "")
    )
    st.text(" · ".join(str(v) for v in (row["name"], row["district"], detail_text(row)) if isinstance(v, str) and v))


def gap_status(row: pd.Series, result: Result) -> None:
    """What the check says about the task's gap now."""
    here = result.gaps[result.gaps["gap_id"] == row["gap_id"]]
    if len(here):
        st.warning(t("gap_still").format(detail=md(here["detail_zh" if lang() == "zh" else "detail"].iloc[0])))
    elif row["state"] in flow.FINISHED:
        st.success(t("gap_gone_closed"))
    else:
        st.success(t("gap_gone"))


def timeline(task_id: int) -> None:
    """The task's timeline (oldest first) with thumbnails of its photos."""
    database, key, _ = current_key()
    events = queries.timeline(key, task_id, user=me(), database=database)
    names = accounts.names(database)
    st.subheader(t("timeline"))
    for e in queries.rows(events):
        label = flow.STEPS[e.action].label if e.action in flow.STEPS else flow.EVENTS.get(e.action, (e.action, e.action))
        moved = f" → {state_text(e.target_state)}" if e.source_state and e.target_state and e.source_state != e.target_state else ""
        st.markdown(
            f"- `{e.at:%Y-%m-%d %H:%M}` ({e.on}) **{md(names.get(e.user, e.user))}** · {pick(label, lang())}{moved}"
            + (f" — {md(e.note)}" if e.note else "")
        )
        if e.attachments:
            thumbs = [queries.photo(h, user=me(), thumbnail=True, database=database)[0] for h in e.attachments]
            st.image(thumbs, width=120)


def photo_inputs(prefix: str, camera: bool = True) -> tuple[list[Photo], list[str]]:
    """Photo widgets (file upload, and the phone's camera on request): the checked photos and the problems."""
    files = st.file_uploader(t("photo_upload"), type=["jpg", "jpeg", "png", "webp"], accept_multiple_files=True, key=f"{prefix}_files")
    shot = None
    if camera and st.toggle(t("photo_camera"), key=f"{prefix}_cam_on"):
        shot = st.camera_input(t("photo_camera"), key=f"{prefix}_cam")
    photos, problems = [], []
    for f in [*(files or []), *([shot] if shot is not None else [])]:
        try:
            photos.append(inspect_photo(f.getvalue(), f.name))
        except EvidenceRejected as exc:
            problems.append(str(exc))
    return photos, problems


def step_form(row: pd.Series, allowed_by: frozenset[str], result: Result) -> None:
    """One form per step allowed from the task's state, taken by ``allowed_by`` (``staff``, ``unit``: the
    page's side of the flow) and that the signed-in user's role may take on this task."""
    steps = [s for s in flow.steps_from(row["state"]) if s.by in allowed_by and allowed(service.STEP_ACTIONS[s.by], row["unit"])]
    st.subheader(t("next_steps"))
    if not steps:
        st.caption(t("no_next"))
        return
    tabs = st.tabs([step_text(s) for s in steps])
    for tab, step in zip(tabs, steps, strict=True):
        with tab:
            _one_step(row, step, result)


def _one_step(row: pd.Series, step: flow.Step, result: Result) -> None:
    prefix = f"step_{int(row['id'])}_{step.name}"
    note = st.text_area(t("reason") if step.needs_note else t("step_note"), key=f"{prefix}_note", height=80)
    unit = due = None
    if step.name in ("dispatch", "redispatch"):
        unit = st.text_input(t("unit"), value=row["unit"] or "", key=f"{prefix}_unit") or None
        due = st.date_input(t("due"), value=row["due"], key=f"{prefix}_due", format="YYYY-MM-DD")
    photos: list[Photo] = []
    problems: list[str] = []
    if step.needs_evidence or step.name == "close":  # the unit's evidence; an optional after-photo at closing
        photos, problems = photo_inputs(prefix)
    for p in problems:
        st.error(p)
    if st.button(step_text(step), key=f"{prefix}_go", type="primary", disabled=bool(problems)):
        database, key, revision = current_key()
        recheck = service.Recheck.of(result.gaps, revision, key) if step.name in ("verify", "close") else None
        try:
            service.move(
                key, int(row["id"]), step.name, user=me(), as_of=as_of(), note=note, version=int(row["version"]),
                unit=unit, due=due if due != row["due"] else None, photos=photos, recheck=recheck, database=database,
            )  # fmt: skip
        except (TaskRefused, TaskConflict, StoreError) as exc:
            st.error(str(exc))
            return
        st.session_state["task_flash"] = t("step_done").format(step=step_text(step))
        st.rerun()


def feature_photos(layer: str, feature_id: str) -> None:
    """The photos of a facility (thumbnails) and a form to attach more (stored once by content hash)."""
    database, key, _ = current_key()
    st.subheader(t("photos"))
    found = queries.photos_of(key, user=me(), layer=layer, feature_id=feature_id, database=database)
    if len(found):
        st.image([queries.photo(h, user=me(), thumbnail=True, database=database)[0] for h in found["sha256"]], width=120,
                 caption=[f"{a:%Y-%m-%d} {u}" for a, u in zip(found["at"], found["user"], strict=True)])  # fmt: skip
    if not allowed("attach_feature"):
        return
    photos, problems = photo_inputs(f"feature_{layer}_{feature_id}", camera=True)
    for p in problems:
        st.error(p)
    if photos and st.button(t("attach_photos"), key=f"feature_{layer}_{feature_id}_attach"):
        try:
            service.attach(key, photos, user=me(), as_of=as_of(), layer=layer, feature_id=feature_id, database=database)
        except StoreError as exc:
            st.error(str(exc))
        else:
            st.rerun()


def flash() -> None:
    """Show (once) the message the last step left."""
    message = st.session_state.pop("task_flash", None)
    if message:
        st.success(message)


__all__ = [
    "all_tasks",
    "card",
    "countdown_text",
    "detail_text",
    "flash",
    "gap_status",
    "photo_inputs",
    "state_text",
    "step_form",
    "synced_result",
    "timeline",
]
