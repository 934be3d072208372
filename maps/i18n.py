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
