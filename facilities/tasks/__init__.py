"""Rectification tasks (整改任务): gaps filed as cases, moved through a 数字城管-style case flow, dispatched
to responsible units under numbered notices (整改通知书), verified by re-checking the inventory.

- :mod:`~facilities.tasks.flow` — the states and steps (declared once), deadlines, overdue;
- :mod:`~facilities.tasks.service` — the writes (file, move, notices, extensions, photos), one transaction each;
- :mod:`~facilities.tasks.queries` — the reads, the stored check runs and :func:`sync`;
- :mod:`~facilities.tasks.units` — who is responsible for a gap; :mod:`~facilities.tasks.evidence` — photos;
- :mod:`~facilities.tasks.figures` — the leaders' figures; :mod:`~facilities.tasks.letters` — a notice's content.

Tasks live in the database store (a city loaded with ``db load``; the app's cities are).
"""

from facilities.tasks.flow import FINISHED, STATES, STEPS
from facilities.tasks.service import Filed, Issued, Recheck, Task

__all__ = ["FINISHED", "STATES", "STEPS", "Filed", "Issued", "Recheck", "Task"]
