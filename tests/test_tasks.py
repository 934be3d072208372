"""Rectification tasks (整改任务) against the demo city in the store (SQLite; the case flow itself, and the
writers racing each other, run on PostGIS too in test_tasks_flow.py): gaps keep their ids across re-checks,
verification and closing by a real re-check, reopening when a gap comes back, overdue and countdown, due
dates capped by the inspection date, responsible units, numbered notices, extensions, photos, and the
audit trail.

Expected values are worked out by hand or read from the demo's files with plain ``json`` and shapely,
never produced by the code under test. The demo: ``inspection_date = 2027-05-20``; ``deadline_days`` 30,
7 for ``lamps_working``, 20 (and ``unit = "市民政局"``) for ``road_name_signs``. Every date is explicit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
import json
import math
from collections.abc import Iterator

import geopandas as gpd
import pandas as pd
import pytest
import sqlalchemy as sa
from PIL import Image
from shapely.geometry import Point, shape

import tests.oracles as oracles
from facilities import store
from facilities.auth import User
from facilities.check import Result, check
from facilities.city import City
from facilities.errors import EvidenceRejected, StoreError, TaskRefused
from facilities.rules import city_rules
from facilities.store import DbCity, Edit
from facilities.store.db import engine, tables
from facilities.tasks import queries, service
from facilities.tasks.evidence import MAX_BYTES, inspect_photo
from tests.helpers import ADMIN, DEMO, LEADER, STAFF, SYSTEM, actor_for, unit_user

AS_OF = dt.date(2026, 11, 29)
BASE = "xiangyang"
A08, A09, A11 = (f"toilet_reach:attractions/{a}" for a in ("A08", "A09", "A11"))
_keys = itertools.count(1)


def demo_file(layer: str) -> dict[str, dict]:
    """A layer of the demo's files, by id (plain json)."""
    doc = json.loads((DEMO / f"{layer}.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["id"]: f for f in doc["features"]}


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('tasks')}/store.sqlite"
    store.load_folder(DEMO, DbCity(BASE, url), user=ADMIN)
    yield url
    engine.dispose()


@pytest.fixture(scope="module")
def base(db) -> tuple[City, Result, int]:
    city = store.load(DbCity(BASE, db))
    return city, check(city, city_rules(city), AS_OF), store.revision(DbCity(BASE, db))


@pytest.fixture
def key(db) -> str:
    """A city of this test's own: the demo's rows copied under a new key."""
    new = f"k{next(_keys)}"
    with engine.write(db) as conn:
        for table in (tables.cities, *tables.layers.values()):
            own = table.c.key if table is tables.cities else table.c.city
            rows = sa.select(*(sa.literal(new).label(c.name) if c is own else c for c in table.columns)).where(own == BASE)
            conn.execute(sa.insert(table).from_select([c.name for c in table.columns], rows))
    return new


def gaps_of(result: Result, *gap_ids: str, rule: str | None = None) -> gpd.GeoDataFrame:
    g = result.gaps
    out = g[g["rule"] == rule] if rule else g[g["gap_id"].isin(gap_ids)]
    assert rule or len(out) == len(gap_ids)
    return out


def recheck(db: str, key: str, as_of: dt.date = AS_OF) -> tuple[Result, int]:
    """The city checked again, as it is now, and the revision it was read at."""
    city = store.load(DbCity(key, db))
    return check(city, city_rules(city), as_of), store.revision(DbCity(key, db))


def file(db, base, key, *gap_ids: str, as_of: dt.date = AS_OF, **kw) -> list[int]:
    filed = service.file_tasks(key, base[0], gaps_of(base[1], *gap_ids), user=STAFF, as_of=as_of, database=db, **kw)
    return filed.created


def go(db, key, task_id, target, as_of=AS_OF, **kw) -> service.Task:
    """One step, taken by whoever takes it (staff, the task's unit, the system) unless ``user`` is given."""
    kw.setdefault("note", "已处理 done")
    who = kw.pop("user", None) or actor_for(key, task_id, target, db)
    return service.move(key, task_id, target, user=who, as_of=as_of, database=db, **kw)


def unit_of(db, key, task_id) -> User:
    """The user of the task's responsible unit."""
    return unit_user(queries.task(key, task_id, user=ADMIN, database=db).unit)


#: 50 m east of 习家池 (A08 at 112.178, 31.985): 0.00053° × 111,320 m × cos 31.985° ≈ 50 m
NEW_TOILET = Point(112.17853, 31.985)


def add_toilet(db: str, key: str) -> int:
    """A grade-A toilet 50 m from 习家池 (with an accessible stall and a family room), through the store."""
    assert 45 < 0.00053 * 111_320 * math.cos(math.radians(31.985)) < 55
    props = {
        "name": "习家池新建旅游厕所",
        "status": "new",
        "grade": "A",
        "accessible_stalls": 1,
        "family_room": True,
        "unit": "习家池景区管理处",
    }
    return store.edit(DbCity(key, db), [Edit("toilets", "T_NEW", None, props, geometry=NEW_TOILET)], user=STAFF).revision


# --------------------------------------------------------------------------- stable gap ids


def test_gaps_keep_their_ids_across_rechecks_and_are_filed_once(db, base, key):
    reach = gaps_of(base[1], rule="toilet_reach")
    on_foot = {f"toilet_reach:attractions/{a}" for a in oracles.walking_gaps()}  # networkx, not our network
    assert set(reach["gap_id"]) == on_foot and {A08, A09, A11} <= on_foot
    first = service.file_tasks(key, base[0], reach, user=STAFF, as_of=AS_OF, database=db)
    assert len(first.created) == len(on_foot) and first.already == {}
    frame = queries.tasks(key, user=ADMIN, database=db)
    ids = dict(zip(frame["gap_id"], frame["id"], strict=True))

    lamp = store.feature(DbCity(key, db), "lamps", "L00001")
    store.edit(DbCity(key, db), [Edit("lamps", "L00001", lamp.version, {"power_w": 150, "notes": "换灯 relamped"})], user=STAFF)
    unrelated, _ = recheck(db, key)
    assert list(unrelated.gaps["gap_id"]) == list(base[1].gaps["gap_id"])

    add_toilet(db, key)
    fixed, _ = recheck(db, key)
    after = set(fixed.gaps["gap_id"])
    assert set(gaps_of(fixed, rule="toilet_reach")["gap_id"]) == on_foot - {A08}  # the new toilet is 50 m from it

    def no_toilet(result: Result) -> set[str]:  # the gaps of the rules that read no toilet
        g = result.gaps
        return set(g.loc[~g["rule"].str.startswith("toilet_") & (g["rule"] != "dock_toilet"), "gap_id"])

    assert no_toilet(fixed) == no_toilet(base[1])
    assert after <= set(base[1].gaps["gap_id"])  # a new toilet adds no gap

    again = service.file_tasks(key, store.load(DbCity(key, db)), gaps_of(fixed, rule="toilet_reach"), user=STAFF, as_of=AS_OF, database=db)
    assert again.created == [] and again.already == {g: ids[g] for g in on_foot - {A08}}
    old = service.file_tasks(key, base[0], reach, user=STAFF, as_of=AS_OF, database=db)
    assert old.created == [] and old.already == ids
    assert len(queries.tasks(key, user=ADMIN, database=db)) == len(on_foot)


# --------------------------------------------------------------------------- verify, close, rework


def test_verify_and_close_by_a_real_recheck(db, base, key):
    fixed_task, open_task = file(db, base, key, A08, A09)
    for t in (fixed_task, open_task):
        for target in ("dispatched", "accepted", "submitted"):
            go(db, key, t, target)
    stale = service.Recheck.of(base[1].gaps, base[2])
    revision = add_toilet(db, key)
    assert revision == base[2] + 1
    result, now = recheck(db, key)
    current = service.Recheck.of(result.gaps, now)
    on = dt.date(2026, 12, 15)

    before = queries.task(key, fixed_task, user=ADMIN, database=db)
    with pytest.raises(TaskRefused, match=rf"revision {base[2]}, now {revision}"):
        go(db, key, fixed_task, "verifying", recheck=stale)
    with pytest.raises(TaskRefused, match="needs a check"):
        go(db, key, fixed_task, "verifying")
    assert queries.task(key, fixed_task, user=ADMIN, database=db) == before

    assert go(db, key, fixed_task, "verifying", recheck=current, as_of=on).gap_present is False
    closed = go(db, key, fixed_task, "closed", recheck=current, as_of=on)
    assert (closed.state, closed.closed_on, closed.closed_revision, closed.gap_present) == ("closed", on, revision, False)

    assert go(db, key, open_task, "verifying", recheck=current, as_of=on).gap_present is True
    before = queries.task(key, open_task, user=ADMIN, database=db)
    with pytest.raises(TaskRefused, match="the gap is still there"):
        go(db, key, open_task, "closed", recheck=current, as_of=on)
    assert queries.task(key, open_task, user=ADMIN, database=db) == before
    back = go(db, key, open_task, "dispatched", note="仍未建厕所 still no toilet", as_of=on)
    assert (back.state, back.rework, back.closed_on) == ("dispatched", 1, None)
    last = queries.timeline(key, open_task, user=ADMIN, database=db).iloc[-1]
    assert (last["action"], last["note"]) == ("redispatch", "仍未建厕所 still no toilet")


# --------------------------------------------------------------------------- reopening, check runs


def test_sync_reopens_a_closed_task_whose_gap_came_back(db, base, key):
    (task_id,) = file(db, base, key, A08)
    fixed_at = add_toilet(db, key)
    result, _ = recheck(db, key)
    closed_on = dt.date(2026, 12, 15)
    for target in ("dispatched", "accepted", "submitted", "verifying", "closed"):
        go(db, key, task_id, target, recheck=service.Recheck.of(result.gaps, fixed_at), as_of=closed_on)
    toilet = store.feature(DbCity(key, db), "toilets", "T_NEW")
    gone_again = store.edit(DbCity(key, db), [Edit("toilets", "T_NEW", toilet.version, delete=True)], user=ADMIN).revision

    day_before, _ = recheck(db, key, closed_on - dt.timedelta(days=1))
    assert A08 in set(day_before.gaps["gap_id"])
    assert queries.sync(key, day_before, gone_again, database=db).reopened == []  # dated before the close
    older = check(base[0], city_rules(base[0]), closed_on)  # the inventory before the fix, checked on the day
    assert queries.sync(key, older, base[2], database=db).reopened == []  # read before the close
    assert queries.task(key, task_id, user=ADMIN, database=db).state == "closed"

    on_the_day, _ = recheck(db, key, closed_on)
    synced = queries.sync(key, on_the_day, gone_again, database=db)
    assert (synced.recorded, synced.reopened) == (True, [task_id])
    task = queries.task(key, task_id, user=ADMIN, database=db)
    assert (task.state, task.reopened, task.closed_on, task.closed_revision) == ("dispatched", 1, None, None)
    assert task.due == dt.date(2027, 1, 14)  # 2026-12-15 + 30 days
    last = queries.timeline(key, task_id, user=ADMIN, database=db).iloc[-1]
    assert (last["user"], last["action"], last["source_state"], last["target_state"]) == (SYSTEM.login, "reopen", "closed", "dispatched")
    audit = store.history(DbCity(key, db), by=ADMIN, layer="tasks").iloc[0]
    assert (audit["user"], audit["source"], audit["action"]) == (SYSTEM.login, "system", "reopen")

    again = queries.sync(key, on_the_day, gone_again, database=db)
    assert (again.recorded, again.reopened) == (False, [])
    runs = queries.runs(key, database=db)
    assert list(zip(runs["as_of"], runs["revision"], strict=True)) == [
        (closed_on - dt.timedelta(days=1), gone_again),
        (closed_on, base[2]),
        (closed_on, gone_again),
    ]
    assert list(runs["gaps"]) == [len(day_before.gaps), len(older.gaps), len(on_the_day.gaps)]
    assert runs["total"].iloc[-1] == pytest.approx(on_the_day.total)


# --------------------------------------------------------------------------- overdue, countdown


def test_overdue_and_days_left(db, base, key):
    due = dt.date(2026, 12, 10)
    open_id, rejected_id, closed_id = (file(db, base, key, g, due=due)[0] for g in (A08, A09, A11))
    go(db, key, rejected_id, "rejected", note="不在检查范围 out of scope")
    for target in ("dispatched", "accepted", "submitted", "verifying", "closed"):
        go(db, key, closed_id, target, recheck=service.Recheck.of(base[1].gaps[base[1].gaps["gap_id"] != A11], base[2]))
    frame = queries.tasks(key, user=ADMIN, database=db)
    for as_of, overdue, left in ((dt.date(2026, 12, 9), False, 1), (due, False, 0), (dt.date(2026, 12, 11), True, -1)):
        out = queries.annotate(frame, as_of).set_index("id")
        assert bool(out.loc[open_id, "overdue"]) is overdue
        assert bool(out.loc[rejected_id, "overdue"]) is False and bool(out.loc[closed_id, "overdue"]) is False
        assert out.loc[open_id, "days_left"] == left
        assert out.loc[[rejected_id, closed_id], "days_left"].isna().all()  # no countdown once finished
        assert queries.task(key, open_id, user=ADMIN, database=db).overdue(as_of) is overdue
        assert queries.task(key, open_id, user=ADMIN, database=db).days_left(as_of) == left
    now = set(base[1].gaps["gap_id"]) - {A08}  # A08 fixed meanwhile; A11 (closed) is in the check again
    out = queries.annotate(frame, due, gap_ids=now).set_index("id")
    assert out["fixed_pending"].to_dict() == {open_id: True, rejected_id: False, closed_id: False}
    assert out["gap_back"].to_dict() == {open_id: False, rejected_id: False, closed_id: True}


# --------------------------------------------------------------------------- due dates


def test_due_dates_come_from_the_rules_and_stop_at_the_inspection(db, base, key):
    lamps = list(gaps_of(base[1], rule="lamps_working")["gap_id"][:3])
    (sign,) = gaps_of(base[1], rule="road_name_signs")["gap_id"][:1]
    (reach,) = file(db, base, key, A08)
    first_lamp = file(db, base, key, lamps[0])[0]
    (sign_task,) = file(db, base, key, sign)
    due = {t: queries.task(key, t, user=ADMIN, database=db).due for t in (reach, first_lamp, sign_task)}
    assert due == {reach: dt.date(2026, 12, 29), first_lamp: dt.date(2026, 12, 6), sign_task: dt.date(2026, 12, 19)}

    late = [file(db, base, key, g, as_of=d)[0] for g, d in ((A09, dt.date(2027, 5, 1)), (lamps[1], dt.date(2027, 5, 10)))]
    late.append(file(db, base, key, lamps[2], as_of=dt.date(2027, 5, 15))[0])
    assert [queries.task(key, t, user=ADMIN, database=db).due for t in late] == [
        dt.date(2027, 5, 20),
        dt.date(2027, 5, 17),
        dt.date(2027, 5, 20),
    ]

    n = len(queries.tasks(key, user=ADMIN, database=db))
    with pytest.raises(TaskRefused, match=r"2027-05-21: after the inspection date \(accepted: 2026-11-29 to 2027-05-20\)"):
        file(db, base, key, A11, due=dt.date(2027, 5, 21))
    with pytest.raises(TaskRefused, match="in the past"):
        file(db, base, key, A11, due=dt.date(2026, 11, 28))
    with pytest.raises(TaskRefused, match="after the inspection date"):
        go(db, key, reach, "dispatched", due=dt.date(2027, 6, 1))
    assert len(queries.tasks(key, user=ADMIN, database=db)) == n and queries.task(key, reach, user=ADMIN, database=db).state == "filed"
    assert queries.task(key, file(db, base, key, A11, due=dt.date(2027, 5, 20))[0], user=ADMIN, database=db).due == dt.date(2027, 5, 20)


def test_after_the_inspection_date_due_dates_are_not_capped(db, base, key):
    after = dt.date(2027, 6, 1)
    lamp = gaps_of(base[1], rule="lamps_working")["gap_id"].iloc[0]
    reach, lamp_task = file(db, base, key, A08, as_of=after)[0], file(db, base, key, lamp, as_of=after)[0]
    assert queries.task(key, reach, user=ADMIN, database=db).due == dt.date(2027, 7, 1)
    assert queries.task(key, lamp_task, user=ADMIN, database=db).due == dt.date(2027, 6, 8)
    by_hand = file(db, base, key, A09, as_of=after, due=dt.date(2027, 9, 1))[0]
    assert queries.task(key, by_hand, user=ADMIN, database=db).due == dt.date(2027, 9, 1)


# --------------------------------------------------------------------------- responsible units


def responsibility_zones_containing(point: Point) -> list[str]:
    zones = demo_file("zones").values()
    return [
        z["properties"]["unit"] for z in zones if z["properties"]["zone_type"] == "responsibility" and shape(z["geometry"]).contains(point)
    ]


def test_responsible_units_feature_zone_rule_staff(db, base, key):
    (feature_task,) = file(db, base, key, A08)
    task = queries.task(key, feature_task, user=ADMIN, database=db)
    assert (task.unit, task.unit_from) == (demo_file("attractions")["A08"]["properties"]["unit"], "feature")

    billboard = demo_file("billboards")["B011"]
    where = shape(billboard["geometry"])
    (zone_unit,) = responsibility_zones_containing(where)  # one zone holds it: 襄阳日报社's
    stored = store.feature(DbCity(key, db), "billboards", "B011")
    store.edit(DbCity(key, db), [Edit("billboards", "B011", stored.version, {"unit": None})], user=STAFF)
    result, _ = recheck(db, key)
    gap = gaps_of(result, "billboard_permits:billboards/B011")
    assert gap["unit"].isna().all()
    filed = service.file_tasks(key, store.load(DbCity(key, db)), gap, user=STAFF, as_of=AS_OF, database=db)
    task = queries.task(key, filed.created[0], user=ADMIN, database=db)
    assert (task.unit, task.unit_from) == (zone_unit, "zone")

    signs = gaps_of(base[1], rule="road_name_signs")
    sign = signs.iloc[:1]
    assert sign["unit"].isna().all() and responsibility_zones_containing(sign.geometry.iloc[0]) == []
    (rule_task,) = file(db, base, key, sign["gap_id"].iloc[0])
    task = queries.task(key, rule_task, user=ADMIN, database=db)
    assert (task.unit, task.unit_from) == ("市民政局", "rule")

    (staff_task,) = file(db, base, key, A09, unit=" 市城市管理局 ")
    task = queries.task(key, staff_task, user=ADMIN, database=db)
    assert (task.unit, task.unit_from) == ("市城市管理局", "staff")
    with pytest.raises(TaskRefused, match="unit: empty"):
        file(db, base, key, A11, unit="  ")


# --------------------------------------------------------------------------- notices


def test_notices_are_numbered_per_unit_and_per_year(db, base, key):
    file(db, base, key, A08, A09, A11)
    units = {a: demo_file("attractions")[a]["properties"]["unit"] for a in ("A08", "A09", "A11")}
    issued = service.issue_notices(key, user=STAFF, as_of=AS_OF, database=db)
    assert [i.number for i in issued] == ["创优办〔2026〕第1号", "创优办〔2026〕第2号", "创优办〔2026〕第3号"]
    assert {i.unit for i in issued} == set(units.values()) and all(len(i.tasks) == 1 for i in issued)
    tasks = queries.tasks(key, user=ADMIN, database=db).set_index("id")
    for i in issued:
        assert tasks.loc[i.tasks[0], "state"] == "dispatched"
        assert (tasks.loc[i.tasks[0], "notice"], tasks.loc[i.tasks[0], "unit"]) == (i.number, i.unit)
        assert queries.notice(key, user=ADMIN, number=i.number, database=db)["tasks"] == list(i.tasks)
    assert service.issue_notices(key, user=STAFF, as_of=AS_OF, database=db) == []  # nothing left to dispatch

    lamps = gaps_of(base[1], rule="lamps_working")
    two = lamps[lamps["unit"] == "市城市照明管理处"].iloc[:2]
    assert len(two) == 2
    two_ids = service.file_tasks(key, base[0], two, user=STAFF, as_of=AS_OF, database=db).created
    (lamp_notice,) = service.issue_notices(key, user=STAFF, as_of=dt.date(2026, 12, 20), database=db)
    assert (lamp_notice.number, lamp_notice.unit, lamp_notice.tasks) == ("创优办〔2026〕第4号", "市城市照明管理处", tuple(two_ids))

    sign = gaps_of(base[1], rule="road_name_signs")["gap_id"].iloc[0]
    file(db, base, key, sign, as_of=dt.date(2027, 1, 4))
    (new_year,) = service.issue_notices(key, user=STAFF, as_of=dt.date(2027, 1, 4), database=db)
    assert (new_year.number, new_year.unit) == ("创优办〔2027〕第1号", "市民政局")
    one = file(db, base, key, gaps_of(base[1], rule="signs_condition")["gap_id"].iloc[0], as_of=dt.date(2027, 1, 5))[0]
    assert go(db, key, one, "dispatched", as_of=dt.date(2027, 1, 5)).notice == "创优办〔2027〕第2号"
    listed = queries.notices(key, user=ADMIN, database=db)
    assert list(listed["number"]) == ["创优办〔2027〕第2号", "创优办〔2027〕第1号"] + [f"创优办〔2026〕第{n}号" for n in (4, 3, 2, 1)]


# --------------------------------------------------------------------------- extensions


def test_extensions_asked_while_the_unit_has_the_task(db, base, key):
    (task_id,) = file(db, base, key, A08)  # due 2026-12-29
    ask = lambda due, reason="材料未到 parts late": service.request_extension(  # noqa: E731
        key, task_id, due, reason=reason, user=unit_of(db, key, task_id), as_of=AS_OF, database=db
    )
    with pytest.raises(TaskRefused, match="while the unit has the task"):
        ask(dt.date(2027, 1, 15))
    go(db, key, task_id, "dispatched")
    before = queries.task(key, task_id, user=ADMIN, database=db)
    for due, reason, why in (
        (dt.date(2026, 12, 29), "x", "not later than the due date 2026-12-29"),
        (dt.date(2027, 5, 21), "x", "after the inspection date"),
        (dt.date(2027, 1, 15), " ", "a reason is needed"),
    ):
        with pytest.raises(TaskRefused, match=why):
            ask(due, reason)
    assert queries.task(key, task_id, user=ADMIN, database=db) == before
    with pytest.raises(TaskRefused, match="no extension has been asked for"):
        service.decide_extension(key, task_id, approve=True, user=LEADER, as_of=AS_OF, database=db)

    asked = ask(dt.date(2027, 1, 15))
    assert (asked.due, asked.extension_due, asked.extension_reason) == (dt.date(2026, 12, 29), dt.date(2027, 1, 15), "材料未到 parts late")
    yes = service.decide_extension(key, task_id, approve=True, user=LEADER, as_of=AS_OF, database=db)
    assert (yes.due, yes.extension_due, yes.state) == (dt.date(2027, 1, 15), None, "dispatched")
    go(db, key, task_id, "accepted")
    ask(dt.date(2027, 2, 1))
    no = service.decide_extension(key, task_id, approve=False, user=LEADER, as_of=AS_OF, note="不予批准", database=db)
    assert (no.due, no.extension_due, no.state) == (dt.date(2027, 1, 15), None, "accepted")
    go(db, key, task_id, "submitted")
    with pytest.raises(TaskRefused, match="while the unit has the task"):
        ask(dt.date(2027, 3, 1))
    tl = queries.timeline(key, task_id, user=ADMIN, database=db)
    assert list(tl["action"]) == [
        "file", "dispatch", "extension_requested", "extension_approved", "accept", "extension_requested", "extension_refused", "submit",
    ]  # fmt: skip
    assert tl.iloc[3]["data"] == {"due": "2027-01-15", "was": "2026-12-29"}


# --------------------------------------------------------------------------- photos


def image(fmt: str, size=(64, 48)) -> bytes:
    buf = io.BytesIO()
    pixels = bytes((x * 7 + y * 13) % 256 for y in range(size[1]) for x in range(size[0] * 3))
    Image.frombytes("RGB", size, pixels).save(buf, fmt)
    return buf.getvalue()


def test_photos_accepted_are_images(tmp_path):
    for fmt, media in (("PNG", "image/png"), ("JPEG", "image/jpeg")):
        data = image(fmt)
        p = inspect_photo(data, f"现场.{fmt.lower()}")
        assert (p.media_type, p.width, p.height, p.size) == (media, 64, 48, len(data))
        assert p.sha256 == hashlib.sha256(data).hexdigest() and p.thumbnail[:2] == b"\xff\xd8"
    jpeg = image("JPEG")
    bad = {
        "说明.jpg": ("整改说明：已修复".encode(), "not a readable image"),
        "cut.jpg": (jpeg[: len(jpeg) // 2], "not a readable image"),
        "empty.jpg": (b"", "empty"),
        "huge.jpg": (b"\xff\xd8" + bytes(MAX_BYTES - 1), "too large"),
        "anim.gif": (image("GIF"), "a GIF file is not accepted"),
    }
    for name, (data, why) in bad.items():
        with pytest.raises(EvidenceRejected) as refused:
            inspect_photo(data, name)
        assert name in str(refused.value) and why in str(refused.value) and "JPEG, PNG or WebP" in str(refused.value)


def test_a_photo_is_stored_once_and_given_back(db, base, key):
    (task_id,) = file(db, base, key, A08)
    data = image("PNG", (20, 10))
    photo = inspect_photo(data, "厕所.png")
    for _ in range(2):
        assert service.attach(key, [photo], user=unit_of(db, key, task_id), as_of=AS_OF, task_id=task_id, note="现场", database=db) == [
            photo.sha256
        ]
    with engine.read(db) as conn:
        assert conn.execute(sa.select(sa.func.count()).where(tables.evidence.c.sha256 == photo.sha256)).scalar_one() == 1
    assert len(queries.photos_of(key, user=ADMIN, task_id=task_id, database=db)) == 2
    assert queries.photo(user=ADMIN, sha256=photo.sha256, database=db) == (data, "image/png")
    assert queries.photo(user=ADMIN, sha256=photo.sha256, thumbnail=True, database=db)[0][:2] == b"\xff\xd8"
    tl = queries.timeline(key, task_id, user=ADMIN, database=db)
    assert list(tl["action"]) == ["file", "attach", "attach"] and tl.iloc[-1]["attachments"] == [photo.sha256]

    assert service.attach(key, [photo], user=STAFF, as_of=AS_OF, layer="toilets", feature_id="T001", database=db) == [photo.sha256]
    assert list(queries.photos_of(key, user=ADMIN, layer="toilets", feature_id="T001", database=db)["sha256"]) == [photo.sha256]
    with pytest.raises(StoreError, match="toilets/T999: no such feature"):
        service.attach(key, [photo], user=STAFF, as_of=AS_OF, layer="toilets", feature_id="T999", database=db)
    with pytest.raises(StoreError, match="'nope': not a layer"):
        service.attach(key, [photo], user=STAFF, as_of=AS_OF, layer="nope", feature_id="T001", database=db)
    assert queries.photos_of(key, user=ADMIN, layer="toilets", feature_id="T999", database=db).empty


# --------------------------------------------------------------------------- the audit trail


def test_every_step_is_in_the_timeline_and_the_audit_trail(db, base, key):
    city = DbCity(key, db)
    lamp = store.feature(city, "lamps", "L00001")
    edited = store.edit(city, [Edit("lamps", "L00001", lamp.version, {"notes": "巡查"})], user=STAFF).revision
    (task_id,) = file(db, base, key, A08)
    service.reassign(key, task_id, "市文化和旅游局", user=STAFF, as_of=AS_OF, database=db)
    checked = service.Recheck.of(base[1].gaps[base[1].gaps["gap_id"] != A08], edited)  # the lamp changed no gap
    clerk_a, clerk_b, li = User("clerk-a", "科员甲", "staff"), User("clerk-b", "科员乙", "staff"), unit_user("市文化和旅游局", "li")
    steps = [  # (who, target state, via)
        (clerk_a, "dispatched", "app"),
        (li, "accepted", "app"),
        (li, "submitted", "cli"),
        (clerk_b, "verifying", "app"),
        (clerk_b, "closed", "app"),
    ]
    for who, target, via in steps:
        go(db, key, task_id, target, user=who, via=via, recheck=checked)
    assert store.revision(city) == edited  # task steps make no revision of the inventory

    states = ["filed", "filed", "dispatched", "accepted", "submitted", "verifying", "closed"]
    actions = ["file", "reassign", "dispatch", "accept", "submit", "verify", "close"]
    users = [STAFF.login, STAFF.login] + [who.login for who, _, _ in steps]
    tl = queries.timeline(key, task_id, user=ADMIN, database=db)
    assert list(tl["action"]) == actions and list(tl["user"]) == users
    assert [None if pd.isna(s) else s for s in tl["source_state"]] == [None, *states[:-1]] and list(tl["target_state"]) == states
    trail = store.history(city, by=ADMIN, layer="tasks").sort_values("change")
    assert list(trail["feature_id"]) == [str(task_id)] * 7
    assert list(trail["action"]) == actions and list(trail["user"]) == users
    assert [json.loads(v) for v in trail["new"]] == states
    assert [json.loads(v) for v in trail["old"]] == [None, *states[:-1]]
    assert list(trail["source"]) == ["app"] * 4 + ["cli", "app", "app"]
    assert list(trail["version"]) == list(range(1, 8))

    assert store.changed_layers(city, edited - 1) == frozenset({"lamps"})  # the steps were recorded at batch = edited
    assert store.changed_layers(city, edited) == frozenset()
    n = len(store.history(city, by=ADMIN))
    with pytest.raises(StoreError, match=rf"change {trail['change'].iloc[-1]}: .*cannot be reverted"):
        store.revert(city, int(trail["change"].iloc[-1]), user=ADMIN)
    assert len(store.history(city, by=ADMIN)) == n and queries.task(key, task_id, user=ADMIN, database=db).state == "closed"


def test_reverting_a_task_step_says_it_is_a_task(db, base, key):
    (task_id,) = file(db, base, key, A08)
    change = int(store.history(DbCity(key, db), by=ADMIN, layer="tasks")["change"].iloc[0])
    with pytest.raises(StoreError) as refused:
        store.revert(DbCity(key, db), change, user=ADMIN)
    assert f"task {task_id}" in str(refused.value) and "db load" not in str(refused.value)


def test_tasks_frame_has_dates_as_dates(db, base, key):
    file(db, base, key, A08)
    frame = queries.tasks(key, user=ADMIN, database=db)
    assert isinstance(frame["due"].iloc[0], dt.date) and isinstance(frame["filed_on"].iloc[0], dt.date)
    assert pd.isna(frame["closed_on"].iloc[0])


def test_a_phone_jpeg_with_a_second_picture_is_accepted():
    buf = io.BytesIO()
    main, gain_map = Image.new("RGB", (32, 24), (10, 200, 30)), Image.new("RGB", (16, 12), (90, 90, 90))
    main.save(buf, "MPO", save_all=True, append_images=[gain_map])
    data = buf.getvalue()
    assert data[:3] == b"\xff\xd8\xff"  # a JPEG file
    assert inspect_photo(data, "IMG_0001.JPG").media_type == "image/jpeg"


def test_attaching_no_photo_is_refused(db, base, key):
    (task_id,) = file(db, base, key, A08)
    with pytest.raises(StoreError):
        service.attach(key, [], user=STAFF, as_of=AS_OF, task_id=task_id, database=db)
    assert list(queries.timeline(key, task_id, user=ADMIN, database=db)["action"]) == ["file"]
