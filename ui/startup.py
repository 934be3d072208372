"""The first start, while the sign-in page is already shown: the store set up and the first city warmed.

On a fresh machine the demo city is loaded into the embedded database (validated, written, its accounts
created: a few seconds), then checked and drawn. Done in the page's own run, the first visitor would look at
a spinner for all of that. Instead, the first run of the process starts :func:`begin`'s background thread and
shows the sign-in page at once, with a line saying what is being prepared (:func:`show_progress`); signing in
waits for the store only when it is not ready yet (:func:`wait_for_store`). The thread goes on to load and
check the default city and to draw its default map through the same caches the pages use, so the first map
after signing in is taken from them. Whatever fails in the thread is logged; the page's own setup
(:func:`ui.state.seed`) then runs it again and shows the error as before.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from facilities import settings, store
from facilities.words import ui
from maps.basemaps import available
from ui import state

LOG = logging.getLogger("facilities.startup")
#: the thread's name (Streamlit's "missing ScriptRunContext" warnings of this thread are not logged)
THREAD = "facilities-warmup"
#: what the thread is doing, in order
STAGES = ("store", "check", "map", "done")


@dataclass
class Warmup:
    """The background preparation of one database: its stage, when it started, and its error if any."""

    started: float = field(default_factory=time.monotonic)
    stage: str = STAGES[0]
    error: str | None = None
    store_ready: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)


class _QuietWarmup(logging.Filter):
    """Drop Streamlit's "missing ScriptRunContext" warning for the warm-up thread (it has no page on purpose)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False for that warning from the warm-up thread."""
        return not (record.threadName == THREAD and "ScriptRunContext" in record.getMessage())


def _default_city(database: str) -> str | None:
    """The city the pages open first: the demo city when the database has it, else the first one."""
    keys = sorted(c.key for c in store.cities(database))
    return settings.DEMO_CITY.name if settings.DEMO_CITY.name in keys else (keys[0] if keys else None)


def load_folders(database: str) -> None:
    """Load into ``database`` the city folders of the data folder that it does not hold yet."""
    stored = {c.key for c in store.cities(database)}
    for folder in state.city_folders():
        if folder.name not in stored:
            state.seed_folder(database, str(folder))


def _run(warm: Warmup, database: str) -> None:
    """Load the folders the database lacks (in a process of its own: validating and writing them would hold
    the interpreter's lock and slow the sign-in page down), then check the default city and draw its default
    map here, into the pages' caches."""
    try:
        done = subprocess.run([sys.executable, "-m", "ui.startup", database], cwd=settings.ROOT, capture_output=True, text=True,
                              timeout=1800, check=False)  # fmt: skip
        if done.returncode != 0:  # the page's own setup runs it again and shows the error
            LOG.error("first start: loading the city folders failed: %s", done.stderr[-4000:])
            warm.error = done.stderr[-4000:]
            return
    except (OSError, subprocess.SubprocessError) as exc:
        LOG.exception("first start: the setup process could not run")
        warm.error = str(exc)
        return
    finally:
        warm.store_ready.set()
    try:
        key = _default_city(database)
        if key is None:
            return
        revision = store.revision(store.DbCity(key, database))
        if revision is None:
            return
        warm.stage = STAGES[1]
        try:
            fixed = settings.as_of_setting()
        except settings.SettingError:
            fixed = None  # (the pages say what is wrong with it)
        as_of = state.city_check_date(state.load(database, key, revision), fixed)  # the date the pages start at
        state.checked(database, key, revision, as_of)
        warm.stage = STAGES[2]
        checked_at = time.monotonic()
        state.warm_map(database, key, revision, as_of, available()[0])
        LOG.info("first start: the store ready, %s checked and its map drawn in %.1f s (the map %.1f s)", key,
                    time.monotonic() - warm.started, time.monotonic() - checked_at)  # fmt: skip
    except Exception:  # only a head start: the pages compute it again
        LOG.exception("first start: warming the default city failed")
    finally:
        warm.stage = STAGES[3]
        warm.finished.set()


@st.cache_resource(show_spinner=False)
def begin(database: str) -> Warmup:
    """Start preparing ``database`` in the background (once per process and database)."""
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_QuietWarmup())
    warm = Warmup()
    threading.Thread(target=_run, args=(warm, database), name=THREAD, daemon=True).start()
    return warm


def wait_for_store(warm: Warmup, timeout: float = 600) -> None:
    """Block until the store is set up (returns at once when it is)."""
    warm.store_ready.wait(timeout)


def show_progress(warm: Warmup, slot: Any) -> None:
    """Say in ``slot`` what is being prepared and for how long, every half second, until the store is ready;
    then run the page again (the demo accounts then show, and this line goes).

    The page's other widgets stay usable meanwhile: sending the sign-in form stops this run (at its next
    update) and starts the next, which waits for the store only as long as it is not ready. (Not a fragment
    with ``run_every``: its timer, still running in the browser after signing in, would cut the first
    signed-in run short every half second.)
    """
    language = st.session_state.get("lang", "zh")
    while not warm.store_ready.wait(0.5):
        seconds = time.monotonic() - warm.started
        slot.progress(min(0.9, seconds / 10), text=ui("warm_store", language).format(seconds=seconds))  # (never claims done)
    slot.empty()
    st.rerun()


if __name__ == "__main__":  # the setup process of a first start: python -m ui.startup <database>
    load_folders(sys.argv[1])
