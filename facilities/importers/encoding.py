"""Text encodings of Chinese spreadsheets: UTF-8 (with or without BOM), GBK/GB18030, Big5.

Detection, in order: a byte-order mark (UTF-8, UTF-16); strict UTF-8; then GB18030 and Big5 (Python's
``big5``, or ``cp950``, Microsoft's Big5 with its extra characters), keeping those that decode without
error. When both do (short simplified-Chinese text often also decodes as Big5), charset-normalizer's
Chinese language model chooses between the two. ``--encoding`` overrides all of this.
"""

from __future__ import annotations

import codecs

from facilities.importers._core import ImportUsageError

NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "gb18030": "GBK/GB18030", "big5": "Big5", "cp950": "Big5 (cp950)"}


def _strict(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return None


def decode(raw: bytes, file: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode a file's bytes; return the text and the encoding used. Raise ImportUsageError if none fits."""
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise ImportUsageError(f"--encoding {encoding!r}: unknown encoding (e.g. utf-8, gb18030, big5)") from None
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise ImportUsageError(
                f"{file}: not {encoding} text (bytes {raw[exc.start : exc.start + 2].hex(' ')} at line {line})"
            ) from None
        return text.removeprefix("\ufeff"), codec
    if raw.startswith(codecs.BOM_UTF8):
        text = _strict(raw[3:], "utf-8")
        if text is not None:
            return text, "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _strict(raw, "utf-16")
        if text is not None:
            return text.removeprefix("\ufeff"), "utf-16"
    text = _strict(raw, "utf-8")
    if text is not None:
        return text, "utf-8"
    candidates: dict[str, str] = {}
    for enc in ("gb18030", "big5", "cp950"):
        decoded = _strict(raw, enc)
        if decoded is not None and not (enc == "cp950" and "big5" in candidates):
            candidates[enc] = decoded
    if len(candidates) == 1:
        enc = next(iter(candidates))
        return candidates[enc], enc
    if len(candidates) > 1:
        from charset_normalizer import from_bytes

        best = from_bytes(raw, cp_isolation=list(candidates)).best()
        enc = best.encoding if best is not None and best.encoding in candidates else "gb18030"
        return candidates[enc], enc
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        bad = raw[exc.start : exc.start + 2].hex(" ")
    raise ImportUsageError(
        f"{file}: cannot read the text: not UTF-8, GBK/GB18030 or Big5 (bytes {bad} at line {line}); "
        "pass --encoding (e.g. --encoding cp1252)"
    )


__all__ = ["NAMES", "decode"]
