"""Write the importer cases of the bad-input corpus (`python tests/data/bad/make_import_cases.py`).

Each ``import_*`` folder holds ``case.toml`` (the command after ``python -m facilities``, its exit code, the
words its message must contain, optional environment; see tests/test_bad_input.py) and ``input/``. The
files are committed (each well under 100 KB); this script says how their bytes were made: GBK, Big5 and
UTF-16 text, archives over a limit set small through the environment, a city with the leftovers of an
interrupted import. The same script run again writes the same files, but for the .xlsx (openpyxl
stamps it with the time).
"""

from __future__ import annotations

import shutil
import struct
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = "名称,经度,纬度,区\n"
TOILETS = ["--layer", "toilets", "--set", "grade=none", "--out", "{out}/city"]
STAMP = (2026, 11, 29, 12, 0, 0)


def case(name: str, description: str, args: list[str], exit: int, expect: list[str], env: dict[str, str] | None = None) -> Path:
    folder = HERE / name
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "input").mkdir(parents=True)

    def q(items: list[str]) -> str:
        return "[" + ", ".join('"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"' for s in items) + "]"

    text = f'description = "{description}"\nargs = {q(args)}\nexit = {exit}\nexpect = {q(expect)}\n'
    if env:
        text += "env = { " + ", ".join(f'{k} = "{v}"' for k, v in env.items()) + " }\n"
    (folder / "case.toml").write_text(text, encoding="utf-8")
    return folder / "input"


def _zip(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name, STAMP), data, zipfile.ZIP_DEFLATED)


def main() -> None:
    # --- mixed encodings
    src = case(
        "import_mixed_gbk",
        "a UTF-8 table with rows typed in GBK: every such row named, with its column and text; nothing imported",
        ["import", "table", "{input}/shops.csv", *TOILETS],
        2,
        ["shops.csv, row 3, columns 名称, 区", '"长江路公厕"', "shops.csv, row 6, column 名称", '"新街口公厕"', "GBK/GB18030",
         "while the rest of the file is UTF-8", "(bytes b3 a4)", "iconv -f GB18030 -t UTF-8", "nothing was imported"],
    )  # fmt: skip
    (src / "shops.csv").write_bytes(
        (HEADER + "玄武湖公园厕所,118.79,32.07,玄武区\n").encode()
        + "长江路公厕,118.80,32.05,玄武区\n".encode("gbk")
        + '"总统府\n东侧公厕",118.80,32.05,玄武区\n'.encode()  # a row on two lines: rows are not lines
        + "夫子庙公厕,118.79,32.02,秦淮区\n".encode()
        + "新街口公厕".encode("gbk")
        + ",118.78,32.04,秦淮区\n".encode()  # one cell pasted in GBK
    )
    src = case(
        "import_mixed_big5",
        "a UTF-8 table of Taipei with rows in Big5: named Big5, with the Big5 conversion",
        ["import", "table", "{input}/taipei.csv", *TOILETS],
        2,
        ["taipei.csv, row 3", '"臺北車站公廁"', "text is Big5 while the rest of the file is UTF-8", "iconv -f BIG5 -t UTF-8", "CP950"],
    )
    (src / "taipei.csv").write_bytes(
        "名稱,經度,緯度,行政區\n大安森林公園廁所,121.536,25.030,大安區\n".encode()
        + "臺北車站公廁,121.517,25.047,中正區\n".encode("big5")
        + "中正紀念堂公廁,121.522,25.035,中正區\n".encode()
    )
    src = case(
        "import_utf8_in_gbk",
        "a GBK table with a row pasted in UTF-8: the UTF-8 row named, the GBK rows to convert",
        ["import", "table", "{input}/gbk.csv", *TOILETS],
        2,
        ["gbk.csv, row 4", '"夫子庙公厕"', "text is UTF-8 while the rest of the file is GBK/GB18030", "iconv -f GB18030 -t UTF-8"],
    )
    (src / "gbk.csv").write_bytes(
        (HEADER + "长江路公厕,118.80,32.05,玄武区\n新街口公厕,118.78,32.04,秦淮区\n").encode("gbk")
        + "夫子庙公厕,118.79,32.02,秦淮区\n".encode()
    )
    src = case(
        "import_utf16_cut",
        "a UTF-16 table without byte-order mark, cut off at an odd byte: named UTF-16LE, with the conversion",
        ["import", "table", "{input}/excel_unicode.txt", *TOILETS],
        2,
        ["excel_unicode.txt", "UTF-16LE", "NUL bytes in every other position", "odd number of bytes", "iconv -f UTF-16LE -t UTF-8"],
    )
    (src / "excel_unicode.txt").write_bytes(
        "名称\t经度\t纬度\n玄武湖公园厕所\t118.79\t32.07\n长江路公厕\t118.80\t32.05\n".encode("utf-16-le")[:-1]
    )

    # --- archives (the limits set small by the environment, so the files stay small)
    src = case(
        "import_zip_bomb",
        "a zipped Shapefile unpacking to 8 MiB of zeros, over a 1 MiB limit: refused before unpacking",
        ["import", "file", "{input}/bomb.zip", "--layer", "toilets", "--out", "{out}/city"],
        2,
        ["bomb.zip", "8,388,608 bytes", "more than the limit of 1 MiB", "FACILITIES_MAX_ARCHIVE_MB", "nothing was unpacked"],
        {"FACILITIES_MAX_ARCHIVE_MB": "1"},
    )
    _zip(src / "bomb.zip", {"toilets.shp": bytes(8 << 20), "toilets.dbf": b"", "toilets.shx": b""})
    src = case(
        "import_zip_members",
        "a zip of 30 members over a limit of 10: refused before unpacking",
        ["import", "file", "{input}/many.zip", "--layer", "toilets", "--out", "{out}/city"],
        2,
        ["many.zip", "30 members", "more than the limit of 10", "FACILITIES_MAX_ARCHIVE_MEMBERS"],
        {"FACILITIES_MAX_ARCHIVE_MEMBERS": "10"},
    )
    _zip(src / "many.zip", {f"part{i:02}.txt": b"x" for i in range(30)})
    src = case(
        "import_xlsx_bomb",
        "an .xlsx workbook whose members unpack to 4 MiB, over a 1 MiB limit: refused before openpyxl opens it",
        ["import", "table", "{input}/toilets.xlsx", *TOILETS],
        2,
        ["toilets.xlsx", "Excel workbook", "more than the limit of 1 MiB", "FACILITIES_MAX_ARCHIVE_MB"],
        {"FACILITIES_MAX_ARCHIVE_MB": "1"},
    )
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["名称", "经度", "纬度"])
    book.active.append(["玄武湖公园厕所", 118.79, 32.07])
    book.save(src / "toilets.xlsx")
    with zipfile.ZipFile(src / "toilets.xlsx", "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("xl/media/image1.bin", STAMP), bytes(4 << 20), zipfile.ZIP_DEFLATED)
    src = case(
        "import_kmz_bomb",
        "a .kmz whose doc.kml unpacks to 4 MiB, over a 1 MiB limit: refused before unpacking",
        ["import", "file", "{input}/toilets.kmz", "--layer", "toilets", "--out", "{out}/city"],
        2,
        ["toilets.kmz", "KMZ file", "more than the limit of 1 MiB", "FACILITIES_MAX_ARCHIVE_MB"],
        {"FACILITIES_MAX_ARCHIVE_MB": "1"},
    )
    kml = '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document><!--'
    _zip(src / "toilets.kmz", {"doc.kml": (kml + " " * (4 << 20) + "--></Document></kml>\n").encode()})
    src = case(
        "import_zip_liar",
        "a zip whose member declares 1,000 bytes but holds 200,000: refused as damaged, never unpacked beyond",
        ["import", "file", "{input}/liar.zip", "--layer", "toilets", "--out", "{out}/city"],
        2,
        ["liar.zip", "damaged", "Bad CRC-32"],
    )
    _zip(src / "liar.zip", {"toilets.shp": bytes(200_000)})
    data = bytearray((src / "liar.zip").read_bytes())
    struct.pack_into("<I", data, data.find(b"PK\x01\x02") + 24, 1000)  # the member list's size
    struct.pack_into("<I", data, 22, 1000)  # and the member's own header
    (src / "liar.zip").write_bytes(bytes(data))

    # --- what interrupted imports leave (a .tmp cannot be committed: *.tmp is git-ignored; tested in test_import_hardening.py)
    src = case(
        "import_leftovers",
        "a valid city with what interrupted imports left beside and inside it: each named, safe to delete; still valid",
        ["validate", "{input}/city"],
        0,
        ["valid 有效", "../.facilities-staging/city.import-k9x2m4/", "../.city.import-0ld5tg/", "toilets.geojson.bak-20260101T000000",
         "partial backup", "staging folder left by an interrupted import", "safe to delete"],
    )  # fmt: skip
    city = src / "city"
    city.mkdir()
    (city / "city.toml").write_text(
        'name = "小城"\nname_en = "Mini"\nzoom = 13\n\n[center]\nlon = 112.1\nlat = 32.0\n\n'
        "[bounds]\nwest = 112.0\nsouth = 31.9\neast = 112.2\nnorth = 32.1\n",
        encoding="utf-8",
    )
    layer = (
        '{"type":"FeatureCollection","features":[\n'
        '{"type":"Feature","properties":{"id":"T1","status":"existing","grade":"A"},"geometry":{"type":"Point","coordinates":[112.1,32.0]}}'
        "\n]}\n"
    )
    (city / "toilets.geojson").write_text(layer, encoding="utf-8")
    (city / "toilets.geojson.bak-20260101T000000").write_text(layer[:100], encoding="utf-8")  # a copy cut off
    (city / "toilets.geojson.bak-20260102T000000").write_text(layer, encoding="utf-8")  # a whole one: not named
    for staging in (src / ".facilities-staging" / "city.import-k9x2m4", src / ".city.import-0ld5tg"):
        staging.mkdir(parents=True)
        (staging / "toilets.geojson").write_text(layer, encoding="utf-8")
    (src / ".facilities-staging" / "city.import-k9x2m4" / "city.toml").write_text((city / "city.toml").read_text("utf-8"), "utf-8")


if __name__ == "__main__":
    main()
