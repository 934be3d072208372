"""A city's audit trail as the app shows it: labelled columns, layer titles, field labels, UTC times."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from facilities import store
from facilities.auth.roles import SETUP
from facilities.schema import ALL_LAYERS
from facilities.words import CHANGE_ACTIONS, CHANGE_SOURCES, field_label, pick, ui, value_label
from ui.auth import me
from ui.state import current_source, lang, t


def history_table(layer: str, feature_id: str) -> None:
    """The feature's changes, newest first (who, when, field, old and new value)."""
    frame = store.history(current_source(), by=me(), layer=layer, feature=feature_id, limit=200)
    if frame.empty:
        st.caption(t("no_history"))
        return
    st.dataframe(changes_frame(frame, lang()), hide_index=True)


def changes_frame(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """The audit trail as the app shows it: labelled columns, field labels, times in UTC."""
    out = pd.DataFrame({
        ui("change_no", language): frame["change"],
        ui("when", language): frame["at"].dt.strftime("%Y-%m-%d %H:%M:%S"),
        ui("who", language): [ui("first_start", language) if u == SETUP.login else u for u in frame["user"]],
        ui("source_of_change", language): [pick(CHANGE_SOURCES[s], language) if s in CHANGE_SOURCES else s for s in frame["source"]],
        ui("layer", language): frame["layer"].map(lambda n: pick(ALL_LAYERS[n].title, language) if n in ALL_LAYERS else n),
        ui("feature", language): frame["feature_id"],
        ui("action", language): [pick(CHANGE_ACTIONS[a], language) if a in CHANGE_ACTIONS else a for a in frame["action"]],
        ui("field", language): [ui("whole_record", language) if f == "*" else field_label(la, f, language)
                                for la, f in zip(frame["layer"], frame["field"], strict=True)],
        ui("old", language): _values(frame, "old", language),
        ui("new", language): _values(frame, "new", language),
        ui("note", language): frame["note"],
    })  # fmt: skip
    return out


def value_text(layer: str, field: str, stored: object, language: str) -> str:
    """A value of the audit trail (stored as JSON) as a reader reads it: a coded value by its label, a whole
    record (``field`` ``*``) as "label: value" pairs; text that is not JSON as it is."""
    if stored is None or (isinstance(stored, float) and stored != stored):
        return ""
    try:
        value = json.loads(str(stored))
    except ValueError:
        return str(stored)
    if isinstance(value, dict):
        return "；".join(
            f"{field_label(layer, k, language)}: {_one(layer, k, v, language)}" for k, v in value.items() if v not in (None, "")
        )
    return _one(layer, field, value, language)


def _values(frame: pd.DataFrame, column: str, language: str) -> list[str]:
    return [value_text(la, f, v, language) for la, f, v in zip(frame["layer"], frame["field"], frame[column], strict=True)]


def _one(layer: str, field: str, value: object, language: str) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value_label(layer, field, value, language)


__all__ = ["changes_frame", "history_table", "value_text"]
