"""Every word of the interface in Chinese and English, in one module that all layers read.

- :data:`COLUMNS`: headings of the tables the code computes (gaps, the scorecard, district figures);
- :data:`MAP_WORDS`: words the maps use; :data:`APP_WORDS`: the app's pages, widgets and messages;
- a layer's field and value labels are declared with the layer (:mod:`facilities.schema`) and read here
  through :func:`field_label` and :func:`value_label`.

Adding a word: one entry in one of the tables below (a test checks both languages are given).
"""

from __future__ import annotations

from typing import Any

from facilities.schema import ALL_LAYERS

LANGS = ("zh", "en")
Pair = tuple[str, str]

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
    "checked": ("检查数", "Checked"),
    "share": ("达标比例", "Share"),
    "threshold": ("要求", "Threshold"),
    "passed": ("达标", "Pass"),
    "lon": ("经度", "Longitude"),
    "lat": ("纬度", "Latitude"),
}

#: words the maps use
MAP_WORDS: dict[str, Pair] = {
    "legend": ("图例", "Legend"),
    "gaps": ("缺口", "Gaps"),
    "reach": ("服务半径", "Reach"),
    "search": ("搜索名称…", "Search by name…"),
    "not_found": ("未找到", "Not found"),
    "water": ("水系", "Water"),
    "districts": ("区界", "Districts"),
    "roads": ("道路", "Roads"),
    "lamps_working": ("亮 working", "working 亮"),
    "status_planned": ("虚线空心 = 规划", "dashed ring = planned"),
    "status_closed": ("灰色 = 关闭", "grey = closed"),
}

#: the app's words (pages, widgets, messages)
APP_WORDS: dict[str, Pair] = {
    "app_title": ("旅游城市设施", "Tourist-city facilities"),
    "page_map": ("地图", "Map"),
    "page_gaps": ("缺口", "Gaps"),
    "page_lighting": ("亮化与标识", "Lighting & signage"),
    "page_scorecard": ("评分", "Scorecard"),
    "page_inventory": ("清单", "Inventory"),
    "lang": ("语言 Language", "Language 语言"),
    "city": ("城市", "City"),
    "basemap": ("底图", "Basemap"),
    "layers": ("图层", "Layers"),
    "filters": ("筛选", "Filters"),
    "district": ("区", "District"),
    "status": ("状态", "Status"),
    "type": ("类型", "Type"),
    "grade": ("等级", "Grade"),
    "all": ("全部", "All"),
    "details": ("要素详情", "Feature details"),
    "click_hint": ("点击地图上的要素查看详情。", "Click a feature on the map to see its details."),
    "nothing_here": ("此处没有要素（50 米内）。", "No feature within 50 m of the click."),
    "counts": ("各图层要素数量", "Features per layer"),
    "invalid": (
        "该城市的数据有错误，未加载。请按下表逐条修正（文件、要素、字段、取值、可接受的值）后刷新页面。",
        "This city's files have errors and were not loaded. "
        "Fix each problem below (file, feature, field, value, what is accepted), then reload.",
    ),
    "rules_invalid": ("规则文件有错误，未核查：", "The rules file has errors; nothing was checked:"),
    "no_rules": ("该城市没有 rules.toml，无法核查缺口与评分。", "This city has no rules.toml: no gaps or score."),
    "warnings": ("数据警告", "Data warnings"),
    "no_city": ("data/ 下没有城市文件夹（需含 city.toml）。", "No city folder (with a city.toml) under data/."),
    "score": ("总分", "Score"),
    "pass_mark": ("达标线", "Pass mark"),
    "passed": ("达标", "Pass"),
    "failed": ("未达标", "Fail"),
    "rules": ("规则", "Rules"),
    "rule": ("规则", "Rule"),
    "unit": ("责任单位", "Responsible unit"),
    "gaps_table": ("缺口清单", "Gap list"),
    "gap_hint": ("选择一行，地图将定位到该缺口。", "Pick a row to zoom the map to that gap."),
    "download_geojson": ("下载 GeoJSON", "Download GeoJSON"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "download_xlsx": ("下载 Excel", "Download Excel"),
    "download_report": ("下载可打印报告 (HTML)", "Download printable report (HTML)"),
    "points_by_rule": ("各规则得分", "Points by rule"),
    "to_improve": ("提分空间最大的规则", "Rules that would raise the score most"),
    "points_missing": ("失分", "Points missing"),
    "points": ("得分", "Points"),
    "result": ("结果", "Result"),
    "lamps_working": ("亮灯率", "Lamps working"),
    "dark_km": ("暗区长度 (km)", "Dark road (km)"),
    "bilingual_share": ("双语标识比例", "Bilingual signs"),
    "damaged_missing": ("损坏/缺失标识", "Damaged or missing signs"),
    "search": ("搜索（名称、编号）", "Search (name, id)"),
    "layer": ("图层", "Layer"),
    "rows": ("条", "rows"),
    "as_of": ("核查日期", "Check date"),
    "as_of_help": (
        "规则中的“今天”与天数按此日期计算；默认取 FACILITIES_AS_OF，否则规则文件的 as_of，否则今天。",
        "“Today” in the rules and day counts are taken as of this date; "
        "by default FACILITIES_AS_OF, else the rules file's as_of, else today.",
    ),
    "as_of_short": ("截至", "as of"),
    "when": ("时间 (UTC)", "When (UTC)"),
    "source_of_change": ("来源", "Source"),
    "field": ("字段", "Field"),
    "old": ("原值", "Old value"),
    "new": ("新值", "New value"),
    "action": ("操作", "Action"),
    "error_page": ("此页面出错，数据未被修改。", "This page failed; no data was changed."),
    # the store and editing (issue 11)
    "no_store": ("无法打开数据库", "Cannot open the database"),
    "page_edit": ("编辑", "Edit"),
    "page_changes": ("修改记录", "Changes"),
    "your_name": ("你的姓名（记入修改记录）", "Your name (recorded with each change)"),
    "your_name_help": (
        "每项修改都记录修改人；保存前请填写真实姓名。",
        "Every change records who made it: give your real name before saving.",
    ),
    "need_name": ("请先在左侧栏填写你的姓名，再保存。", "Give your name in the sidebar before saving."),
    "edit_mode": ("操作", "Action"),
    "edit_feature": ("修改要素", "Edit a feature"),
    "add_point": ("新增点位", "Add a point"),
    "feature": ("要素", "Feature"),
    "version": ("版本", "Version"),
    "location": ("位置", "Location"),
    "lon": ("经度 (WGS84)", "Longitude (WGS84)"),
    "lat": ("纬度 (WGS84)", "Latitude (WGS84)"),
    "click_to_place": (
        "在地图上点击新位置，经纬度随之填入；保存后生效。",
        "Click the map at the new place: the coordinates follow; saved with the form.",
    ),
    "note": ("修改说明（可选）", "Note (optional)"),
    "save": ("保存", "Save"),
    "saved": (
        "已保存：第 {revision} 次修改，{changes} 项变更。地图、缺口与评分已更新。",
        "Saved: revision {revision}, {changes} change(s). The map, gaps and score follow.",
    ),
    "nothing_changed": ("没有修改任何内容。", "Nothing was changed."),
    "rejected": (
        "未保存：以下字段的取值不符合要求（其他内容未写入）。",
        "Not saved: the fields below have values that are not accepted (nothing was written).",
    ),
    "conflict": (
        "未保存：你打开此要素后，他人已修改并保存。你填写的内容仍保留在表单中；请查看下列修改，载入最新版本后再次应用。",
        "Not saved: someone else saved this feature after you opened it. Your input is kept in the form; "
        "see their changes below, load the latest version and apply yours again.",
    ),
    "load_latest": ("载入最新版本", "Load the latest version"),
    "retire": ("停用（状态设为“关闭”）", "Retire (status: closed)"),
    "delete": ("删除要素（记录在案）", "Delete the feature (recorded)"),
    "confirm_delete": ("确认删除", "Confirm deletion"),
    "deleted": ("已删除，修改记录中可查。", "Deleted; the change is in the history."),
    "history": ("修改历史", "History"),
    "no_history": ("尚无修改记录。", "No changes yet."),
    "new_id": ("编号（新要素）", "ID (new feature)"),
    "unset": ("（未填）", "(not set)"),
    "edit_table": ("批量编辑（仅写入改动的单元格）", "Bulk edit (only the changed cells are written)"),
    "save_table": ("保存表格修改", "Save the table's changes"),
    "changes_filters": ("按图层、修改人、日期筛选", "By layer, person and date"),
    "who": ("修改人", "Who"),
    "since": ("起始日期", "From"),
    "until": ("截止日期", "To"),
    "revert": ("撤销此项修改", "Revert this change"),
    "change_no": ("修改编号", "Change no."),
    "reverted": ("已撤销（撤销本身也已记录）。", "Reverted (the revert is recorded too)."),
    "draw_note": (
        "道路与区域等线、面要素请通过导入新增或修改（python -m facilities import … / db load）。",
        "Roads and zones (lines and areas) are added or reshaped by import (python -m facilities import … / db load).",
    ),
    "edit_this": ("编辑此要素", "Edit this feature"),
    "filter_field": ("按字段筛选", "Filter by field"),
    "filter_values": ("取值", "Values"),
    "bulk_field": ("批量设置字段", "Set a field for every row shown"),
    "bulk_apply": ("应用到显示的 {n} 行", "Apply to the {n} rows shown"),
}

#: how a gap's measure is written, by its ``measure_unit`` (format strings, Chinese and English)
MEASURES: dict[str, Pair] = {
    "m": ("{:,.0f} m", "{:,.0f} m"),
    "days": ("{:.0f} 天 days", "{:.0f} days 天"),
    "per km²": ("{:.2f} /km²", "{:.2f} /km²"),
    "share": ("", ""),
}

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
    if isinstance(value, bool):
        return pick(BOOLEAN[value], lang)
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
