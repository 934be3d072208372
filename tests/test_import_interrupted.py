"""An interrupted import leaves the city whole: ``kill -9`` at every step of an import's writes, and at moments
spread over its run, leaves each layer all old or all new, backups whole, the city valid, nothing the app
would take for a city, and whatever is left over named by ``validate`` as safe to delete; a full disk names
the file and changes nothing.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from facilities import store
from facilities.errors import ImportWriteError
from facilities.importers.table import import_table
from tests.helpers import ROOT, clean_env, output_of, run_cli

# --------------------------------------------------------------------------- kill -9

MAPPING = """layer = "lamps"
lon = "lon"
lat = "lat"

[id]
column = "pole"

[defaults]
status = "existing"
lamp_type = "street"
source = "import"

[fields]
road = "street"
segment = { column = "seg" }
road_class = { column = "class" }

[derive_roads]
group = "segment"
name = "road"
road_class = "road_class"
id_prefix = "SEG-"
"""
BOUNDS = "111.9,31.9,112.2,32.2"
LAYERS = ("lamps.geojson", "roads.geojson")

#: run the CLI with SIGKILL sent to itself just before the KILL_AT-th file-system change (rename, replace,
#: link, rmdir, unlink, rmtree): every step of staging, backing up, moving into place and cleaning up
DRIVER = r"""
import os, shutil, signal, sys
kill_at, calls = int(os.environ["KILL_AT"]), [0]
def wrap(fn):
    def inner(*a, **kw):
        calls[0] += 1
        if calls[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return fn(*a, **kw)
    return inner
for name in ("replace", "rename", "link", "rmdir", "unlink"):
    setattr(os, name, wrap(getattr(os, name)))
shutil.rmtree = wrap(shutil.rmtree)
from cli import main
sys.exit(main(sys.argv[1:]))
"""


def _mapping(folder: Path) -> Path:
    path = folder / "m.toml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


def _import_lamps(csv_path: Path, mapping: Path, city: Path, *extra: str) -> subprocess.CompletedProcess:
    """``python -m facilities import table <csv> --mapping <mapping> --out <city> [extra]``."""
    return run_cli("import", "table", str(csv_path), "--mapping", str(mapping), "--out", str(city), *extra)


def _lamps_csv(path: Path, n: int, tag: str) -> Path:
    rows = ["pole,street,seg,class,lon,lat"]
    for i in range(n):
        s = i // 50
        lon, lat = 112.0 + (s % 40) * 0.002 + (i % 50) * 0.00003, 32.0 + (s // 40) * 0.002
        rows.append(f"{tag}{i},路{s},{s},{'arterial' if s % 2 else 'branch'},{lon:.6f},{lat:.6f}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def kill_setup(tmp_path_factory):
    """An existing city (old lamps and roads), a new table, and what the city's files are after a whole import."""
    base = tmp_path_factory.mktemp("kill")
    mapping = _mapping(base)
    old_city = base / "old" / "city"
    run = _import_lamps(_lamps_csv(base / "old.csv", 200, "A"), mapping, old_city, "--bounds", BOUNDS)
    assert run.returncode == 0, output_of(run)
    small, big = _lamps_csv(base / "new.csv", 300, "B"), _lamps_csv(base / "big.csv", 20000, "C")
    new = {}
    for src in (small, big):
        done = base / f"done-{src.stem}" / "city"
        shutil.copytree(old_city, done)
        run = _import_lamps(src, mapping, done, "--mode", "replace")
        assert run.returncode == 0, output_of(run)
        new[src.stem] = {n: (done / n).read_bytes() for n in LAYERS}
    old = {n: (old_city / n).read_bytes() for n in (*LAYERS, "city.toml")}
    assert all(old[n] != new["new"][n] != new["big"][n] for n in LAYERS)
    return {"base": base, "mapping": mapping, "old_city": old_city, "old": old, "new": new, "small": small, "big": big}


def _assert_whole(city: Path, old: dict[str, bytes], new: dict[str, bytes]) -> str:
    """The city after a kill: each layer all old or all new, backups whole, valid, leftovers named. Returns "old"/"new"/"mixed"."""
    states = []
    for n in LAYERS:
        data = (city / n).read_bytes()
        assert data in (old[n], new[n]), f"{n} is neither the old file nor the new one ({len(data)} bytes)"
        json.loads(data)
        states.append("old" if data == old[n] else "new")
    assert (city / "city.toml").read_bytes() == old["city.toml"]
    for bak in city.glob("*.bak-*"):
        assert bak.read_bytes() == old[bak.name.split(".bak-")[0]], f"{bak.name} is not a whole backup"
    assert not [p.name for p in city.iterdir() if p.is_dir()], "a folder inside the city"
    report = store.validate(city)
    assert report.ok, report.to_text()
    warned = {p.file for p in report.warnings if p.code == "leftover"}
    for tmp in city.glob(".*.tmp"):
        assert tmp.name in warned, f"{tmp.name} left and not reported"
    staging = city.parent / ".facilities-staging"
    for left in staging.iterdir() if staging.is_dir() else []:
        assert f"../.facilities-staging/{left.name}/" in warned, f"{left} left and not reported: {warned}"
    assert [p for p in city.parent.iterdir() if (p / "city.toml").is_file()] == [city], "something else looks like a city"
    assert {p.name for p in city.parent.iterdir()} <= {city.name, ".facilities-staging"}, "a leftover beside the city"
    return states[0] if len(set(states)) == 1 else "mixed"


@pytest.mark.slow
def test_kill_9_at_every_step_of_a_replace_leaves_each_layer_whole(kill_setup, tmp_path):
    s = kill_setup
    seen, k = [], 0
    while True:
        k += 1
        assert k < 60, "the import never finished"
        city = tmp_path / f"k{k}" / "city"
        shutil.copytree(s["old_city"], city)
        args = ["import", "table", str(s["small"]), "--mapping", str(s["mapping"]), "--out", str(city), "--mode", "replace"]
        run = subprocess.run(
            [sys.executable, "-c", DRIVER, *args], capture_output=True, text=True, cwd=ROOT, env=clean_env(KILL_AT=str(k)), timeout=300
        )
        state = _assert_whole(city, s["old"], s["new"]["new"])
        if run.returncode == 0:
            assert state == "new" and not (city.parent / ".facilities-staging").exists()
            assert len(list(city.glob("*.bak-*"))) == 2
            break
        assert run.returncode == -signal.SIGKILL, output_of(run)
        seen.append(state)
    assert seen[0] == "old" and seen[-1] == "new" and "mixed" in seen  # killed before, between and after the two layers
    assert k > 6


@pytest.mark.slow
def test_kill_9_at_every_step_of_a_new_city_leaves_no_city_or_a_whole_one(kill_setup, tmp_path):
    s = kill_setup
    k, outcomes = 0, []
    while True:
        k += 1
        assert k < 60
        data = tmp_path / f"k{k}"
        data.mkdir()
        city = data / "city"
        args = ["import", "table", str(s["small"]), "--mapping", str(s["mapping"]), "--out", str(city), "--bounds", BOUNDS]
        run = subprocess.run(
            [sys.executable, "-c", DRIVER, *args], capture_output=True, text=True, cwd=ROOT, env=clean_env(KILL_AT=str(k)), timeout=300
        )
        cities = [p for p in data.iterdir() if (p / "city.toml").is_file()]
        if city.exists():
            assert cities == [city] and store.validate(city).ok
            assert {n: (city / n).read_bytes() for n in LAYERS} == s["new"]["new"]
            outcomes.append("city")
        else:
            assert cities == []
            outcomes.append("none")
        for left in (data / ".facilities-staging").glob("*") if (data / ".facilities-staging").is_dir() else []:
            assert left.name.startswith("city.import-")
        if run.returncode == 0:
            assert outcomes[-1] == "city" and [p.name for p in data.iterdir()] == ["city"]
            break
        assert run.returncode == -signal.SIGKILL, output_of(run)
    assert outcomes[0] == "none" and "city" in outcomes


@pytest.mark.slow
def test_kill_9_at_moments_spread_over_a_big_import(kill_setup, tmp_path):
    s = kill_setup
    args = ["import", "table", str(s["big"]), "--mapping", str(s["mapping"]), "--mode", "replace"]
    plans = [("start", d) for d in (0.5, 1.5, 2.5)] + [("staging", d) for d in (0.0, 0.1, 0.3, 0.6, 1.0, 1.5)]
    states = []
    for i, (after, delay) in enumerate(plans):
        city = tmp_path / f"t{i}" / "city"
        shutil.copytree(s["old_city"], city)
        proc = subprocess.Popen([sys.executable, "-m", "facilities", *args, "--out", str(city)], cwd=ROOT, env=clean_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            if after == "staging":  # from the moment the staging folder appears
                deadline = time.monotonic() + 120
                while not (city.parent / ".facilities-staging").exists() and proc.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.005)
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait(timeout=120)
        states.append((after, delay, proc.returncode, _assert_whole(city, s["old"], s["new"]["big"])))
    assert any(code == -signal.SIGKILL for *_, code, _ in states), states  # at least some were killed mid-way


def _validate_cli(folder: Path) -> str:
    run = run_cli("validate", str(folder))
    said = output_of(run)
    assert run.returncode == 0, said
    return said


def test_validate_names_every_leftover_as_safe_to_delete(mini_city):
    city = mini_city
    feature = {
        "type": "Feature",
        "properties": {"id": "T1", "status": "existing", "grade": "A"},
        "geometry": {"type": "Point", "coordinates": [112.1, 32.0]},
    }
    layer = '{"type":"FeatureCollection","features":[\n' + json.dumps(feature) + "\n]}\n"
    (city / "toilets.geojson").write_text(layer, encoding="utf-8")
    (city / ".toilets.geojson.1a2b3c4d.tmp").write_text(layer, encoding="utf-8")
    (city / "toilets.geojson.bak-20260101T000000").write_text(layer[:90], encoding="utf-8")  # cut off
    (city / "toilets.geojson.bak-20260102T000000").write_text(layer, encoding="utf-8")  # whole: not a leftover
    for folder in (
        city.parent / ".facilities-staging" / "mini.import-abc123",
        city.parent / ".mini.import-old1",
        city / ".mini.import-old2",
    ):
        folder.mkdir(parents=True)
        (folder / "toilets.geojson").write_text(layer, encoding="utf-8")
    (city.parent / ".facilities-staging" / "other.import-x").mkdir()  # another city's: not this one's business
    said = _validate_cli(city)
    warnings = said.split("WARNINGS")[1]
    expected = {
        ".toilets.geojson.1a2b3c4d.tmp": "interrupted write of toilets.geojson",
        "toilets.geojson.bak-20260101T000000": "partial backup",
        "../.facilities-staging/mini.import-abc123/": "staging folder",
        "../.mini.import-old1/": "staging folder",
        ".mini.import-old2/": "staging folder",
    }
    for file, what in expected.items():
        line = [ln for ln in warnings.splitlines() if ln.startswith(f"  - {file} —")]
        assert len(line) == 1 and what in line[0] and "safe to delete" in line[0], f"{file}:\n{said}"
    assert "20260102" not in said and "other.import-x" not in said
    assert "valid 有效" in said


# --------------------------------------------------------------------------- disk full


def _city_with_two_layers(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    mapping = _mapping(tmp_path)
    city = tmp_path / "data" / "city"
    result = import_table(_lamps_csv(tmp_path / "old.csv", 100, "A"), city, mapping=mapping, bounds=_bounds())
    assert result.exit_code == 0, result.to_text()
    return city, mapping, {p.name: p.read_bytes() for p in city.iterdir()}


def _bounds():
    from facilities.city_config import Bounds

    return Bounds(*map(float, BOUNDS.split(",")))


def _unchanged(city: Path, before: dict[str, bytes], but: tuple[str, ...] = ()) -> None:
    now = {p.name: p.read_bytes() for p in city.iterdir() if p.name not in but}
    assert now == {k: v for k, v in before.items() if k not in but}
    assert not (city.parent / ".facilities-staging").exists()
    assert store.validate(city).ok and not store.validate(city).warnings


def test_disk_full_while_staging_names_the_file_and_changes_nothing(tmp_path, monkeypatch):
    city, mapping, before = _city_with_two_layers(tmp_path)
    real_write, real_fdopen = os.write, os.fdopen

    def full(*_):
        raise OSError(errno.ENOSPC, "No space left on device")

    def staged(fd: int) -> bool:
        try:
            return "lamps" in os.readlink(f"/proc/self/fd/{fd}") or ".facilities-staging" in os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            return False

    class Full:  # a file object whose writes fail
        def __init__(self, fh):
            self.fh = fh

        def write(self, _):
            full()

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    monkeypatch.setattr(os, "write", lambda fd, data: full() if staged(fd) else real_write(fd, data))
    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **kw: Full(real_fdopen(fd, *a, **kw)) if staged(fd) else real_fdopen(fd, *a, **kw))
    with pytest.raises(ImportWriteError) as exc:
        import_table(_lamps_csv(tmp_path / "new.csv", 300, "B"), city, mapping=mapping, mode="replace")
    msg = str(exc.value)
    assert msg.startswith("could not write lamps.geojson into") and "No space left on device" in msg and "ENOSPC" in msg
    assert "nothing was changed" in msg and "Free some disk space" in msg
    monkeypatch.undo()
    _unchanged(city, before)


def test_a_failed_move_names_the_layer_and_what_was_written(tmp_path, monkeypatch):
    city, mapping, before = _city_with_two_layers(tmp_path)
    real = os.replace

    def replace(src, dst, *a, **kw):
        if Path(dst) == city / "roads.geojson":
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real(src, dst, *a, **kw)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(ImportWriteError) as exc:
        import_table(_lamps_csv(tmp_path / "new.csv", 300, "B"), city, mapping=mapping, mode="replace")
    monkeypatch.undo()
    msg = str(exc.value)
    assert msg.startswith("could not write roads.geojson into") and "written before the error: lamps.geojson" in msg, msg
    assert (city / "roads.geojson").read_bytes() == before["roads.geojson"]  # the previous file, intact
    assert (city / "lamps.geojson").read_bytes() != before["lamps.geojson"]  # the one written before, whole
    backups = sorted(p.name.split(".bak-")[0] for p in city.glob("*.bak-*"))
    assert backups == ["lamps.geojson", "roads.geojson"]
    for bak in city.glob("*.bak-*"):
        assert bak.read_bytes() == before[bak.name.split(".bak-")[0]]
    assert not (city.parent / ".facilities-staging").exists() and store.validate(city).ok


def test_disk_full_for_real_on_a_small_tmpfs(tmp_path):
    """A real full disk: a 1 MiB tmpfs holding the city (needs root and mount; skipped otherwise)."""
    data = tmp_path / "small"
    data.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a tmpfs")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(data)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        mapping = _mapping(tmp_path)
        city = data / "city"
        run = _import_lamps(_lamps_csv(tmp_path / "old.csv", 400, "A"), mapping, city, "--bounds", BOUNDS)
        assert run.returncode == 0, output_of(run)
        before = {p.name: p.read_bytes() for p in city.iterdir()}
        run = _import_lamps(_lamps_csv(tmp_path / "new.csv", 5000, "B"), mapping, city, "--mode", "replace")
        said = output_of(run)
        assert run.returncode == 2, said
        assert "could not write lamps.geojson" in said and "No space left on device" in said and "nothing was changed" in said
        _unchanged(city, before)
        assert [p.name for p in data.iterdir()] == ["city"]
    finally:
        subprocess.run(["umount", str(data)], check=False)
