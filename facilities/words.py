"""Every word of the interface in Chinese and English, in one module that all layers read.

- :data:`COLUMNS`: headings of the tables the code computes (gaps, the scorecard, district figures);
- :data:`MAP_WORDS`: words the maps use; :data:`APP_WORDS`: the app's pages, widgets and messages;
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
}

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
    "show_gaps": ("显示缺口", "Show gaps"),
    "show_gaps_help": (
        "缺口随筛选一起筛选：只画所选区内、所选要素的缺口。",
        "Gaps follow the filters: only the gaps in the chosen districts, about the facilities kept, are drawn.",
    ),
    "none_shown": ("无", "none"),
    "no_layer": ("未选择图层。", "No layer chosen."),
    "list_hint": ("筛选结果；点一行，地图移到该处。", "What the filters keep; pick a row to move the map there."),
    "kind_grade": ("类型 · 等级", "Type · grade"),
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
    "assessed_share": ("已评估权重占比", "Assessed share"),
    "assessed_help": (
        "已评估规则的分值之和占全部分值的比例；低于规则文件的 min_assessed（默认 80%）时结果为“评估不完整”，不判达标。",
        "The weight of the rules assessed, as a share of all the weight; below the rules file's min_assessed "
        "(80 % by default) the verdict is incomplete, never a pass.",
    ),
    "incomplete_warning": (
        "已评估规则的分值仅占 {assessed}，低于要求的 {needed}：评估不完整，不判达标。请补齐标为“无数据”的图层。",
        "The rules assessed carry only {assessed} of the checklist's weight, below the {needed} needed: incomplete, "
        "never a pass. Record the layers of the rules marked no data.",
    ),
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
    "value": ("值", "Value"),
    "whole_record": ("整条记录", "Whole record"),
    "first_start": ("首次启动（系统）", "First start (system)"),
    "no_lamps": ("没有路灯数据：本城市未录入路灯。", "No lamps recorded for this city."),
    "no_signs": ("没有标识数据：本城市未录入标识标牌。", "No signs recorded for this city."),
    "tables": ("数据表", "Tables"),
    "city_total": ("全市", "Whole city"),
    "raw_codes": ("下载原始代码", "Download raw codes"),
    "raw_codes_help": (
        "下载的 CSV 使用字段名与原始代码（与 GeoJSON 相同），而不是中文标签。",
        "The CSV download keeps field names and codes (as in GeoJSON) instead of the labels.",
    ),
    "old": ("原值", "Old value"),
    "new": ("新值", "New value"),
    "action": ("操作", "Action"),
    "error_page": ("此页面出错，数据未被修改。", "This page failed; no data was changed."),
    # the store and editing (issue 11)
    "no_store": ("无法打开数据库", "Cannot open the database"),
    "page_edit": ("编辑", "Edit"),
    "page_changes": ("修改记录", "Changes"),
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
    # rectification tasks (任务)
    "page_tasks": ("任务", "Tasks"),
    "page_my_tasks": ("我的任务", "My tasks"),
    "page_dashboard": ("领导看板", "Dashboard"),
    "tasks_need_db": ("任务保存在数据库中。", "Tasks are kept in the database."),
    "file_tasks": ("立案（转为整改任务）", "File as rectification tasks"),
    "file_selected": ("将选中的缺口立案", "File the selected gap"),
    "file_shown": ("将列出的 {n} 个缺口立案", "File the {n} gaps listed"),
    "file_rule": ("将该规则的全部缺口立案", "File every gap of this rule"),
    "rule_to_file": ("要立案的规则", "Rule to file"),
    "lux_title": ("道路照度估算", "Estimated road illuminance"),
    "lux_caption": (
        "按台账中每盏路灯的位置、灯高和光通量（缺光通量时按功率×光效）逐点计算，对照 CJJ 45-2015 表 3.3.1；"
        "这是估算，不是现场测量：假设见规则文件与 docs/rules.md。",
        "Computed point by point from each lamp's position, height and flux in the inventory (power × efficacy when "
        "the flux is missing), against CJJ 45-2015 Table 3.3.1. An estimate, not a measurement: the assumptions are in "
        "the rules file and docs/rules.md.",
    ),
    "lux_none": ("没有可估算的道路（无符合规则的照明道路）", "No road to estimate (no lit road the rule selects)"),
    "lux_km_checked": ("估算长度（公里）", "Estimated (km)"),
    "lux_km_meeting": ("达标长度（公里）", "Meeting CJJ 45 (km)"),
    "lux_km_meeting_share": ("达标比例", "Share meeting"),
    "lux_grade": ("照度标准档", "Illuminance grade"),
    "lux_grade_low": ("低档值", "Low value"),
    "lux_grade_high": ("高档值", "High value"),
    "sites_title": ("选址建议", "Where to build next"),
    "sites_rule": ("选址规则", "Rule to site for"),
    "sites_hint": (
        "选择一条规则：按步行或直线距离，找出新增设施能覆盖最多未达标对象的位置（贪心算法即时给出；精确模型求最优解）；"
        "沿线规则给出每段暗区按规则间距补设的位置。",
        "Pick a rule: the sites where new facilities would bring the most uncovered targets within reach (greedy at once; "
        "the exact model on request); for an along rule, where new ones would close each stretch at the rule's spacing.",
    ),
    "sites_none": ("没有可建议选址的缺口（可达或沿线规则均无缺口）", "No gap to site for (no reach or along rule has gaps)"),
    "sites_k": ("新增数量", "New facilities"),
    "sites_exact": ("精确模型 (MCLP)", "Exact model (MCLP)"),
    "sites_greedy": ("贪心算法", "greedy"),
    "sites_exact_help": (
        "最大覆盖选址模型，CBC 求解，限时 20 秒；超时则保留贪心结果。",
        "The maximal covering location model solved by CBC within 20 s; when it stops early the greedy answer is kept.",
    ),
    "sites_go": ("建议选址", "Suggest sites"),
    "sites_summary": (
        "未覆盖 {before} 个 → 新增 {n} 处后 {after} 个 · 总分 {points} · {method}（{status}）",
        "Uncovered {before} → {after} after {n} new site(s) · score {points} · {method} ({status})",
    ),
    "sites_along_summary": ("{gaps} 段暗区共需补设 {n} 处", "{n} new facilities close {gaps} stretch(es)"),
    "site_rank": ("序号", "Rank"),
    "site_gain": ("新增覆盖", "Newly covered"),
    "site_cumulative": ("累计覆盖", "Covered so far"),
    "site_covers": ("覆盖对象", "Brings within reach"),
    "site_points": ("总分累计提高", "Score rises by (so far)"),
    "site_road_col": ("所在道路", "On road"),
    "sites_pick": ("选择建议（默认全部）", "Suggestions (all by default)"),
    "sites_plan": ("设为规划设施（{n} 处）", "Make planned facilities ({n})"),
    "sites_note": ("按建议选址新增规划设施（规则 {rule}）", "Planned from suggested sites (rule {rule})"),
    "sites_planned": (
        "已新增 {n} 处规划设施（版本 {revision}）；规划设施不计入得分。",
        "Added {n} planned facilities (revision {revision}); planned facilities do not count in the score.",
    ),
    "sites_file": ("将其覆盖的缺口立案", "File the gaps they would close as tasks"),
    "filed_n": ("已立案 {n} 项；{m} 项已有任务（一个缺口一个案件）。", "Filed {n} task(s); {m} already had a task (one case per gap)."),
    "assign_unit": ("指定责任单位（留空则按缺口自动确定）", "Responsible unit (empty: from the gap)"),
    "unit_rule_hint": (
        "责任单位依次取：设施记录的责任单位、所在门前三包责任区、规则默认单位。期限按规则的整改天数，且不晚于迎检日期。",
        "The unit comes from the feature's record, else the responsibility zone it lies in, else the rule's default. "
        "The due date follows the rule's deadline_days and never falls after the inspection date.",
    ),
    "task_col": ("任务", "Task"),
    "state": ("状态", "State"),
    "overdue": ("逾期", "Overdue"),
    "overdue_only": ("只看逾期", "Overdue only"),
    "due": ("整改期限", "Due"),
    "days_left": ("剩余天数", "Days left"),
    "notice": ("通知书", "Notice"),
    "rework": ("返工", "Rework"),
    "view_list": ("列表", "List"),
    "view_board": ("看板", "Board"),
    "board_more": ("另有 {n} 项：用筛选或列表查看。", "{n} more: use the filters or the list."),
    "view_map": ("地图", "Map"),
    "view_notices": ("整改通知书", "Notices"),
    "no_tasks": ("没有符合条件的任务。", "No task matches."),
    "pick_task": ("在列表中选一项任务查看详情与下一步。", "Pick a task in the list to see it and its next steps."),
    "open_task": ("打开", "Open"),
    "close_task_view": ("收起", "Close"),
    "task_title": ("任务 {id}", "Task {id}"),
    "timeline": ("办理经过", "Timeline"),
    "next_steps": ("下一步", "Next steps"),
    "no_next": ("此任务已办结，没有可执行的步骤。", "This task is finished: no step is left."),
    "gap_now": ("当前核查", "The check now"),
    "gap_still": ("缺口仍在：{detail}", "The gap is still there: {detail}"),
    "gap_gone": ("缺口已消除（已整改，待核查）。", "The gap is gone (fixed, awaiting verification)."),
    "gap_gone_closed": ("缺口已消除。", "The gap is gone."),
    "reason": ("原因", "Reason"),
    "step_note": ("说明（可选）", "Note (optional)"),
    "photos": ("照片", "Photos"),
    "photo_upload": ("上传照片（JPEG、PNG、WebP，不超过 12 MB）", "Upload photos (JPEG, PNG, WebP, up to 12 MB)"),
    "photo_camera": ("用摄像头拍照", "Take a photo with the camera"),
    "take_step": ("确定", "Confirm"),
    "step_done": ("已完成：{step}。", "Done: {step}."),
    "dispatch_notices": ("派遣已立案任务并生成整改通知书", "Dispatch filed tasks with notices"),
    "dispatch_hint": (
        "每个责任单位一份编号通知书（按年编号），列出其本次派遣的任务。",
        "One numbered notice per unit (numbered per year), listing the tasks dispatched to it.",
    ),
    "issued_n": ("已生成 {n} 份通知书。", "Issued {n} notice(s)."),
    "nothing_to_dispatch": ("没有待派遣的已立案任务（需先立案并有责任单位）。", "No filed task with a unit to dispatch."),
    "notices_issued": ("已发通知书", "Notices issued"),
    "download_docx": ("下载 Word（.docx）", "Download Word (.docx)"),
    "download_html": ("下载可打印网页", "Download printable page"),
    "download_all_notices": ("下载全部 {n} 份通知书（Word，ZIP）", "Download all {n} notices (Word, ZIP)"),
    "no_notices": ("尚未发出通知书。", "No notice issued yet."),
    "my_unit": ("我的单位", "My unit"),
    "my_unit_help": ("你的账号所属的责任单位。", "The responsible unit your account answers for."),
    # signing in, users and units (ui/auth.py, views/users.py)
    "page_users": ("用户与单位", "Users & units"),
    "sign_in_title": ("登录", "Sign in"),
    "login": ("用户名", "Login"),
    "password": ("密码", "Password"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出登录", "Sign out"),
    "signed_in_as": ("当前用户", "Signed in as"),
    "sign_in_first": ("请先登录。登录前不显示任何数据。", "Please sign in. Nothing is shown before you do."),
    "demo_accounts": (
        "演示账号（仅供试用；正式使用前请在「用户与单位」中停用）",
        "Demo accounts (for trying the app only; disable them under Users & units before real use)",
    ),
    "no_accounts": (
        "还没有任何账号。请在服务器上创建第一个管理员：python -m facilities users add <用户名> --role admin",
        "There are no accounts yet. Create the first administrator on the server: python -m facilities users add <login> --role admin",
    ),
    "sso_no_user": (
        "单点登录没有传来用户名：请通过单位内网门户打开本系统。",
        "The single sign-on sent no login: open the app through the intranet's portal.",
    ),
    "sso_unknown": (
        "单点登录用户 {login} 尚未在本系统登记或已停用，请联系管理员。",
        "The single sign-on's user {login} is not registered here or is disabled; ask an administrator.",
    ),
    "sso_not_local": (
        "单点登录模式只在本系统只监听 127.0.0.1（由本机的代理转发）时可用；现在监听 {address}。",
        "Single sign-on works only when the app listens on 127.0.0.1 behind a proxy on this machine; it listens on {address}.",
    ),
    "not_allowed_page": ("你的角色不能使用这一页。", "Your role cannot use this page."),
    "role": ("角色", "Role"),
    "name": ("姓名", "Name"),
    "add_user": ("添加用户", "Add a user"),
    "new_password": ("初始密码", "Initial password"),
    "users_list": ("用户", "Users"),
    "units_list": ("责任单位", "Responsible units"),
    "add_unit": ("添加责任单位", "Add a unit"),
    "contact": ("联系人", "Contact"),
    "phone": ("电话", "Phone"),
    "active": ("在用", "Active"),
    "locked": ("已锁定至", "Locked until"),
    "demo": ("演示", "Demo"),
    "disable": ("停用", "Disable"),
    "enable": ("启用", "Enable"),
    "unlock": ("解锁", "Unlock"),
    "reset_password": ("重设密码", "Reset the password"),
    "change_role": ("修改角色/单位", "Change the role or unit"),
    "disable_demo": ("停用全部演示账号", "Disable every demo account"),
    "account_events": ("账号记录", "Account history"),
    "account_saved": ("已保存", "Saved"),
    "units_from_data": ("数据中出现、尚未登记的单位", "Units named in the data, not registered yet"),
    "no_my_tasks": ("本单位没有待办任务。", "Your unit has no task to do."),
    "request_extension": ("申请延期", "Ask for more time"),
    "extension_to": ("延期至", "New due date"),
    "extension_pending": ("已申请延期至 {due}：{reason}", "Extension to {due} asked for: {reason}"),
    "approve": ("批准", "Approve"),
    "refuse": ("不批准", "Refuse"),
    "countdown": ("距迎检", "To the inspection"),
    "days": ("天", "days"),
    "no_inspection": ("city.toml 未设 inspection_date（迎检日期）。", "city.toml sets no inspection_date."),
    "inspection_on": ("迎检日期 {date}", "Inspection on {date}"),
    "open_tasks": ("未结任务", "Open tasks"),
    "closed_tasks": ("已结案", "Closed"),
    "score_over_time": ("得分变化（每次核查）", "Score over time (each check run)"),
    "tasks_by_unit": ("各责任单位任务", "Tasks by unit"),
    "gain_title": ("完成全部未结任务可增加的分数（估算）", "What closing the open tasks would add (estimate)"),
    "gain_summary": ("得分 {now:.1f} → {after:.1f}（+{gain:.1f}）", "Score {now:.1f} → {after:.1f} (+{gain:.1f})"),
    "gain_hint": (
        "估算：规则的差额平均分摊到其各缺口，有未结任务的缺口视为已整改。逐项类规则为精确值，路段与面积类规则为比例估算。",
        "An estimate: a rule's shortfall is shared equally among its gaps, and each gap with an open task is taken as "
        "fixed. Exact for rules counted item by item; proportional for stretches and areas.",
    ),
    "median_days": ("结案中位天数", "Median days to close"),
    "gap_count": ("缺口数", "Gaps"),
    "points_if_closed": ("完成后得分", "Points if closed"),
    "gain": ("可增加", "Gain"),
    "flow_hint": (
        "办理流程：立案 → 派遣 → 签收 → 反馈 → 核查 → 结案；核查不通过重新派遣；不符合立案条件的不予立案。",
        "The flow: filed → dispatched → accepted → reported fixed → verifying → closed; a failed verification goes back; "
        "what is not a case is rejected.",
    ),
    "unit_changed": ("责任单位已变更。", "Unit changed."),
    "change_unit": ("变更责任单位", "Change the unit"),
    "attach_photos": ("上传照片", "Attach the photos"),
    "fixed_pending": ("缺口已消除，待核查", "Gap gone, awaiting verification"),
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
