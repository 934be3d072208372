"""A printable scorecard for leaders: one self-contained HTML page (A4, no external CSS, JS or fonts).

``scorecard_html(result, city)`` shows the city, the check date, the total against the pass mark, the
assessed share of the checklist's weight and the verdict 达标/未达标/评估不完整 (PASS/FAIL/INCOMPLETE),
every rule (those not assessed say why: 合理缺项 not applicable, or 无数据 no data naming the layer), the
rules that would raise the score most, the lighting and signage figures by district
(:mod:`facilities.stats`) and the gap count per responsible unit. Every text taken from the data or the
rules file is escaped with :func:`html.escape`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence

import pandas as pd

from documents.page import html_page
from facilities import stats
from facilities.check import Result
from facilities.city import City
from facilities.schema import ROAD_CLASS_LABELS
from facilities.words import COLUMNS, VERDICTS, number, percent

LANGS = ("zh", "en")
TOP_RULES = 5

_CSS = """
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "SimHei", sans-serif;
       font-size: 10pt; line-height: 1.35; color: #111; margin: 0; }
main { max-width: 186mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 17pt; margin: 0 0 2mm; }
h2 { font-size: 12.5pt; margin: 7mm 0 2mm; padding-bottom: 1mm; border-bottom: 1.5px solid #333; break-after: avoid; }
h3 { font-size: 10.5pt; margin: 4mm 0 1.5mm; break-after: avoid; }
.other { color: #555; font-size: 0.85em; font-weight: normal; }
.meta { margin: 0 0 3mm; }
.score { display: flex; gap: 6mm; align-items: center; border: 2px solid #333; padding: 3mm 5mm; margin: 3mm 0; break-inside: avoid; }
.score .total { font-size: 24pt; font-weight: bold; white-space: nowrap; }
.badge { font-size: 16pt; font-weight: bold; padding: 1mm 4mm; border-radius: 2mm; color: #fff; white-space: nowrap; }
.badge.pass { background: #1b7a2f; }
.badge.fail { background: #b3261e; }
.badge.incomplete { background: #8a6d00; }
.badge .other { color: #fff; }
table { width: 100%; border-collapse: collapse; margin: 1mm 0 2mm; font-size: 9pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.5pt solid #999; padding: 1mm 1.5mm; vertical-align: top; text-align: left; }
th { background: #e8e8e8; font-weight: bold; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; background: #f3f3f3; border-top: 1.2pt solid #333; }
td.pass { color: #1b7a2f; font-weight: bold; white-space: nowrap; }
td.fail { color: #b3261e; font-weight: bold; white-space: nowrap; }
td.na { color: #666; white-space: nowrap; }
td.nodata { color: #8a6d00; font-weight: bold; white-space: nowrap; }
td.src { font-size: 7.5pt; color: #444; }
code { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 7.5pt; color: #444; }
.note { font-size: 8pt; color: #444; margin: 1mm 0; }
footer { margin-top: 8mm; font-size: 8pt; color: #555; border-top: 0.5pt solid #999; padding-top: 2mm; }
@media print {
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid-page; }
  section.keep { break-inside: avoid-page; }
}
"""


def _e(value) -> str:
    """Escaped text of a value from the data or rules (empty/NA as a dash)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return html.escape(str(value), quote=True)


def _bi(zh: str, en: str, lang: str, sep: str = " ") -> str:
    """Both languages, the chosen one first and the other small (both escaped)."""
    main, other, other_lang = (zh, en, "en") if lang == "zh" else (en, zh, "zh-CN")
    return f'{_e(main)}{sep}<span class="other" lang="{other_lang}">{_e(other)}</span>'


def _pct(x) -> str:
    return percent(x)


def _num(x, digits: int = 0) -> str:
    return number(x, digits, grouping=True)


def _table(head: Sequence[tuple[str, bool]], rows: Iterable[tuple[Sequence[tuple[str, str]], bool]]) -> str:
    """A table; ``head`` = (heading HTML, numeric?); each row = ([(cell HTML, class)], is total row?)."""
    ths = "".join(f'<th class="num">{h}</th>' if num else f"<th>{h}</th>" for h, num in head)
    body = []
    for cells, total in rows:
        tds = "".join(f'<td class="{cls}">{c}</td>' if cls else f"<td>{c}</td>" for c, cls in cells)
        body.append(f'<tr class="total">{tds}</tr>' if total else f"<tr>{tds}</tr>")
    return f"<table><thead><tr>{ths}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _label(column: str, lang: str) -> str:
    zh, en = COLUMNS[column]
    return _bi(zh, en, lang, "<br>")


def _district(name: str, lang: str) -> str:
    if name == stats.CITY:
        return _bi("全市", "City", lang)
    if name == stats.UNSPECIFIED:
        return _bi("未注明", "Not given", lang)
    return _e(name)


def _verdict(key: str, lang: str) -> str:
    return _bi(*VERDICTS[key], lang)


def _pass_cell(assessment: str, lang: str) -> tuple[str, str]:
    mark, cls = {"passed": ("✓ ", "pass"), "failed": ("✗ ", "fail"), "no_data": ("", "nodata")}.get(assessment, ("", "na"))
    return mark + _verdict(assessment if assessment in VERDICTS else "not_applicable", lang), cls


# --------------------------------------------------------------------------- sections


def _header(result: Result, city: City, lang: str) -> str:
    cfg = city.config
    verdict = result.verdict
    s = result.summary
    n = s["assessment"].value_counts()
    n_pass, n_na, n_none = (int(n.get(k, 0)) for k in ("passed", "not_applicable", "no_data"))
    counts = (
        f"{len(s)} 项规则，{n_pass} 项达标，{n_na} 项合理缺项，{n_none} 项无数据"
        if lang == "zh"
        else f"{len(s)} rules, {n_pass} passed, {n_na} not applicable, {n_none} no data"
    )
    assessed = f'{_pct(result.assessed)} <span class="other">(≥ {_pct(result.min_assessed)})</span>'
    warning = ""
    if result.incomplete:
        text = (
            "已评估规则的分值仅占 {a}，低于要求的 {m}：评估不完整，不判达标。"
            if lang == "zh"
            else "The rules assessed carry only {a} of the checklist's weight, below the {m} needed: incomplete, never a pass."
        )
        warning = f'<p class="note"><strong>{text.format(a=_pct(result.assessed), m=_pct(result.min_assessed))}</strong></p>'
    return f"""<header>
<h1>{_bi(cfg.name, cfg.name_en, lang)}</h1>
<p class="meta">{_bi("创优迎检评分表", "Inspection scorecard", lang)} · {_bi("检查日期", "Check date", lang)}:
<strong>{_e(result.as_of.isoformat())}</strong></p>
<div class="score">
<div><div>{_bi("总分", "Total", lang)}</div><div class="total">{number(result.total)} / {result.max_points:g}</div></div>
<div><div>{_bi("达标线", "Pass mark", lang)}</div><div class="total">{result.pass_mark:g}</div></div>
<div><div>{_bi("已评估权重占比", "Assessed share", lang)}</div><div class="total">{assessed}</div></div>
<div class="badge {"pass" if verdict == "passed" else "fail" if verdict == "failed" else "incomplete"}">{_verdict(verdict, lang)}</div>
<div>{counts}</div>
</div>
{warning}</header>"""


def _rules_section(result: Result, lang: str) -> str:
    s = result.summary
    counts = result.gaps["rule"].value_counts()
    head = [
        ("#", True),
        (_bi("规则", "Rule", lang, "<br>"), False),
        (_bi("达标率", "Share", lang, "<br>"), True),
        (_bi("要求", "Threshold", lang, "<br>"), True),
        (_bi("得分/分值", "Points/weight", lang, "<br>"), True),
        (_bi("结果", "Result", lang, "<br>"), False),
        (_bi("问题数", "Gaps", lang, "<br>"), True),
        (_bi("依据", "Source", lang, "<br>"), False),
    ]
    rows = []
    for i, r in enumerate(s.itertuples(index=False), 1):
        title = _bi(str(r.title_zh), str(r.title_en), lang, "<br>") + f"<br><code>{_e(r.rule)}</code>"
        if isinstance(r.note, str) and r.note:
            title += f'<div class="note">{_e(r.note)}</div>'
        rows.append(
            (
                [
                    (str(i), "num"),
                    (title, ""),
                    (_pct(r.share), "num"),
                    (f"≥ {_pct(r.threshold)}", "num"),
                    (f"{_num(r.points, 2)} / {_num(r.weight, 0)}", "num"),
                    _pass_cell(str(r.assessment), lang),
                    (_num(int(counts.get(r.rule, 0))), "num"),
                    (_e(r.source), "src"),
                ],
                False,
            )
        )
    explain = (
        "达标的规则得满分；未达标的得 分值 × 达标率 ÷ 要求；合理缺项与无数据（所依据的图层没有任何记录）的规则不计，"
        "总分按其余分值折算；已评估规则的分值占比低于要求时，结果为评估不完整。"
        if lang == "zh"
        else "A rule that passes earns its weight; one that fails earns weight × share ÷ threshold; "
        "rules not applicable and rules with no data (nothing recorded in the layer they measure against) are left "
        "out and the total is pro-rated over the others; when the rules assessed carry too little of the weight, "
        "the verdict is incomplete."
    )
    return f'<section><h2>{_bi("各项规则", "Every rule", lang)}</h2><p class="note">{explain}</p>{_table(head, rows)}</section>'


def _improve_section(result: Result, lang: str, top: int) -> str:
    t = stats.rules_to_improve(result)
    t = t[t["points_missing"] > 0].head(top)
    title = _bi("最能提分的规则", "Rules that would raise the score most", lang)
    if not len(t):
        full = _bi("所有规则均已得满分。", "Every rule earns its full weight.", lang)
        return f'<section class="keep"><h2>{title}</h2><p>{full}</p></section>'
    head = [
        ("#", True),
        (_bi("规则", "Rule", lang, "<br>"), False),
        (_label("points_missing", lang), True),
        (_label("gain", lang), True),
        (_label("gaps", lang), True),
    ]
    rows = [
        (
            [
                (str(i), "num"),
                (_bi(str(r.title_zh), str(r.title_en), lang, "<br>") + f"<br><code>{_e(r.rule)}</code>", ""),
                (_num(r.points_missing, 2), "num"),
                ("+" + _num(r.gain, 1), "num"),
                (_num(r.gaps), "num"),
            ],
            False,
        )
        for i, r in enumerate(t.itertuples(index=False), 1)
    ]
    return f'<section class="keep"><h2>{title}</h2>{_table(head, rows)}</section>'


def _count_rows(table: pd.DataFrame, columns: list[tuple[str, str]], lang: str):
    """Rows of a district table: (column, format) with format "int", "pct" or "km"."""
    fmt = {"int": lambda v: _num(v), "pct": _pct, "km": lambda v: _num(v, 2)}
    for r in table.to_dict("records"):
        cells = [(_district(r["district"], lang), "")] + [(fmt[f](r[c]), "num") for c, f in columns]
        yield cells, r["district"] == stats.CITY


def _lighting_section(result: Result, city: City, lang: str) -> str:
    lamps = stats.lamp_figures(city)
    cols = [("lamps", "int"), ("working", "int"), ("not_working", "int"), ("working_share", "pct")]
    if lamps["unknown"].sum():
        cols.insert(3, ("unknown", "int"))
    head = [(_label("district", lang), False)] + [(_label(c, lang), True) for c, _ in cols]
    out = [f"<section><h2>{_bi('夜景亮化', 'Night lighting', lang)}</h2>"]
    out.append(f"<h3>{_bi('路灯与亮灯率（在用路灯）', 'Lamps and working share (lamps in use)', lang)}</h3>")
    out.append(_table(head, _count_rows(lamps, cols, lang)))
    out.append(f"<h3>{_bi('道路暗区（公里）', 'Dark road stretches (km)', lang)}</h3>")
    if result.rules is None or not stats.lamp_gap_rules(result):
        out.append(f'<p class="note">{_bi("没有路灯间距规则。", "No lamp-gap rule was checked.", lang)}</p></section>')
        return "".join(out)
    dark = stats.dark_road_km(result, city)
    body = dark[dark["road_class"] != stats.ALL_CLASSES]
    classes = list(dark.loc[(dark["district"] == stats.CITY) & (dark["road_class"] != stats.ALL_CLASSES), "road_class"])
    districts = list(dict.fromkeys(dark["district"]))
    cell = {(r["district"], r["road_class"]): r for r in dark.to_dict("records")}
    head = [(_label("district", lang), False)]
    for c in classes:
        zh, en = ROAD_CLASS_LABELS.get(c, (c, c))
        head.append((_bi(zh, en, lang, "<br>"), True))
    head.append((_bi("合计", "All roads", lang, "<br>"), True))
    rows = []
    for d in districts:
        cells = [(_district(d, lang), "")]
        for c in [*classes, stats.ALL_CLASSES]:
            r = cell.get((d, c))
            if r is None and c == stats.ALL_CLASSES:
                part = body[body["district"] == d]
                r = {"km": part["km"].sum(), "checked_km": part["checked_km"].sum()}
            cells.append(("—" if r is None else f'{_num(r["km"], 2)} <span class="other">/ {_num(r["checked_km"], 1)}</span>', "num"))
        rows.append((cells, d == stats.CITY))
    note = (
        (
            "暗区公里数 / 检查道路公里数。暗区为路灯间距规则找出的无亮灯路段（"
            if lang == "zh"
            else "Dark km / km of road checked. Dark stretches are those found by the lamp-gap rules ("
        )
        + ", ".join(f"<code>{_e(r.id)}</code>" for r in stats.lamp_gap_rules(result))
        + ("）。" if lang == "zh" else ").")
    )
    out.append(_table(head, rows) + f'<p class="note">{note}</p></section>')
    return "".join(out)


def _signage_section(city: City, lang: str) -> str:
    signs = stats.sign_figures(city)
    cols = [("signs", "int"), ("bilingual", "int"), ("bilingual_share", "pct"), ("damaged", "int"), ("missing", "int")]
    head = [(_label("district", lang), False)] + [(_label(c, lang), True) for c, _ in cols]
    title = _bi("标识标牌（在用）", "Signs (in use)", lang)
    return f'<section class="keep"><h2>{title}</h2>{_table(head, _count_rows(signs, cols, lang))}</section>'


def _units_section(result: Result, lang: str) -> str:
    units = stats.gap_counts(result, by="unit")
    head = [(_label("unit", lang), False), (_label("gaps", lang), True), (_label("rules", lang), False)]
    rows = []
    for r in units.to_dict("records"):
        unit = _district(r["unit"], lang) if r["unit"] in (stats.CITY, stats.UNSPECIFIED) else _e(r["unit"])
        rows.append(([(unit, ""), (_num(r["gaps"]), "num"), (_e(r["rules"]) if r["rules"] else "", "src")], r["unit"] == stats.CITY))
    return f"<section><h2>{_bi('各责任单位问题数', 'Gaps per responsible unit', lang)}</h2>{_table(head, rows)}</section>"


def _districts_section(result: Result, city: City, lang: str) -> str:
    t = stats.gap_counts(result, by="district", city=city)
    districts = [c for c in t.columns if c not in ("rule", "title_zh", "title_en", "total")]
    head = [(_bi("规则", "Rule", lang, "<br>"), False)] + [(_district(d, lang), True) for d in districts] + [(_label("total", lang), True)]
    rows = []
    for r in t.to_dict("records"):
        total = r["rule"] == stats.CITY
        name = _bi("全部规则", "All rules", lang) if total else _bi(r["title_zh"], r["title_en"], lang, "<br>")
        cells = [(name, "")] + [(_num(r[d]), "num") for d in [*districts, "total"]]
        rows.append((cells, total))
    return f"<section><h2>{_bi('各区问题数', 'Gaps per rule and district', lang)}</h2>{_table(head, rows)}</section>"


def scorecard_html(result: Result, city: City, lang: str = "zh", top: int = TOP_RULES) -> str:
    """A printable, self-contained HTML scorecard of a check.

    Parameters
    ----------
    result : from :func:`facilities.check.check` (with its rules, for the dark-road figures).
    city : the checked city (its names and the lighting and signage figures).
    lang : ``"zh"`` (Chinese headings first, English small) or ``"en"``.
    top : how many rules to list under "rules that would raise the score most".

    Returns
    -------
    str
        A whole HTML document (UTF-8, inline CSS with ``@media print`` and A4 ``@page`` rules, no
        script, no external resource).
    """
    if lang not in LANGS:
        raise ValueError(f"lang should be one of {', '.join(LANGS)}, got {lang!r}")
    cfg = city.config
    title = f"{cfg.name} {cfg.name_en} · 创优迎检评分表 Inspection scorecard · {result.as_of.isoformat()}"
    rules_file = result.rules.path.name if result.rules is not None and result.rules.path is not None else ""
    footer = _bi("数据", "Data", lang) + f": <code>{_e(city.folder.name)}</code>"
    if rules_file:
        footer += " · " + _bi("规则文件", "Rules file", lang) + f": <code>{_e(rules_file)}</code>"
    parts = [
        _header(result, city, lang),
        _rules_section(result, lang),
        _improve_section(result, lang, top),
        _lighting_section(result, city, lang),
        _signage_section(city, lang),
        _units_section(result, lang),
        _districts_section(result, city, lang),
        f"<footer>{footer}</footer>",
    ]
    body = "\n".join(parts)
    return html_page(_e(title), _CSS, body, "zh-CN" if lang == "zh" else "en")


__all__ = ["LANGS", "scorecard_html"]
