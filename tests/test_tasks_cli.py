"""The case flow from the command line (``python -m facilities tasks …``), as scripts and batch work run it.

The demo's toilet-reach gaps are filed, dispatched under numbered notices written as Word files (opened
with python-docx, and converted by LibreOffice as an office would open them, the unit's gaps and deadline
in the text), one task is fixed (a toilet added), verified and closed, another is sent back, the first is
reopened when its toilet goes again, and the list shows what is overdue on a later date. The expected gaps
and units come from an oracle over the demo's files (networkx on its roads, tests/oracles.py), not from the code under test.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess

import docx
import pytest
from PIL import Image
from shapely.geometry import Point

import tests.oracles as oracles
from facilities import store
from facilities.store import folder
from facilities.store.db.edits import Edit
from facilities.tasks import queries
from tests.helpers import ADMIN, DEMO, STAFF, add_account, output_of, run_cli

AS_OF = "2026-11-29"


def _toilet_reach_gaps() -> dict[str, tuple[str, float, float]]:
    """Attractions in use with no A/AA/AAA toilet in use within 500 m on foot: id -> (unit, lon, lat) (tests/oracles.py)."""
    city = folder.load(DEMO)
    att = city.metric("attractions")
    att = att[~att["status"].isin(["planned", "closed"])]
    on_foot = oracles.walking_gaps()  # the rule walks; networkx on the demo's noded roads, not our network
    assert on_foot >= oracles.straight_gaps()
    wgs = city["attractions"].set_index("id")
    out = {}
    for _, a in att.iterrows():
        if a["id"] in on_foot:
            p = wgs.loc[a["id"]].geometry.representative_point()
            out[a["id"]] = (a["unit"], p.x, p.y)
    return out


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'tasks.sqlite'}"
    run = run_cli("db", "load", str(DEMO), FACILITIES_DB=url)
    assert run.returncode == 0, output_of(run)
    add_account(url, "wangjun", "staff", "王俊", password="a-long-staff-password")
    return url


def _tasks(db: str, *args: str) -> subprocess.CompletedProcess:
    """``tasks <args>``, on 2026-12-01 unless ``--as-of`` is given (never the calendar: the suite runs under faketime too)."""
    return run_cli("tasks", *args, *(() if "--as-of" in args else ("--as-of", "2026-12-01")), FACILITIES_DB=db)


def _ok(run: subprocess.CompletedProcess) -> str:
    text = output_of(run)
    assert run.returncode == 0, text
    return text


def _jpeg(path) -> str:
    Image.new("RGB", (40, 30), (200, 80, 40)).save(path, "JPEG")
    return str(path)


def test_the_case_flow_from_the_command_line(db, tmp_path):
    expected = _toilet_reach_gaps()
    filed = _ok(_tasks(db, "file", "xiangyang", "--rule", "toilet_reach", "--as-of", AS_OF, "--as", "wangjun"))
    assert f"filed 立案 {len(expected)} task(s)" in filed
    listed = json.loads(_ok(_tasks(db, "list", "xiangyang", "--json", "--as-of", AS_OF)))
    by_spot = {t["feature_id"]: t for t in listed}
    assert set(by_spot) == set(expected)
    assert {k: t["unit"] for k, t in by_spot.items()} == {k: v[0] for k, v in expected.items()}
    assert {t["due"] for t in listed} == {"2026-12-29"}  # 30 days (rules.toml), before the inspection
    again = _ok(_tasks(db, "file", "xiangyang", "--rule", "toilet_reach", "--as-of", AS_OF))
    assert f"filed 立案 0 task(s) from {len(expected)} gap(s); {len(expected)} already" in again

    # notices: one per unit, numbered in the year, as .docx and .html
    out = tmp_path / "notices"
    text = _ok(_tasks(db, "notices", "xiangyang", "--out", str(out), "--as-of", AS_OF, "--as", "wangjun"))
    units = sorted({v[0] for v in expected.values()})
    files = sorted(out.glob("*.docx"))
    assert len(files) == len(units) and len(list(out.glob("*.html"))) == len(units)
    assert [f"创优办〔2026〕第{i}号" in text for i in range(1, len(units) + 1)] == [True] * len(units)
    for spot, (unit, lon, lat) in expected.items():
        (path,) = [f for f in files if unit in f.name]
        d = docx.Document(str(path))
        body = "\n".join([p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells])
        assert unit in body and "2026-12-29" in body and f"{lon:.6f}" in body and f"{lat:.6f}" in body, spot
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed (Debian package libreoffice-writer-nogui; .ci/run installs it)")
    pdfs = tmp_path / "pdf"
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}"
    subprocess.run(["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(pdfs), *map(str, files)],
                   check=True, capture_output=True, timeout=240)  # fmt: skip
    for path in files:
        pdf_text = subprocess.run(["pdftotext", str(pdfs / f"{path.stem}.pdf"), "-"], capture_output=True, text=True, check=True).stdout
        unit = next(u for u in units if u in path.name)
        assert unit in pdf_text.replace(" ", "") and "2026-12-29" in pdf_text

    source = store.DbCity("xiangyang", db)
    # two spots out of reach in a straight line too (A08, A09): a toilet 94 m east of the first is in reach on foot
    fixed_spot, idle_spot = sorted(oracles.straight_gaps())[:2]
    fixed, idle = by_spot[fixed_spot]["id"], by_spot[idle_spot]["id"]
    unit, idle_unit = expected[fixed_spot][0], expected[idle_spot][0]
    add_account(db, "unit-a", "unit", "甲联络员", unit=unit)
    add_account(db, "unit-b", "unit", "乙联络员", unit=idle_unit)
    strangers = sorted({v[0] for v in expected.values()} - {unit})
    add_account(db, "unit-other", "unit", "丙联络员", unit=strangers[0] if strangers else "别的单位")
    other = _tasks(db, "move", "xiangyang", str(fixed), "--to", "accepted", "--as", "unit-other", "--as-of", "2026-12-01")
    assert other.returncode == 1 and "nothing was changed" in output_of(other) and "Traceback" not in output_of(other)
    assert queries.task("xiangyang", fixed, user=STAFF, database=db).state == "dispatched"
    as_staff = _tasks(db, "move", "xiangyang", str(fixed), "--to", "accepted", "--as", "wangjun", "--as-of", "2026-12-01")
    assert as_staff.returncode == 1 and "nothing was changed" in output_of(as_staff)  # the unit signs for its own tasks
    _ok(_tasks(db, "move", "xiangyang", str(fixed), "--to", "accepted", "--as", "unit-a", "--as-of", "2026-12-01"))
    refused = _tasks(db, "move", "xiangyang", str(fixed), "--to", "closed", "--as", "unit-a", "--as-of", "2026-12-01")
    assert refused.returncode == 1 and "cannot move to 结案 Closed" in output_of(refused) and "反馈" in output_of(refused)
    photo = _jpeg(tmp_path / "after.jpg")
    _ok(_tasks(db, "move", "xiangyang", str(fixed), "--to", "submitted", "--note", "新建厕所", "--photo", photo, "--as", "unit-a"))
    bad = tmp_path / "not-a-photo.jpg"
    bad.write_text("hello")
    refused = _tasks(db, "move", "xiangyang", str(idle), "--to", "accepted", "--photo", str(bad))
    assert refused.returncode == 1 and "not-a-photo.jpg" in output_of(refused) and "JPEG, PNG or WebP" in output_of(refused)

    # the inventory is corrected; the re-check finds the gap gone; the task is closed
    _, lon, lat = expected[fixed_spot]
    toilet = {"name": "新建厕所", "status": "new", "grade": "A", "kind": "standalone"}
    store.edit(source, [Edit("toilets", "T-CLI-1", None, toilet, Point(lon + 0.001, lat))], user=STAFF)
    assert "the gap is gone" in _ok(_tasks(db, "move", "xiangyang", str(fixed), "--to", "verifying", "--as", "wangjun", "--as-of", AS_OF))
    _ok(_tasks(db, "move", "xiangyang", str(fixed), "--to", "closed", "--as", "wangjun", "--as-of", AS_OF))

    # the other is reported fixed with nothing changed: the re-check still finds it; it goes back
    _ok(_tasks(db, "move", "xiangyang", str(idle), "--to", "accepted", "--as", "unit-b"))
    _ok(_tasks(db, "move", "xiangyang", str(idle), "--to", "submitted", "--note", "done", "--as", "unit-b"))
    assert "still there" in _ok(_tasks(db, "move", "xiangyang", str(idle), "--to", "verifying", "--as", "wangjun", "--as-of", AS_OF))
    refused = _tasks(db, "move", "xiangyang", str(idle), "--to", "closed", "--as", "wangjun", "--as-of", AS_OF)
    assert refused.returncode == 1 and "still there" in output_of(refused)
    no_reason = _tasks(db, "move", "xiangyang", str(idle), "--to", "dispatched", "--as", "wangjun")
    assert no_reason.returncode == 1 and "reason" in output_of(no_reason)
    _ok(_tasks(db, "move", "xiangyang", str(idle), "--to", "dispatched", "--note", "仍不达标", "--as", "wangjun"))
    assert queries.task("xiangyang", idle, user=STAFF, database=db).rework == 1

    shown = _ok(_tasks(db, "show", "xiangyang", str(fixed)))
    for step in ("立案", "派遣", "签收", "反馈", "核查", "结案"):
        assert step in shown
    assert "1 photo(s)" in shown
    history = json.loads(_ok(run_cli("db", "history", "xiangyang", "--layer", "tasks", "--json", FACILITIES_DB=db)))
    assert {(h["feature_id"], h["action"]) for h in history} >= {
        (str(fixed), a) for a in ("file", "dispatch", "accept", "submit", "verify", "close")
    }

    # the toilet goes again: the next check reopens the closed task
    current = store.feature(source, "toilets", "T-CLI-1")
    store.edit(source, [Edit("toilets", "T-CLI-1", current.version, delete=True)], user=ADMIN)  # deletes: admins
    reopened = _ok(_tasks(db, "file", "xiangyang", "--rule", "toilet_reach", "--as-of", AS_OF))
    assert f"task {fixed} reopened" in reopened
    again = queries.task("xiangyang", fixed, user=STAFF, database=db)
    assert again.state == "dispatched" and again.reopened == 1

    # overdue on a later date: every task past 2026-12-29 and not finished
    late = json.loads(_ok(_tasks(db, "list", "xiangyang", "--overdue", "--json", "--as-of", "2027-01-05")))
    assert {t["id"] for t in late} == {t["id"] for t in listed}
    assert _ok(_tasks(db, "list", "xiangyang", "--overdue", "--as-of", "2026-12-29")).startswith("no tasks")
    assert dt.date.fromisoformat(late[0]["due"]) < dt.date(2027, 1, 5)


def test_tasks_need_a_city_in_the_database(tmp_path):
    run = run_cli("tasks", "list", str(DEMO), FACILITIES_DB=f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert run.returncode == 2 and "db load" in output_of(run)
    run = run_cli("tasks", "move", "xiangyang", "1", "--to", "nowhere", FACILITIES_DB=f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert run.returncode == 2 and "invalid choice" in output_of(run)
