"""编辑 Edit: correct a feature's attributes, move it, retire or delete it, or add a new point.

The form is generated from the layer model (:mod:`ui.forms`); a save is one transaction in the store,
made on the version the form was opened on: if someone saved the feature meanwhile, the save is refused,
their changes are shown, and the user's input stays in the form (optimistic concurrency). Lines and areas
(roads, zones) are changed by import: the map library's drawing tool does not edit them reliably.
"""

from __future__ import annotations

import streamlit as st
from shapely.geometry import Point

from facilities import City, store
from facilities.errors import EditConflict, EditRejected, StoreError
from facilities.schema import ALL_LAYERS, LAYERS
from facilities.words import pick
from maps import MAP_LAYERS
from ui.auth import allowed, me
from ui.foliummap import show
from ui.forms import field_errors, field_widget, form_values
from ui.history import history_table
from ui.state import city_map, current_city, current_source, lang, page_title, t
from ui.tasks import feature_photos

POINT_LAYERS = [n for n in MAP_LAYERS if "Point" in LAYERS[n].geometry_types]


def _save(edit: store.Edit, note: str, prefix: str) -> None:
    """Save one edit; the outcome goes to the session (shown after the rerun)."""
    try:
        saved = store.edit(current_source(), [edit], user=me(), note=note)
    except EditRejected as exc:
        st.session_state[f"{prefix}:outcome"] = ("rejected", t("rejected"), field_errors(exc.problems))
        return
    except EditConflict as exc:
        st.session_state[f"{prefix}:outcome"] = ("conflict", t("conflict"), "\n".join(c.to_text() for c in exc.conflicts))
        return
    except StoreError as exc:
        st.session_state[f"{prefix}:outcome"] = ("error", str(exc), None)
        return
    if saved.changes == 0:
        st.session_state[f"{prefix}:outcome"] = ("info", t("nothing_changed"), None)
        return
    st.session_state[f"{prefix}:outcome"] = ("success", t("saved").format(revision=saved.revision, changes=saved.changes), None)
    st.session_state.pop(f"{prefix}:base", None)  # the next form starts from the saved version
    st.session_state.pop(f"{prefix}:pos", None)


def _outcome(prefix: str) -> dict[str, str]:
    """Show the last save's outcome; the field errors of a refused one."""
    found = st.session_state.get(f"{prefix}:outcome")
    if not found:
        return {}
    kind, message, detail = found
    if kind == "success":
        st.success(message)
    elif kind == "info":
        st.info(message)
    elif kind == "conflict":
        st.error(message)
        st.code(detail, language=None)  # data: shown as text
    else:
        st.error(message)
    return detail if kind == "rejected" and isinstance(detail, dict) else {}


def _location_picker(layer: str, prefix: str, start: tuple[float, float] | None) -> tuple[float, float] | None:
    """A map of the layer: a click sets the feature's new position (kept in the session until saved)."""
    pos_key = f"{prefix}:pos"
    st.caption(t("click_to_place"))
    prepared = city_map([layer], "none", gaps=False, returned=("last_clicked",))
    out = show(prepared, key=f"{prefix}:map", height=360)
    clicked = (out or {}).get("last_clicked")
    if clicked and st.session_state.get(f"{pos_key}:click") != clicked:
        st.session_state[f"{pos_key}:click"] = clicked
        st.session_state[pos_key] = (round(float(clicked["lng"]), 7), round(float(clicked["lat"]), 7))
    pos = st.session_state.get(pos_key, start)
    if pos is not None:
        st.markdown(f"**{t('location')}**: {t('lon')} `{pos[0]:.6f}`, {t('lat')} `{pos[1]:.6f}`")
    return pos


def edit_existing(city: City) -> None:
    """Pick a feature (the map's last click preselects it), then its form, history, retire and delete."""
    language = lang()
    names = [n for n in ALL_LAYERS if len(city[n])]
    target = st.session_state.get("edit_target")
    layer_default = names.index(target[0]) if target and target[0] in names else 0
    layer = st.selectbox(
        t("layer"), names, index=layer_default, key="edit_layer", format_func=lambda n: pick(ALL_LAYERS[n].title, language)
    )
    gdf = city[layer]
    labels = {fid: f"{fid} · {name}" if isinstance(name, str) else str(fid) for fid, name in zip(gdf["id"], gdf["name"], strict=True)}
    ids = list(labels)
    # the choice is kept in the session, not in the widget: the labels (names) change when anyone saves,
    # which makes Streamlit draw a new widget; it then starts at the feature chosen before
    chosen = st.session_state.get(f"edit_sel:{layer}")
    if target and target[0] == layer and target[1] in ids:
        chosen = target[1]
    index = ids.index(chosen) if chosen in ids else 0
    fid = st.selectbox(t("feature"), ids, index=index, format_func=lambda i: labels[i])
    st.session_state[f"edit_sel:{layer}"] = fid
    if target and target[0] == layer:
        st.session_state.pop("edit_target", None)
    prefix = f"edit:{layer}:{fid}"
    base_key = f"{prefix}:base"
    if base_key not in st.session_state or st.session_state.get("edit_reload") == prefix:
        stored = store.feature(current_source(), layer, fid)
        if stored is None:
            st.warning(t("nothing_here"))
            return
        st.session_state[base_key] = stored
        st.session_state.pop("edit_reload", None)
    base: store.Stored = st.session_state[base_key]
    spec = ALL_LAYERS[layer]
    errors = _outcome(prefix)
    st.caption(f"{t('version')} {base.version}")
    is_point = base.geometry is not None and base.geometry.geom_type == "Point"
    pos = None
    if is_point:
        pos = _location_picker(layer, prefix, (base.geometry.x, base.geometry.y))
    else:
        st.caption(t("draw_note"))
    with st.form(f"{prefix}:form"):
        cols = st.columns(2)
        fields = [f for f in spec.fields if f.name != "id"]
        for i, f in enumerate(fields):
            with cols[i % 2]:
                field_widget(f, base.props.get(f.name), prefix, language, errors)
        if "geometry" in errors:
            st.error(errors["geometry"])
        note = st.text_input(t("note"), key=f"{prefix}:note")
        submitted = st.form_submit_button(t("save"), type="primary")
    if submitted:
        moved = Point(pos) if is_point and pos is not None and (pos[0], pos[1]) != (base.geometry.x, base.geometry.y) else None
        _save(store.Edit(layer, fid, base.version, form_values(spec, prefix), moved), note, prefix)
        st.rerun()
    a, b, c = st.columns(3)
    if a.button(t("load_latest"), key=f"{prefix}:latest"):
        st.session_state["edit_reload"] = prefix
        st.session_state.pop(f"{prefix}:outcome", None)
        st.rerun()
    status = spec.field("status")
    if status is not None and "closed" in (status.allowed or ()) and b.button(t("retire"), key=f"{prefix}:retire"):
        _save(store.Edit(layer, fid, base.version, {"status": "closed"}), st.session_state.get(f"{prefix}:note", ""), prefix)
        st.rerun()
    if allowed("delete"):
        with c.popover(t("delete")):
            if st.button(t("confirm_delete"), key=f"{prefix}:delete", type="primary"):
                _save(store.Edit(layer, fid, base.version, delete=True), st.session_state.get(f"{prefix}:note", ""), prefix)
                st.session_state.pop("edit_target", None)
                st.rerun()
    st.subheader(t("history"))
    history_table(layer, fid)
    feature_photos(layer, fid)


def _next_id(city: City, layer: str) -> str:
    """A free id for a new feature: the layer's usual prefix and the next number."""
    ids = [str(i) for i in city[layer]["id"]]
    prefix = "".join(ch for ch in (ids[0] if ids else layer[:1].upper()) if not ch.isdigit()) or layer[:1].upper()
    numbers = [int(i[len(prefix) :]) for i in ids if i.startswith(prefix) and i[len(prefix) :].isdigit()]
    width = max((len(i) - len(prefix) for i in ids if i.startswith(prefix)), default=3)
    candidate = (max(numbers) + 1) if numbers else 1
    taken = set(ids)
    while f"{prefix}{candidate:0{width}d}" in taken:
        candidate += 1
    return f"{prefix}{candidate:0{width}d}"


def add_point(city: City) -> None:
    """Click the map where the new facility is, fill in its form, save."""
    language = lang()
    layer = st.selectbox(t("layer"), POINT_LAYERS, key="add_layer", format_func=lambda n: pick(ALL_LAYERS[n].title, language))
    spec = ALL_LAYERS[layer]
    prefix = f"add:{layer}"
    errors = _outcome(prefix)
    pos = _location_picker(layer, prefix, None)
    with st.form(f"{prefix}:form"):
        new_id = st.text_input(t("new_id"), value=_next_id(city, layer), key=f"{prefix}:id")
        if "id" in errors:
            st.error(errors["id"])
        cols = st.columns(2)
        fields = [f for f in spec.fields if f.name != "id"]
        for i, f in enumerate(fields):
            with cols[i % 2]:
                field_widget(f, "existing" if f.name == "status" else None, prefix, language, errors)
        if "geometry" in errors:
            st.error(errors["geometry"])
        note = st.text_input(t("note"), key=f"{prefix}:note")
        submitted = st.form_submit_button(t("save"), type="primary")
    if submitted:
        values = form_values(spec, prefix)
        _save(store.Edit(layer, new_id.strip(), None, values, Point(pos) if pos else None), note, prefix)
        if st.session_state[f"{prefix}:outcome"][0] == "success":
            st.session_state["edit_target"] = (layer, new_id.strip())
        st.rerun()


def main() -> None:
    """Edit a feature or add a point (the store refuses what the layer model does not accept)."""
    city = current_city()
    page_title("page_edit", city)
    if not allowed("edit"):  # the page is not offered then; a direct run of it shows nothing either
        st.error(t("not_allowed_page"))
        return
    mode = st.radio(t("edit_mode"), ["edit", "add"], horizontal=True, key="edit_mode",
                    format_func=lambda m: t("edit_feature") if m == "edit" else t("add_point"))  # fmt: skip
    if mode == "edit":
        edit_existing(city)
    else:
        add_point(city)


main()
