"""Tables mixing encodings get a clear answer: UTF-8 with GBK or Big5 rows, or a cell pasted in another
encoding, are refused with every odd row named (file, row, column, the text as it reads, the bytes, the fix);
UTF-16 with or without a byte-order mark is read, a cut-off one named; a GBK file whose short lines happen to
be valid UTF-8 is still read as GBK.
"""

from __future__ import annotations

import json

import pytest

from facilities.errors import ImportUsageError
from facilities.importers.encoding import decode
from facilities.importers.table import import_table
from tests.helpers import nothing_written, output_of, run_cli

# --------------------------------------------------------------------------- helpers


def _lines(said: str, needle: str) -> list[str]:
    return [ln for ln in said.splitlines() if needle in ln]


HEADER = "名称,经度,纬度,区\n"


def _utf8(text: str) -> bytes:
    return text.encode("utf-8")


# --------------------------------------------------------------------------- mixed encodings


def test_gbk_rows_in_a_utf8_table_are_named_row_by_row(tmp_path):
    rows = [
        _utf8(HEADER),
        _utf8("玄武湖公园厕所,118.79,32.07,玄武区\n"),  # row 2
        "长江路公厕,118.80,32.05,玄武区\n".encode("gbk"),  # row 3: GBK
        _utf8('"总统府\n东侧公厕",118.80,32.05,玄武区\n'),  # row 4, two lines in quotes
        "新街口公厕,118.78,32.04,秦淮区\n".encode("gbk"),  # row 5 (line 6): GBK
        _utf8("夫子庙公厕,118.79,32.02,秦淮区\n"),  # row 6
    ]
    src = tmp_path / "shops.csv"
    src.write_bytes(b"".join(rows))
    out = tmp_path / "data" / "city"
    run = run_cli("import", "table", str(src), "--layer", "toilets", "--set", "grade=none", "--out", str(out))
    said = output_of(run)
    assert run.returncode == 2, said
    row3 = _lines(said, "shops.csv, row 3,")
    row5 = _lines(said, "shops.csv, row 5,")
    assert len(row3) == len(row5) == 1, said
    assert "columns 名称, 区" in row3[0] and '"长江路公厕"' in row3[0] and '"玄武区"' in row3[0]
    assert "text is GBK/GB18030 while the rest of the file is UTF-8" in row3[0]
    assert f"(bytes {'长'.encode('gbk').hex(' ')})" in row3[0]
    assert '"新街口公厕"' in row5[0] and '"秦淮区"' in row5[0] and f"(bytes {'新'.encode('gbk').hex(' ')})" in row5[0]
    for good in ("row 2,", "row 4,", "row 6,", "line "):
        assert not _lines(said, f"shops.csv, {good}"), said
    assert "iconv -f GB18030 -t UTF-8" in said and "nothing was imported" in said and "accepted: UTF-8" in said
    nothing_written(out)


def test_a_cell_pasted_in_gbk_is_named_alone(tmp_path):
    src = tmp_path / "t.csv"
    src.write_bytes(_utf8(HEADER + "玄武湖公园厕所,118.79,32.07,玄武区\n") + "鼓楼公园厕所".encode("gbk") + _utf8(",118.78,32.06,鼓楼区\n"))
    with pytest.raises(ImportUsageError) as exc:
        import_table(src, tmp_path / "c", layer="toilets", sets=["grade=none"])
    line = _lines(str(exc.value), "t.csv, row 3,")
    assert len(line) == 1 and 'column 名称: "鼓楼公园厕所"' in line[0] and "鼓楼区" not in line[0], str(exc.value)
    assert "GBK/GB18030" in line[0]


def test_big5_rows_in_a_utf8_table_are_named_big5(tmp_path):
    text = [
        "名稱,經度,緯度,行政區\n",
        "大安森林公園廁所,121.536,25.030,大安區\n",
        "臺北車站公廁,121.517,25.047,中正區\n",
        "中正紀念堂公廁,121.522,25.035,中正區\n",
    ]
    src = tmp_path / "taipei.csv"
    src.write_bytes(_utf8(text[0]) + _utf8(text[1]) + text[2].encode("big5") + _utf8(text[3]))
    run = run_cli("import", "table", str(src), "--layer", "toilets", "--set", "grade=none", "--out", str(tmp_path / "c"))
    said = output_of(run)
    assert run.returncode == 2
    line = _lines(said, "taipei.csv, row 3,")
    assert len(line) == 1 and '"臺北車站公廁"' in line[0] and '"中正區"' in line[0], said
    assert "text is Big5 while the rest of the file is UTF-8" in line[0]
    assert "iconv -f BIG5 -t UTF-8" in said and "CP950" in said
    nothing_written(tmp_path / "c")


def test_utf8_rows_in_a_gbk_table_are_named_utf8(tmp_path):
    src = tmp_path / "g.csv"
    src.write_bytes(
        (HEADER + "长江路公厕,118.80,32.05,玄武区\n" + "新街口公厕,118.78,32.04,秦淮区\n").encode("gbk")
        + _utf8("夫子庙公厕,118.79,32.02,秦淮区\n")
    )
    with pytest.raises(ImportUsageError) as exc:
        import_table(src, tmp_path / "c", layer="toilets", sets=["grade=none"])
    msg = str(exc.value)
    line = _lines(msg, "g.csv, row 4,")
    assert len(line) == 1 and '"夫子庙公厕"' in line[0] and "text is UTF-8 while the rest of the file is GBK/GB18030" in line[0], msg
    assert f"(bytes {'夫'.encode().hex(' ')})" in line[0]
    assert "iconv -f GB18030 -t UTF-8" in msg and not _lines(msg, "g.csv, row 2,")


def test_utf8_rows_in_a_file_said_to_be_gbk_are_refused(tmp_path):
    src = tmp_path / "g.csv"
    src.write_bytes((HEADER + "长江路公厕,118.80,32.05,玄武区\n").encode("gbk") + _utf8("夫子庙公厕,118.79,32.02,秦淮区\n"))
    with pytest.raises(ImportUsageError, match=r"g\.csv, row 3, .*text is UTF-8"):
        import_table(src, tmp_path / "c", layer="toilets", sets=["grade=none"], encoding="gbk")


def test_every_odd_row_is_listed_beyond_the_report_limit(tmp_path):
    lines, odd = [_utf8(HEADER)], []
    for row in range(2, 62):
        text = f"公厕{row},118.8,32.05,玄武区\n"
        if row % 2 == 0:
            lines.append(text.encode("gbk"))
            odd.append(row)
        else:
            lines.append(_utf8(text))
    src = tmp_path / "many.csv"
    src.write_bytes(b"".join(lines))
    with pytest.raises(ImportUsageError) as exc:
        import_table(src, tmp_path / "c", layer="toilets", sets=["grade=none"])
    msg = str(exc.value)
    detailed = [int(ln.split("row ")[1].split(",")[0]) for ln in msg.splitlines() if ln.startswith("  - many.csv, row ")]
    assert detailed == odd[:20]
    rest = _lines(msg, "… and 10 more: rows ")
    assert len(rest) == 1 and rest[0].endswith("rows " + ", ".join(map(str, odd[20:]))), msg  # no two odd rows are consecutive


def test_ambiguous_text_names_both_readings():
    # one character that GBK and Big5 both read, in a file whose UTF-8 text has no script of its own
    raw = _utf8("name,lon,lat\n公,1,2\n") + "江,1,2\n".encode("gbk")
    with pytest.raises(ImportUsageError) as exc:
        decode(raw, "a.csv")
    msg = str(exc.value)
    assert "text looks like" in msg and "it also reads as" in msg
    assert "江" in msg and "蔬" in msg  # the GBK and the Big5 reading of the same two bytes


def test_a_gbk_file_whose_short_lines_are_valid_utf8_is_still_gbk():
    raw = "名称,经度,纬度\n亭,112.1,32.0\n业,112.1,32.0\n为,112.1,32.0\n".encode("gbk")
    assert "亭".encode("gbk").decode("utf-8")  # the trap: these bytes are valid UTF-8 (not Chinese)
    assert decode(raw, "x.csv") == (raw.decode("gbk"), "gb18030")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_or_without_bom_imports_like_utf8(tmp_path, codec):
    text = HEADER.replace(",区", "") + "玄武湖公园厕所,118.79,32.07\n总统府东侧公厕,118.80,32.05\n"
    (tmp_path / "u8.csv").write_text(text, encoding="utf-8")
    (tmp_path / "u16.csv").write_bytes(text.encode(codec))
    a = import_table(tmp_path / "u8.csv", tmp_path / "a", layer="toilets", sets=["grade=none"], bounds=None)
    b = import_table(tmp_path / "u16.csv", tmp_path / "b", layer="toilets", sets=["grade=none"])
    assert a.exit_code == b.exit_code == 0, b.to_text()
    feats = [f["properties"]["name"] for f in json.loads((tmp_path / "b" / "toilets.geojson").read_text(encoding="utf-8"))["features"]]
    assert feats == ["玄武湖公园厕所", "总统府东侧公厕"]
    assert "UTF-16" in " ".join(b.notes)


def test_cut_off_utf16_is_named_with_the_conversion(tmp_path):
    src = tmp_path / "cut.csv"
    src.write_bytes((HEADER + "玄武湖公园厕所,118.79,32.07,玄武区\n").encode("utf-16-le")[:-1])
    run = run_cli("import", "table", str(src), "--layer", "toilets", "--set", "grade=none", "--out", str(tmp_path / "c"))
    said = output_of(run)
    assert run.returncode == 2
    assert "cut.csv" in said and "UTF-16LE" in said and "odd number of bytes" in said and "iconv -f UTF-16LE -t UTF-8" in said
    nothing_written(tmp_path / "c")
