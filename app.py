"""Streamlit app: 旅游城市设施 — the facility inventory, its gaps and score (Tourist-city facilities).

Run with ``make run``. Pages (views/) hold widgets and layout only; data, rules and maps come from
``facilities`` and ``maps``; what pages share is in ``ui/state.py``.
"""

from __future__ import annotations

import logging

import streamlit as st

from ui.state import sidebar, t

st.set_page_config(page_title="旅游城市设施 Tourist-city facilities", page_icon="🗺️", layout="wide")

try:
    if sidebar():
        pages = [
            st.Page("views/map.py", title=t("page_map"), icon=":material/map:", url_path="map", default=True),
            st.Page("views/gaps.py", title=t("page_gaps"), icon=":material/flag:", url_path="gaps"),
            st.Page("views/lighting.py", title=t("page_lighting"), icon=":material/lightbulb:", url_path="lighting"),
            st.Page("views/scorecard.py", title=t("page_scorecard"), icon=":material/scoreboard:", url_path="scorecard"),
            st.Page("views/inventory.py", title=t("page_inventory"), icon=":material/table_view:", url_path="inventory"),
            st.Page("views/tasks.py", title=t("page_tasks"), icon=":material/assignment:", url_path="tasks"),
            st.Page("views/my_tasks.py", title=t("page_my_tasks"), icon=":material/task_alt:", url_path="my-tasks"),
            st.Page("views/dashboard.py", title=t("page_dashboard"), icon=":material/dashboard:", url_path="dashboard"),
            st.Page("views/edit.py", title=t("page_edit"), icon=":material/edit:", url_path="edit"),
            st.Page("views/changes.py", title=t("page_changes"), icon=":material/history:", url_path="changes"),
        ]
        st.navigation(pages).run()
except Exception as exc:  # st.stop and reruns are not Exceptions: they pass
    # a bug of ours: the user gets one clear line (no traceback, nothing from the data as markup); the log the details
    logging.getLogger("facilities.app").exception("page failed")
    st.error(t("error_page"))
    st.text(f"{type(exc).__name__}: {exc}")
