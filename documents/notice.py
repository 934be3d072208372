"""The rectification notice (整改通知书) to a responsible unit: a Word document and a printable HTML page.

``notice_docx(notice)`` builds a .docx with python-docx laid out after the Chinese official-document
standard GB/T 9704 (roughly): A4 portrait, margins 3.7 cm top, 3.5 cm bottom, 2.8 cm left, 2.6 cm right;
the title 整改通知书 in 黑体 (SimHei) bold 22 pt, centred, with its English subtitle, the notice's number
under it above a red rule; the body in 仿宋 (FangSong) 16 pt (三号) on a 28 pt line; the addressee, an
opening paragraph, the table of items (序号, 问题, 位置, 标准, 整改期限, each label followed by its English;
under 问题 the rule's title and the gap's detail, each in Chinese with its English in small grey type under it),
a small map per item (:func:`documents.minimap.small_map_png`) with its caption, how to report back, the
contact, and the issuer and the issued date (2026年12月2日) on the right; page numbers "— 1 —" at the foot.
``notice_html(notice)`` is the same content as one self-contained printable page (A4 ``@page`` CSS, the
maps as ``data:`` PNGs, no script, no external resource). ``notice_filename(notice)`` is a safe file name.

Fonts: the documents name the fonts a Chinese office has (仿宋 and 黑体, set for the East-Asian script
``w:eastAsia`` as well as for Latin text, on the runs, the Normal style and the document defaults, with the
East-Asian language zh-CN). Where those fonts are not installed, Word and LibreOffice substitute an
installed CJK font (on a Debian machine with fonts-wqy-zenhei: WenQuanYi Zen Hei), so the text always shows;
the page's font stack ends with WenQuanYi Zen Hei and ``serif`` for the same reason.

Text from the notice is data: python-docx writes it as literal text and the page escapes every value with
:func:`html.escape`; control characters that XML does not allow (``\\x00``–``\\x08``, ``\\x0b``, ``\\x0c``,
``\\x0e``–``\\x1f``, lone surrogates, U+FFFE/U+FFFF) are removed from both.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

import docx
from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import _Footer
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from documents.minimap import small_map_png
from documents.page import html_page
from facilities.tasks.notice import Notice, NoticeItem

BODY_FONT = "仿宋"
TITLE_FONT = "黑体"
#: the name of the inspection standard the opening paragraph cites
INSPECTION_STANDARD = ("中国优秀旅游城市检查标准", "Inspection Standard for China's Excellent Tourist Cities")
#: (zh, en) labels of the columns of the table of items, and their widths (cm; 15.6 cm of text width)
COLUMNS = (
    (("序号", "No."), 1.2),
    (("问题", "What"), 4.3),
    (("位置", "Where"), 3.6),
    (("标准", "Standard"), 3.7),
    (("整改期限", "Deadline"), 2.8),
)
MAP_WIDTH_CM = 8.0
MAX_FILENAME_CHARS = 120

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_UNSAFE_FILENAME = re.compile('[/\\\\:*?"<>|\x00-\x1f\x7f]')
_RED = RGBColor(0xC0, 0x00, 0x00)
_GREY = RGBColor(0x44, 0x44, 0x44)


def _clean(value: object) -> str:
    """The text of a value with the characters XML cannot hold removed."""
    return _ILLEGAL_XML.sub("", str(value))


def _date_zh(day: dt.date) -> str:
    """A date as a Chinese official document writes it: 2026年12月2日."""
    return f"{day.year}年{day.month}月{day.day}日"


def _coords(item: NoticeItem) -> str:
    return f"{item.lon:.6f}, {item.lat:.6f}"


def _opening(notice: Notice) -> tuple[str, str]:
    """The opening paragraph, in Chinese and in English (data cleaned, not escaped)."""
    n = len(notice.items)
    std_zh, std_en = INSPECTION_STANDARD
    when_zh = f"于{_date_zh(notice.inspection_date)}" if notice.inspection_date else ""
    when_en = f" on {notice.inspection_date.isoformat()}" if notice.inspection_date else ""
    zh = (
        f"根据{_clean(notice.city_zh)}创建中国优秀旅游城市工作安排，对照《{std_zh}》及下表所列各项标准，"
        f"{when_zh}检查发现你单位负责的设施存在以下{n}项问题，现予通知。请按下表所列整改期限逐项完成整改，"
        "并按本通知要求反馈整改情况。"
    )
    en = (
        f"The inspection of {_clean(notice.city_en)}{when_en} against the {std_en} and the standards listed "
        f"below found the {n} problem{'s' if n != 1 else ''} below in facilities your unit is responsible for. "
        "Please rectify each by its deadline and report back as described below."
    )
    return zh, en


def _cells(item: NoticeItem) -> list[list[tuple[str, str]]]:
    """The cells of an item's row except its number: each a list of (kind, text) lines, kind main/small/label."""
    return [
        [("main", item.rule_title_zh), ("small", item.rule_title_en), ("main", item.what), ("small", item.what_en)],
        [("main", item.where), ("label", "经纬度 Lon/Lat"), ("small", _coords(item))],
        [
            ("main", item.standard),
            ("label", "要求 Threshold"),
            ("small", item.threshold),
            ("label", "现状 Current"),
            ("small", item.measure),
        ],
        [("main", item.due.isoformat())],
    ]


def _caption(i: int, item: NoticeItem) -> str:
    return f"序号 {i} · task #{item.task_id} · {item.rule_title_zh}"


# --------------------------------------------------------------------------- Word


@dataclass(frozen=True)
class _Font:
    name: str = BODY_FONT
    size: float = 16.0
    bold: bool = False
    color: RGBColor | None = None


_BODY = _Font()
_TITLE = _Font(TITLE_FONT, 22.0, bold=True)
_TABLE = _Font(size=10.5)
_TABLE_SMALL = _Font(size=9.0, color=_GREY)
_TABLE_LABEL = _Font(TITLE_FONT, 9.0)
_ENGLISH = _Font(size=12.0, color=_GREY)
_LABEL = _Font(TITLE_FONT, 16.0)


def _set_fonts(rpr, name: str) -> None:
    """Name one font for every script (Latin, East-Asian, complex) on run properties; theme fonts dropped."""
    fonts = rpr.get_or_add_rFonts()
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), name)


def _set_lang(rpr) -> None:
    """The East-Asian language of run properties: zh-CN (so an office picks a Chinese font and line breaks)."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _run(par: Paragraph, text: str, font: _Font = _BODY) -> None:
    run = par.add_run(_clean(text))
    run.font.size = Pt(font.size)
    run.font.bold = font.bold or None
    if font.color is not None:
        run.font.color.rgb = font.color
    _set_fonts(run._r.get_or_add_rPr(), font.name)


def _para(
    container: DocxDocument | _Cell | _Footer,
    text: str = "",
    font: _Font = _BODY,
    *,
    align: WD_ALIGN_PARAGRAPH | None = None,
    first_line: float = 0.0,
    right: float = 0.0,
    before: float = 0.0,
    after: float = 0.0,
    exact: float | None = 28.0,
    keep_next: bool = False,
) -> Paragraph:
    """A paragraph (the first, empty one of a new cell or footer is reused); sizes in points; ``exact`` line or single."""
    if not isinstance(container, DocxDocument) and len(container.paragraphs) == 1 and not container.paragraphs[0].runs:
        par = container.paragraphs[0]
    else:
        par = container.add_paragraph()
    fmt = par.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = Pt(first_line) if first_line else None
    fmt.right_indent = Pt(right) if right else None
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if exact is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(exact)
    fmt.keep_with_next = keep_next or None
    if text:
        _run(par, text, font)
    return par


def _p_child(par: Paragraph, tag: str, successors: Sequence[str]) -> BaseOxmlElement:
    el = OxmlElement(tag)
    par._p.get_or_add_pPr().insert_element_before(el, *successors)
    return el


def _red_rule(par: Paragraph) -> None:
    """A red rule under a paragraph (the separator of a document's head, 版头分隔线)."""
    borders = _p_child(par, "w:pBdr", ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:spacing", "w:ind", "w:jc"))
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "12"), ("space", "8"), ("color", "C00000")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)


def _styles(document: DocxDocument) -> None:
    """The body font (仿宋, 16 pt, zh-CN) on the document defaults and the Normal style; no theme fonts."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            _set_fonts(rpr, BODY_FONT)
            _set_lang(rpr)
    normal = document.styles["Normal"]
    normal.font.size = Pt(_BODY.size)
    rpr = normal.element.get_or_add_rPr()
    _set_fonts(rpr, BODY_FONT)
    _set_lang(rpr)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(0)
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(28)


def _page(document: DocxDocument) -> None:
    """A4 portrait, the margins of GB/T 9704, the page number centred at the foot: — 1 —."""
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.header_distance, section.footer_distance = Cm(1.5), Cm(2.5)
    par = _para(section.footer, align=WD_ALIGN_PARAGRAPH.CENTER, exact=None)
    _run(par, "— ", _Font(size=14.0))
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    inner = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    inner.append(text)
    field.append(inner)
    par._p.append(field)
    _run(par, " —", _Font(size=14.0))


def _cell_shade(cell: _Cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    for key, value in (("val", "clear"), ("color", "auto"), ("fill", fill)):
        shd.set(qn(f"w:{key}"), value)
    cell._tc.get_or_add_tcPr().append(shd)


def _row_flag(row, tag: str) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement(tag))


def _items_table(document: DocxDocument, notice: Notice) -> None:
    """The table of items: a repeated heading row, one row per item that never breaks across pages."""
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    fonts = {"main": _TABLE, "small": _TABLE_SMALL, "label": _TABLE_LABEL}
    for i, (_label, width) in enumerate(COLUMNS):
        table.columns[i].width = Cm(width)
    _row_flag(table.rows[0], "w:tblHeader")
    for cell, ((zh, en), width) in zip(table.rows[0].cells, COLUMNS, strict=True):
        cell.width = Cm(width)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        _cell_shade(cell, "E8E8E8")
        _para(cell, zh, _Font(TITLE_FONT, 10.5), align=WD_ALIGN_PARAGRAPH.CENTER, exact=None)
        _para(cell, en, _Font(TITLE_FONT, 9.0), align=WD_ALIGN_PARAGRAPH.CENTER, exact=None)
    for n, item in enumerate(notice.items, 1):
        row = table.add_row()
        _row_flag(row, "w:cantSplit")
        columns = [[("main", str(n))], *_cells(item)]
        for c, (cell, lines, (_label, width)) in enumerate(zip(row.cells, columns, COLUMNS, strict=True)):
            cell.width = Cm(width)
            align = WD_ALIGN_PARAGRAPH.CENTER if c in (0, len(COLUMNS) - 1) else None
            for kind, text in lines:
                if text:
                    _para(cell, text, fonts[kind], align=align, exact=None, before=2.0 if kind == "label" else 0.0)


def _maps(document: DocxDocument, notice: Notice) -> None:
    """Each item's small map, 8 cm wide and centred, above its caption."""
    if not notice.items:
        return
    _para(document, "附图 Maps", _LABEL, before=14.0, after=4.0, keep_next=True)
    for n, item in enumerate(notice.items, 1):
        par = _para(document, align=WD_ALIGN_PARAGRAPH.CENTER, exact=None, before=6.0, keep_next=True)
        par.add_run().add_picture(io.BytesIO(small_map_png(item)), width=Cm(MAP_WIDTH_CM))
        _para(document, _caption(n, item), _Font(size=10.5), align=WD_ALIGN_PARAGRAPH.CENTER, exact=None, after=6.0)


def _closing(document: DocxDocument, notice: Notice) -> None:
    """How to report back, the contact, any further lines, then the issuer and the date on the right."""
    if notice.report_back:
        _para(document, "整改反馈 How to report back：", _LABEL, before=10.0)
        _para(document, notice.report_back, first_line=32.0)
    if notice.contact:
        par = _para(document, "联系方式 Contact：", _LABEL)
        _run(par, notice.contact)
    for key, value in notice.extra.items():
        par = _para(document, f"{key}：", _LABEL)
        _run(par, value)
    _para(document, notice.issuer, align=WD_ALIGN_PARAGRAPH.RIGHT, right=32.0, before=40.0, keep_next=True)
    _para(document, _date_zh(notice.issued), align=WD_ALIGN_PARAGRAPH.RIGHT, right=32.0)


def _properties(document: DocxDocument, notice: Notice) -> None:
    props = document.core_properties
    issued = dt.datetime.combine(notice.issued, dt.time(0), tzinfo=dt.UTC)
    props.title = _clean(notice.number)[:255]
    props.subject = "整改通知书 Rectification notice"
    props.author = props.last_modified_by = _clean(notice.issuer)[:255]
    props.keywords = _clean(notice.unit)[:255]
    props.comments = ""
    props.language = "zh-CN"
    props.created = props.modified = issued
    props.revision = 1


def notice_docx(notice: Notice) -> bytes:
    """A rectification notice as a Word document (.docx).

    Parameters
    ----------
    notice : the notice: its number, the unit it is sent to, its items, how to report back, the issuer.

    Returns
    -------
    bytes
        A .docx (A4 portrait, GB/T 9704 margins; the title in 黑体, the body in 仿宋): the number, the
        addressee, the opening paragraph, the table of items, a small map per item, how to report back,
        the contact, the issuer and the issued date. Core properties: title = the number, subject
        整改通知书 Rectification notice, author = the issuer.
    """
    document = docx.Document()
    _styles(document)
    _page(document)
    _para(document, "整改通知书", _TITLE, align=WD_ALIGN_PARAGRAPH.CENTER, exact=None, after=2.0)
    _para(document, "Rectification notice", _Font(TITLE_FONT, 14.0), align=WD_ALIGN_PARAGRAPH.CENTER, exact=None, after=8.0)
    _red_rule(_para(document, notice.number, align=WD_ALIGN_PARAGRAPH.CENTER, after=18.0))
    _para(document, f"{notice.unit}：")
    zh, en = _opening(notice)
    _para(document, zh, first_line=32.0)
    _para(document, en, _ENGLISH, first_line=24.0, exact=None, before=2.0, after=10.0)
    _items_table(document, notice)
    _maps(document, notice)
    _closing(document, notice)
    _properties(document, notice)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- the page

_CSS = """
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "FangSong", "仿宋", "STFangsong", "WenQuanYi Zen Hei", serif; font-size: 16pt; line-height: 28pt;
       color: #111; margin: 0; }
main { max-width: 156mm; margin: 0 auto; padding: 10mm 0; }
h1, .label, th { font-family: "SimHei", "黑体", "STHeiti", "WenQuanYi Zen Hei", sans-serif; }
h1 { font-size: 22pt; font-weight: bold; text-align: center; margin: 0; line-height: 1.3; }
.subtitle { font-family: "SimHei", "黑体", "WenQuanYi Zen Hei", sans-serif; font-size: 14pt; text-align: center;
            margin: 0 0 3mm; line-height: 1.3; }
.number { text-align: center; margin: 0 0 6mm; padding-bottom: 2mm; border-bottom: 1.5pt solid #c00000; }
p { margin: 0; }
.indent { text-indent: 2em; }
.en { font-size: 12pt; line-height: 1.4; color: #444; text-indent: 2em; margin: 1mm 0 4mm; }
table { width: 100%; border-collapse: collapse; font-size: 10.5pt; line-height: 1.35; margin: 2mm 0 4mm; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.5pt solid #333; padding: 1mm 1.5mm; vertical-align: top; text-align: left; }
th { background: #e8e8e8; text-align: center; vertical-align: middle; font-weight: normal; }
th .other, td .small { display: block; font-size: 9pt; color: #444; }
td .tag { display: block; font-family: "SimHei", "黑体", "WenQuanYi Zen Hei", sans-serif; font-size: 9pt; margin-top: 1mm; }
td.num { text-align: center; white-space: nowrap; }
figure { margin: 3mm 0; text-align: center; break-inside: avoid; page-break-inside: avoid; }
figure img { width: 80mm; height: auto; border: 0.5pt solid #999; }
figcaption { font-size: 10.5pt; line-height: 1.4; }
.label { margin-top: 4mm; }
.sign { text-align: right; padding-right: 2em; }
.sign.first { margin-top: 12mm; }
@media print {
  main { max-width: none; padding: 0; }
  .label { break-after: avoid-page; }
}
"""


def _e(value: object) -> str:
    """A value from the notice as HTML text: cleaned and escaped."""
    return html.escape(_clean(value), quote=True)


def _html_cell(lines: list[tuple[str, str]]) -> str:
    """A table cell's lines as HTML: main lines one under another, small and label lines as blocks."""
    out, previous = [], ""
    for kind, text in lines:
        if not text:
            continue
        if kind == "main":
            out.append(("<br>" if previous == "main" else "") + _e(text))
        else:
            out.append(f'<span class="{"tag" if kind == "label" else "small"}">{_e(text)}</span>')
        previous = kind
    return "".join(out)


def _html_table(notice: Notice) -> str:
    head = "".join(f'<th style="width:{w / 15.6 * 100:.1f}%">{_e(zh)}<span class="other">{_e(en)}</span></th>' for (zh, en), w in COLUMNS)
    rows = []
    for n, item in enumerate(notice.items, 1):
        cells = _cells(item)
        tds = [f'<td class="num">{n}</td>'] + [f"<td>{_html_cell(c)}</td>" for c in cells[:-1]]
        tds.append(f'<td class="num">{_html_cell(cells[-1])}</td>')
        rows.append(f"<tr>{''.join(tds)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _html_maps(notice: Notice) -> str:
    if not notice.items:
        return ""
    figures = []
    for n, item in enumerate(notice.items, 1):
        png = base64.b64encode(small_map_png(item)).decode("ascii")
        figures.append(
            f'<figure><img src="data:image/png;base64,{png}" alt="{_e(_caption(n, item))}">'
            f"<figcaption>{_e(_caption(n, item))}</figcaption></figure>"
        )
    return '<p class="label">附图 Maps</p>' + "".join(figures)


def _html_closing(notice: Notice) -> str:
    out = []
    if notice.report_back:
        out += ['<p class="label">整改反馈 How to report back：</p>', f'<p class="indent">{_e(notice.report_back)}</p>']
    if notice.contact:
        out.append(f'<p><span class="label">联系方式 Contact：</span>{_e(notice.contact)}</p>')
    out += [f'<p><span class="label">{_e(key)}：</span>{_e(value)}</p>' for key, value in notice.extra.items()]
    out.append(f'<p class="sign first">{_e(notice.issuer)}</p><p class="sign">{_e(_date_zh(notice.issued))}</p>')
    return "\n".join(out)


def notice_html(notice: Notice) -> str:
    """A rectification notice as one self-contained printable HTML page.

    Parameters
    ----------
    notice : the notice (as for :func:`notice_docx`).

    Returns
    -------
    str
        A whole HTML document with the content of the Word document: inline CSS with an A4 ``@page`` rule,
        the small maps as ``data:image/png;base64`` images, no script, no external resource; every value
        from the notice escaped.
    """
    zh, en = _opening(notice)
    body = "\n".join(
        [
            "<h1>整改通知书</h1>",
            '<p class="subtitle" lang="en">Rectification notice</p>',
            f'<p class="number">{_e(notice.number)}</p>',
            f"<p>{_e(notice.unit)}：</p>",
            f'<p class="indent">{_e(zh)}</p>',
            f'<p class="en" lang="en">{_e(en)}</p>',
            _html_table(notice),
            _html_maps(notice),
            _html_closing(notice),
        ]
    )
    title = f"整改通知书 Rectification notice · {notice.number} · {notice.unit}"
    return html_page(_e(title), _CSS, body)


def notice_filename(notice: Notice, suffix: str = ".docx") -> str:
    """A file name for a notice, safe on Windows and Linux: ``整改通知书_<number>_<unit><suffix>``.

    Characters a file system refuses (``/ \\ : * ? " < > |`` and control characters) become ``_``; the name
    before the suffix is cut to :data:`MAX_FILENAME_CHARS` characters (and to 240 bytes in UTF-8, within
    the 255 bytes Linux allows), with no trailing dot or space (Windows drops them).
    """
    if not re.fullmatch(r"(\.[A-Za-z0-9]{1,10})?", suffix):
        raise ValueError(f"suffix should be empty or a dot and 1–10 letters or digits, e.g. '.docx', got {suffix!r}")
    stem = _UNSAFE_FILENAME.sub("_", f"整改通知书_{notice.number}_{notice.unit}")
    stem = _ILLEGAL_XML.sub("_", " ".join(stem.split()))[:MAX_FILENAME_CHARS]
    while len((stem + suffix).encode("utf-8")) > 240:
        stem = stem[:-1]
    return stem.rstrip(". ") + suffix


__all__ = ["notice_docx", "notice_filename", "notice_html"]
