"""The rectification notice (documents.notice, documents.minimap): the Word document as python-docx and
LibreOffice read it, the printable page, the small maps against hand-computed pixel positions, file names."""

from __future__ import annotations

import datetime as dt
import html
import io
import math
import re
import shutil
import subprocess

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from PIL import Image
from shapely.geometry import GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon

from documents.minimap import small_map_png
from documents.notice import notice_docx, notice_filename, notice_html
from facilities.tasks.notice import Notice, NoticeItem

LON, LAT = 112.15, 32.03  # Xiangyang
R = 6_371_008.8  # metres, the mean Earth radius
M_PER_DEG_LAT = R * math.pi / 180
HOSTILE = "<script>alert(1)</script>{{ 7*7 }}襄阳市城市管理局"


def east(metres: float) -> float:
    """Degrees of longitude for so many metres east at LAT."""
    return metres / (M_PER_DEG_LAT * math.cos(math.radians(LAT)))


def north(metres: float) -> float:
    return metres / M_PER_DEG_LAT


def box(lon: float, lat: float, half_m: float) -> Polygon:
    dx, dy = east(half_m), north(half_m)
    return Polygon([(lon - dx, lat - dy), (lon + dx, lat - dy), (lon + dx, lat + dy), (lon - dx, lat + dy)])


def item(task_id=1, lon=LON, lat=LAT, geometry=None, shapes=(), **kw) -> NoticeItem:
    fields = {
        "gap_id": f"toilet_reach:attractions/A{task_id:02d}",
        "rule_title_zh": "每个景区景点 500 米内有 A 级以上旅游厕所",
        "rule_title_en": "A graded tourist toilet within 500 m of every scenic spot",
        "what": "最近的 A 级旅游厕所在 812 米外",
        "where": "古隆中景区 · 襄城区",
        "standard": "GB/T 18973-2022",
        "threshold": "≤ 500 m",
        "measure": "812 m",
        "due": dt.date(2026, 12, 31),
        "state_zh": "派遣",
        "state_en": "Dispatched",
    }
    fields.update(kw)
    return NoticeItem(task_id=task_id, lon=lon, lat=lat, geometry=geometry, map_shapes=tuple(shapes), **fields)


SHAPES = (
    ("water", box(LON, LAT - north(400), 200)),
    ("zone", box(LON, LAT, 250)),
    ("road", LineString([(LON - east(600), LAT + north(50)), (LON + east(600), LAT + north(50))])),
    ("facility", Point(LON + east(80), LAT - north(60))),
)
ITEMS = (
    item(17, LON + 0.0003, LAT + 0.0012, Point(LON + 0.0003, LAT + 0.0012), [*SHAPES, ("gap", Point(LON + 0.0003, LAT + 0.0012))]),
    item(
        18,
        112.148765,
        32.031234,
        LineString([(112.1478, 32.0312), (112.1497, 32.03125)]),
        SHAPES,
        rule_title_zh="主干路无暗区（亮灯间距不大于 45 米）",
        rule_title_en="No dark stretch on arterial roads",
        what="暗区长 186 米\x00\x0b<b>{{ 7*7 }}</b>",
        where="长虹路 · 樊城区",
        standard="CJJ 45-2015",
        threshold="≤ 45 m",
        measure="186 m",
        due=dt.date(2027, 1, 15),
    ),
    item(
        19,
        112.153321,
        32.028765,
        box(112.153321, 32.028765, 250),
        (),
        rule_title_zh="商业区公厕密度不低于 4 座/平方公里",
        rule_title_en="At least 4 public toilets per km² in commercial zones",
        what="每平方公里 1.8 座",
        due=dt.date(2027, 2, 28),
    ),
)
NOTICE = Notice(
    number="创优办〔2026〕第12号",
    issuer="襄阳市创建中国优秀旅游城市工作办公室（创优办）",
    city_zh="襄阳市",
    city_en="Xiangyang",
    unit=HOSTILE,
    issued=dt.date(2026, 12, 2),
    items=ITEMS,
    report_back="整改完成后在系统中提交整改前后照片并点击“反馈（已整改）”。",
    inspection_date=dt.date(2026, 11, 20),
    contact="创优办督查科 0710-1234567",
)
DEADLINES = [i.due.isoformat() for i in ITEMS]


def squeeze(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    return notice_docx(NOTICE)


@pytest.fixture(scope="module")
def document(docx_bytes):
    return docx.Document(io.BytesIO(docx_bytes))


@pytest.fixture(scope="module")
def pdf_text(docx_bytes, tmp_path_factory) -> str:
    """The notice converted to PDF by LibreOffice (once for the module), as pdftotext reads it."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("soffice not installed (Debian package libreoffice-writer-nogui; .ci/run installs it)")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed (Debian package poppler-utils; .ci/run installs it)")
    tmp = tmp_path_factory.mktemp("notice_pdf")
    path = tmp / "notice.docx"
    path.write_bytes(docx_bytes)
    cmd = [soffice, f"-env:UserInstallation=file://{tmp}/lo-profile", "--headless", "--convert-to", "pdf", "--outdir", str(tmp), str(path)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    pdf = tmp / "notice.pdf"
    assert pdf.exists(), f"soffice made no PDF (exit {done.returncode}): {done.stdout} {done.stderr}"
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=60, check=True).stdout


def all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


# --------------------------------------------------------------------------- the Word document


def test_docx_says_the_number_unit_and_every_item(document):
    text = all_text(document)
    assert NOTICE.number in text
    assert f"{HOSTILE}：" in text  # the unit literally, as the addressee
    assert "整改通知书" in text and "Rectification notice" in text
    for n, it in enumerate(ITEMS, 1):
        assert it.due.isoformat() in text
        assert it.rule_title_zh in text and it.rule_title_en in text
        assert f"{it.lon:.6f}" in text and f"{it.lat:.6f}" in text
        assert f"序号 {n} · task #{it.task_id}" in text
    assert "2026年11月20日" in text  # the inspection date in the opening
    assert "2026年12月2日" in text and NOTICE.issuer in text and NOTICE.report_back in text and NOTICE.contact in text


def test_docx_table_has_bilingual_headings_and_a_row_per_item(document):
    (table,) = document.tables
    head = [squeeze(c.text) for c in table.rows[0].cells]
    assert head == ["序号No.", "问题What", "位置Where", "标准Standard", "整改期限Deadline"]
    assert len(table.rows) == 1 + len(ITEMS)
    assert [r.cells[-1].text for r in table.rows[1:]] == DEADLINES


def test_docx_control_characters_are_removed_and_markup_is_text(document):
    text = all_text(document)
    assert "暗区长 186 米<b>{{ 7*7 }}</b>" in text
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text)


def test_docx_page_is_a4_portrait_with_official_margins(document):
    s = document.sections[0]
    assert (round(s.page_width.cm, 2), round(s.page_height.cm, 2)) == (21.0, 29.7)
    margins = [s.top_margin, s.bottom_margin, s.left_margin, s.right_margin]
    assert [round(m.cm, 2) for m in margins] == [3.7, 3.5, 2.8, 2.6]


def east_asian(run_or_style_element) -> str | None:
    fonts = run_or_style_element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def test_docx_fonts_east_asian_fangsong_body_and_heiti_title(document):
    assert east_asian(document.styles["Normal"].element) == "仿宋"
    assert document.styles["Normal"].font.size == Pt(16)
    defaults = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}")
    assert east_asian(defaults) == "仿宋"
    assert defaults.find(f"{qn('w:rPr')}/{qn('w:rFonts')}").get(qn("w:eastAsiaTheme")) is None  # a theme would win
    title = next(p for p in document.paragraphs if p.text == "整改通知书")
    assert title.runs and all(east_asian(r._r) == "黑体" and r.bold and r.font.size == Pt(22) for r in title.runs)
    assert title.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    addressee = next(p for p in document.paragraphs if p.text == f"{HOSTILE}：")
    assert all(east_asian(r._r) == "仿宋" and r.font.size == Pt(16) for r in addressee.runs)
    signed = [p for p in document.paragraphs if p.text in (NOTICE.issuer, "2026年12月2日")]
    assert len(signed) == 2 and all(p.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT for p in signed)


def test_docx_one_map_picture_per_item(document):
    shapes = document.inline_shapes
    assert len(shapes) == len(ITEMS)
    assert all(abs(s.width - Cm(8)) < Cm(0.05) for s in shapes)


def test_docx_core_properties(document):
    props = document.core_properties
    assert props.title == NOTICE.number
    assert props.subject == "整改通知书 Rectification notice"
    assert props.author == NOTICE.issuer


def test_docx_opened_by_libreoffice_shows_the_unit_number_and_deadlines(pdf_text):
    text = squeeze(pdf_text)
    assert squeeze(HOSTILE) in text
    assert squeeze(NOTICE.number) in text
    for deadline in DEADLINES:
        assert deadline in text
    assert "整改通知书" in text


# --------------------------------------------------------------------------- the page


@pytest.fixture(scope="module")
def page() -> str:
    return notice_html(NOTICE)


def test_html_shows_hostile_text_literally(page):
    assert html.escape(HOSTILE) in page
    assert HOSTILE not in page and "<b>{{" not in page
    assert "&lt;b&gt;{{ 7*7 }}&lt;/b&gt;" in page
    assert "<script" not in page.lower()
    assert "\x00" not in page and "\x0b" not in page


def test_html_is_self_contained_and_printable(page):
    assert page.startswith("<!DOCTYPE html>")
    assert "http://" not in page and "https://" not in page
    assert "@page { size: A4" in page and "@media print" in page
    assert '"FangSong", "仿宋", "STFangsong", "WenQuanYi Zen Hei", serif' in page
    assert not re.search(r"<(link|iframe|object|embed)\b", page, re.I)
    sources = re.findall(r'src="([^"]*)"', page)
    assert len(sources) == len(ITEMS) and all(s.startswith("data:image/png;base64,") for s in sources)
    assert page.count("data:image/png;base64,") == len(ITEMS)


def test_html_says_the_same_as_the_document(page):
    for n, it in enumerate(ITEMS, 1):
        assert it.due.isoformat() in page and html.escape(it.rule_title_zh) in page
        assert f"{it.lon:.6f}" in page and f"{it.lat:.6f}" in page
        assert f"序号 {n} · task #{it.task_id}" in page
    assert NOTICE.number in page and "2026年12月2日" in page and html.escape(NOTICE.issuer) in page


# --------------------------------------------------------------------------- the small maps


def picture(png: bytes) -> Image.Image:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    image.load()
    return image.convert("RGB")


def is_red(rgb) -> bool:
    r, g, b = rgb
    return r > 190 and g < 90 and b < 90


def red_near(image: Image.Image, x: float, y: float, radius: int) -> int:
    cx, cy = round(x), round(y)
    return sum(
        is_red(image.getpixel((i, j)))
        for i in range(max(0, cx - radius), min(image.width, cx + radius + 1))
        for j in range(max(0, cy - radius), min(image.height, cy + radius + 1))
    )


def test_minimap_is_a_png_of_the_requested_size():
    for size in ((480, 320), (300, 400)):
        image = picture(small_map_png(ITEMS[0], *size))
        assert image.size == size


def test_minimap_point_item_has_a_red_ring_in_the_middle():
    # no geometry, no shapes: the frame is 150 m on each side of the point, which is the centre pixel
    image = picture(small_map_png(item(geometry=None)))
    assert red_near(image, 240, 160, 14) > 30
    assert red_near(image, 240, 160, 30) == red_near(image, 240, 160, 14)  # nothing red further out
    assert red_near(image, 100, 60, 40) == 0


def test_minimap_draws_shapes_where_they_are():
    # a point gap: 300 m × 300 m framed in 480 × 320 px, so 0.9375 m a pixel (the height decides), centre (240, 160)
    gap_north = Point(LON, LAT + north(100))  # 100 m north: 106.7 px up
    facility_east = Point(LON + east(100), LAT)  # 100 m east: 106.7 px right
    image = picture(small_map_png(item(geometry=Point(LON, LAT), shapes=[("gap", gap_north), ("facility", facility_east)])))
    m_per_px = max(300 / 480, 300 / 320)
    assert red_near(image, 240, 160 - 100 / m_per_px, 14) > 30
    assert red_near(image, 240, 160, 14) > 30
    x = 240 + 100 / m_per_px
    assert any(max(image.getpixel((round(x) + i, 160 + j))) < 90 for i in (-1, 0, 1) for j in (-1, 0, 1))


def test_minimap_line_gap_spans_the_pixels_computed_by_hand():
    # 400 m east-west: frame 700 m × 300 m, so 700 / 480 m a pixel; the ends 200 m each side of the centre
    line = LineString([(LON - east(200), LAT), (LON + east(200), LAT)])
    image = picture(small_map_png(item(geometry=line)))
    m_per_px = max(700 / 480, 300 / 320)
    left, right = 240 - 200 / m_per_px, 240 + 200 / m_per_px  # 102.9 and 377.1
    for x in range(round(left) + 6, round(right) - 6, 10):
        assert any(is_red(image.getpixel((x, 160 + j))) for j in range(-2, 3)), x
    for x in (round(left) - 8, round(right) + 8, 30, 450):
        assert not any(is_red(image.getpixel((x, 160 + j))) for j in range(-6, 7)), x


def test_minimap_area_gap_has_a_red_outline():
    # 500 m square: frame 500 + 2 × 150 = 800 m high in 320 px: 2.5 m a pixel; the edges 100 px from the centre
    image = picture(small_map_png(item(geometry=box(LON, LAT, 250))))
    assert red_near(image, 240 - 100, 160, 3) > 0 and red_near(image, 240 + 100, 160, 3) > 0
    assert red_near(image, 240, 160 - 100, 3) > 0 and red_near(image, 240, 160 + 100, 3) > 0
    assert red_near(image, 240, 160, 20) == 0  # an outline, not filled


@pytest.mark.parametrize(
    "geometry, shapes",
    [
        (None, ()),
        (GeometryCollection(), ()),
        (Point(LON, LAT), [("gap", GeometryCollection())]),
        (LineString([(LON, LAT), (LON, LAT)]), ()),  # zero length: a degenerate frame
        (LineString([(LON, LAT), (LON, LAT + north(300))]), SHAPES),  # no width
        (MultiLineString([[(LON, LAT), (LON + east(50), LAT)], [(LON, LAT + north(80)), (LON + east(90), LAT + north(80))]]), ()),
        (MultiPolygon([box(LON, LAT, 30), box(LON + east(200), LAT, 30)]), SHAPES),
        (MultiPoint([(LON, LAT), (LON + east(100), LAT)]), ()),
        (GeometryCollection([Point(LON, LAT), LineString([(LON, LAT), (LON + east(40), LAT)]), box(LON, LAT, 20)]), ()),
        (Point(LON, LAT), [("road", MultiLineString([[(0, 0), (170, 80)]])), ("water", box(LON, LAT, 5_000_000))]),  # far, huge
        (Point(LON, LAT), [("unknown", Point(LON, LAT)), ("zone", Polygon())]),
        (box(LON, LAT, 1_000_000), SHAPES),  # a huge gap
        (Point(LON, LAT), [("water", Polygon(box(LON, LAT, 300).exterior, [box(LON, LAT, 100).exterior.coords]))]),  # a hole
    ],
)
def test_minimap_never_fails_on_odd_geometry(geometry, shapes):
    image = picture(small_map_png(item(geometry=geometry, shapes=shapes)))
    assert image.size == (480, 320)


def test_minimap_without_any_location_is_a_blank_map():
    image = picture(small_map_png(item(lon=math.nan, lat=math.nan, geometry=None)))
    assert image.size == (480, 320) and red_near(image, 240, 160, 200) == 0


def test_minimap_is_deterministic():
    assert small_map_png(ITEMS[1]) == small_map_png(ITEMS[1])


@pytest.mark.parametrize("size", [(0, 320), (480, -1), (10, 10), (480, 100_000)])
def test_minimap_refuses_a_bad_size(size):
    with pytest.raises(ValueError, match="px"):
        small_map_png(ITEMS[0], *size)


# --------------------------------------------------------------------------- file names


def test_filename_replaces_unsafe_characters():
    notice = Notice(
        number='创优办〔2026〕第12号/a\\b:c*d?e"f<g>h|i\x00j\x1fk',
        issuer="x",
        city_zh="襄阳",
        city_en="Xiangyang",
        unit="城管局\n东津新区",
        issued=dt.date(2026, 12, 2),
        items=(),
        report_back="",
    )
    name = notice_filename(notice)
    assert name.startswith("整改通知书_创优办〔2026〕第12号_a_b_c_d_e_f_g_h_i_j_k_")
    assert name.endswith(".docx")
    assert not re.search(r'[/\\:*?"<>|\x00-\x1f]', name)
    assert notice_filename(notice, ".html").endswith(".html")


def test_filename_of_the_notice_and_its_length_cap():
    assert notice_filename(NOTICE).startswith("整改通知书_创优办〔2026〕第12号__script_alert(1)__script_")
    long = Notice("第1号", "x", "襄阳", "Xiangyang", "很长的单位名称" * 60, dt.date(2026, 12, 2), (), "")
    name = notice_filename(long)
    assert len(name) <= 125 and len(name.encode("utf-8")) <= 255 and name.endswith(".docx")
    with pytest.raises(ValueError, match="suffix"):
        notice_filename(long, "/../x")


def test_the_gaps_english_detail_is_under_its_chinese_one_in_both_documents():
    zh, en = "最近的 A 级旅游厕所在 812 米外（要求 500 米内）", "nearest graded toilet 812 m away (limit 500 m) <i>&amp;</i>"
    one = item(30, what=zh, what_en=en)
    notice = Notice("第1号", "创优办", "襄阳市", "Xiangyang", "古隆中景区管理处", dt.date(2026, 12, 2), (one,), "")
    cell = docx.Document(io.BytesIO(notice_docx(notice))).tables[0].rows[1].cells[1]
    assert [p.text for p in cell.paragraphs] == [one.rule_title_zh, one.rule_title_en, zh, en]  # Chinese first, English under it
    assert cell.paragraphs[3].runs[0].font.size == Pt(9)  # the English in small type, as the rule's English title
    page = notice_html(notice)
    assert html.escape(en, quote=True) in page and "<i>" not in page
    assert page.index(html.escape(zh, quote=True)) < page.index(html.escape(en, quote=True))
    # a task with no Chinese detail (filed before it was stored): its English as the detail, nothing under it
    old = docx.Document(io.BytesIO(notice_docx(Notice("第2号", "创优办", "襄阳市", "Xiangyang", "单位", dt.date(2026, 12, 2),
                                                      (item(31, what=en),), ""))))  # fmt: skip
    assert [p.text for p in old.tables[0].rows[1].cells[1].paragraphs] == [one.rule_title_zh, one.rule_title_en, en]
