"""The store's database backend, on both engines: SQLite (the default) and PostgreSQL + PostGIS.

Every test runs on a database of its own: a new SQLite file, or a new PostgreSQL database on one throw-away
server per module (``CREATE DATABASE t_<n>``). Tests that need the demo city loaded start from a copy of a
database the demo was loaded into once per module (SQLite: the file copied with the backup API;
PostgreSQL: ``CREATE DATABASE … TEMPLATE``); the tests of ``db load`` itself load the folder afresh.

Expected values come from the demo city's files (read with plain ``json``) or are worked out by hand.
"""

from __future__ import annotations

import itertools
import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import psycopg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from shapely.geometry import Point, shape

from facilities.auth import User
from facilities.errors import EditConflict, EditRejected, StoreError
from facilities.schema import ALL_LAYERS
from facilities.store import folder
from facilities.store.db import backend, edits, engine, tables
from facilities.store.db.edits import Edit
from tests.helpers import ADMIN, DEMO, TempPostGIS, postgis_available

REASON = postgis_available()
KEY = "xiangyang"

_numbers = itertools.count(1)


# --------------------------------------------------------------------------- the demo city, read as plain JSON

#: the people of these tests: staff edit; carol and c (administrators) also revert and delete
ALICE, BOB, DAVE, A_, B_ = (User(n, n, "staff") for n in ("alice", "bob", "dave", "a", "b"))
CAROL, C_ = User("carol", "carol", "admin"), User("c", "c", "admin")
SURVEYOR = User("surveyor", "测绘员 surveyor", "admin")


def demo_layer_files() -> list[Path]:
    files = sorted(DEMO.glob("*.geojson"))
    assert len(files) >= 10, "the demo city has lost its layer files"
    return files


def read_features(path: Path) -> dict[str, dict[str, Any]]:
    """A layer file's features by id (plain json, no project code)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out = {f["properties"]["id"]: f for f in data["features"]}
    assert len(out) == len(data["features"]), f"{path.name}: duplicate ids"
    return out


def demo_feature(layer: str, fid: str) -> dict[str, Any]:
    return read_features(DEMO / f"{layer}.geojson")[fid]


def json_value(value: Any) -> Any:
    """A JSON value for comparison: numbers as floats (10 and 10.0 are the same JSON number), booleans
    kept apart from numbers (``true`` is not ``1``)."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", float(value))
    if isinstance(value, list):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    return value


def wkt(geometry: dict[str, Any]) -> str:
    """The WKT PostGIS's ``ST_AsText`` writes for a GeoJSON geometry (shortest round-trip numbers, no space
    after the type name, ``,`` between points), written here from the coordinates alone."""

    def num(v: float) -> str:
        text = repr(float(v))
        return text[:-2] if text.endswith(".0") else text

    def pt(c: list[float]) -> str:
        return " ".join(num(v) for v in c)

    def ring(cs: list[list[float]]) -> str:
        return "(" + ",".join(pt(c) for c in cs) + ")"

    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "Point":
        return f"POINT({pt(coords)})"
    if kind == "LineString":
        return f"LINESTRING{ring(coords)}"
    if kind == "Polygon":
        return "POLYGON(" + ",".join(ring(r) for r in coords) + ")"
    raise AssertionError(f"no WKT writer here for {kind}")


# --------------------------------------------------------------------------- databases


@pytest.fixture(scope="module")
def server():
    if REASON:
        pytest.skip(f"no PostGIS here: {REASON}; .ci/run installs it")
    with TempPostGIS() as pg:
        yield pg
        engine.dispose()  # before the server stops


def pg_url(server: TempPostGIS, name: str) -> str:
    return server.url.rsplit("/", 1)[0] + "/" + name


def pg_connect(url: str):
    """A psycopg autocommit connection to the database of ``url`` (as a GIS client would open one)."""
    u = sa.engine.make_url(url)
    return psycopg.connect(host=u.host, port=u.port, user=u.username, dbname=u.database, autocommit=True)


def new_pg_database(server: TempPostGIS, template: str | None = None) -> str:
    name = f"t_{next(_numbers)}"
    engine.dispose()  # a template must have no open session
    with server.connect() as conn:
        conn.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    return pg_url(server, name)


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    """The demo city loaded once per module and backend: returns the SQLite file, or the PostgreSQL
    database's name, to copy."""
    made: dict[str, Any] = {}

    def get(kind: str, pg: TempPostGIS | None = None) -> Any:
        if kind not in made:
            if kind == "sqlite":
                path = tmp_path_factory.mktemp("template") / "store.sqlite"
                url = f"sqlite:///{path}"
            else:
                assert pg is not None
                url = new_pg_database(pg)
            result, report = backend.load_folder(DEMO, user=ADMIN, database=url)
            assert result.written and report.ok, result.problems
            engine.dispose()
            made[kind] = path if kind == "sqlite" else sa.engine.make_url(url).database
        return made[kind]

    return get


@pytest.fixture(params=["sqlite", "postgis"])
def database(request, tmp_path):
    """An empty store of its own: a new SQLite file, or a new database on the module's PostGIS server."""
    sqlite = request.param == "sqlite"
    url = f"sqlite:///{tmp_path}/store.sqlite" if sqlite else new_pg_database(request.getfixturevalue("server"))
    yield url
    engine.dispose()


@pytest.fixture
def loaded(database, request, templates):
    """A store of its own holding the demo city (key ``xiangyang``), copied from the module's template."""
    if database.startswith("sqlite"):
        path = Path(database.removeprefix("sqlite:///"))
        with closing(sqlite3.connect(templates("sqlite"))) as src, closing(sqlite3.connect(path)) as dst:
            src.backup(dst)
        return database
    pg = request.getfixturevalue("server")
    template = templates("postgis", pg)
    name = sa.engine.make_url(database).database
    engine.dispose()
    with pg.connect() as conn:
        conn.execute(f"DROP DATABASE {name}")
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    return database


@pytest.fixture
def pg_loaded(request, templates):
    """A PostGIS database of its own holding the demo city."""
    pg = request.getfixturevalue("server")
    url = new_pg_database(pg, templates("postgis", pg))
    yield url
    engine.dispose()


def all_versions(database: str, key: str = KEY) -> dict[tuple[str, str], int]:
    return {(layer, fid): v for layer in ALL_LAYERS for fid, v in edits.versions(key, layer, database=database).items()}


def audit(database: str, key: str = KEY, **filters: Any) -> pd.DataFrame:
    return edits.history(key, by=ADMIN, database=database, **filters)


def value(text: Any) -> Any:
    """An audit row's old/new JSON text as a value (a missing one as None)."""
    return None if text is None or (isinstance(text, float) and pd.isna(text)) else json.loads(text)


def newest(database: str, key: str = KEY) -> dict[str, Any]:
    return audit(database, key, limit=1).iloc[0].to_dict()


# --------------------------------------------------------------------------- db load and dump


def test_load_then_dump_round_trips_every_file(database, tmp_path):
    result, report = backend.load_folder(DEMO, user=ADMIN, database=database)
    assert result.written and report.ok
    out = tmp_path / "dumped"
    backend.dump(KEY, out, database)
    assert sorted(p.name for p in out.glob("*.geojson")) == [p.name for p in demo_layer_files()]
    for path in demo_layer_files():
        want, got = read_features(path), read_features(out / path.name)
        assert sorted(got) == sorted(want), path.name
        for fid, feature in want.items():
            assert json_value(got[fid]["properties"]) == json_value(feature["properties"]), (path.name, fid)
            assert shape(got[fid]["geometry"]).equals_exact(shape(feature["geometry"]), 1e-9), (path.name, fid)
    for name in ("city.toml", "rules.toml"):
        assert (out / name).read_text(encoding="utf-8") == (DEMO / name).read_text(encoding="utf-8"), name


def test_loaded_layers_equal_the_folder_layers(loaded):
    stored = backend.load(KEY, loaded)
    from_folder = folder.load(DEMO)
    assert set(stored.layers) == set(from_folder.layers) == set(ALL_LAYERS)
    for name, want in from_folder.layers.items():
        got = stored.layers[name]
        want = want.sort_values("id", ignore_index=True)
        got = got.sort_values("id", ignore_index=True)
        assert list(got.columns) == list(want.columns), name
        assert list(got["id"]) == list(want["id"]), name
        for column in want.columns:
            if column == "geometry":
                assert all(a.equals_exact(b, 1e-9) for a, b in zip(got.geometry, want.geometry, strict=True)), name
                continue
            assert got[column].dtype == want[column].dtype, (name, column)
            a = [None if pd.isna(v) else v for v in got[column]]
            b = [None if pd.isna(v) else v for v in want[column]]
            assert a == b, (name, column)


def test_loading_the_same_folder_again_changes_nothing_and_one_change_one_row(database, tmp_path):
    backend.load_folder(DEMO, user=ADMIN, database=database)
    features = sum(len(read_features(p)) for p in demo_layer_files())
    trail = audit(database)
    rows = len(trail)
    of_features = trail[trail["layer"].isin(list(ALL_LAYERS))]
    assert len(of_features) == features and set(of_features["action"]) == {"insert"}
    versions = all_versions(database)
    assert len(versions) == features and set(versions.values()) == {1}

    result, _ = backend.load_folder(DEMO, user=ADMIN, database=database)
    assert result.written
    assert len(audit(database)) == rows
    assert all_versions(database) == versions

    copy = tmp_path / "copy"
    shutil.copytree(DEMO, copy)
    data = json.loads((copy / "toilets.geojson").read_text(encoding="utf-8"))
    props = data["features"][1]["properties"]  # T002
    old = props["female_stalls"]
    props["female_stalls"] = old + 1
    (copy / "toilets.geojson").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    backend.load_folder(copy, KEY, user=SURVEYOR, database=database)

    trail = audit(database)
    assert len(trail) == rows + 1
    row = trail.iloc[0]
    assert (row["layer"], row["feature_id"], row["action"], row["field"]) == ("toilets", props["id"], "update", "female_stalls")
    assert (value(row["old"]), value(row["new"]), row["version"], row["user"]) == (old, old + 1, 2, SURVEYOR.login)
    after = all_versions(database)
    assert after == {**versions, ("toilets", props["id"]): 2}
    assert edits.feature(KEY, "toilets", props["id"], database=database).props["female_stalls"] == old + 1


def test_an_invalid_folder_loads_nothing(database, tmp_path):
    copy = tmp_path / "xiangyang"
    shutil.copytree(DEMO, copy)
    data = json.loads((copy / "toilets.geojson").read_text(encoding="utf-8"))
    assert data["features"][2]["properties"]["id"] == "T003"
    data["features"][2]["properties"]["grade"] = "ZZZ"
    (copy / "toilets.geojson").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    result, report = backend.load_folder(copy, user=ADMIN, database=database)
    assert not result.written and not report.ok
    found = [(p.code, p.file, p.feature, p.field, p.value) for p in result.problems]
    assert found == [("allowed", "toilets.geojson", "T003 (#3)", "grade", '"ZZZ"')]
    assert backend.cities(database) == []
    assert backend.revision(KEY, database) is None
    assert audit(database).empty
    with pytest.raises(StoreError, match="no such city"):
        backend.load(KEY, database)


# --------------------------------------------------------------------------- edits


def test_an_edit_writes_one_audit_row(loaded):
    old = demo_feature("toilets", "T001")["properties"]["grade"]
    assert old == "AAA"
    saved = edits.edit(KEY, [Edit("toilets", "T001", 1, {"grade": "AA"})], user=ALICE, note="re-graded", database=loaded)
    assert saved.changes == 1 and saved.versions == {("toilets", "T001"): 2}
    trail = audit(loaded, feature="T001")
    assert list(trail["action"]) == ["update", "insert"]
    row = trail.iloc[0]
    assert (row["layer"], row["field"], value(row["old"]), value(row["new"])) == ("toilets", "grade", "AAA", "AA")
    assert (row["user"], row["source"], row["note"], row["version"], row["batch"]) == ("alice", "app", "re-graded", 2, saved.revision)
    stored = edits.feature(KEY, "toilets", "T001", database=loaded)
    assert stored.version == 2 and stored.props["grade"] == "AA"
    assert backend.load(KEY, loaded)["toilets"].set_index("id").loc["T001", "grade"] == "AA"


def test_an_edit_on_an_old_version_is_a_conflict_naming_who_changed_what(loaded):
    edits.edit(KEY, [Edit("toilets", "T001", 1, {"grade": "AA"})], user=ALICE, database=loaded)
    rows = len(audit(loaded))
    with pytest.raises(EditConflict) as caught:
        edits.edit(KEY, [Edit("toilets", "T001", 1, {"name": "改名"})], user=BOB, database=loaded)
    [conflict] = caught.value.conflicts
    assert (conflict.layer, conflict.feature_id, conflict.seen, conflict.current) == ("toilets", "T001", 1, 2)
    assert [(c["user"], c["field"], value(c["old"]), value(c["new"])) for c in conflict.since] == [("alice", "grade", "AAA", "AA")]
    assert "alice" in str(caught.value) and "grade" in str(caught.value)
    stored = edits.feature(KEY, "toilets", "T001", database=loaded)
    assert stored.version == 2 and stored.props["name"] == demo_feature("toilets", "T001")["properties"]["name"]
    assert len(audit(loaded)) == rows


def test_an_invalid_value_is_rejected_and_nothing_is_written(loaded):
    before = edits.feature(KEY, "toilets", "T001", database=loaded)
    rows, revision = len(audit(loaded)), backend.revision(KEY, loaded)
    with pytest.raises(EditRejected) as caught:
        edits.edit(KEY, [Edit("toilets", "T001", 1, {"grade": "ZZZ"})], user=ALICE, database=loaded)
    assert [(p.field, p.value) for p in caught.value.problems] == [("grade", '"ZZZ"')]
    assert "grade" in str(caught.value)
    assert edits.feature(KEY, "toilets", "T001", database=loaded) == before
    assert len(audit(loaded)) == rows and backend.revision(KEY, loaded) == revision


def test_a_save_with_one_invalid_feature_writes_nothing_at_all(loaded):
    before = {fid: edits.feature(KEY, "toilets", fid, database=loaded) for fid in ("T001", "T002")}
    rows, revision = len(audit(loaded)), backend.revision(KEY, loaded)
    save = [Edit("toilets", "T001", 1, {"name": "新名字", "female_stalls": 20}), Edit("toilets", "T002", 1, {"stars": 9})]
    with pytest.raises(EditRejected) as caught:
        edits.edit(KEY, save, user=ALICE, database=loaded)
    assert [(p.feature, p.field) for p in caught.value.problems] == [("T002", "stars")]
    assert {fid: edits.feature(KEY, "toilets", fid, database=loaded) for fid in before} == before
    assert len(audit(loaded)) == rows and backend.revision(KEY, loaded) == revision


def test_add_move_retire_delete_a_feature(loaded):
    toilets = len(read_features(DEMO / "toilets.geojson"))
    assert "T900" not in read_features(DEMO / "toilets.geojson")
    new = Edit("toilets", "T900", None, {"name": "新厕所", "status": "new", "grade": "A"}, geometry=Point(112.1, 32.0))
    saved = edits.edit(KEY, [new], user=ALICE, database=loaded)
    assert saved.versions == {("toilets", "T900"): 1}
    row = newest(loaded)
    assert (row["feature_id"], row["action"], row["field"], row["version"]) == ("T900", "insert", "*", 1)
    assert value(row["new"]) == {"id": "T900", "name": "新厕所", "status": "new", "grade": "A"}
    assert len(backend.load(KEY, loaded)["toilets"]) == toilets + 1

    saved = edits.edit(KEY, [Edit("toilets", "T900", 1, geometry=Point(112.11, 32.01))], user=BOB, database=loaded)
    row = newest(loaded)
    assert (row["action"], row["field"], row["user"], row["version"]) == ("update", "geometry", "bob", 2)
    assert value(row["old"]) == {"type": "Point", "coordinates": [112.1, 32.0]}
    assert value(row["new"]) == {"type": "Point", "coordinates": [112.11, 32.01]}
    assert edits.feature(KEY, "toilets", "T900", database=loaded).geometry.equals_exact(Point(112.11, 32.01), 1e-9)

    edits.edit(KEY, [Edit("toilets", "T900", 2, {"status": "closed"})], user=BOB, database=loaded)
    row = newest(loaded)
    assert (row["field"], value(row["old"]), value(row["new"]), row["version"]) == ("status", "new", "closed", 3)
    assert edits.feature(KEY, "toilets", "T900", database=loaded).props["status"] == "closed"

    saved = edits.edit(KEY, [Edit("toilets", "T900", 3, delete=True)], user=CAROL, database=loaded)
    assert saved.versions == {("toilets", "T900"): None}
    row = newest(loaded)
    assert (row["feature_id"], row["action"], row["field"], row["user"], value(row["new"])) == ("T900", "delete", "*", "carol", None)
    assert value(row["old"])["status"] == "closed"
    assert edits.feature(KEY, "toilets", "T900", database=loaded) is None
    assert len(backend.load(KEY, loaded)["toilets"]) == toilets
    assert list(audit(loaded, feature="T900")["action"]) == ["delete", "update", "update", "insert"]


def test_revert_restores_the_old_value_and_is_recorded(loaded):
    edits.edit(KEY, [Edit("toilets", "T001", 1, {"grade": "AA"})], user=ALICE, database=loaded)
    change = int(newest(loaded)["change"])
    edits.edit(KEY, [Edit("toilets", "T001", 2, {"name": "改名"})], user=BOB, database=loaded)  # another field: no obstacle
    saved = edits.revert(KEY, change, user=CAROL, database=loaded)
    assert saved.versions == {("toilets", "T001"): 4}
    stored = edits.feature(KEY, "toilets", "T001", database=loaded)
    assert (stored.props["grade"], stored.props["name"], stored.version) == ("AAA", "改名", 4)
    row = newest(loaded)
    assert (row["field"], value(row["old"]), value(row["new"])) == ("grade", "AA", "AAA")
    assert (row["user"], row["source"], row["reverts"], row["version"]) == ("carol", "revert", change, 4)


def test_revert_refused_when_the_field_changed_again(loaded):
    edits.edit(KEY, [Edit("toilets", "T001", 1, {"grade": "AA"})], user=ALICE, database=loaded)
    change = int(newest(loaded)["change"])
    edits.edit(KEY, [Edit("toilets", "T001", 2, {"grade": "A"})], user=DAVE, database=loaded)
    rows, revision = len(audit(loaded)), backend.revision(KEY, loaded)
    with pytest.raises(EditConflict) as caught:
        edits.revert(KEY, change, user=CAROL, database=loaded)
    [conflict] = caught.value.conflicts
    assert [(c["user"], value(c["old"]), value(c["new"])) for c in conflict.since] == [("dave", "AA", "A")]
    stored = edits.feature(KEY, "toilets", "T001", database=loaded)
    assert (stored.props["grade"], stored.version) == ("A", 3)
    assert len(audit(loaded)) == rows and backend.revision(KEY, loaded) == revision


def test_revert_of_a_rules_change_is_refused_with_a_store_error(loaded):
    text = (DEMO / "rules.toml").read_text(encoding="utf-8")
    assert "pass_mark = 850" in text
    backend.set_rules(KEY, text.replace("pass_mark = 850", "pass_mark = 800"), user=ADMIN, database=loaded)
    row = newest(loaded)
    assert (row["layer"], row["feature_id"], row["action"]) == ("city", "rules.toml", "update")
    with pytest.raises(StoreError):
        edits.revert(KEY, int(row["change"]), user=CAROL, database=loaded)


def test_versions_and_snapshot_warn_nothing(loaded):  # a warning fails the test (pyproject: filterwarnings)
    assert len(edits.versions(KEY, "toilets", database=loaded)) == len(read_features(DEMO / "toilets.geojson"))
    gdf, versions = edits.snapshot(KEY, "toilets", database=loaded)
    assert sorted(versions) == sorted(gdf["id"])


def test_revision_grows_by_one_per_save_and_not_on_a_refused_one(loaded):
    r = backend.revision(KEY, loaded)
    assert r == 1  # the load was save number 1
    both = [Edit("toilets", "T001", 1, {"grade": "AA"}), Edit("lamps", "L00001", 1, {"working": False})]
    saved = edits.edit(KEY, both, user=A_, database=loaded)
    assert saved.revision == backend.revision(KEY, loaded) == r + 1
    with pytest.raises(EditConflict):
        edits.edit(KEY, [Edit("toilets", "T001", 1, {"grade": "A"})], user=B_, database=loaded)
    assert backend.revision(KEY, loaded) == r + 1
    with pytest.raises(EditRejected):
        edits.edit(KEY, [Edit("toilets", "T001", 2, {"grade": "ZZZ"})], user=B_, database=loaded)
    assert backend.revision(KEY, loaded) == r + 1
    change = int(newest(loaded)["change"])
    assert edits.revert(KEY, change, user=C_, database=loaded).revision == backend.revision(KEY, loaded) == r + 2
    with pytest.raises(EditConflict):
        edits.revert(KEY, change, user=C_, database=loaded)  # the field changed since (by the revert)
    assert backend.revision(KEY, loaded) == r + 2
    assert set(audit(loaded)["batch"]) == {1, 2, 3}


def test_history_filters(loaded):
    assert demo_feature("lamps", "L00001")["properties"]["working"] is True
    edits.edit(KEY, [Edit("toilets", "T001", 1, {"grade": "AA"})], user=ALICE, database=loaded)
    edits.edit(KEY, [Edit("lamps", "L00001", 1, {"working": False})], user=BOB, database=loaded)
    edits.edit(KEY, [Edit("toilets", "T002", 1, {"name": "二号"})], user=ALICE, database=loaded)

    toilets = audit(loaded, layer="toilets")
    assert set(toilets["layer"]) == {"toilets"}
    assert len(toilets) == len(read_features(DEMO / "toilets.geojson")) + 2
    assert list(toilets["feature_id"][:2]) == ["T002", "T001"]

    t001 = audit(loaded, feature="T001")
    assert list(zip(t001["action"], t001["user"], strict=True)) == [("update", "alice"), ("insert", ADMIN.login)]

    alice = audit(loaded, user="alice")
    assert list(zip(alice["feature_id"], alice["field"], strict=True)) == [("T002", "name"), ("T001", "grade")]
    bob = audit(loaded, user="bob", layer="lamps")
    assert list(zip(bob["feature_id"], bob["field"], bob["new"], strict=True)) == [("L00001", "working", "false")]
    assert audit(loaded, user="bob", layer="toilets").empty
    assert audit(loaded, feature="T001", user="bob").empty

    for frame in (audit(loaded), toilets, t001, alice):
        assert frame["change"].is_monotonic_decreasing and frame["change"].is_unique
        assert frame["at"].is_monotonic_decreasing
    assert len(audit(loaded, user="alice", limit=1)) == 1


def test_two_cities_in_one_store_are_independent(database):
    for key in ("a", "b"):
        result, _ = backend.load_folder(DEMO, key, user=ADMIN, database=database)
        assert result.written
    assert [c["key"] for c in backend.cities(database)] == ["a", "b"]
    before_b = (backend.revision("b", database), len(audit(database, "b")), all_versions(database, "b"))

    edits.edit("a", [Edit("toilets", "T001", 1, {"grade": "AA"})], user=ALICE, database=database)
    assert edits.feature("a", "toilets", "T001", database=database).props["grade"] == "AA"
    b = edits.feature("b", "toilets", "T001", database=database)
    assert (b.props["grade"], b.version) == ("AAA", 1)
    assert (backend.revision("b", database), len(audit(database, "b")), all_versions(database, "b")) == before_b
    assert audit(database, "b", user="alice").empty
    assert backend.load("b", database)["toilets"].set_index("id").loc["T001", "grade"] == "AAA"

    backend.delete_city("a", database=database)
    assert [c["key"] for c in backend.cities(database)] == ["b"]
    assert all_versions(database, "b") == before_b[2]
    assert all_versions(database, "a") == {}


def test_the_migrated_database_matches_the_declared_tables(database):
    _, write_engine = engine.engines(database)  # migrated on first use
    with write_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, tables.metadata)
    postgis = database.startswith("postgresql")
    kept = []
    for diff in diffs:
        # PostGIS only: the migration's GiST index on each layer's geometry is not declared in tables.py
        # (geoalchemy2's own spatial index is turned off there), and PostGIS's own table spatial_ref_sys
        # is not ours. Nothing else is let through.
        if postgis and diff[0] == "remove_index" and diff[1].name in {f"ix_{layer}_geom" for layer in ALL_LAYERS}:
            continue
        if postgis and diff[0] == "remove_table" and diff[1].name == "spatial_ref_sys":
            continue
        kept.append(diff)
    assert kept == []
    if postgis:
        assert len(diffs) == len(ALL_LAYERS) + 1  # the filter above hid exactly these


# --------------------------------------------------------------------------- PostGIS only


def test_postgis_layers_are_geometry_columns_with_a_gist_index(pg_loaded):
    want = read_features(DEMO / "toilets.geojson")
    gis = sa.create_engine(pg_loaded)
    try:
        gdf = gpd.read_postgis("SELECT * FROM toilets WHERE city='xiangyang'", gis, geom_col="geom")
    finally:
        gis.dispose()
    assert gdf.crs is not None and gdf.crs.to_epsg() == 4326
    assert sorted(gdf["id"]) == sorted(want)
    for row in gdf.itertuples():
        assert row.geom.equals_exact(shape(want[row.id]["geometry"]), 1e-9)
        assert row.name == want[row.id]["properties"]["name"]
    with pg_connect(pg_loaded) as conn:
        columns = dict(conn.execute("SELECT f_table_name, srid FROM geometry_columns WHERE f_geometry_column = 'geom'").fetchall())
        indexes = conn.execute("SELECT tablename, indexdef FROM pg_indexes WHERE indexdef ILIKE '%USING gist (geom)%'").fetchall()
    assert columns == dict.fromkeys(ALL_LAYERS, 4326)
    assert sorted(t for t, _ in indexes) == sorted(ALL_LAYERS)


def test_postgis_geometry_as_text_equals_the_folder_coordinates(pg_loaded):
    wanted = {
        "toilets": ["T001", "T087"],
        "roads": ["R0001", "R1517"],
        "zones": ["Z001"],
        "attractions": [f for f, ft in read_features(DEMO / "attractions.geojson").items() if ft["geometry"]["type"] == "Polygon"][:1],
        "water": ["W1"],
    }
    with pg_connect(pg_loaded) as conn:
        for layer, ids in wanted.items():
            assert ids, layer
            features = read_features(DEMO / f"{layer}.geojson")
            for fid in ids:
                got = conn.execute(f"SELECT ST_AsText(geom), ST_SRID(geom) FROM {layer} WHERE city = %s AND id = %s", (KEY, fid)).fetchone()
                assert got == (wkt(features[fid]["geometry"]), 4326), (layer, fid)


def test_postgis_an_sql_update_is_versioned_and_audited(pg_loaded):
    revision = backend.revision(KEY, pg_loaded)
    old_name = demo_feature("toilets", "T001")["properties"]["name"]
    with pg_connect(pg_loaded) as conn:
        conn.execute("UPDATE toilets SET name = %s WHERE city = %s AND id = %s", ("隆中厕所", KEY, "T001"))
    stored = edits.feature(KEY, "toilets", "T001", database=pg_loaded)
    assert (stored.version, stored.props["name"]) == (2, "隆中厕所")
    assert backend.revision(KEY, pg_loaded) == revision + 1
    trail = audit(pg_loaded, feature="T001")
    row = trail.iloc[0]
    assert len(trail) == 2  # the import's insert and this one
    assert (row["source"], row["user"], row["action"], row["field"]) == ("gis", "postgres", "update", "name")
    assert (value(row["old"]), value(row["new"]), row["version"], row["batch"]) == (old_name, "隆中厕所", 2, revision + 1)
    assert backend.load(KEY, pg_loaded)["toilets"].set_index("id").loc["T001", "name"] == "隆中厕所"
    with pytest.raises(EditConflict) as caught:  # the app user still on version 1
        edits.edit(KEY, [Edit("toilets", "T001", 1, {"grade": "AA"})], user=ALICE, database=pg_loaded)
    assert [(c["source"], c["field"]) for c in caught.value.conflicts[0].since] == [("gis", "name")]

    # a geometry moved in QGIS: recorded as GeoJSON, and the app can revert it
    old = demo_feature("toilets", "T002")["geometry"]
    with pg_connect(pg_loaded) as conn:
        conn.execute("UPDATE toilets SET geom = ST_SetSRID(ST_MakePoint(112.1, 32.0), 4326) WHERE city = %s AND id = %s", (KEY, "T002"))
    row = newest(pg_loaded)
    assert (row["feature_id"], row["field"], row["source"]) == ("T002", "geometry", "gis")
    assert json_value(value(row["old"])) == json_value(old)
    assert json_value(value(row["new"])) == json_value({"type": "Point", "coordinates": [112.1, 32.0]})
    edits.revert(KEY, int(row["change"]), user=CAROL, database=pg_loaded)
    assert edits.feature(KEY, "toilets", "T002", database=pg_loaded).geometry.equals_exact(shape(old), 1e-9)


def test_postgis_an_sql_update_that_changes_nothing_keeps_the_version(pg_loaded):
    revision = backend.revision(KEY, pg_loaded)
    with pg_connect(pg_loaded) as conn:
        conn.execute("UPDATE toilets SET name = name WHERE city = %s AND id = %s", (KEY, "T003"))
    assert len(audit(pg_loaded, feature="T003")) == 1  # no change, no row (true already)
    assert edits.feature(KEY, "toilets", "T003", database=pg_loaded).version == 1
    assert backend.revision(KEY, pg_loaded) == revision
