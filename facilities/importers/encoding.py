"""Text encodings of Chinese spreadsheets: UTF-8 (with or without BOM), GBK/GB18030, Big5, UTF-16.

Detection, in order:

1. a byte-order mark: UTF-8, or UTF-16 (little or big endian);
2. UTF-16 without a byte-order mark, recognised by NUL bytes in every other position (the high bytes of
   the ASCII digits, commas and line ends every table has);
3. strict UTF-8;
4. a file that is not UTF-8 as a whole is read line by line: when some lines with non-ASCII text are
   UTF-8 and others are not (rows typed in by two programs), the file is *mixed* and refused with every
   odd line (:class:`MixedEncodingError`; :mod:`facilities.importers.table` turns lines into rows and
   columns). Decoding such a file in either encoding would silently garble the other rows;
5. GB18030 and Big5 (Python's ``big5``, or ``cp950``, Microsoft's Big5 with its extra characters), keeping
   those that decode without error. When both do (short simplified-Chinese text often also decodes as
   Big5), the reading made of common Chinese characters, in the script of the rest of the file, with no
   kana, box-drawing or Cyrillic letters, wins; when that is not clear, charset-normalizer's Chinese
   language model chooses, and a message about such text names both readings.

``--encoding`` overrides the detection, but a file given as GBK or Big5 whose lines include UTF-8 text
is still refused as mixed rather than garbled.
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from facilities.errors import ImportUsageError, MixedEncodingError

NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with BOM",
    "gb18030": "GBK/GB18030",
    "big5": "Big5",
    "cp950": "Big5 (cp950)",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16LE (no byte-order mark)",
    "utf-16-be": "UTF-16BE (no byte-order mark)",
    "gbk": "GBK",
    "gb2312": "GB2312",
    "big5hkscs": "Big5-HKSCS",
}
#: the name ``iconv -f`` knows each encoding by
ICONV = {
    "utf-8": "UTF-8",
    "gb18030": "GB18030",
    "gbk": "GBK",
    "gb2312": "GB2312",
    "big5": "BIG5",
    "cp950": "CP950",
    "big5hkscs": "BIG5-HKSCS",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16LE",
    "utf-16-be": "UTF-16BE",
}
LEGACY = ("gb18030", "big5", "cp950")
#: what ``--encoding`` may name for a Chinese table (checked for UTF-8 lines too)
CHINESE = (*LEGACY, "gbk", "gb2312", "big5hkscs")


def _strict(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return None


def name(encoding: str | None) -> str:
    """How an encoding is called in messages (GBK/GB18030, Big5, UTF-8 …)."""
    if encoding is None:
        return "an unknown encoding"
    return {"cp950": "Big5 (CP950)", "utf-16-le": "UTF-16LE", "utf-16-be": "UTF-16BE"}.get(encoding, NAMES.get(encoding, encoding))


def advice(encoding: str | None) -> str:
    """The ``iconv`` command converting text of ``encoding`` to UTF-8 (with a variant where one helps)."""
    if encoding is None:
        return "find out which program wrote it (for Western European text `iconv -f CP1252 -t UTF-8`)"
    cmd = f"`iconv -f {ICONV.get(encoding, encoding.upper())} -t UTF-8`"
    if encoding == "big5":
        cmd += " (or `iconv -f CP950 -t UTF-8`, Microsoft's Big5, if iconv stops at a character)"
    elif encoding == "cp950":
        cmd += " (CP950: Microsoft's Big5, with characters plain Big5 lacks)"
    return cmd


# --------------------------------------------------------------------------- which Chinese encoding


def _encodes(ch: str, encoding: str) -> bytes | None:
    try:
        return ch.encode(encoding)
    except UnicodeEncodeError:
        return None


@functools.cache
def _common(ch: str) -> bool:
    """A common Chinese character: GB2312 level 1 (simplified) or Big5 level 1 (traditional)."""
    gb, b5 = _encodes(ch, "gb2312"), _encodes(ch, "big5")
    return bool((gb and len(gb) == 2 and 0xB0 <= gb[0] <= 0xD7) or (b5 and len(b5) == 2 and 0xA4 <= b5[0] <= 0xC6))


@functools.cache
def _unusual(ch: str) -> bool:
    """Characters a Chinese facility table hardly ever holds, but Big5 read as GBK (or back) is full of."""
    o = ord(ch)
    return (
        0x0370 <= o <= 0x04FF  # Greek, Cyrillic
        or 0x2160 <= o <= 0x21FF  # Roman numerals, arrows
        or 0x2500 <= o <= 0x25FF  # box drawing, shapes
        or 0x3040 <= o <= 0x30FF  # kana
        or 0xE000 <= o <= 0xF8FF  # private use
        or unicodedata.category(ch) in ("Co", "Cn", "Cc")
    )


def _script(text: str) -> int:
    """> 0 for simplified Chinese, < 0 for traditional: characters only GB2312 has minus those only Big5 has."""
    score = 0
    for ch in set(text):
        if ord(ch) >= 0x3400:
            gb, b5 = _encodes(ch, "gb2312") is not None, _encodes(ch, "big5") is not None
            score += int(gb and not b5) - int(b5 and not gb)
    return score


def _score(reading: str, context: str) -> float:
    counts = Counter(ch for ch in reading if ord(ch) > 0x7F)
    if not counts:
        return 0.0
    score = sum(n * (2 * _common(ch) - 3 * _unusual(ch)) for ch, n in counts.items())
    if context:
        score += 2 * len(counts.keys() & set(context))
        side = _script(context)
        score += 2 * _script(reading) * (1 if side > 0 else -1 if side < 0 else 0)
    return score


def guess_legacy(raw: bytes, context: str = "") -> tuple[str | None, dict[str, str]]:
    """Which of GB18030 / Big5 / CP950 ``raw`` is; return it (None: none reads it) and every reading.

    ``context``: other text of the same file (its script and words help with short text). When more than
    one encoding reads the bytes, the readings are scored (common characters, no kana or box drawing,
    words and script shared with the context); a close call goes to charset-normalizer.
    """
    readings: dict[str, str] = {}
    for enc in LEGACY:
        decoded = _strict(raw, enc)
        if decoded is not None and not (enc == "cp950" and "big5" in readings):
            readings[enc] = decoded
    if len(readings) <= 1:
        return next(iter(readings), None), readings
    scores = sorted(((_score(text, context), enc) for enc, text in readings.items()), reverse=True)
    if scores[0][0] - scores[1][0] >= 3:
        return scores[0][1], readings
    side = _script(context)
    if side and "gb18030" in readings and ("big5" in readings or "cp950" in readings):  # the script of the rest of the file
        return ("gb18030" if side > 0 else "big5" if "big5" in readings else "cp950"), readings
    from charset_normalizer import from_bytes

    best = from_bytes(raw, cp_isolation=list(readings)).best()
    enc = best.encoding if best is not None and best.encoding in readings else "gb18030" if "gb18030" in readings else scores[0][1]
    return enc, readings


# --------------------------------------------------------------------------- UTF-16


def utf16_without_bom(raw: bytes) -> str | None:
    """``utf-16-le`` / ``utf-16-be`` when NUL bytes sit in every other position (ASCII in UTF-16), else None."""
    n = len(raw) // 2 * 2
    if n < 8 or b"\x00" not in raw:
        return None
    even, odd = raw[0:n:2], raw[1:n:2]
    nul_even, nul_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if nul_odd >= 0.1 and nul_even <= 0.05 and nul_odd >= 4 * nul_even:
        return "utf-16-le"
    if nul_even >= 0.1 and nul_odd <= 0.05 and nul_even >= 4 * nul_odd:
        return "utf-16-be"
    return None


def _utf16(raw: bytes, codec: str, file: str, how: str) -> str:
    try:
        return raw.decode(codec).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        where = "it has an odd number of bytes (cut off?)" if len(raw) % 2 else f"invalid UTF-16 at byte {exc.start}"
        shown = "UTF-16" if codec == "utf-16" else name(codec)
        raise ImportUsageError(
            f"{file}: looks like {shown} text ({how}) but cannot be read as {shown}: {where}. "
            f'Re-save it as UTF-8 (e.g. Excel: Save As → "CSV UTF-8"), or convert it with '
            f"`iconv -f {ICONV[codec]} -t UTF-8` (accepted: UTF-8, GBK/GB18030, Big5 or complete UTF-16 text)"
        ) from None


# --------------------------------------------------------------------------- mixed files


@dataclass(frozen=True)
class OddLine:
    """A line whose text is not in the encoding of the rest of the file."""

    number: int  # physical line, 1-based
    start: int  # byte offsets of the line (without its line end) in the BOM-less bytes
    end: int
    encoding: str | None  # what it looks like ("utf-8", "gb18030", "big5", "cp950"), None: none of these
    also: dict[str, str] = field(default_factory=dict)  # other encodings that read it too: their readings
    bad: bytes = b""  # the first bytes of it that are not in the file's encoding
    reading: str = ""  # its odd text as ``encoding`` reads it, when ``also`` offers other readings


@dataclass(frozen=True)
class Mixed:
    """A file whose lines are in different encodings."""

    majority: str  # the encoding of most lines with non-ASCII text
    lines: int  # how many lines have non-ASCII text
    odd: list[OddLine]
    raw: bytes  # the file's bytes without a byte-order mark
    line_spans: list[tuple[int, int]]  # (start, end) of every physical line

    def summary(self) -> str:
        """One line: how many lines are in which encoding, and what the rest of the file is in."""
        kinds = sorted({name(o.encoding) for o in self.odd})
        what = " or ".join(kinds) if all(o.encoding for o in self.odd) else "not " + name(self.majority)
        return f"{len(self.odd)} of {self.lines} lines with non-ASCII text are {what}, the rest of the file is {name(self.majority)}"

    def fix(self) -> str:
        """How to make the whole file UTF-8."""
        if self.majority == "utf-8":
            encs = sorted({o.encoding for o in self.odd}, key=lambda e: e or "")
            how = "; ".join(
                f"convert the {name(e)} rows with {advice(e)}"
                if e
                else "find out which program wrote these rows and convert them (Western European text: `iconv -f CP1252 -t UTF-8`)"
                for e in encs
            )
            return (
                f"re-save the whole file as UTF-8: {how} — only these rows: the rest of the file is UTF-8 already and converting "
                'it again would garble it — or correct these rows in the spreadsheet and save it as "CSV UTF-8"'
            )
        return (
            f"re-save the whole file as UTF-8: convert the other rows ({name(self.majority)}) with {advice(self.majority)} and keep "
            'these as they are (they are UTF-8 already), or correct them in the spreadsheet and save it as "CSV UTF-8"'
        )


def odd_line_text(o: OddLine, majority: str) -> str:
    """``text is GBK/GB18030 while the rest of the file is UTF-8`` (with the other reading when unsure)."""
    if o.encoding is None:
        what = f"text is not {name(majority)} like the rest of the file, nor GBK/GB18030 or Big5"
    else:
        what = f"text is {name(o.encoding)}"
        if o.also:
            others = ", ".join(f'{name(e)}: "{_short(t)}"' for e, t in o.also.items())
            mine = f'"{_short(o.reading)}"; ' if o.reading else ""
            what = f"text looks like {name(o.encoding)} ({mine}it also reads as {others})"
        what += f" while the rest of the file is {name(majority)}"
    return what + (f" (bytes {o.bad.hex(' ')})" if o.bad else "")


def _short(text: str, n: int = 24) -> str:
    text = text.strip().replace("\r", "")
    return text if len(text) <= n else text[: n - 1] + "…"


def _line_message(file: str, mixed: Mixed, limit: int = 20) -> str:
    lines = [f"{file} mixes text encodings: {mixed.summary()}; nothing was imported"]
    for o in mixed.odd[:limit]:
        lines.append(f"  - {file}, line {o.number}: {odd_line_text(o, mixed.majority)}")
    if len(mixed.odd) > limit:
        lines.append(f"  - … and {len(mixed.odd) - limit} more lines: {ranges([o.number for o in mixed.odd[limit:]])}")
    lines.append(f"How to fix: {mixed.fix()} (accepted: one encoding for the whole file, best UTF-8)")
    return "\n".join(lines)


def ranges(numbers: list[int]) -> str:
    """``3, 5, 7–12``: every number, consecutive runs joined."""
    out: list[str] = []
    numbers = sorted(set(numbers))
    i = 0
    while i < len(numbers):
        j = i
        while j + 1 < len(numbers) and numbers[j + 1] == numbers[j] + 1:
            j += 1
        out.append(str(numbers[i]) if i == j else f"{numbers[i]}–{numbers[j]}")
        i = j + 1
    return ", ".join(out)


def _spans(raw: bytes) -> list[tuple[int, int]]:
    spans, start = [], 0
    while True:
        end = raw.find(b"\n", start)
        if end < 0:
            spans.append((start, len(raw)))
            return spans
        spans.append((start, end))
        start = end + 1


def _strong_utf8(text: str) -> bool:
    """UTF-8 beyond doubt: a character of three or more bytes (e.g. Chinese) and nothing odd."""
    return any(ord(ch) >= 0x800 for ch in text) and not any(ord(ch) > 0x7F and _unusual(ch) for ch in text)


def _first_non_ascii(line: bytes) -> bytes:
    i = next(i for i, b in enumerate(line) if b > 0x7F)
    j = i + 1
    while j < len(line) and 0x80 <= line[j] <= 0xBF and j - i < 4:
        j += 1
    return line[i:j]


_SEPARATORS = re.compile(r'[,\t; "\r]+')  # (never the second byte of a GBK or Big5 character: those are >= 0x40)
_ESCAPED = re.compile("[\udc80-\udcff]")  # bytes that are not UTF-8, as surrogateescape decodes them
_NON_ASCII_UTF8 = re.compile("[\u0080-\udc7f\udd00-\U0010ffff]")


def _segments(line: str) -> list[str]:
    """The pieces of a line between separators (cells, words) that hold non-ASCII text."""
    return [seg for seg in _SEPARATORS.split(line) if not seg.isascii()]


def _readings(segments: list[bytes], enc: str) -> str:
    return " ".join(piece for seg in segments for piece in _segments(seg.decode(enc, "replace")))


def analyse_lines(raw: bytes, majority: str | None = None) -> Mixed | None:
    """The lines of ``raw`` in another encoding than most, or None when the file is in one encoding.

    Each line's non-ASCII pieces (cells, words) are classed: UTF-8 or not. ``majority``: the encoding the
    file should be in (``--encoding``); default: that of most lines with non-ASCII text, where a line of
    UTF-8 that a legacy encoding also reads counts fully only when it has a multi-byte character beyond
    doubt (so a GBK file is not taken for UTF-8 by accident). A line may hold both (a cell pasted in).
    """
    texts = raw.decode("utf-8", "surrogateescape").split("\n")
    spans, start = [], 0
    for part in raw.split(b"\n"):
        spans.append((start, start + len(part)))
        start += len(part) + 1
    # line -> [(piece as bytes, its UTF-8 text or None)]; only pieces with non-ASCII text
    pieces: dict[int, list[tuple[bytes, str | None]]] = {}
    strong: set[int] = set()
    utf8: set[int] = set()
    other: set[int] = set()
    for i, text in enumerate(texts):
        if text.isascii():
            continue
        escaped, valid = _ESCAPED.search(text) is not None, _NON_ASCII_UTF8.search(text) is not None
        if escaped and valid:  # both in one line, or a legacy line with a chance UTF-8 sequence: piece by piece
            segs = [(seg.encode("utf-8", "surrogateescape"), None if _ESCAPED.search(seg) else seg) for seg in _segments(text)]
        else:
            segs = [(raw[spans[i][0] : spans[i][1]], None if escaped else text)]
        pieces[i] = segs
        if any(t is not None and _strong_utf8(t) for _, t in segs):
            strong.add(i)
        if all(t is not None for _, t in segs):
            utf8.add(i)
        elif all(t is None for _, t in segs):
            other.add(i)
    split = set(pieces) - utf8 - other  # both in one line
    if majority is None:
        if not split and (not other or not utf8):
            return None
        latin = {i for i in utf8 - strong if all(ord(ch) < 0x370 for _, t in pieces[i] for ch in t or "")}
        votes = len(utf8 & strong) + 0.5 * len(latin)  # (GBK's 一, 业, 为 … read as Cyrillic, Hebrew, Arabic UTF-8: no vote)
        majority = "utf-8" if votes >= len(other) else ""
    context = "\n".join(t for i in sorted(strong) for _, t in pieces[i] if t is not None)
    if majority == "utf-8":
        return _odd_in_utf8(raw, spans, pieces, other | split, context)
    # most lines are GBK or Big5 (or the caller says so): the UTF-8 text among them is odd
    return _odd_in_legacy(raw, spans, pieces, strong, other, context, majority)


Pieces = dict[int, list[tuple[bytes, str | None]]]


def _odd_in_utf8(raw: bytes, spans: list[tuple[int, int]], pieces: Pieces, odd_lines: set[int], context: str) -> Mixed | None:
    """Most lines are UTF-8: the legacy-encoded lines among ``odd_lines``, each with its likely encoding."""
    odd: list[OddLine] = []
    bad_segs = {i: [seg for seg, t in pieces[i] if t is None] for i in sorted(odd_lines)}
    if not bad_segs:
        return None
    enc, readings = guess_legacy(b"\n".join(seg for segs in bad_segs.values() for seg in segs), context)
    close = enc is not None and len(readings) > 1 and _close_call(readings, context)
    line_enc: str | None
    for i, line_segs in bad_segs.items():
        a, b = spans[i]
        line = raw[a:b]
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = line[exc.start : exc.start + 2]
        if enc is not None:
            line_enc, also = enc, ({e: _readings(line_segs, e) for e in readings if e != enc} if close else {})
        else:  # no one encoding reads all the odd text: line by line
            line_enc, rd = guess_legacy(b"\n".join(line_segs), context)
            also = (
                {e: _readings(line_segs, e) for e in rd if e != line_enc} if line_enc and len(rd) > 1 and _close_call(rd, context) else {}
            )
        mine = _readings(line_segs, line_enc) if also and line_enc else ""
        odd.append(OddLine(i + 1, a, b, line_enc, also, bad, mine))
    return Mixed("utf-8", len(pieces), odd, raw, spans)


def _odd_in_legacy(
    raw: bytes, spans: list[tuple[int, int]], pieces: Pieces, strong: set[int], other: set[int], context: str, majority: str
) -> Mixed | None:
    """Most lines are GBK or Big5 (``majority``, or "" to guess): the UTF-8 or other-encoded lines among them."""
    odd: list[OddLine] = []
    enc: str | None = majority or None
    if enc is None:
        enc, _ = guess_legacy(b"\n".join(seg for i in sorted(pieces) for seg, t in pieces[i] if t is None or i not in strong), context)
        if enc is None:  # no single legacy encoding reads every such line: the one reading most
            counts = {e: sum(_strict(raw[spans[i][0] : spans[i][1]], e) is not None for i in other) for e in LEGACY}
            enc = max(counts, key=lambda e: counts[e])
    for i in sorted(pieces):
        a, b = spans[i]
        line = raw[a:b]
        utf8_text = [seg for seg, t in pieces[i] if t is not None and _strong_utf8(t)]
        if utf8_text:
            odd.append(OddLine(i + 1, a, b, "utf-8", {}, _first_non_ascii(utf8_text[0])))
            continue
        if _strict(line, enc) is not None:
            continue
        try:
            line.decode(enc)
        except UnicodeDecodeError as exc:
            bad = line[exc.start : exc.start + 2]
        odd_segs = [seg for seg, _ in pieces[i] if _strict(seg, enc) is None] or [line]
        line_enc, _ = guess_legacy(b"\n".join(odd_segs), context)
        if line_enc is None and all(_strict(seg, "utf-8") is not None for seg in odd_segs):
            line_enc = "utf-8"
        odd.append(OddLine(i + 1, a, b, line_enc, {}, bad))
    if not odd:
        return None
    return Mixed(enc, len(pieces), odd, raw, spans)


def _close_call(readings: dict[str, str], context: str) -> bool:
    scores = sorted((_score(t, context) for t in readings.values()), reverse=True)
    return scores[0] - scores[1] < 3


# --------------------------------------------------------------------------- decode


def decode(raw: bytes, file: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode a file's bytes; return the text and the encoding used.

    Raises :class:`MixedEncodingError` for a file mixing encodings, ImportUsageError if none fits.
    """
    if encoding:
        return _decode_as(raw, file, encoding)
    if raw.startswith(codecs.BOM_UTF8):
        body = raw[3:]
        text = _strict(body, "utf-8")
        if text is not None:
            return text, "utf-8-sig"
        mixed = analyse_lines(body)
        if mixed is not None:
            raise MixedEncodingError(file, mixed, _line_message(file, mixed))
        raw = body  # a byte-order mark on a file with no UTF-8 text at all: read on without it
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _utf16(raw, "utf-16", file, f"byte-order mark {raw[:2].hex(' ')}"), "utf-16"
    nul = utf16_without_bom(raw)
    if nul is not None:
        return _utf16(raw, nul, file, "no byte-order mark, NUL bytes in every other position"), nul
    text = _strict(raw, "utf-8")
    if text is not None:
        return text, "utf-8"
    mixed = analyse_lines(raw)
    if mixed is not None:
        raise MixedEncodingError(file, mixed, _line_message(file, mixed))
    enc, readings = guess_legacy(raw)
    if enc is not None:
        return readings[enc], enc
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        bad = raw[exc.start : exc.start + 2].hex(" ")
    raise ImportUsageError(
        f"{file}: cannot read the text: not UTF-8, GBK/GB18030, Big5 or UTF-16 (bytes {bad} at line {line}); "
        "pass --encoding (e.g. --encoding cp1252), or re-save the file as UTF-8"
    )


def _decode_as(raw: bytes, file: str, encoding: str) -> tuple[str, str]:
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise ImportUsageError(f"--encoding {encoding!r}: unknown encoding (e.g. utf-8, gb18030, big5)") from None
    body = raw[3:] if codec == "utf-8" and raw.startswith(codecs.BOM_UTF8) else raw
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        if codec in ("utf-8", *CHINESE):
            mixed = analyse_lines(body, codec)
            if mixed is not None:
                raise MixedEncodingError(file, mixed, _line_message(file, mixed)) from None
        line = body.count(b"\n", 0, exc.start) + 1
        raise ImportUsageError(f"{file}: not {encoding} text (bytes {body[exc.start : exc.start + 2].hex(' ')} at line {line})") from None
    if codec in CHINESE:
        mixed = analyse_lines(body, codec)  # UTF-8 lines in a file said to be GBK or Big5 would be garbled
        if mixed is not None and any(o.encoding == "utf-8" for o in mixed.odd):
            raise MixedEncodingError(file, mixed, _line_message(file, mixed))
    return text.removeprefix("\ufeff"), codec


__all__ = [
    "ICONV",
    "NAMES",
    "Mixed",
    "OddLine",
    "advice",
    "analyse_lines",
    "decode",
    "guess_legacy",
    "name",
    "ranges",
]
