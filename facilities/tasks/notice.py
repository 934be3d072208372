"""What a rectification notice (整改通知书) says, as data: built by :mod:`facilities.tasks` from the store,
turned into a Word document and a printable page by :mod:`documents.notice` (this module builds no document).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from shapely.geometry.base import BaseGeometry

#: categories of the background shapes of an item's small map (drawn in this order)
MAP_CATEGORIES = ("water", "zone", "road", "facility", "gap")


@dataclass(frozen=True)
class NoticeItem:
    """One open task on a notice: what (in Chinese, with its English under it), where, the standard and
    threshold, the deadline.

    ``map_shapes`` are (category, WGS84 geometry) pairs around the gap for its small map, category one of
    :data:`MAP_CATEGORIES`; ``geometry`` is the gap itself (WGS84), ``lon``/``lat`` a representative point.
    """

    task_id: int
    gap_id: str
    rule_title_zh: str
    rule_title_en: str
    what: str  # the gap's detail in Chinese, e.g. "最近的 A 级旅游厕所在 812 米外" (its English one for a task filed before 0006)
    where: str  # name / road / district, as one line of text
    lon: float
    lat: float
    standard: str  # the rule's source (the standard cited)
    threshold: str  # the rule's threshold as text, e.g. "≤ 500 m"
    measure: str  # the current measure as text, e.g. "812 m"
    due: dt.date
    state_zh: str
    state_en: str
    geometry: BaseGeometry | None = None
    map_shapes: tuple[tuple[str, BaseGeometry], ...] = ()
    what_en: str = ""  # the gap's detail in English, under the Chinese one ("" when ``what`` is already the English one)


@dataclass(frozen=True)
class Notice:
    """A numbered notice to one responsible unit listing its open tasks.

    ``number`` reads e.g. ``创优办〔2026〕第12号``; ``report_back`` says how the unit reports a task fixed.
    """

    number: str
    issuer: str  # e.g. "襄阳市创建中国优秀旅游城市工作办公室（创优办）"
    city_zh: str
    city_en: str
    unit: str
    issued: dt.date
    items: tuple[NoticeItem, ...]
    report_back: str
    inspection_date: dt.date | None = None
    contact: str = ""
    extra: dict[str, str] = field(default_factory=dict)
