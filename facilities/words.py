"""Every word of the interface in Chinese and English, in one module that all layers read.

- :data:`COLUMNS`: headings of the tables the code computes (gaps, the scorecard, district figures);
- :data:`MAP_WORDS`: words the maps use; :data:`APP_WORDS` (kept in :mod:`facilities.app_words`): the app's
  pages, widgets and messages;
- :data:`VERDICTS`: a scorecard's verdict (passed, failed, incomplete) and a rule's (passed, failed, not
  applicable, no data), and :func:`no_data_note`;
- :func:`number` and :func:`percent`: figures as text, never ``-0.0``;
- a layer's field and value labels are declared with the layer (:mod:`facilities.schema`) and read here
  through :func:`field_label` and :func:`value_label`.

Adding a word: one entry in one of the tables below (a test checks both languages are given).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from facilities.app_words import APP_WORDS, Pair
from facilities.schema import ALL_LAYERS

LANGS = ("zh", "en")

#: column -> (Chinese, English): headings of computed tables
COLUMNS: dict[str, Pair] = {
    "gap_id": ("缺口编号", "Gap ID"),
    "district": ("区", "District"),
    "lamps": ("在用路灯", "Lamps in use"),
    "working": ("亮灯", "Working"),
    "not_working": ("不亮", "Not working"),
    "unknown": ("状态不明", "Unknown"),
    "working_share": ("亮灯率", "Working share"),
    "road_class": ("道路等级", "Road class"),
    "km": ("暗区长度（公里）", "Dark km"),
    "checked_km": ("检查长度（公里）", "Checked km"),
    "dark_share": ("暗区比例", "Dark share"),
    "meeting_km": ("照度达标长度（公里，估算）", "Km meeting CJJ 45 (estimate)"),
    "meeting_share": ("照度达标比例（估算）", "Share meeting CJJ 45 (estimate)"),
    "start_m": ("起点 (m)", "Starts at (m)"),
    "length_m": ("长度 (m)", "Length (m)"),
    "e_avg": ("平均照度 (lx，估算)", "Average illuminance (lx, estimate)"),
    "e_min": ("最小照度 (lx，估算)", "Minimum illuminance (lx, estimate)"),
    "u0": ("照度均匀度（估算）", "Uniformity U0 (estimate)"),
    "e_required": ("平均照度要求 (lx)", "Required average (lx)"),
    "u0_required": ("均匀度要求", "Required uniformity"),
    "ok": ("达标", "Meets"),
    "signs": ("在用标识", "Signs in use"),
    "bilingual": ("中英文", "Bilingual"),
    "bilingual_share": ("中英文比例", "Bilingual share"),
    "damaged": ("损坏", "Damaged"),
    "missing": ("缺失", "Missing"),
    "rule": ("规则", "Rule"),
    "points": ("得分", "Points"),
    "weight": ("分值", "Weight"),
    "points_missing": ("失分", "Points missing"),
    "gain": ("总分可提高", "Total would rise by"),
    "gaps": ("问题数", "Gaps"),
    "unit": ("责任单位", "Responsible unit"),
    "rules": ("涉及规则", "Rules"),
    "total": ("合计", "Total"),
    "feature_id": ("对象", "Feature"),
    "measure": ("度量", "Measure"),
    "detail": ("说明", "Detail"),
    "measure_unit": ("单位", "Unit of measure"),
    "straight_m": ("直线距离 (m)", "Straight line (m)"),
    "checked": ("检查数", "Checked"),
    "share": ("达标比例", "Share"),
    "threshold": ("要求", "Threshold"),
    "passed": ("达标", "Pass"),
    "assessment": ("评估结果", "Assessment"),
    "lon": ("经度", "Longitude"),
    "lat": ("纬度", "Latitude"),
    # the district comparison (facilities.stats.district_comparison); its toilet grades: _GRADE_COLUMNS
    "area_km2": ("面积（平方公里）", "Area (km²)"),
    "toilets": ("在用旅游厕所", "Tourist toilets in use"),
    "toilets_per_km2": ("旅游厕所密度（座/平方公里）", "Tourist toilets per km²"),
    "stops": ("在用旅游交通站点", "Transport stops in use"),
    "stops_per_km2": ("站点密度（个/平方公里）", "Transport stops per km²"),
    "docks": ("在用旅游码头", "Tourist docks in use"),
    "billboards": ("在用宣传广告牌", "Billboards in use"),
    "reports_open": ("未整改市容问题（待处理、已派遣）", "Street reports not yet fixed (open, assigned)"),
}
#: the district comparison's toilets by grade, from the grades' labels in the layer model
_GRADE_COLUMNS: dict[str, Pair] = {
    column: pair
    for grade, (zh, en) in ALL_LAYERS["toilets"].field("grade").value_labels.items()  # type: ignore[union-attr]
    for column, pair in (
        (f"toilets_{grade}", (f"{zh}厕所", f"{en} toilets")),
        (f"toilets_{grade}_per_km2", (f"{zh}厕所密度（座/平方公里）", f"{en} toilets per km²")),
    )
}
COLUMNS.update(_GRADE_COLUMNS)

#: words the maps use
MAP_WORDS: dict[str, Pair] = {
    "legend": ("图例", "Legend"),
    "gaps": ("缺口", "Gaps"),
    "reach": ("服务半径", "Reach"),
    "reach_walk": ("步行可达范围", "Reach on foot"),
    "walk_routes": ("步行路线", "Walking routes"),
    "search": ("搜索名称…", "Search by name…"),
    "not_found": ("未找到", "Not found"),
    "water": ("水系", "Water"),
    "districts": ("区界", "Districts"),
    "roads": ("道路", "Roads"),
    "lamps_working": ("亮灯", "working"),
    "status_planned": ("虚线空心 = 规划", "dashed ring = planned"),
    "status_closed": ("灰色 = 关闭", "grey = closed"),
    "lux_estimate": ("道路照度估算 (CJJ 45)", "Estimated road illuminance (CJJ 45)"),
    "lux_road": ("道路", "Road"),
    "lux_class": ("道路等级", "Road class"),
    "lux_figures": ("平均照度 / 要求 · 均匀度 / 要求", "Eav / required · U0 / required"),
    "lux_verdict": ("估算结果", "Estimate"),
    "sites": ("建议选址", "Suggested sites"),
    "site_label": ("序号 新增覆盖", "Rank, newly covered"),
    "site_points_text": ("总分可提高", "Score would rise by"),
    "site_road": ("所在道路", "On road"),
}

#: verdict -> (Chinese, English): a scorecard's (passed, failed, incomplete) and a rule's (passed, failed,
#: not_applicable: nothing to check; no_data: nothing recorded in the layer it measures against)
VERDICTS: dict[str, Pair] = {
    "passed": ("达标", "PASS"),
    "failed": ("未达标", "FAIL"),
    "incomplete": ("评估不完整", "INCOMPLETE"),
    "not_applicable": ("合理缺项", "n/a"),
    "no_data": ("无数据", "no data"),
}


def no_data_note(layer: str) -> str:
    """The note of a rule not assessed because layer ``layer`` has no record at all (English, then Chinese)."""
    spec = ALL_LAYERS.get(layer)
    zh = spec.title_zh if spec is not None else layer
    return f"no data: nothing recorded in {layer} 无数据：{zh}图层无记录"


#: how a gap's measure is written, by its ``measure_unit`` (format strings, Chinese and English)
MEASURES: dict[str, Pair] = {
    "m": ("{:,.0f} m", "{:,.0f} m"),
    "days": ("{:.0f} 天", "{:.0f} days"),
    "per km²": ("{:.2f} /km²", "{:.2f} /km²"),
    "lx": ("{:.1f} lx（估算）", "{:.1f} lx (estimate)"),
    "share": ("", ""),
}

#: how a site suggestion was solved (facilities.siting.Siting.status)
SITING_STATUS: dict[str, Pair] = {
    "greedy": ("贪心算法结果", "greedy"),
    "greedy + swaps": ("贪心算法，经交换改进", "greedy, improved by swaps"),
    "optimal": ("已证明最优", "proved optimal"),
    "time limit: greedy kept": ("求解超时，保留快速结果", "time limit: the fast answer kept"),
    "time limit: best found": ("求解超时，采用求解器当前最优", "time limit: the solver's best so far"),
}

#: where a change of the audit trail came from (facilities.store.db.edits.SOURCES) and what it did
CHANGE_SOURCES: dict[str, Pair] = {
    "app": ("应用内编辑", "In the app"),
    "import": ("导入", "Import"),
    "cli": ("命令行", "Command line"),
    "gis": ("GIS 软件（如 QGIS）", "GIS software (e.g. QGIS)"),
    "revert": ("撤销", "Revert"),
}
CHANGE_ACTIONS: dict[str, Pair] = {"insert": ("新增", "Added"), "update": ("修改", "Changed"), "delete": ("删除", "Deleted")}

#: a boolean value in a table or popup
BOOLEAN: dict[bool, Pair] = {True: ("是", "Yes"), False: ("否", "No")}


def pick(pair: Pair, lang: str) -> str:
    """The ``lang`` half of a (Chinese, English) pair."""
    if lang not in LANGS:
        raise ValueError(f"lang should be one of {', '.join(LANGS)}, got {lang!r}")
    return pair[0] if lang == "zh" else pair[1]


def both(zh: str, en: str, lang: str) -> str:
    """ "中文 English" in Chinese mode, "English 中文" in English mode."""
    return f"{zh} {en}" if lang == "zh" else f"{en} {zh}"


def verdict(key: str, lang: str) -> str:
    """A verdict (:data:`VERDICTS`) in ``lang``."""
    return pick(VERDICTS[key], lang)


def number(value: Any, digits: int = 1, sign: bool = False, grouping: bool = False) -> str:
    """A figure with ``digits`` decimals (``+`` first when ``sign``; thousands separated when ``grouping``),
    "—" when missing; never ``-0.0``: a value that rounds to zero is written as zero."""
    if value is None or value is pd.NA or value != value:  # None, NA or NaN
        return "—"
    rounded = round(float(value), digits) + 0.0  # -0.0 + 0.0 is 0.0
    return f"{rounded:{'+' if sign else ''}{',' if grouping else ''}.{digits}f}"


def percent(value: Any, digits: int = 1) -> str:
    """A share (0–1) as a percentage with ``digits`` decimals, "—" when missing; never ``-0.0%``."""
    if value is None or value is pd.NA or value != value:
        return "—"
    return number(float(value) * 100, digits) + "%"


def text(key: str, lang: str) -> str:
    """A word of the maps (:data:`MAP_WORDS`)."""
    return pick(MAP_WORDS[key], lang)


def ui(key: str, lang: str) -> str:
    """A word of the app (:data:`APP_WORDS`)."""
    return pick(APP_WORDS[key], lang)


def measure_text(value: float | None, unit: str, lang: str) -> str:
    """A gap's measure with its unit (empty when there is none or the unit has no written form)."""
    if value is None or value != value:  # None or NaN
        return ""
    return pick(MEASURES.get(unit, ("{:g} " + unit, "{:g} " + unit)), lang).format(value)


def field_label(layer: str, field: str, lang: str) -> str:
    """The label of ``field`` of ``layer`` as declared in the layer model; the field name if it is not declared."""
    spec = ALL_LAYERS.get(layer)
    f = spec.field(field) if spec is not None else None
    return pick(f.label, lang) if f is not None else field


def value_label(layer: str, field: str, value: Any, lang: str) -> str:
    """The label of an allowed value (or a boolean) of ``field`` of ``layer``; other values as they are."""
    if isinstance(value, bool | np.bool_):  # (numpy's booleans too: a value read from a frame)
        return pick(BOOLEAN[bool(value)], lang)
    spec = ALL_LAYERS.get(layer)
    f = spec.field(field) if spec is not None else None
    if f is not None and isinstance(value, str) and value in f.value_labels:
        return pick(f.value_labels[value], lang)
    return str(value)


def label(column: str, lang: str) -> str:
    """The heading of a column: a computed table's (:data:`COLUMNS`), else the first layer field of that name."""
    if column in COLUMNS:
        return pick(COLUMNS[column], lang)
    for spec in ALL_LAYERS.values():
        f = spec.field(column)
        if f is not None:
            return pick(f.label, lang)
    return column
