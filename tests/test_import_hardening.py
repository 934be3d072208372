"""Bad input that used to slip through the importers gets a clear answer, and an interrupted import leaves
the city whole.

* tables mixing encodings (UTF-8 with GBK or Big5 rows, a cell pasted in another encoding) are refused with
  every odd row named (file, row, column, the text as it reads, the bytes, the fix); UTF-16 with or without
  a byte-order mark is read, a cut-off one named; a GBK file whose short lines happen to be valid UTF-8 is
  still read as GBK;
* archives (.zip, .kmz, .xlsx) over the member or size limit are refused at once, naming the file and the
  limit; one whose sizes lie is refused as damaged; members never land outside the unpacking folder;
* ``kill -9`` at every step of an import's writes, and at moments spread over its run: each layer is all old
  or all new, backups whole, the city valid, nothing the app would take for a city, and whatever is left
  over is named by ``validate`` as safe to delete; a full disk names the file and changes nothing.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from facilities import validate_city
from facilities.errors import ImportUsageError, ImportWriteError
from facilities.importers._core import unpack_archive
from facilities.importers.encoding import decode
from facilities.importers.table import import_table
from tests.helpers import ROOT

# --------------------------------------------------------------------------- helpers


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACILITIES_")}
    env.update(extra)
    return env


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "facilities", *args], capture_output=True, text=True, cwd=ROOT, timeout=300, env=_env(**env)
    )


def _said(run: subprocess.CompletedProcess) -> str:
    said = run.stdout + run.stderr
    assert "Traceback" not in said, said
    return said


def _nothing_written(out: Path) -> None:
    assert not out.exists(), f"{out} was created"
    assert not (out.parent / ".facilities-staging").exists()


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
    run = _cli("import", "table", str(src), "--layer", "toilets", "--set", "grade=none", "--out", str(out))
    said = _said(run)
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
    _nothing_written(out)


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
    run = _cli("import", "table", str(src), "--layer", "toilets", "--set", "grade=none", "--out", str(tmp_path / "c"))
    said = _said(run)
    assert run.returncode == 2
    line = _lines(said, "taipei.csv, row 3,")
    assert len(line) == 1 and '"臺北車站公廁"' in line[0] and '"中正區"' in line[0], said
    assert "text is Big5 while the rest of the file is UTF-8" in line[0]
    assert "iconv -f BIG5 -t UTF-8" in said and "CP950" in said
    _nothing_written(tmp_path / "c")


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
    run = _cli("import", "table", str(src), "--layer", "toilets", "--set", "grade=none", "--out", str(tmp_path / "c"))
    said = _said(run)
    assert run.returncode == 2
    assert "cut.csv" in said and "UTF-16LE" in said and "odd number of bytes" in said and "iconv -f UTF-16LE -t UTF-8" in said
    _nothing_written(tmp_path / "c")


# --------------------------------------------------------------------------- archives


def zip_of_zeros(path: Path, member: str, size: int, chunk: int = 1 << 24) -> None:
    """A zip whose one deflated member is ``size`` zero bytes (a multiple of ``chunk``), written in well
    under a second: after a full flush deflate starts afresh, so every chunk compresses to the same bytes."""
    assert size % chunk == 0
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = co.compress(bytes(chunk)) + co.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # the final (empty) block
    n = size // chunk
    crc, zeros = 0, bytes(chunk)
    for _ in range(n):
        crc = zlib.crc32(zeros, crc)
    packed = len(block) * n + len(end)
    name = member.encode()
    with open(path, "wb") as fh:
        fh.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, packed, size, len(name), 0) + name)
        for _ in range(n):
            fh.write(block)
        fh.write(end)
        at = fh.tell()
        entry = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, packed, size, len(name), 0, 0, 0, 0, 0, 0) + name
        fh.write(entry)
        fh.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(entry), at, 0))


def test_a_1_gib_zip_bomb_is_refused_at_once(tmp_path):
    bomb = tmp_path / "toilets_bomb.zip"
    zip_of_zeros(bomb, "toilets.shp", 1 << 30)
    assert bomb.stat().st_size < 2 << 20
    with zipfile.ZipFile(bomb) as z, z.open("toilets.shp") as f:  # the fixture is a real zip of zeros
        assert z.infolist()[0].file_size == 1 << 30 and f.read(1 << 20) == bytes(1 << 20)
    start = time.monotonic()
    run = _cli("import", "file", str(bomb), "--layer", "toilets", "--out", str(tmp_path / "c"))
    took = time.monotonic() - start
    said = _said(run)
    assert run.returncode == 2, said
    assert "toilets_bomb.zip" in said and "1,073,741,824 bytes" in said and "limit of 512 MiB" in said
    assert "FACILITIES_MAX_ARCHIVE_MB" in said and "nothing was unpacked" in said
    assert took < 20, f"took {took:.1f} s: it decompressed?"
    _nothing_written(tmp_path / "c")


def test_the_size_limit_comes_from_the_environment(tmp_path):
    bomb = tmp_path / "b.zip"
    zip_of_zeros(bomb, "doc.kml", 3 << 20, chunk=1 << 20)
    kmz = tmp_path / "b.kmz"
    shutil.copy(bomb, kmz)
    for src in (bomb, kmz):
        run = _cli("import", "file", str(src), "--layer", "toilets", "--out", str(tmp_path / "c"), FACILITIES_MAX_ARCHIVE_MB="2")
        said = _said(run)
        assert run.returncode == 2 and src.name in said and "limit of 2 MiB" in said and "3,145,728 bytes" in said, said
    _nothing_written(tmp_path / "c")


def test_too_many_members_are_refused(tmp_path):
    src = tmp_path / "many.zip"
    with zipfile.ZipFile(src, "w") as z:
        for i in range(12):
            z.writestr(f"part{i}.txt", "x")
    run = _cli("import", "file", str(src), "--layer", "toilets", "--out", str(tmp_path / "c"), FACILITIES_MAX_ARCHIVE_MEMBERS="10")
    said = _said(run)
    assert run.returncode == 2 and "many.zip" in said and "12 members" in said and "limit of 10" in said, said
    assert "FACILITIES_MAX_ARCHIVE_MEMBERS" in said


def test_an_xlsx_over_the_limit_is_refused_and_under_it_imported(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["名称", "经度", "纬度"])
    sheet.append(["玄武湖公园厕所", 118.79, 32.07])
    src = tmp_path / "toilets.xlsx"
    book.save(src)
    with zipfile.ZipFile(src, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", bytes(3 << 20))
    args = ["import", "table", str(src), "--layer", "toilets", "--set", "grade=none"]
    run = _cli(*args, "--out", str(tmp_path / "c"), FACILITIES_MAX_ARCHIVE_MB="2")
    said = _said(run)
    assert run.returncode == 2 and "toilets.xlsx" in said and "Excel workbook" in said and "limit of 2 MiB" in said, said
    _nothing_written(tmp_path / "c")
    run = _cli(*args, "--out", str(tmp_path / "d"))
    assert run.returncode == 0, _said(run)
    assert len(json.loads((tmp_path / "d" / "toilets.geojson").read_text(encoding="utf-8"))["features"]) == 1


def test_an_archive_lying_about_its_sizes_is_refused_as_damaged(tmp_path):
    src = tmp_path / "liar.zip"
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("toilets.shp", bytes(200_000))
    data = bytearray(src.read_bytes())
    cd = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, cd + 24, 1000)  # the member list says 1,000 bytes unpacked
    struct.pack_into("<I", data, 22, 1000)  # and so does the member's own header
    src.write_bytes(bytes(data))
    run = _cli("import", "file", str(src), "--layer", "toilets", "--out", str(tmp_path / "c"))
    said = _said(run)
    assert run.returncode == 2 and "liar.zip" in said and "damaged" in said, said
    _nothing_written(tmp_path / "c")


def test_members_never_land_outside_the_unpacking_folder(tmp_path):
    src = tmp_path / "slip.zip"
    with zipfile.ZipFile(src, "w") as z:
        z.writestr("../../escaped.txt", "x")
        z.writestr("/abs/also.txt", "y")
        z.writestr("__MACOSX/._junk", "z")
    dest = tmp_path / "deep" / "dest"
    dest.mkdir(parents=True)
    with zipfile.ZipFile(src) as z:
        written = unpack_archive(src, z.infolist(), dest, "zip")
    assert sorted(p.relative_to(dest).as_posix() for p in written) == ["abs/also.txt", "escaped.txt"]
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "deep" / "escaped.txt").exists()


def test_a_zipped_shapefile_in_a_folder_with_macos_litter_imports(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    shp = tmp_path / "shp"
    shp.mkdir()
    gpd.GeoDataFrame({"名称": ["甲", "乙"]}, geometry=[Point(118.79, 32.07), Point(118.80, 32.05)], crs=4326).to_file(
        shp / "toilets.shp", encoding="utf-8"
    )
    src = tmp_path / "toilets.zip"
    with zipfile.ZipFile(src, "w") as z:
        for part in shp.iterdir():
            z.write(part, f"exported/{part.name}")
        z.writestr("__MACOSX/exported/._toilets.shp", b"\x00\x05\x16\x07")
    run = _cli("import", "file", str(src), "--layer", "toilets", "--set", "grade=none", "--out", str(tmp_path / "c"))
    assert run.returncode == 0, _said(run)
    feats = json.loads((tmp_path / "c" / "toilets.geojson").read_text(encoding="utf-8"))["features"]
    assert [f["properties"]["name"] for f in feats] == ["甲", "乙"]


# --------------------------------------------------------------------------- kill -9

MAPPING = """layer = "lamps"
lon = "lon"
lat = "lat"

[id]
column = "pole"

[defaults]
status = "existing"
lamp_type = "street"
source = "import"

[fields]
road = "street"
segment = { column = "seg" }
road_class = { column = "class" }

[derive_roads]
group = "segment"
name = "road"
road_class = "road_class"
id_prefix = "SEG-"
"""
BOUNDS = "111.9,31.9,112.2,32.2"
LAYERS = ("lamps.geojson", "roads.geojson")

#: run the CLI with SIGKILL sent to itself just before the KILL_AT-th file-system change (rename, replace,
#: link, rmdir, unlink, rmtree): every step of staging, backing up, moving into place and cleaning up
DRIVER = r"""
import os, shutil, signal, sys
kill_at, calls = int(os.environ["KILL_AT"]), [0]
def wrap(fn):
    def inner(*a, **kw):
        calls[0] += 1
        if calls[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return fn(*a, **kw)
    return inner
for name in ("replace", "rename", "link", "rmdir", "unlink"):
    setattr(os, name, wrap(getattr(os, name)))
shutil.rmtree = wrap(shutil.rmtree)
from facilities.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _mapping(folder: Path) -> Path:
    path = folder / "m.toml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


def _import_lamps(csv_path: Path, mapping: Path, city: Path, *extra: str) -> subprocess.CompletedProcess:
    """``python -m facilities import table <csv> --mapping <mapping> --out <city> [extra]``."""
    return _cli("import", "table", str(csv_path), "--mapping", str(mapping), "--out", str(city), *extra)


def _lamps_csv(path: Path, n: int, tag: str) -> Path:
    rows = ["pole,street,seg,class,lon,lat"]
    for i in range(n):
        s = i // 50
        lon, lat = 112.0 + (s % 40) * 0.002 + (i % 50) * 0.00003, 32.0 + (s // 40) * 0.002
        rows.append(f"{tag}{i},路{s},{s},{'arterial' if s % 2 else 'branch'},{lon:.6f},{lat:.6f}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def kill_setup(tmp_path_factory):
    """An existing city (old lamps and roads), a new table, and what the city's files are after a whole import."""
    base = tmp_path_factory.mktemp("kill")
    mapping = _mapping(base)
    old_city = base / "old" / "city"
    run = _import_lamps(_lamps_csv(base / "old.csv", 200, "A"), mapping, old_city, "--bounds", BOUNDS)
    assert run.returncode == 0, _said(run)
    small, big = _lamps_csv(base / "new.csv", 300, "B"), _lamps_csv(base / "big.csv", 20000, "C")
    new = {}
    for src in (small, big):
        done = base / f"done-{src.stem}" / "city"
        shutil.copytree(old_city, done)
        run = _import_lamps(src, mapping, done, "--mode", "replace")
        assert run.returncode == 0, _said(run)
        new[src.stem] = {n: (done / n).read_bytes() for n in LAYERS}
    old = {n: (old_city / n).read_bytes() for n in (*LAYERS, "city.toml")}
    assert all(old[n] != new["new"][n] != new["big"][n] for n in LAYERS)
    return {"base": base, "mapping": mapping, "old_city": old_city, "old": old, "new": new, "small": small, "big": big}


def _assert_whole(city: Path, old: dict[str, bytes], new: dict[str, bytes]) -> str:
    """The city after a kill: each layer all old or all new, backups whole, valid, leftovers named. Returns "old"/"new"/"mixed"."""
    states = []
    for n in LAYERS:
        data = (city / n).read_bytes()
        assert data in (old[n], new[n]), f"{n} is neither the old file nor the new one ({len(data)} bytes)"
        json.loads(data)
        states.append("old" if data == old[n] else "new")
    assert (city / "city.toml").read_bytes() == old["city.toml"]
    for bak in city.glob("*.bak-*"):
        assert bak.read_bytes() == old[bak.name.split(".bak-")[0]], f"{bak.name} is not a whole backup"
    assert not [p.name for p in city.iterdir() if p.is_dir()], "a folder inside the city"
    report = validate_city(city)
    assert report.ok, report.to_text()
    warned = {p.file for p in report.warnings if p.code == "leftover"}
    for tmp in city.glob(".*.tmp"):
        assert tmp.name in warned, f"{tmp.name} left and not reported"
    staging = city.parent / ".facilities-staging"
    for left in staging.iterdir() if staging.is_dir() else []:
        assert f"../.facilities-staging/{left.name}/" in warned, f"{left} left and not reported: {warned}"
    assert [p for p in city.parent.iterdir() if (p / "city.toml").is_file()] == [city], "something else looks like a city"
    assert {p.name for p in city.parent.iterdir()} <= {city.name, ".facilities-staging"}, "a leftover beside the city"
    return states[0] if len(set(states)) == 1 else "mixed"


@pytest.mark.slow
def test_kill_9_at_every_step_of_a_replace_leaves_each_layer_whole(kill_setup, tmp_path):
    s = kill_setup
    seen, k = [], 0
    while True:
        k += 1
        assert k < 60, "the import never finished"
        city = tmp_path / f"k{k}" / "city"
        shutil.copytree(s["old_city"], city)
        args = ["import", "table", str(s["small"]), "--mapping", str(s["mapping"]), "--out", str(city), "--mode", "replace"]
        run = subprocess.run(
            [sys.executable, "-c", DRIVER, *args], capture_output=True, text=True, cwd=ROOT, env=_env(KILL_AT=str(k)), timeout=300
        )
        state = _assert_whole(city, s["old"], s["new"]["new"])
        if run.returncode == 0:
            assert state == "new" and not (city.parent / ".facilities-staging").exists()
            assert len(list(city.glob("*.bak-*"))) == 2
            break
        assert run.returncode == -signal.SIGKILL, _said(run)
        seen.append(state)
    assert seen[0] == "old" and seen[-1] == "new" and "mixed" in seen  # killed before, between and after the two layers
    assert k > 6


@pytest.mark.slow
def test_kill_9_at_every_step_of_a_new_city_leaves_no_city_or_a_whole_one(kill_setup, tmp_path):
    s = kill_setup
    k, outcomes = 0, []
    while True:
        k += 1
        assert k < 60
        data = tmp_path / f"k{k}"
        data.mkdir()
        city = data / "city"
        args = ["import", "table", str(s["small"]), "--mapping", str(s["mapping"]), "--out", str(city), "--bounds", BOUNDS]
        run = subprocess.run(
            [sys.executable, "-c", DRIVER, *args], capture_output=True, text=True, cwd=ROOT, env=_env(KILL_AT=str(k)), timeout=300
        )
        cities = [p for p in data.iterdir() if (p / "city.toml").is_file()]
        if city.exists():
            assert cities == [city] and validate_city(city).ok
            assert {n: (city / n).read_bytes() for n in LAYERS} == s["new"]["new"]
            outcomes.append("city")
        else:
            assert cities == []
            outcomes.append("none")
        for left in (data / ".facilities-staging").glob("*") if (data / ".facilities-staging").is_dir() else []:
            assert left.name.startswith("city.import-")
        if run.returncode == 0:
            assert outcomes[-1] == "city" and [p.name for p in data.iterdir()] == ["city"]
            break
        assert run.returncode == -signal.SIGKILL, _said(run)
    assert outcomes[0] == "none" and "city" in outcomes


@pytest.mark.slow
def test_kill_9_at_moments_spread_over_a_big_import(kill_setup, tmp_path):
    s = kill_setup
    args = ["import", "table", str(s["big"]), "--mapping", str(s["mapping"]), "--mode", "replace"]
    plans = [("start", d) for d in (0.5, 1.5, 2.5)] + [("staging", d) for d in (0.0, 0.1, 0.3, 0.6, 1.0, 1.5)]
    states = []
    for i, (after, delay) in enumerate(plans):
        city = tmp_path / f"t{i}" / "city"
        shutil.copytree(s["old_city"], city)
        proc = subprocess.Popen([sys.executable, "-m", "facilities", *args, "--out", str(city)], cwd=ROOT, env=_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            if after == "staging":  # from the moment the staging folder appears
                deadline = time.monotonic() + 120
                while not (city.parent / ".facilities-staging").exists() and proc.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.005)
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait(timeout=120)
        states.append((after, delay, proc.returncode, _assert_whole(city, s["old"], s["new"]["big"])))
    assert any(code == -signal.SIGKILL for *_, code, _ in states), states  # at least some were killed mid-way


def _validate_cli(folder: Path) -> str:
    run = _cli("validate", str(folder))
    said = _said(run)
    assert run.returncode == 0, said
    return said


def test_validate_names_every_leftover_as_safe_to_delete(mini_city):
    city = mini_city
    feature = {
        "type": "Feature",
        "properties": {"id": "T1", "status": "existing", "grade": "A"},
        "geometry": {"type": "Point", "coordinates": [112.1, 32.0]},
    }
    layer = '{"type":"FeatureCollection","features":[\n' + json.dumps(feature) + "\n]}\n"
    (city / "toilets.geojson").write_text(layer, encoding="utf-8")
    (city / ".toilets.geojson.1a2b3c4d.tmp").write_text(layer, encoding="utf-8")
    (city / "toilets.geojson.bak-20260101T000000").write_text(layer[:90], encoding="utf-8")  # cut off
    (city / "toilets.geojson.bak-20260102T000000").write_text(layer, encoding="utf-8")  # whole: not a leftover
    for folder in (
        city.parent / ".facilities-staging" / "mini.import-abc123",
        city.parent / ".mini.import-old1",
        city / ".mini.import-old2",
    ):
        folder.mkdir(parents=True)
        (folder / "toilets.geojson").write_text(layer, encoding="utf-8")
    (city.parent / ".facilities-staging" / "other.import-x").mkdir()  # another city's: not this one's business
    said = _validate_cli(city)
    warnings = said.split("WARNINGS")[1]
    expected = {
        ".toilets.geojson.1a2b3c4d.tmp": "interrupted write of toilets.geojson",
        "toilets.geojson.bak-20260101T000000": "partial backup",
        "../.facilities-staging/mini.import-abc123/": "staging folder",
        "../.mini.import-old1/": "staging folder",
        ".mini.import-old2/": "staging folder",
    }
    for file, what in expected.items():
        line = [ln for ln in warnings.splitlines() if ln.startswith(f"  - {file} —")]
        assert len(line) == 1 and what in line[0] and "safe to delete" in line[0], f"{file}:\n{said}"
    assert "20260102" not in said and "other.import-x" not in said
    assert "valid 有效" in said


# --------------------------------------------------------------------------- disk full


def _city_with_two_layers(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    mapping = _mapping(tmp_path)
    city = tmp_path / "data" / "city"
    result = import_table(_lamps_csv(tmp_path / "old.csv", 100, "A"), city, mapping=mapping, bounds=_bounds())
    assert result.exit_code == 0, result.to_text()
    return city, mapping, {p.name: p.read_bytes() for p in city.iterdir()}


def _bounds():
    from facilities.city_config import Bounds

    return Bounds(*map(float, BOUNDS.split(",")))


def _unchanged(city: Path, before: dict[str, bytes], but: tuple[str, ...] = ()) -> None:
    now = {p.name: p.read_bytes() for p in city.iterdir() if p.name not in but}
    assert now == {k: v for k, v in before.items() if k not in but}
    assert not (city.parent / ".facilities-staging").exists()
    assert validate_city(city).ok and not validate_city(city).warnings


def test_disk_full_while_staging_names_the_file_and_changes_nothing(tmp_path, monkeypatch):
    city, mapping, before = _city_with_two_layers(tmp_path)
    real_write, real_fdopen = os.write, os.fdopen

    def full(*_):
        raise OSError(errno.ENOSPC, "No space left on device")

    def staged(fd: int) -> bool:
        try:
            return "lamps" in os.readlink(f"/proc/self/fd/{fd}") or ".facilities-staging" in os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            return False

    class Full:  # a file object whose writes fail
        def __init__(self, fh):
            self.fh = fh

        def write(self, _):
            full()

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    monkeypatch.setattr(os, "write", lambda fd, data: full() if staged(fd) else real_write(fd, data))
    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **kw: Full(real_fdopen(fd, *a, **kw)) if staged(fd) else real_fdopen(fd, *a, **kw))
    with pytest.raises(ImportWriteError) as exc:
        import_table(_lamps_csv(tmp_path / "new.csv", 300, "B"), city, mapping=mapping, mode="replace")
    msg = str(exc.value)
    assert msg.startswith("could not write lamps.geojson into") and "No space left on device" in msg and "ENOSPC" in msg
    assert "nothing was changed" in msg and "Free some disk space" in msg
    monkeypatch.undo()
    _unchanged(city, before)


def test_a_failed_move_names_the_layer_and_what_was_written(tmp_path, monkeypatch):
    city, mapping, before = _city_with_two_layers(tmp_path)
    real = os.replace

    def replace(src, dst, *a, **kw):
        if Path(dst) == city / "roads.geojson":
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real(src, dst, *a, **kw)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(ImportWriteError) as exc:
        import_table(_lamps_csv(tmp_path / "new.csv", 300, "B"), city, mapping=mapping, mode="replace")
    monkeypatch.undo()
    msg = str(exc.value)
    assert msg.startswith("could not write roads.geojson into") and "written before the error: lamps.geojson" in msg, msg
    assert (city / "roads.geojson").read_bytes() == before["roads.geojson"]  # the previous file, intact
    assert (city / "lamps.geojson").read_bytes() != before["lamps.geojson"]  # the one written before, whole
    backups = sorted(p.name.split(".bak-")[0] for p in city.glob("*.bak-*"))
    assert backups == ["lamps.geojson", "roads.geojson"]
    for bak in city.glob("*.bak-*"):
        assert bak.read_bytes() == before[bak.name.split(".bak-")[0]]
    assert not (city.parent / ".facilities-staging").exists() and validate_city(city).ok


def test_disk_full_for_real_on_a_small_tmpfs(tmp_path):
    """A real full disk: a 1 MiB tmpfs holding the city (needs root and mount; skipped otherwise)."""
    data = tmp_path / "small"
    data.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a tmpfs")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(data)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        mapping = _mapping(tmp_path)
        city = data / "city"
        run = _import_lamps(_lamps_csv(tmp_path / "old.csv", 400, "A"), mapping, city, "--bounds", BOUNDS)
        assert run.returncode == 0, _said(run)
        before = {p.name: p.read_bytes() for p in city.iterdir()}
        run = _import_lamps(_lamps_csv(tmp_path / "new.csv", 5000, "B"), mapping, city, "--mode", "replace")
        said = _said(run)
        assert run.returncode == 2, said
        assert "could not write lamps.geojson" in said and "No space left on device" in said and "nothing was changed" in said
        _unchanged(city, before)
        assert [p.name for p in data.iterdir()] == ["city"]
    finally:
        subprocess.run(["umount", str(data)], check=False)
