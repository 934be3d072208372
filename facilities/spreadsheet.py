"""Tables written for spreadsheets (CSV and Excel) that never carry a live formula.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel, WPS
and LibreOffice as a formula ("CSV injection", OWASP): a feature named ``=HYPERLINK("http://…"&A1,"x")``
would become a link that sends the neighbouring cell away. Every such text is written as text:

* CSV: prefixed with ``'`` (OWASP's advice; the spreadsheet shows the text after it);
* Excel: an explicit text cell with Excel's own "quote prefix" flag (what typing ``'`` before the text
  does), so the cell shows exactly the text and never computes.

Real numbers (numeric columns, and text that is a plain number such as ``-12.5``) are left as they are.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd

#: first characters that make a spreadsheet read a cell as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def is_formula_like(value: object) -> bool:
    """True for text a spreadsheet would evaluate (a formula, or an attempt at one)."""
    return isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value)


def safe_cell(value: object) -> object:
    """``value``, or ``'`` + ``value`` when it is text a spreadsheet would evaluate."""
    return "'" + value if isinstance(value, str) and is_formula_like(value) else value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) are spreadsheet-safe, for CSV."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(safe_cell)
    out.columns = [safe_cell(str(c)) for c in out.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame, bom: bool = True) -> bytes:
    """CSV for spreadsheets: UTF-8 (with a byte-order mark so Excel reads it as UTF-8), formula-safe, with
    RFC 4180 line ends (CR LF), so a field holding a line break or a bare CR is quoted, never split."""
    return safe_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig" if bom else "utf-8")


def _excel_value(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().date() if value == value.normalize() else value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()
    if isinstance(value, bool | int | float | str | dt.date):
        return value
    return str(value)


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "Sheet1") -> bytes:
    """An .xlsx workbook of ``frame`` (a header row, then one row per record); text is never a formula."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    ws.append([str(c) for c in frame.columns])
    for values in frame.itertuples(index=False, name=None):
        ws.append([_excel_value(v) for v in values])
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl would store text starting with "=" as a formula
                if cell.value.startswith(FORMULA_START):
                    cell.quotePrefix = True
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


__all__ = ["FORMULA_START", "XLSX_MIME", "is_formula_like", "safe_cell", "safe_frame", "to_csv_bytes", "to_xlsx_bytes"]
