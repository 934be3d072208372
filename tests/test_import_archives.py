"""Archives (.zip, .kmz, .xlsx) over the member or size limit are refused at once, naming the file and the
limit; one whose sizes lie is refused as damaged; members never land outside the unpacking folder.
"""

from __future__ import annotations

import json
import shutil
import struct
import time
import zipfile
import zlib
from pathlib import Path

from facilities.importers.archive import unpack_archive
from tests.helpers import nothing_written, output_of, run_cli

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
    run = run_cli("import", "file", str(bomb), "--layer", "toilets", "--out", str(tmp_path / "c"))
    took = time.monotonic() - start
    said = output_of(run)
    assert run.returncode == 2, said
    assert "toilets_bomb.zip" in said and "1,073,741,824 bytes" in said and "limit of 512 MiB" in said
    assert "FACILITIES_MAX_ARCHIVE_MB" in said and "nothing was unpacked" in said
    assert took < 20, f"took {took:.1f} s: it decompressed?"
    nothing_written(tmp_path / "c")


def test_the_size_limit_comes_from_the_environment(tmp_path):
    bomb = tmp_path / "b.zip"
    zip_of_zeros(bomb, "doc.kml", 3 << 20, chunk=1 << 20)
    kmz = tmp_path / "b.kmz"
    shutil.copy(bomb, kmz)
    for src in (bomb, kmz):
        run = run_cli("import", "file", str(src), "--layer", "toilets", "--out", str(tmp_path / "c"), FACILITIES_MAX_ARCHIVE_MB="2")
        said = output_of(run)
        assert run.returncode == 2 and src.name in said and "limit of 2 MiB" in said and "3,145,728 bytes" in said, said
    nothing_written(tmp_path / "c")


def test_too_many_members_are_refused(tmp_path):
    src = tmp_path / "many.zip"
    with zipfile.ZipFile(src, "w") as z:
        for i in range(12):
            z.writestr(f"part{i}.txt", "x")
    run = run_cli("import", "file", str(src), "--layer", "toilets", "--out", str(tmp_path / "c"), FACILITIES_MAX_ARCHIVE_MEMBERS="10")
    said = output_of(run)
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
    run = run_cli(*args, "--out", str(tmp_path / "c"), FACILITIES_MAX_ARCHIVE_MB="2")
    said = output_of(run)
    assert run.returncode == 2 and "toilets.xlsx" in said and "Excel workbook" in said and "limit of 2 MiB" in said, said
    nothing_written(tmp_path / "c")
    run = run_cli(*args, "--out", str(tmp_path / "d"))
    assert run.returncode == 0, output_of(run)
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
    run = run_cli("import", "file", str(src), "--layer", "toilets", "--out", str(tmp_path / "c"))
    said = output_of(run)
    assert run.returncode == 2 and "liar.zip" in said and "damaged" in said, said
    nothing_written(tmp_path / "c")


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
    run = run_cli("import", "file", str(src), "--layer", "toilets", "--set", "grade=none", "--out", str(tmp_path / "c"))
    assert run.returncode == 0, output_of(run)
    feats = json.loads((tmp_path / "c" / "toilets.geojson").read_text(encoding="utf-8"))["features"]
    assert [f["properties"]["name"] for f in feats] == ["甲", "乙"]
