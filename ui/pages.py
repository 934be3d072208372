"""The app's pages, declared once: the navigation (``app.py``) and the tests that walk every page read them here
(importing ``app.py`` would run the app)."""

from __future__ import annotations

#: every page: (script, title key, icon, address, the action a user needs to see it)
PAGES = (
    ("views/map.py", "page_map", ":material/map:", "map", "read"),
    ("views/gaps.py", "page_gaps", ":material/flag:", "gaps", "read_all"),
    ("views/lighting.py", "page_lighting", ":material/lightbulb:", "lighting", "read_all"),
    ("views/scorecard.py", "page_scorecard", ":material/scoreboard:", "scorecard", "read_all"),
    ("views/inventory.py", "page_inventory", ":material/table_view:", "inventory", "read"),
    ("views/tasks.py", "page_tasks", ":material/assignment:", "tasks", "dashboard"),
    ("views/my_tasks.py", "page_my_tasks", ":material/task_alt:", "my-tasks", "unit_step"),
    ("views/dashboard.py", "page_dashboard", ":material/dashboard:", "dashboard", "dashboard"),
    ("views/edit.py", "page_edit", ":material/edit:", "edit", "edit"),
    ("views/changes.py", "page_changes", ":material/history:", "changes", "history"),
    ("views/users.py", "page_users", ":material/group:", "users", "users"),
)

#: the default page's reserved address (never typed: the page is at "/" and at its own address)
HOME = "start"

__all__ = ["HOME", "PAGES"]
