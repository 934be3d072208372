"""What a rectification notice (整改通知书) says, from the store: its tasks with what, where, the standard
and threshold, the deadline, and the shapes of a small map around each gap (:mod:`documents.notice`
turns it into a Word document and a printable page).
"""

from __future__ import annotations

import json

import shapely
from shapely.geometry import shape

from facilities.auth.roles import User
from facilities.city import City
from facilities.rules import Rule, RuleSet
from facilities.tasks import flow, queries
from facilities.tasks.notice import Notice, NoticeItem
from facilities.words import measure_text

#: how far around a gap its small map reaches, in degrees (about 400 m at Chinese latitudes)
FRAME_DEG = 0.004
#: the ``[[rule]]`` parameters that say what a rule asks for (shown as its threshold), with their (zh, en) words
THRESHOLD_WORDS = {
    "distance_m": ("距离不超过", "within", "m"),
    "max_gap_m": ("间距不超过", "gaps at most", "m"),
    "min_per_km2": ("密度不低于", "at least", "/km²"),
    "min_count": ("数量不少于", "at least", ""),
}


def threshold_text(rule: Rule | None) -> str:
    """A rule's threshold as one line, e.g. ``距离不超过 500 m within; 达标比例 ≥ 100%``."""
    if rule is None:
        return ""
    parts = []
    for name, (zh, en, unit) in THRESHOLD_WORDS.items():
        value = rule.params.get(name)
        if value is not None and not (name == "min_count" and value == 1):
            parts.append(f"{zh} {value:g} {unit} ({en})".replace("  ", " "))
    parts.append(f"达标比例 ≥ {rule.min_share:.0%} (share compliant)")
    return "; ".join(parts)


def _shapes(city: City, rule: Rule | None, lon: float, lat: float) -> tuple[tuple[str, shapely.Geometry], ...]:
    """Roads, water, responsibility zones and the rule's facilities around (lon, lat), for the small map."""
    box = (lon - FRAME_DEG, lat - FRAME_DEG, lon + FRAME_DEG, lat + FRAME_DEG)
    wanted = [("water", "water"), ("zone", "zones"), ("road", "roads")]
    facility = rule.selections.get("facility") if rule is not None else None
    if facility is not None:
        wanted.append(("facility", facility.layer))
    out = []
    for category, layer in wanted:
        gdf = city[layer]
        if gdf.empty:
            continue
        near = gdf.cx[box[0] : box[2], box[1] : box[3]]
        out += [(category, g) for g in near.geometry if g is not None and not g.is_empty]
    return tuple(out)


def notice_content(key: str, number: str, city: City, rules: RuleSet, *, user: User, database: str | None = None) -> Notice:
    """The notice ``number`` of city ``key`` with its tasks as they stand (each with its state and due date)."""
    record = queries.notice(key, number, user=user, database=database)
    frame = queries.tasks(key, user=user, ids=record["tasks"], database=database).sort_values("id")
    config = city.config
    items = []
    for row in queries.rows(frame):
        rule = rules.get(row.rule)
        geometry = shape(json.loads(row.geometry)) if isinstance(row.geometry, str) else None
        where = " · ".join(str(p) for p in (row.name, row.district, f"{row.layer}/{row.feature_id}" if row.feature_id else None) if p)
        zh, en = flow.STATES[row.state]
        # the notice is Chinese with English under it: the Chinese detail, the English one where none was stored (0006)
        what_zh, what_en = queries.detail_text(row.detail_zh, row.detail, "zh"), queries.detail_text(None, row.detail, "en")
        items.append(
            NoticeItem(
                task_id=int(row.id), gap_id=row.gap_id, rule_title_zh=row.title_zh, rule_title_en=row.title_en,
                what=what_zh, what_en="" if what_en == what_zh else what_en, where=where or row.gap_id,
                lon=float(row.lon), lat=float(row.lat), standard=row.standard or "", threshold=threshold_text(rule),
                measure=measure_text(row.measure, row.measure_unit or "", "zh"), due=row.due, state_zh=zh, state_en=en,
                geometry=geometry, map_shapes=_shapes(city, rule, float(row.lon), float(row.lat)),
            )
        )  # fmt: skip
    office = config.office
    report = (
        "整改完成后，请在系统“我的任务”页面对每项任务上传整改后照片并点击“反馈（已整改）”，"
        f"或书面报送{office.short}；{office.short}将按标准复核（核查）后结案。"
        " When a task is fixed, report it on the app's My tasks page with a photo (Report fixed), or in writing;"
        " the office re-checks it against the standard before closing it."
    )
    return Notice(
        number=number, issuer=office.name, city_zh=config.name, city_en=config.name_en, unit=record["unit"],
        issued=record["issued"], items=tuple(items), report_back=report, inspection_date=config.inspection_date,
        contact=office.contact,
    )  # fmt: skip


__all__ = ["THRESHOLD_WORDS", "notice_content", "threshold_text"]
