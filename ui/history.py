"""A city's audit trail as the app shows it: labelled columns, layer titles, field labels, UTC times."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from facilities import store
from facilities.schema import ALL_LAYERS
from facilities.words import field_label, pick, ui
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
        ui("who", language): frame["user"],
        ui("source_of_change", language): frame["source"],
        ui("layer", language): frame["layer"].map(lambda n: pick(ALL_LAYERS[n].title, language) if n in ALL_LAYERS else n),
        ui("feature", language): frame["feature_id"],
        ui("action", language): frame["action"],
        ui("field", language): [field_label(la, f, language) for la, f in zip(frame["layer"], frame["field"], strict=True)],
        ui("old", language): frame["old"],
        ui("new", language): frame["new"],
        ui("note", language): frame["note"],
    })  # fmt: skip
    return out


__all__ = ["changes_frame", "history_table"]
