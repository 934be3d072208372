"""What the tests share, in one module (no test imports another test module or ``bench``).

- paths: :data:`ROOT`, :data:`DATA` (tests/data), :data:`DEMO` (the demo city);
- the browser: :data:`CHROMIUM` (Debian's; Playwright drives it, never ``playwright install``), :data:`FLAGS`;
- the app: :func:`streamlit_app` runs ``streamlit run app.py`` on a free loopback port, :func:`open_page`
  opens a page that records every request leaving the machine (and blocks it), :func:`open_signed_in` the same
  after signing in (as :data:`DEMO_VIEWER` unless told);
- the command line: :func:`run_cli`, :func:`add_account` (``users add``, the password on stdin);
- PostgreSQL + PostGIS: :class:`TempPostGIS`, a throw-away server on 127.0.0.1;
- hand-made cities: :func:`make_city` (geometry in metres), and city B of the stats tests;
- who acts: :data:`STAFF`, :data:`ADMIN`, :data:`LEADER`, :data:`VIEWER`, :func:`unit_user` (the services
  take a user and check its role), :func:`actor_for` (who takes a step of the case flow), and
  :func:`sign_in` (the app's sign-in page, in a browser).
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import geopandas as gpd
import pytest
from shapely import LineString, Point, box
from shapely.geometry import mapping

from facilities.auth import SYSTEM, User
from facilities.city_config import local_metric_crs

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
DEMO = ROOT / "data" / "xiangyang"

STAFF = User("wang", "王科长", "staff")
ADMIN = User("admin", "管理员", "admin")
LEADER = User("zhao", "赵主任", "leader")
VIEWER = User("guest", "访客", "viewer")


def unit_user(unit: str, login: str = "") -> User:
    """A responsible unit's user (login: ``login``, else one made from the unit's name)."""
    import hashlib

    return User(login or f"unit-{hashlib.sha1(unit.encode()).hexdigest()[:8]}", f"{unit} 联络员", "unit", unit)


def actor_for(key: str, task_id: int, target: str, database: str) -> User:
    """Who takes the step to ``target`` (a state or a step's name) on a task: staff, the task's own unit's
    user, or the system (staff when the flow has no such step: the service then says why)."""
    from facilities.errors import TaskRefused
    from facilities.tasks import flow, queries

    task = queries.task(key, task_id, user=ADMIN, database=database)
    try:
        step = flow.STEPS[target] if target in flow.STEPS else flow.step_to(task.state, target)
    except TaskRefused:
        return STAFF
    if step.by == "unit":
        return unit_user(task.unit or "")
    return SYSTEM if step.by == "system" else STAFF


def submit_sign_in(page, login: str, password: str) -> None:
    """Fill in the app's sign-in form (Chinese labels) and send it."""
    page.get_by_label("用户名", exact=True).fill(login)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()


def sign_in(page, login: str, password: str) -> None:
    """Sign in on the app's sign-in page and wait for the first page and the session cookie (set just after
    the first signed-in run: a page opened before it would be signed out)."""
    submit_sign_in(page, login, password)
    page.wait_for_selector("[data-testid='stSidebar'] button:has-text('退出登录')", timeout=60_000)
    page_ready(page)
    for _ in range(300):
        if any(c["name"] == "facilities_session" for c in page.context.cookies()):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"signed in as {login}, but the page set no session cookie within 30 s")


#: Debian's Chromium; Playwright drives it (never `playwright install`: there is no internet)
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


#: screenshots the browser tests keep, to be looked at (git-ignored)
ARTIFACTS = ROOT / "tests" / "artifacts"
#: marks of a module that drives the browser: skipped, saying why, where Chromium is not installed
BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} not installed (Debian package chromium; .ci/run installs it)"),
]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- the command line


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any FACILITIES_* setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACILITIES_")}
    env.update(extra)
    return env


def run_cli(*args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
    """``python -m facilities <args>`` from the project root, with only the settings in ``env`` (and ``stdin``
    on its standard input)."""
    return subprocess.run([sys.executable, "-m", "facilities", *args], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          input=stdin, env=clean_env(**env))  # fmt: skip


def add_account(database: str, login: str, role: str, name: str = "", unit: str = "", password: str = "") -> None:
    """``users add`` on the command line, the password on the standard input (as a script gives it)."""
    args = ["users", "add", login, "--role", role, "--name", name or login, *(("--unit", unit) if unit else ())]
    args += ["--password-stdin"] if password else ["--no-password"]
    run = run_cli(*args, stdin=password + "\n", FACILITIES_DB=database)
    assert run.returncode == 0, output_of(run)


def output_of(run: subprocess.CompletedProcess) -> str:
    """Everything a run printed; it must not be a traceback."""
    text = run.stdout + run.stderr
    assert "Traceback" not in text, text
    return text


def nothing_written(out: Path) -> None:
    """Neither the city folder ``out`` nor a staging folder beside it was created."""
    assert not out.exists(), f"{out} was created"
    assert not (out.parent / ".facilities-staging").exists()


# --------------------------------------------------------------------------- the app in a browser

LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:", "file:")


@contextmanager
def streamlit_app(
    data_dir: Path,
    city: str,
    log: Path,
    env: dict[str, str] | None = None,
    launcher: Sequence[str] = (sys.executable, "-m", "streamlit"),
    options: Sequence[str] = ("--server.address", "127.0.0.1", "--server.headless", "true"),
    port: int | None = None,
) -> Iterator[str]:
    """Start the app on ``data_dir`` (first city ``city``; its store a new SQLite file beside ``log`` unless
    ``env`` gives FACILITIES_DB) on ``port`` (a free one unless given); yield its URL; stop it. ``options``:
    Streamlit's."""
    port = port or free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("FACILITIES_")}
    # the store: a fresh SQLite file beside the log unless the test names one (never the repository's data/)
    database = f"sqlite:///{log.with_suffix('.sqlite')}"
    full_env.update({"FACILITIES_DATA_DIR": str(data_dir), "FACILITIES_CITY": city, "FACILITIES_DB": database, **(env or {})})
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*launcher, "run", str(ROOT / "app.py"), "--server.port", str(port), *options],
            cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                    break
                except OSError:
                    if proc.poll() is not None:
                        raise RuntimeError(f"streamlit exited: {log.read_text()}") from None
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"streamlit did not start within 60 s: {log.read_text()}") from None
                    time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextmanager
def demo_app(tmp_path_factory, log_name: str, as_of: str) -> Iterator[tuple[str, str]]:
    """The app on a copy of the demo city with its own SQLite store, the check date fixed: (url, database)."""
    data = tmp_path_factory.mktemp("data")
    shutil.copytree(DEMO, data / "xiangyang")
    database = f"sqlite:///{data / 'facilities.sqlite'}"
    env = {"FACILITIES_AS_OF": as_of, "FACILITIES_DB": database}
    with streamlit_app(data, "xiangyang", tmp_path_factory.mktemp("log") / log_name, env=env) as url:
        yield url, database


#: Streamlit's own marks of an app that has finished its run and is connected (as its own e2e tests wait)
APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning'][data-test-connection-state='CONNECTED']"


def page_ready(page) -> None:
    """Wait until a page of the app has drawn its title and its script run has ended.

    Streamlit marks its root element with the script's state; that, not the network falling quiet, says the
    page is drawn (a page whose components keep a request open never reaches "networkidle": the CI failure
    of test_two_tabs_the_second_save_is_refused_and_its_input_kept). The network is then given a moment to
    settle for the components' frames, without failing when it does not. A screenshot is kept on a timeout.
    """
    try:
        page.wait_for_selector("h1", timeout=120_000)  # (the first page of a fresh app builds the store)
        page.wait_for_selector(APP_IDLE, state="attached", timeout=120_000)
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "page_ready_failed.png"), full_page=True)
        raise
    with suppress(Exception):  # (the page is drawn: a component's long request is not a failure)
        page.wait_for_load_state("networkidle", timeout=15_000)
    page.wait_for_timeout(500)


def choose(page, label: str, option: str, scope=None, shot: str = "choose_failed") -> None:
    """Pick ``option`` in the select box labelled ``label`` (a screenshot ``<shot>.png`` kept when it fails)."""
    from playwright.sync_api import expect

    box = (scope or page).get_by_label(label, exact=True)
    options = page.get_by_role("option", name=option, exact=True)
    for attempt in (1, 2):  # (a rerun of the page may redraw the list while it opens: then once more)
        try:
            expect(box).to_have_count(1, timeout=60_000)  # (while a page reruns, the old widget may linger a moment)
        except AssertionError:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{shot}.png"), full_page=True)
            raise
        box.click()
        page.wait_for_timeout(300)
        try:
            if not options.count():  # (a select box inside a form, or one already showing the option, opens with the keyboard)
                box.press("ArrowDown")
            options.click(timeout=20_000)
            break
        except Exception:
            if attempt == 2:
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"{shot}.png"), full_page=True)
                raise
            page.keyboard.press("Escape")
            page.wait_for_timeout(1500)
    page.wait_for_timeout(800)


#: the demo city's read-only account (data/xiangyang/accounts.toml): what the read-only pages are looked at as
DEMO_VIEWER = ("demo-viewer", "demo-viewer-2026")


#: (app root, login) -> the browser's storage state (the session cookie) once signed in there: a later page
#: opens with it, without signing in again
_SIGNED: dict[tuple[str, str], dict] = {}
_SIGNED_IN = "[data-testid='stSidebar'] button:has-text('退出登录')"


def open_signed_in(browser, url: str, account: tuple[str, str] = DEMO_VIEWER, viewport: dict | None = None, **context):
    """:func:`open_page` of ``url`` (an app's page), signed in as ``account`` (login, password): on the app's
    sign-in page the first time, then with the session cookie that gave; returns (page, outside, errors)."""
    scheme, _, host, *path = url.split("/", 3)
    root = f"{scheme}//{host}"
    state = _SIGNED.get((root, account[0]))
    if state is not None:
        page, outside, errors = open_page(browser, url, viewport, storage_state=state, **context)
        page_ready(page)
        if page.locator(_SIGNED_IN).count():
            return page, outside, errors
        page.context.close()  # the session ended: sign in again
    page, outside, errors = open_page(browser, root, viewport, **context)
    sign_in(page, *account)  # (which waits for the session cookie)
    _SIGNED[(root, account[0])] = page.context.storage_state()
    if path and path[0]:
        page.goto(url)
        page_ready(page)
    return page, outside, errors


def open_page(browser, url: str, viewport: dict | None = None, **context):
    """A new page at ``url``; returns (page, outside, errors): requests that tried to leave the machine (all
    blocked) and the page's errors."""
    outside: list[str] = []
    ctx = browser.new_context(viewport=viewport or {"width": 1400, "height": 900}, **context)
    page = ctx.new_page()

    def route(r):
        if r.request.url.startswith(LOCAL):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    errors: list[str] = []
    # a failed load is judged by its response below (Streamlit probes <page>/_stcore/* when opened at a page's URL)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and "/_stcore/" not in r.url else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    return page, outside, errors


# --------------------------------------------------------------------------- PostgreSQL + PostGIS
# A throw-away PostgreSQL + PostGIS server (Debian's packages) on 127.0.0.1, for benchmarks and tests.


def pg_bindir() -> Path | None:
    """Debian's PostgreSQL binaries (newest version), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def postgis_available() -> str | None:
    """None if a PostGIS server can be started here, else the reason why not."""
    bindir = pg_bindir()
    if bindir is None:
        return "PostgreSQL server binaries not found (Debian package postgresql)"
    version = bindir.parent.name
    if not glob.glob(f"/usr/share/postgresql/{version}/extension/postgis.control"):
        return f"PostGIS not installed (Debian package postgresql-{version}-postgis-3)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser"
    return None


class TempPostGIS:
    def __init__(self) -> None:
        reason = postgis_available()
        if reason:
            raise RuntimeError(reason)
        self.bindir = pg_bindir()
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="pgbench-"))
        self.data = self.dir / "data"

    def _run(self, *args: str) -> None:
        cmd = [str(a) for a in args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, text=True)

    def __enter__(self) -> TempPostGIS:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(self.bindir / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        opts = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off -c synchronous_commit=off"
            " -c shared_buffers=512MB -c work_mem=256MB -c max_parallel_workers_per_gather=2"
        )
        self._run(self.bindir / "pg_ctl", "-D", self.data, "-o", opts, "-l", self.dir / "log", "-w", "-t", "60", "start")
        deadline = time.monotonic() + 30
        while True:
            try:
                with self.connect() as conn:
                    conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        return self

    @property
    def url(self) -> str:
        """The server as a SQLAlchemy URL (``FACILITIES_DB``)."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def connect(self):
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True)

    def __exit__(self, *exc: object) -> None:
        try:
            self._run(self.bindir / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def load_points(self, conn, table: str, xy) -> None:
        """Create ``table(id int, geom geometry(Point))`` from an (n, 2) array, with a GiST index."""
        conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute(f"CREATE UNLOGGED TABLE {table} (id int, x float8, y float8)")
        with conn.cursor() as cur, cur.copy(f"COPY {table} (id, x, y) FROM STDIN") as copy:
            for i, (x, y) in enumerate(xy.tolist()):
                copy.write_row((i, x, y))
        conn.execute(f"ALTER TABLE {table} ADD COLUMN geom geometry(Point)")
        conn.execute(f"UPDATE {table} SET geom = ST_MakePoint(x, y)")
        conn.execute(f"CREATE INDEX ON {table} USING gist (geom)")
        conn.execute(f"ANALYZE {table}")

    def exists_within(self, conn, targets: str, facilities: str, distance: float):
        """Ids of targets with a facility within ``distance``: EXISTS(ST_DWithin) on the GiST index."""
        rows = conn.execute(
            f"SELECT t.id FROM {targets} t WHERE EXISTS (SELECT 1 FROM {facilities} f WHERE ST_DWithin(f.geom, t.geom, %s))",
            (distance,),
        ).fetchall()
        return [r[0] for r in rows]


# --------------------------------------------------------------------------- hand-made cities


def make_city(
    folder: Path, layers: dict[str, list[tuple[dict, object]]], rules: str = "", name=("测城", "Test"), lon=112.1, lat=32.0
) -> Path:
    """Write a city whose geometries are given in metres east/north of (lon, lat)."""
    folder.mkdir(parents=True, exist_ok=True)
    crs = local_metric_crs(lon, lat)
    (folder / "city.toml").write_text(
        f"name = {json.dumps(name[0], ensure_ascii=False)}\nname_en = {json.dumps(name[1], ensure_ascii=False)}\n"
        f"[center]\nlon = {lon}\nlat = {lat}\n"
        f"[bounds]\nwest = {lon - 0.3}\nsouth = {lat - 0.3}\neast = {lon + 0.3}\nnorth = {lat + 0.3}\n",
        encoding="utf-8",
    )
    for layer, feats in layers.items():
        gs = gpd.GeoSeries([g for _, g in feats], crs=crs).to_crs(4326)
        fc = {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": p, "geometry": mapping(g)} for (p, _), g in zip(feats, gs, strict=True)],
        }
        (folder / f"{layer}.geojson").write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    (folder / "rules.toml").write_text(rules, encoding="utf-8")
    return folder


def district_zone(i: int, name: str, geom) -> tuple[dict, object]:
    return {"id": f"Z{i}", "status": "existing", "zone_type": "district", "name": name, "district": name}, geom


RULES_B = """
total = 1000
pass_mark = 850

[[rule]]
id = "dark_main"
title_zh = "主干路暗区"
title_en = "Dark main roads"
kind = "along"
weight = 100
source = "test"
roads = { where = { road_class = ["arterial", "expressway"], lit = true } }
facility = { layer = "lamps", where = { working = true } }
snap_m = 20
max_gap_m = 45

[[rule]]
id = "dark_branch"
title_zh = "支路暗区"
title_en = "Dark branch roads"
kind = "along"
weight = 100
source = "test"
roads = { where = { road_class = "branch", lit = true } }
facility = { layer = "lamps", where = { working = true } }
snap_m = 20
max_gap_m = 35

[[rule]]
id = "toilets_near"
title_zh = "景点厕所"
title_en = "Toilet near every spot"
kind = "reach"
weight = 100
source = "test"
target = { layer = "attractions" }
facility = { layer = "toilets" }
distance_m = 500

[[rule]]
id = "road_signs"
title_zh = "路名牌"
title_en = "Road-name signs"
kind = "intersections"
weight = 100
source = "test"
roads = { where = { road_class = ["arterial", "secondary"] } }
facility = { layer = "signs", where = { sign_type = "road_name" } }
distance_m = 30

[[rule]]
id = "docks"
title_zh = "码头厕所"
title_en = "Dock toilets"
kind = "reach"
weight = 200
source = "test"
target = { layer = "docks" }
facility = { layer = "toilets" }
distance_m = 200
"""


def road(i, name, cls, district, lit=True, unit="照明处"):
    return {"id": f"R{i}", "status": "existing", "name": name, "road_class": cls, "district": district, "lit": lit, "unit": unit}


def layers_b() -> dict:
    lamp_x = [*range(0, 801, 40), *range(1300, 2001, 40), 2000]  # nothing from 800 to 1300 m: a 500 m dark stretch
    return {
        "zones": [district_zone(1, "甲区", box(0, 0, 1000, 1000)), district_zone(2, "乙区", box(1000, 0, 2000, 1000))],
        "roads": [
            # 长街: one arterial road in two segments, the first in 甲区, the second in 乙区
            (road(1, "长街", "arterial", "甲区"), LineString([(0, 500), (1000, 500)])),
            (road(2, "长街", "arterial", "乙区"), LineString([(2000, 500), (1000, 500)])),
            (road(3, "短路", "branch", "甲区"), LineString([(300, 100), (300, 400)])),  # lit, no lamp: dark 300 m
            (road(4, "暗巷", "branch", "甲区", lit=False), LineString([(600, 100), (600, 400)])),  # not lit: not checked
            (road(5, "横路", "secondary", "乙区", lit=False), LineString([(1500, 0), (1500, 1000)])),  # crosses 长街 at 1500
        ],
        "lamps": [
            ({"id": f"L{i}", "status": "existing", "lamp_type": "street", "working": True}, Point(x, 505)) for i, x in enumerate(lamp_x)
        ]
        + [({"id": "L99", "status": "existing", "lamp_type": "street", "working": False}, Point(1000, 505))],
        "attractions": [
            ({"id": "A1", "status": "existing", "kind": "park", "district": "甲区", "unit": "文旅局"}, Point(100, 100)),
            ({"id": "A2", "status": "existing", "kind": "park", "district": "乙区", "unit": "文旅局"}, Point(1800, 800)),
            ({"id": "A3", "status": "existing", "kind": "park"}, Point(2500, 500)),  # no district, no unit, outside every zone
        ],
        "toilets": [({"id": "T1", "status": "existing", "grade": "A"}, Point(150, 100))],
        # a direction sign far from the crossing: the signs layer has a record (road_signs is assessed, not
        # "no data"), and no road-name sign anywhere, so the crossing at 1500 m is a gap
        "signs": [({"id": "S1", "status": "existing", "sign_type": "direction", "district": "甲区"}, Point(100, 900))],
    }


# --------------------------------------------------------------------------- known answers

#: tests/data/broken_city: every problem validation must report (code, file, feature, field, value)
EXPECTED = [
    ("json", "stops.geojson", None, None, None),
    ("not_feature_collection", "billboards.geojson", None, "type", '"Feature"'),
    ("geometry_type", "toilets.geojson", "T02 (#2)", "geometry", '"LineString"'),
    ("geometry_empty", "toilets.geojson", "T03 (#3)", "geometry", "[]"),
    ("geometry_nonfinite", "toilets.geojson", "T04 (#4)", "geometry", "[nan, 32.0]"),
    ("out_of_range", "toilets.geojson", "T05 (#5)", "geometry", "[512345.0, 3540000.0]"),
    ("out_of_bounds", "toilets.geojson", "T06 (#6)", "geometry", "[116.397, 39.909]"),
    ("swapped", "toilets.geojson", "T07 (#7)", "geometry", "[32.01, 112.12]"),
    ("id_missing", "toilets.geojson", "#8", "id", "null"),
    ("id_duplicate", "toilets.geojson", "T01 (#9)", "id", '"T01"'),
    ("required", "toilets.geojson", "T10 (#10)", "grade", "null"),
    ("type", "toilets.geojson", "T11 (#11)", "female_stalls", '"3"'),
    ("allowed", "toilets.geojson", "T12 (#12)", "grade", '"AAAA"'),
    ("range", "toilets.geojson", "T13 (#13)", "stars", "7"),
    ("type", "toilets.geojson", "T14 (#14)", "updated", '"2026/01/02"'),
    ("geometry_missing", "toilets.geojson", "T15 (#15)", "geometry", "null"),
    ("geometry_invalid", "zones.geojson", "Z2 (#2)", "geometry", '"Self-intersection[112.1 32]"'),
    ("geometry_invalid", "roads.geojson", "R1 (#1)", "geometry", '"LineString"'),
    ("type", "lamps.geojson", "L1 (#1)", "working", '"yes"'),
    ("allowed", "reports.geojson", "P1 (#1)", "status", '"done"'),
    ("encoding", "signs.geojson", None, None, None),
    ("encoding", "signs.geojson", "S1 (#1)", "text_zh", '"长虹路"'),
    ("crs", "docks.geojson", None, "crs", '"urn:ogc:def:crs:EPSG::3857"'),
]

#: ... and its warnings
EXPECTED_WARNINGS = [
    ("unknown_file", "toilet.geojson", None, None, None),
    ("district", "reports.geojson", None, "district", '"樊城区"'),
]

#: WGS-84 -> GCJ-02 pairs (lat, lon, lat, lon) published with the reference implementation
WGS_GCJ = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
    (39.90734, 116.39089, 39.90874539, 116.39713623),  # Beijing, value returned by the Gaode API
]
