"""修改记录 Changes: the audit trail of the city — by layer, person and date — and reverting one change."""

from __future__ import annotations

import streamlit as st

from facilities import store
from facilities.errors import EditConflict, EditRejected, StoreError
from facilities.schema import ALL_LAYERS
from facilities.words import pick
from ui.auth import allowed, me
from ui.history import changes_frame
from ui.state import current_city, current_source, lang, page_title, t


def main() -> None:
    """Recent changes, filtered; an admin act: revert one change of a field (recorded itself)."""
    city = current_city()
    language = lang()
    page_title("page_changes", city)
    st.caption(t("changes_filters"))
    a, b, c, d = st.columns(4)
    layer = a.selectbox(
        t("layer"), [None, *ALL_LAYERS], format_func=lambda n: t("all") if n is None else pick(ALL_LAYERS[n].title, language)
    )
    who = b.text_input(t("who"), key="changes_who").strip() or None
    since = c.date_input(t("since"), value=None, format="YYYY-MM-DD", key="changes_since")
    until = d.date_input(t("until"), value=None, format="YYYY-MM-DD", key="changes_until")
    frame = store.history(current_source(), by=me(), layer=layer, user=who, since=since, until=until, limit=1000)
    st.caption(f"{len(frame)} {t('rows')}")
    st.dataframe(changes_frame(frame, language), hide_index=True)
    if not allowed("revert"):  # an administrator's act (the store refuses it for anyone else)
        return
    with st.form("revert"):
        change = st.number_input(t("change_no"), min_value=1, step=1, value=None, key="revert_change")
        submitted = st.form_submit_button(t("revert"))
    if submitted and change:
        try:
            store.revert(current_source(), int(change), user=me())
        except (EditConflict, EditRejected, StoreError) as exc:
            st.error(str(exc))
            return
        st.success(t("reverted"))


main()
