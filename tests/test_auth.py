"""Who may do what, enforced where the data is changed: every guarded service action called as every role
(and as nobody), on SQLite and on PostgreSQL + PostGIS. Allowed: the call goes through (a write changes the
store; a scoped read shows a responsible unit its own unit's rows only). Refused: ``Forbidden``, and every
row of every table of the store is as it was.

The table of who may do what (:data:`ALLOWED`) is written here by hand from the roles the campaign office
asked for (issue 13), not read from :mod:`facilities.auth.roles`. The city is a small hand-made one: 240
attractions, each a toilet-reach gap (no toilet within 500 m); the first 224 are unit 甲's, the rest unit
乙's. Each case takes gaps, tasks and features of its own, so no case depends on another.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import sqlalchemy as sa
from PIL import Image
from shapely import Point

from facilities import store
from facilities.auth import User, accounts
from facilities.auth.scope import visible_city
from facilities.check import Result, check
from facilities.errors import Forbidden
from facilities.rules import city_rules
from facilities.store.db import backend, engine, tables
from facilities.store.db.edits import Edit
from facilities.tasks import queries, service
from facilities.tasks.evidence import inspect_photo
from tests.helpers import ADMIN, TempPostGIS, make_city, postgis_available

REASON = postgis_available()
AS_OF = dt.date(2026, 11, 29)
KEY = "m"
UNIT_A, UNIT_B = "甲单位 Unit A", "乙单位 Unit B"
RULES = """
deadline_days = 30

[[rule]]
id = "toilet_reach"
title_zh = "景点 500 米内有厕所"
title_en = "A toilet within 500 m of every attraction"
kind = "reach"
weight = 100
source = "test"
target = { layer = "attractions" }
facility = { layer = "toilets" }
distance_m = 500
"""
SIDE, B_FROM = 16, 224  # a 16 × 16 grid of attractions 1 km apart (240 used); unit 乙's from number 224 on

#: who acts, in every role (and nobody: no one signed in)
USERS: dict[str, User | None] = {
    "nobody": None,
    "viewer": User("v", "访客 viewer", "viewer"),
    "staff": User("s", "科员 staff", "staff"),
    "unit": User("u", "甲单位联络员", "unit", UNIT_A),
    "other unit": User("o", "乙单位联络员", "unit", UNIT_B),
    "leader": User("l", "领导 leader", "leader"),
    "admin": User("a", "管理员 admin", "admin"),
}
EVERYONE = frozenset(USERS) - {"nobody"}
TASK_READERS = frozenset({"staff", "unit", "leader", "admin"})  # a task of unit 甲: not unit 乙's user, not a viewer

#: who may take each action (the ``unit`` user is unit 甲's, whose task or facility it is), by hand
ALLOWED: dict[str, frozenset[str]] = {
    # the inventory
    "read the city": EVERYONE,
    "read the change history": frozenset({"staff", "leader", "admin"}),
    "edit a facility": frozenset({"staff", "admin"}),
    "delete a facility": frozenset({"admin"}),
    "revert a change": frozenset({"admin"}),
    "import a city": frozenset({"admin"}),
    "change the rules file": frozenset({"admin"}),
    "add a facility's photo": frozenset({"staff", "admin"}),
    "read a facility's photos": frozenset({"staff", "leader", "admin"}),
    # the case flow
    "file a task": frozenset({"staff", "admin"}),
    "dispatch": frozenset({"staff", "admin"}),
    "reject": frozenset({"staff", "admin"}),
    "accept": frozenset({"unit", "admin"}),
    "return": frozenset({"unit", "admin"}),
    "report fixed": frozenset({"unit", "admin"}),
    "verify": frozenset({"staff", "admin"}),
    "close": frozenset({"staff", "admin"}),
    "send back": frozenset({"staff", "admin"}),
    "reopen": frozenset(),  # the system's, when a later check finds the gap again: no one's by hand
    "issue notices": frozenset({"staff", "admin"}),
    "change a task's unit": frozenset({"staff", "admin"}),
    "ask for an extension": frozenset({"unit", "admin"}),
    "decide an extension": frozenset({"leader", "admin"}),
    "add a task's photo": frozenset({"staff", "unit", "admin"}),
    "list the tasks": frozenset({"staff", "unit", "other unit", "leader", "admin"}),
    "read a task": TASK_READERS,
    "read a task's timeline": TASK_READERS,
    "read a task's photo": TASK_READERS,
    "list the notices": frozenset({"staff", "unit", "other unit", "leader", "admin"}),
    "read a notice": TASK_READERS,
    # users and units
    "list the users": frozenset({"admin"}),
    "add a user": frozenset({"admin"}),
    "change a user": frozenset({"admin"}),
    "disable a user": frozenset({"admin"}),
    "reset a password": frozenset({"admin"}),
    "unlock a user": frozenset({"admin"}),
    "read the accounts' trail": frozenset({"admin"}),
    "add units": frozenset({"admin"}),
    "change a unit": frozenset({"admin"}),
}
#: the actions that only read (an allowed one must change nothing either)
READS = {a for a in ALLOWED if a.startswith(("read", "list"))}


def _photo(n: int) -> Any:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (n % 256, 90, 160)).save(out, "PNG")
    return inspect_photo(out.getvalue(), f"现场{n}.png")


def _folder(out: Path) -> Path:
    spots = []
    for i in range(SIDE * SIDE - 16):
        unit = UNIT_A if i < B_FROM else UNIT_B
        props = {"id": f"A{i:03d}", "name": f"景点{i}", "kind": "scenic_spot", "grade": "AAA", "status": "existing",
                 "district": "测区", "unit": unit}  # fmt: skip
        spots.append((props, Point((i % SIDE) * 1000 - 8000, (i // SIDE) * 1000 - 8000)))
    toilet = ({"id": "T1", "name": "远处厕所", "grade": "A", "status": "existing", "district": "测区"}, Point(20000, 20000))
    return make_city(out, {"attractions": spots, "toilets": [toilet]}, RULES)


# --------------------------------------------------------------------------- the world on one backend


@dataclass
class World:
    """The city in one database, its check on AS_OF, and what the cases have taken of it so far."""

    database: str
    folder: Path
    result: Result
    taken: Iterator[int] = field(default_factory=lambda: iter(range(B_FROM)))
    taken_b: Iterator[int] = field(default_factory=lambda: iter(range(B_FROM, SIDE * SIDE - 16)))
    n: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def source(self) -> store.DbCity:
        return store.DbCity(KEY, self.database)

    def next(self) -> int:
        return next(self.n)

    def spot(self) -> str:
        """An attraction of unit 甲 no case has used."""
        return f"A{next(self.taken):03d}"

    def spot_b(self) -> str:
        """An attraction of unit 乙 no case has used."""
        return f"A{next(self.taken_b):03d}"

    def gap(self, spot: str | None = None) -> gpd.GeoDataFrame:
        g = self.result.gaps
        return g[g["feature_id"] == (spot or self.spot())]

    def recheck(self) -> service.Recheck:
        """A check at the current revision that finds no gap (the task's gap fixed)."""
        revision = backend.revision(KEY, self.database)
        assert revision is not None
        return service.Recheck({}, revision)

    def task(self, state: str = "filed", spot: str | None = None) -> int:
        """A new task of a fresh gap, brought into ``state`` by the administrator."""
        city = store.load(self.source)
        [task_id] = service.file_tasks(KEY, city, self.gap(spot), user=ADMIN, as_of=AS_OF, database=self.database).created
        path = {"filed": (), "dispatched": ("dispatch",), "accepted": ("dispatch", "accept"),
                "submitted": ("dispatch", "accept", "submit"), "verifying": ("dispatch", "accept", "submit", "verify"),
                "closed": ("dispatch", "accept", "submit", "verify", "close")}[state]  # fmt: skip
        for step in path:
            self.move(task_id, step, ADMIN)
        return task_id

    def move(self, task_id: int, step: str, user: User | None) -> service.Task:
        photos = [_photo(task_id)] if step == "submit" else []
        return service.move(KEY, task_id, step, user=user, as_of=AS_OF, note="见现场 see on site", photos=photos,  # type: ignore[arg-type]
                            recheck=self.recheck(), database=self.database)  # fmt: skip

    def notice(self, spot: str | None = None) -> str:
        """A notice issued (by the administrator) for a new task."""
        [issued] = service.issue_notices(KEY, user=ADMIN, as_of=AS_OF, task_ids=[self.task(spot=spot)], database=self.database)
        return issued.number

    def version(self, spot: str) -> int:
        found = store.feature(self.source, "attractions", spot)
        assert found is not None
        return found.version

    def account(self) -> str:
        login = f"user{self.next()}"
        accounts.add_user(login, name="测试用户", role="viewer", password="a-long-password-1", by=ADMIN, database=self.database)
        return login


def _plain(value: Any) -> Any:
    """A column's value as something whose ``repr`` is its content (a PostGIS geometry: its hex text)."""
    if isinstance(value, memoryview):
        return bytes(value)
    desc = getattr(value, "desc", None)  # GeoAlchemy2's WKBElement
    return desc if isinstance(desc, str) else value


def fingerprint(database: str) -> str:
    """Every row of every table of the store, as one digest."""
    digest = hashlib.sha256()
    with engine.read(database) as conn:
        for table in tables.metadata.sorted_tables:
            rows = sorted(repr(tuple(map(_plain, r))) for r in conn.execute(sa.select(table)))
            digest.update(f"{table.name}:{len(rows)}\n".encode())
            for r in rows:
                digest.update(r.encode())
    return digest.hexdigest()


# --------------------------------------------------------------------------- every action: its set-up, then the call

#: what a case's set-up (made by the administrator) returns: the call to make as the user under test
Call = Callable[[User | None], Any]
#: action -> its set-up
CASES: dict[str, Callable[[World], Call]] = {}


def case(action: str) -> Callable[[Callable[[World], Call]], Callable[[World], Call]]:
    def register(setup: Callable[[World], Call]) -> Callable[[World], Call]:
        CASES[action] = setup
        return setup

    return register


def _step(action: str, state: str, step: str) -> None:
    def setup(w: World) -> Call:
        task_id = w.task(state)
        return lambda u: w.move(task_id, step, u)

    CASES[action] = setup


for _action, _state, _name in (
    ("dispatch", "filed", "dispatch"), ("reject", "filed", "reject"), ("accept", "dispatched", "accept"),
    ("return", "dispatched", "return"), ("report fixed", "accepted", "submit"), ("verify", "submitted", "verify"),
    ("close", "verifying", "close"), ("send back", "verifying", "redispatch"), ("reopen", "closed", "reopen"),
):  # fmt: skip
    _step(_action, _state, _name)


@case("read the city")
def _read_city(w: World) -> Call:
    return lambda u: visible_city(store.load(w.source), u)  # what every page reads the city through


@case("read the change history")
def _read_history(w: World) -> Call:
    return lambda u: store.history(w.source, by=u)


@case("edit a facility")
def _edit(w: World) -> Call:
    spot = w.spot()
    version = w.version(spot)
    return lambda u: store.edit(w.source, [Edit("attractions", spot, version, {"name": "新名 new name"})], user=u)


@case("delete a facility")
def _delete(w: World) -> Call:
    spot = w.spot()
    version = w.version(spot)
    return lambda u: store.edit(w.source, [Edit("attractions", spot, version, delete=True)], user=u)


@case("revert a change")
def _revert(w: World) -> Call:
    spot = w.spot()
    store.edit(w.source, [Edit("attractions", spot, w.version(spot), {"name": "改名 renamed"})], user=ADMIN)
    change = int(store.history(w.source, by=ADMIN, feature=spot, limit=1).iloc[0]["change"])
    return lambda u: store.revert(w.source, change, user=u)


@case("import a city")
def _import(w: World) -> Call:
    target = store.DbCity(f"import{w.next()}", w.database)
    return lambda u: store.load_folder(w.folder, target, user=u)


@case("change the rules file")
def _rules(w: World) -> Call:
    text = RULES + f"\n# 第 {w.next()} 版 version\n"
    return lambda u: backend.set_rules(KEY, text, user=u, database=w.database)


@case("add a facility's photo")
def _add_spot_photo(w: World) -> Call:
    spot, photo = w.spot(), _photo(w.next())
    return lambda u: service.attach(KEY, [photo], user=u, as_of=AS_OF, layer="attractions", feature_id=spot, database=w.database)


@case("read a facility's photos")
def _spot_photos(w: World) -> Call:
    spot = w.spot()
    service.attach(KEY, [_photo(w.next())], user=ADMIN, as_of=AS_OF, layer="attractions", feature_id=spot, database=w.database)
    return lambda u: queries.photos_of(KEY, user=u, layer="attractions", feature_id=spot, database=w.database)


@case("file a task")
def _file(w: World) -> Call:
    gap = w.gap()
    return lambda u: service.file_tasks(KEY, store.load(w.source), gap, user=u, as_of=AS_OF, database=w.database)


@case("issue notices")
def _issue(w: World) -> Call:
    task_id = w.task()
    return lambda u: service.issue_notices(KEY, user=u, as_of=AS_OF, task_ids=[task_id], database=w.database)


@case("change a task's unit")
def _reassign(w: World) -> Call:
    task_id = w.task()
    return lambda u: service.reassign(KEY, task_id, "丙单位 Unit C", user=u, as_of=AS_OF, database=w.database)


@case("ask for an extension")
def _ask(w: World) -> Call:
    task_id = w.task("dispatched")
    later = AS_OF + dt.timedelta(days=60)
    return lambda u: service.request_extension(KEY, task_id, later, reason="雨季 rainy season", user=u, as_of=AS_OF, database=w.database)


@case("decide an extension")
def _decide(w: World) -> Call:
    task_id = w.task("dispatched")
    later = AS_OF + dt.timedelta(days=60)
    service.request_extension(KEY, task_id, later, reason="雨季 rainy season", user=ADMIN, as_of=AS_OF, database=w.database)
    return lambda u: service.decide_extension(KEY, task_id, approve=True, user=u, as_of=AS_OF, database=w.database)


@case("add a task's photo")
def _add_task_photo(w: World) -> Call:
    task_id, photo = w.task("accepted"), _photo(w.next())
    return lambda u: service.attach(KEY, [photo], user=u, as_of=AS_OF, task_id=task_id, database=w.database)


@case("list the tasks")
def _list_tasks(w: World) -> Call:
    w.task("dispatched")
    w.task("dispatched", w.spot_b())
    return lambda u: queries.tasks(KEY, user=u, database=w.database)


@case("read a task")
def _read_task(w: World) -> Call:
    task_id = w.task("dispatched")
    return lambda u: queries.task(KEY, task_id, user=u, database=w.database)


@case("read a task's timeline")
def _timeline(w: World) -> Call:
    task_id = w.task("dispatched")
    return lambda u: queries.timeline(KEY, task_id, user=u, database=w.database)


@case("read a task's photo")
def _task_photo(w: World) -> Call:
    task_id = w.task("dispatched")
    [sha] = service.attach(KEY, [_photo(w.next())], user=ADMIN, as_of=AS_OF, task_id=task_id, database=w.database)
    return lambda u: queries.photo(sha, user=u, database=w.database)


@case("list the notices")
def _list_notices(w: World) -> Call:
    w.notice()
    w.notice(w.spot_b())
    return lambda u: queries.notices(KEY, user=u, database=w.database)


@case("read a notice")
def _read_notice(w: World) -> Call:
    number = w.notice()
    return lambda u: queries.notice(KEY, number, user=u, database=w.database)


@case("list the users")
def _users(w: World) -> Call:
    return lambda u: accounts.users(by=u, database=w.database)


@case("add a user")
def _add_user(w: World) -> Call:
    login = f"new{w.next()}"
    return lambda u: accounts.add_user(login, name="新人", role="viewer", password="a-long-password-1", by=u, database=w.database)


@case("change a user")
def _change_user(w: World) -> Call:
    login = w.account()
    return lambda u: accounts.update_user(login, name="改名", by=u, database=w.database)


@case("disable a user")
def _disable(w: World) -> Call:
    login = w.account()
    return lambda u: accounts.set_active(login, False, by=u, database=w.database)


@case("reset a password")
def _reset(w: World) -> Call:
    login = w.account()
    return lambda u: accounts.set_password(login, "another-password-2", by=u, database=w.database)


@case("unlock a user")
def _unlock(w: World) -> Call:
    login = w.account()
    return lambda u: accounts.unlock(login, by=u, database=w.database)


@case("read the accounts' trail")
def _trail(w: World) -> Call:
    w.account()
    return lambda u: accounts.events(by=u, database=w.database)


@case("add units")
def _add_units(w: World) -> Call:
    name = f"新单位 {w.next()}"
    return lambda u: accounts.add_units(KEY, [name], by=u, database=w.database)


@case("change a unit")
def _change_unit(w: World) -> Call:
    name = f"单位 {w.next()}"
    accounts.add_units(KEY, [name], by=ADMIN, database=w.database)
    return lambda u: accounts.update_unit(KEY, name, contact="张三", by=u, database=w.database)


def test_every_action_has_a_case_and_a_row():
    assert set(CASES) == set(ALLOWED)


# --------------------------------------------------------------------------- both backends


def _world(database: str, tmp: Path) -> World:
    folder = _folder(tmp / "city")
    store.load_folder(folder, store.DbCity(KEY, database), user=ADMIN)
    city = store.load(store.DbCity(KEY, database))
    result = check(city, city_rules(city), AS_OF)
    assert len(result.gaps) == SIDE * SIDE - 16  # every attraction is a gap (the one toilet is 20 km away)
    return World(database, folder, result)


@pytest.fixture(scope="module")
def sq(tmp_path_factory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("auth")
    yield _world(f"sqlite:///{tmp}/store.sqlite", tmp)
    engine.dispose()


@pytest.fixture(scope="module")
def pg(tmp_path_factory) -> Iterator[World]:
    if REASON:
        pytest.skip(f"no PostGIS here: {REASON}; .ci/run installs it")
    with TempPostGIS() as server:
        with server.connect() as conn:
            conn.execute("CREATE DATABASE auth_matrix")
        yield _world(server.url.rsplit("/", 1)[0] + "/auth_matrix", tmp_path_factory.mktemp("auth"))
        engine.dispose()  # before the server stops


@pytest.fixture(params=["sqlite", "postgis"])
def world(request) -> World:
    return request.getfixturevalue("sq" if request.param == "sqlite" else "pg")


@pytest.mark.parametrize("action", list(ALLOWED))
def test_every_role_is_allowed_or_refused_and_refused_changes_nothing(world, action):
    wrong = []
    for role, user in USERS.items():
        call = CASES[action](world)
        before = fingerprint(world.database)
        try:
            out = call(user)
        except Forbidden as exc:
            if role in ALLOWED[action]:
                wrong.append(f"{role}: refused ({exc})")
            elif fingerprint(world.database) != before:
                wrong.append(f"{role}: refused, but the store changed")
            elif not any(ch >= "\u4e00" for ch in str(exc)):
                wrong.append(f"{role}: the refusal is not said in Chinese: {exc}")
            continue
        if role not in ALLOWED[action]:
            wrong.append(f"{role}: allowed")
        elif (fingerprint(world.database) == before) != (action in READS):
            wrong.append(f"{role}: {'a read changed the store' if action in READS else 'allowed, but nothing was written'}")
        else:
            _scoped(world, action, role, out, wrong)
    assert not wrong, f"{action}: " + "; ".join(wrong)


def _scoped(w: World, action: str, role: str, out: Any, wrong: list[str]) -> None:
    """A responsible unit's user reads its own unit's rows only (all of them); everyone else every unit's."""
    own = {"unit": UNIT_A, "other unit": UNIT_B}.get(role)
    if action == "read the city":
        everything = store.load(w.source)["attractions"]
        expected = everything if own is None else everything[everything["unit"] == own]
        if sorted(out["attractions"]["id"]) != sorted(expected["id"]):
            wrong.append(f"{role}: sees {len(out['attractions'])} attractions of {set(out['attractions']['unit'])}")
    if action in ("list the tasks", "list the notices"):
        units = set(out["unit"])
        if (own is not None and units != {own}) or (own is None and not {UNIT_A, UNIT_B} <= units):
            wrong.append(f"{role}: sees the {action.split()[-1]} of {units}")
