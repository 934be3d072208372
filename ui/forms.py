"""A feature's form, generated from the layer model: one widget per declared field, of the field's type.

``str`` with allowed values → a select box showing their Chinese/English labels (and "not set" when the
field is optional); ``str`` → a text box; ``int`` / ``float`` → a number box (empty = not set) with the
declared bounds; ``bool`` → yes / no / not set; ``date`` → a date picker (empty = not set). The values go
back to the store as plain JSON values; the store checks them with the record checks of ``validate`` and
says, per field, what is wrong (:func:`field_errors` shows it under the field).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import streamlit as st

from facilities.problems import Problem
from facilities.schema import Field, LayerSpec
from facilities.words import BOOLEAN, pick, ui

UNSET = "\u0000unset"


def widget_key(prefix: str, name: str) -> str:
    """The session-state key of one field's widget (``prefix`` names the feature being edited)."""
    return f"{prefix}:{name}"


def _initial(f: Field, value: Any) -> Any:
    if value is None:
        return UNSET if (f.allowed is not None or f.type == "bool") else None
    if f.type == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if f.type == "float":
        return float(value)
    return value


def field_widget(f: Field, value: Any, prefix: str, lang: str, errors: Mapping[str, str]) -> None:
    """Draw the widget of field ``f`` starting at the stored ``value``; what the user types is kept across
    reruns (and a refused save) as long as the stored value it started from stays the same."""
    key = widget_key(prefix, f.name)
    initial = _initial(f, value)
    label = pick(f.label, lang) + (" *" if f.required else "")
    help_text = f.doc or None
    if f.allowed is not None or f.type == "bool":
        if f.type == "bool":
            options: list[Any] = [UNSET, True, False]
        else:
            options = ([] if f.required else [UNSET]) + list(f.allowed)
        if initial not in options:  # a stored value the model does not accept: shown as it is
            options.append(initial)

        def show(v: Any) -> str:
            if v == UNSET:
                return ui("unset", lang)
            if isinstance(v, bool):
                return pick(BOOLEAN[v], lang)
            return pick(f.value_labels[v], lang) + f" ({v})" if v in f.value_labels else str(v)

        st.selectbox(label, options, index=options.index(initial), key=key, help=help_text, format_func=show)
    elif f.type in ("int", "float"):
        step: Any = 1 if f.type == "int" else 0.1
        cast = int if f.type == "int" else float
        lo = None if f.min is None else cast(f.min)
        hi = None if f.max is None else cast(f.max)
        st.number_input(label, value=initial, min_value=lo, max_value=hi, step=step, key=key, help=help_text,
                        format=None if f.type == "int" else "%g")  # fmt: skip
    elif f.type == "date":
        st.date_input(label, value=initial, key=key, help=help_text, format="YYYY-MM-DD")
    else:
        st.text_input(label, value=initial or "", key=key, help=help_text)
    if f.name in errors:
        st.error(errors[f.name])


def form_values(spec: LayerSpec, prefix: str) -> dict[str, Any]:
    """The values of the form's widgets as plain JSON values (None: not set), every field but ``id``."""
    values: dict[str, Any] = {}
    for f in spec.fields:
        if f.name == "id":
            continue
        value = st.session_state.get(widget_key(prefix, f.name))
        if value == UNSET or value == "":
            value = None
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif f.type == "int" and isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, str):
            value = value.strip() or None
        values[f.name] = value
    return values


def field_errors(problems: list[Problem]) -> dict[str, str]:
    """The problems of a refused save, by field (the geometry's under ``geometry``)."""
    out: dict[str, str] = {}
    for p in problems:
        name = p.field or "geometry"
        text = f"{p.message} — {p.accepted}" if p.accepted else p.message
        out[name] = f"{out[name]}; {text}" if name in out else text
    return out


__all__ = ["UNSET", "field_errors", "field_widget", "form_values", "widget_key"]
