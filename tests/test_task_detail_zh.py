"""A task's gap detail in both languages (``tasks.detail_zh``, migration 0006), on SQLite and on PostgreSQL +
PostGIS: filing stores the check's Chinese and English detail, the re-check keeps both (the verification's
data, the refusal to close, the reopening's note), the notice (Word, printable page, LibreOffice's PDF)
quotes the Chinese detail with the English under it, ``tasks show`` prints both, and a database created at
revision 0005 with a task in it upgrades with that task's ``detail_zh`` NULL, shown as its English detail.

The expected texts are the rows of :func:`facilities.check.check`'s gap table (``detail``, ``detail_zh``) for
the demo city, read in the test; the old database is made by Alembic at 0005 and its rows written with the
tables as the database reflects them, never with the code under test. Every date is explicit.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import docx
import geopandas as gpd
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from shapely.geometry import mapping

from documents.notice import notice_docx, notice_html
from facilities.check import Result
from facilities.errors import TaskRefused
from facilities.rules import city_rules
from facilities.store import folder
from facilities.store.db import engine
from facilities.tasks import letters, queries, service
from tests.helpers import ADMIN, DEMO, STAFF, TempPostGIS, actor_for, output_of, postgis_available, run_cli
from tests.store_demo import BASE, Demo, load_demo

REASON = postgis_available()
AS_OF = dt.date(2026, 11, 29)
GAP = "toilet_reach:attractions/A08"  # 习家池: its record names its unit
MIGRATIONS = Path(engine.__file__).parent / "migrations"
CJK = re.compile("[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def sq(tmp_path_factory) -> Iterator[Demo]:
    yield load_demo(f"sqlite:///{tmp_path_factory.mktemp('detail_zh')}/store.sqlite", AS_OF)
    engine.dispose()


@pytest.fixture(scope="module")
def server() -> Iterator[TempPostGIS]:
    if REASON:
        pytest.skip(f"no PostGIS here: {REASON}; .ci/run installs it")
    with TempPostGIS() as running:
        yield running
        engine.dispose()  # before the server stops


def _pg_database(server: TempPostGIS, name: str) -> str:
    with server.connect() as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server.url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="module")
def pg(server) -> Demo:
    return load_demo(_pg_database(server, "detail_zh"), AS_OF)


@pytest.fixture(params=["sqlite", "postgis"])
def demo(request) -> Demo:
    return request.getfixturevalue("sq" if request.param == "sqlite" else "pg")


def one_gap_per_rule(result: Result) -> gpd.GeoDataFrame:
    """The first gap of every rule that has gaps (every kind the demo's rules use)."""
    return result.gaps.drop_duplicates("rule")


def go(demo: Demo, key: str, task_id: int, target: str, **kw) -> service.Task:
    kw.setdefault("note", "见现场 see on site")
    who = actor_for(key, task_id, target, demo.database)
    return service.move(key, task_id, target, user=who, as_of=AS_OF, database=demo.database, **kw)


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def squeeze(text: str) -> str:
    return "".join(text.split())


# --------------------------------------------------------------------------- filing and re-checking


def test_filing_stores_the_gaps_detail_in_both_languages(demo):
    key = demo.fresh()
    gaps = one_gap_per_rule(demo.result)
    assert len(gaps) >= 3 and {"toilet_reach"} <= set(gaps["rule"])
    want = {g: (d, z) for g, d, z in zip(gaps["gap_id"], gaps["detail"], gaps["detail_zh"], strict=True)}
    assert all(CJK.search(z) and z != d for d, z in want.values())  # the check says each in Chinese and in English
    filed = service.file_tasks(key, demo.city, gaps, user=STAFF, as_of=AS_OF, database=demo.database)
    assert len(filed.created) == len(gaps)

    frame = queries.tasks(key, user=ADMIN, database=demo.database)
    assert {g: (d, z) for g, d, z in zip(frame["gap_id"], frame["detail"], frame["detail_zh"], strict=True)} == want
    with engine.read(demo.database) as conn:  # the column itself, as SQL reads it
        raw = dict(conn.execute(sa.text("SELECT gap_id, detail_zh FROM tasks WHERE city = :k"), {"k": key}).all())
    assert raw == {g: z for g, (_, z) in want.items()}
    for task_id in filed.created:
        task = queries.task(key, task_id, user=ADMIN, database=demo.database)
        assert (task.detail_in("zh"), task.detail_in("en")) == (want[task.gap_id][1], want[task.gap_id][0])


def test_the_recheck_keeps_both_languages(demo):
    key = demo.fresh()
    gap = demo.gap(GAP)
    (task_id,) = service.file_tasks(key, demo.city, demo.result.gaps[demo.result.gaps["gap_id"] == GAP], user=STAFF, as_of=AS_OF,
                                    database=demo.database).created  # fmt: skip
    for target in ("dispatched", "accepted", "submitted"):
        go(demo, key, task_id, target)
    still = service.Recheck.of(demo.result.gaps, demo.revision, key)
    assert still.gaps[GAP] == (gap["measure"], gap["detail"], gap["detail_zh"])

    assert go(demo, key, task_id, "verifying", recheck=still).gap_present is True
    verified = queries.timeline(key, task_id, user=ADMIN, database=demo.database).iloc[-1]
    assert verified["action"] == "verify"
    data = verified["data"] if isinstance(verified["data"], dict) else json.loads(verified["data"])
    assert (data["detail"], data["detail_zh"], data["gap_present"]) == (gap["detail"], gap["detail_zh"], True)
    with pytest.raises(TaskRefused, match="the gap is still there") as refused:
        go(demo, key, task_id, "closed", recheck=still)
    assert gap["detail_zh"] in str(refused.value) and gap["detail"] in str(refused.value)

    # fixed (a re-check without the gap), closed; then the gap is back in a later check: reopened, said in both
    gone = service.Recheck.of(demo.result.gaps[demo.result.gaps["gap_id"] != GAP], demo.revision, key)
    go(demo, key, task_id, "dispatched", note="仍不达标 not yet")
    for target in ("accepted", "submitted", "verifying", "closed"):
        go(demo, key, task_id, target, recheck=gone)
    synced = queries.sync(key, demo.result, demo.revision, database=demo.database)
    assert synced.reopened == [task_id]
    reopened = queries.timeline(key, task_id, user=ADMIN, database=demo.database).iloc[-1]
    assert reopened["action"] == "reopen"
    assert gap["detail_zh"] in reopened["note"] and gap["detail"] in reopened["note"]


# --------------------------------------------------------------------------- the notice and the command line


def test_the_notice_quotes_the_chinese_detail_with_the_english_under_it(demo, tmp_path):
    key = demo.fresh()
    gaps = one_gap_per_rule(demo.result)
    service.file_tasks(key, demo.city, gaps, user=STAFF, as_of=AS_OF, database=demo.database)
    issued = service.issue_notices(key, user=STAFF, as_of=AS_OF, database=demo.database)
    assert sum(len(n.tasks) for n in issued) >= 3  # the gaps with a responsible unit, in several notices
    rules = city_rules(demo.city)
    biggest = max(issued, key=lambda n: len(n.tasks))
    for notice in issued:
        content = letters.notice_content(key, notice.number, demo.city, rules, user=STAFF, database=demo.database)
        want = [demo.gap(i.gap_id) for i in content.items]
        assert [(i.what, i.what_en) for i in content.items] == [(g["detail_zh"], g["detail"]) for g in want]
        text, page = docx_text(notice_docx(content)), notice_html(content)
        for g in want:
            assert g["detail_zh"] in text and g["detail"] in text
            assert html.escape(g["detail_zh"], quote=True) in page and html.escape(g["detail"], quote=True) in page
            # the Chinese comes first: a Chinese official document with its English under it
            assert text.index(g["detail_zh"]) < text.index(g["detail"])
        if notice is biggest and demo.database.startswith("sqlite"):
            _pdf_has(tmp_path, notice_docx(content), [squeeze(g["detail_zh"]) for g in want])


def _pdf_has(tmp_path: Path, data: bytes, wanted: list[str]) -> None:
    """The Word file converted by LibreOffice, as pdftotext reads it, holds each of ``wanted`` (spaces ignored)."""
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice or pdftotext is not installed (libreoffice-writer-nogui, poppler-utils; .ci/run installs them)")
    path = tmp_path / "notice.docx"
    path.write_bytes(data)
    cmd = ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to", "pdf", "--outdir",
           str(tmp_path), str(path)]  # fmt: skip
    subprocess.run(cmd, capture_output=True, timeout=240, check=True)
    text = squeeze(subprocess.run(["pdftotext", str(tmp_path / "notice.pdf"), "-"], capture_output=True, text=True, check=True).stdout)
    assert [w for w in wanted if w not in text] == []


def test_tasks_show_prints_the_detail_in_both_languages(sq):
    key = sq.fresh()
    gap = sq.gap(GAP)
    (task_id,) = service.file_tasks(key, sq.city, sq.result.gaps[sq.result.gaps["gap_id"] == GAP], user=STAFF, as_of=AS_OF,
                                    database=sq.database).created  # fmt: skip
    run = run_cli("tasks", "show", key, str(task_id), "--as-of", AS_OF.isoformat(), FACILITIES_DB=sq.database)
    assert run.returncode == 0, output_of(run)
    assert f"gap 缺口 {GAP}: {gap['detail_zh']} / {gap['detail']}" in output_of(run)  # as the title: Chinese / English


# --------------------------------------------------------------------------- a database made before 0006


def _at_0005(url: str, gap: dict) -> None:
    """A database migrated by Alembic to revision 0005, holding the demo's city row and one filed task (as
    0005's tables are reflected: no ``detail_zh``)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    made = sa.create_engine(url)
    try:
        with made.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
            config.attributes["connection"] = conn
            command.upgrade(config, "0005")
        with made.begin() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == "0005"
            old = sa.MetaData()
            cities = sa.Table("cities", old, autoload_with=conn)
            tasks = sa.Table("tasks", old, autoload_with=conn)
            assert "detail_zh" not in tasks.c and "detail" in tasks.c
            conn.execute(sa.insert(cities).values(
                key=BASE, name="襄阳", config_toml=(DEMO / "city.toml").read_text(encoding="utf-8"),
                rules_toml=(DEMO / "rules.toml").read_text(encoding="utf-8"), revision=0,
            ))  # fmt: skip
            point = gap["geometry"].representative_point()
            now = dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC)
            conn.execute(sa.insert(tasks).values(
                city=BASE, version=1, state="filed", gap_id=gap["gap_id"], rule=gap["rule"], layer=gap["layer"],
                feature_id=gap["feature_id"], name=gap["name"], district=gap["district"], unit=gap["unit"], unit_from="feature",
                title_zh="每个景区景点 500 米内有 A 级以上旅游厕所", title_en="A graded tourist toilet within 500 m of every scenic spot",
                standard="GB/T 18973-2022", measure=float(gap["measure"]), measure_unit=gap["measure_unit"], detail=gap["detail"],
                lon=point.x, lat=point.y, geometry=json.dumps(mapping(gap["geometry"])), filed_on=AS_OF, due=dt.date(2026, 12, 29),
                rework=0, reopened=0, created_at=now, updated_at=now,
            ))  # fmt: skip
    finally:
        made.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgis"])
def test_a_task_filed_before_0006_reads_back_with_no_chinese_and_shows_the_english(backend, sq, request, tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}" if backend == "sqlite" else _pg_database(request.getfixturevalue("server"), "old0005")
    gap = sq.gap(GAP)  # the demo's check (the same city on either backend)
    _at_0005(url, gap)

    read_engine, _ = engine.engines(url)  # opening the store migrates it to the newest revision
    with read_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == "0006"
        assert conn.execute(sa.text("SELECT detail, detail_zh FROM tasks")).one() == (gap["detail"], None)
    (task_id,) = queries.tasks(BASE, user=ADMIN, database=url)["id"]
    task = queries.task(BASE, int(task_id), user=ADMIN, database=url)
    assert (task.detail, task.detail_zh) == (gap["detail"], None)
    assert task.detail_in("zh") == task.detail_in("en") == gap["detail"]  # no Chinese was stored: the English, not a made-up one

    # its notice quotes the English detail it has, once
    (notice,) = service.issue_notices(BASE, user=STAFF, as_of=AS_OF, database=url)
    city = folder.load(DEMO)
    content = letters.notice_content(BASE, notice.number, city, city_rules(city), user=STAFF, database=url)
    assert [(i.what, i.what_en) for i in content.items] == [(gap["detail"], "")]
    assert docx_text(notice_docx(content)).count(gap["detail"]) == 1
    if backend == "sqlite":
        run = run_cli("tasks", "show", BASE, str(int(task_id)), "--as-of", AS_OF.isoformat(), FACILITIES_DB=url)
        assert f"gap 缺口 {GAP}: {gap['detail']}\n" in output_of(run)
