"""The interface's words in Chinese and English, in one table (maps and the app both read it)."""

from __future__ import annotations

LANGS = ("zh", "en")

#: field -> (Chinese, English)
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "id": ("编号", "ID"),
    "name": ("名称", "Name (zh)"),
    "name_en": ("英文名", "Name"),
    "district": ("区", "District"),
    "status": ("状态", "Status"),
    "unit": ("责任单位", "Responsible unit"),
    "updated": ("更新日期", "Updated"),
    "source": ("来源", "Source"),
    "notes": ("备注", "Notes"),
    "kind": ("类型", "Kind"),
    "grade": ("等级", "Grade"),
    "daily_visitors": ("日均游客", "Daily visitors"),
    "stars": ("星级", "Stars"),
    "female_stalls": ("女厕位", "Women's stalls"),
    "male_stalls": ("男厕位", "Men's stalls"),
    "accessible_stalls": ("无障碍厕位", "Accessible stalls"),
    "family_room": ("第三卫生间", "Family room"),
    "fee": ("收费", "Fee"),
    "opening_hours": ("开放时间", "Opening hours"),
    "sign_type": ("标牌类型", "Sign type"),
    "text_zh": ("中文", "Text (zh)"),
    "text_en": ("英文", "Text (en)"),
    "symbol": ("符号", "Symbol"),
    "condition": ("状况", "Condition"),
    "road": ("道路", "Road"),
    "dock_type": ("码头类型", "Dock type"),
    "pontoon": ("趸船", "Pontoon"),
    "berths": ("泊位", "Berths"),
    "operator": ("运营单位", "Operator"),
    "lamp_type": ("灯具类型", "Lamp type"),
    "height_m": ("灯高 (m)", "Height (m)"),
    "power_w": ("功率 (W)", "Power (W)"),
    "working": ("亮灯", "Working"),
    "circuit": ("回路", "Circuit"),
    "road_class": ("道路等级", "Road class"),
    "lit": ("照明", "Lit"),
    "bridge": ("桥梁", "Bridge"),
    "stop_type": ("站点类型", "Stop type"),
    "routes": ("线路", "Routes"),
    "shelter": ("候车亭", "Shelter"),
    "bilingual": ("双语", "Bilingual"),
    "illuminated": ("亮化", "Illuminated"),
    "permit_no": ("许可证号", "Permit no."),
    "permit_expiry": ("许可到期", "Permit expiry"),
    "zone_type": ("区域类型", "Zone type"),
    "reported_on": ("报告日期", "Reported on"),
    "fixed_on": ("整改日期", "Fixed on"),
    # gaps
    "rule": ("规则", "Rule"),
    "feature_id": ("对象", "Feature"),
    "measure": ("度量", "Measure"),
    "detail": ("说明", "Detail"),
    "measure_unit": ("单位", "Unit of measure"),
    "checked": ("检查数", "Checked"),
    "share": ("达标比例", "Share"),
    "threshold": ("要求", "Threshold"),
    "points": ("得分", "Points"),
    "weight": ("分值", "Weight"),
    "passed": ("达标", "Pass"),
    "lon": ("经度", "Longitude"),
    "lat": ("纬度", "Latitude"),
}

#: words the maps use
TEXT: dict[str, tuple[str, str]] = {
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


def label(field: str, lang: str) -> str:
    zh, en = FIELD_LABELS.get(field, (field, field))
    return zh if lang == "zh" else en


def text(key: str, lang: str) -> str:
    zh, en = TEXT[key]
    return zh if lang == "zh" else en


def both(zh: str, en: str, lang: str) -> str:
    """ "中文 English" in Chinese mode, "English 中文" in English mode."""
    return f"{zh} {en}" if lang == "zh" else f"{en} {zh}"


#: the app's words (pages, widgets, messages)
UI: dict[str, tuple[str, str]] = {
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
    "error_page": ("此页面出错，数据未被修改。", "This page failed; no data was changed."),
}


def ui(key: str, lang: str) -> str:
    zh, en = UI[key]
    return zh if lang == "zh" else en
