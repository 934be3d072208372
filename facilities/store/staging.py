"""Staging a write beside a city folder, then moving it into place one rename at a time.

The staging folder is ``<parent>/.facilities-staging/<city>.import-<random>/`` *beside* the city folder, on
its file system, so every move is an atomic rename, and never inside a folder the app lists as a city (the
app lists the folders holding ``city.toml``; staging is one level deeper). Where the city folder is itself a
mount point, staging falls back to ``<city>/.facilities-staging/``; where the parent is not writable, too.

A new city is staged whole and appears by one rename of its staging folder (:func:`move_whole`); an existing
city gets one ``os.replace`` per layer (:func:`commit`), so each layer file is always all old or all new. A
backup is a hard link to the old file (instant, no copy) or, where links are not possible, a copy made in the
staging folder and renamed into place: never a partial ``.bak``. An OSError becomes a
:class:`~facilities.errors.StoreWriteError` naming the file and what was in place before it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from facilities.city_config import CONFIG_FILE
from facilities.errors import StoreWriteError
from facilities.schema import ALL_LAYERS
from facilities.store.results import WriteResult
from facilities.validation import STAGING_DIR


def write_error(exc: OSError, name: str, out: Path, written: list[str] | None = None) -> StoreWriteError:
    """``exc`` (raised while writing ``name`` into the city ``out``) as a StoreWriteError naming both."""
    filename = str(exc.filename) if exc.filename else None
    return StoreWriteError(name, str(out), exc.strerror or str(exc), errno=exc.errno, filename=filename, written=written or [])


@contextlib.contextmanager
def writing(name: str, out: Path, written: list[str] | None = None) -> Iterator[None]:
    """Turn an OSError while writing ``name`` into a StoreWriteError naming it."""
    try:
        yield
    except OSError as exc:
        raise write_error(exc, name, out, written) from None


def _staging_root(out: Path) -> Path:
    """``.facilities-staging`` beside the city folder, on its file system (inside it if it is a mount point)."""
    real = out.resolve()
    if real.is_dir():
        try:
            if os.stat(real).st_dev != os.stat(real.parent).st_dev:
                return real / STAGING_DIR
        except OSError:
            return real / STAGING_DIR
    return real.parent / STAGING_DIR


def make_staging(out: Path, dry_run: bool) -> Path:
    """A new, empty staging folder for a write into ``out`` (anywhere temporary for a dry run)."""
    if dry_run:  # nothing is moved: anywhere will do
        return Path(tempfile.mkdtemp(prefix=f"facilities-dry-run-{out.name}-"))
    root = _staging_root(out)
    try:
        root.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f"{out.name}.import-", dir=root))
    except OSError as exc:
        if root.parent != out.resolve() and out.is_dir():  # the parent is not writable: stage inside the city folder
            try:
                inner = out.resolve() / STAGING_DIR
                inner.mkdir(exist_ok=True)
                return Path(tempfile.mkdtemp(prefix=f"{out.name}.import-", dir=inner))
            except OSError:
                pass
        raise write_error(exc, STAGING_DIR, out) from None


def remove_staging(staging: Path) -> None:
    """Remove a staging folder, and ``.facilities-staging`` with it when nothing else is staged there."""
    shutil.rmtree(staging, ignore_errors=True)
    if staging.parent.name == STAGING_DIR:
        with contextlib.suppress(OSError):
            staging.parent.rmdir()  # only when empty (another import may be staging beside this one)


def can_move_whole(staging: Path, out: Path) -> bool:
    """A new city can appear by one rename of its staging folder: the target is absent (or an empty folder)."""
    if staging.parent.parent != out.resolve().parent or out.is_symlink():
        return False
    if not out.exists():
        return True
    return out.is_dir() and not any(out.iterdir())


def move_whole(staging: Path, out: Path) -> None:
    """Rename the staging folder to ``out`` (absent or empty), with the usual folder permissions."""
    if out.is_dir():
        out.rmdir()  # empty (checked): rename needs the name free everywhere
    os.rename(staging, out)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(out, 0o777 & ~umask)  # mkdtemp makes 0700; give the city folder the usual permissions


def _backup_name(path: Path) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    candidate = path.with_name(f"{path.name}.bak-{stamp}")
    n = 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}.bak-{stamp}-{n}")
    return candidate


def _backup(dest: Path, staging: Path) -> Path:
    """Keep the current ``dest`` as ``<name>.bak-<time>``: a hard link (instant), else a copy renamed into place."""
    backup = _backup_name(dest)
    try:
        os.link(dest, backup)
    except OSError:
        tmp = staging / f"{dest.name}.bak"
        shutil.copy2(dest, tmp)
        os.replace(tmp, backup)
    return backup


def commit(result: WriteResult, staging: Path, out: Path, staged: list[str], toml: bool) -> None:
    """Move the staged layers into ``out`` one rename each (after its backup), then ``city.toml`` (a new city)."""
    written: list[str] = []
    with writing(out.name, out):
        out.mkdir(parents=True, exist_ok=True)
    for name in staged:
        filename = ALL_LAYERS[name].filename
        dest = out / filename
        with writing(filename, out, written):
            if dest.exists():
                result.layers[name].backup = _backup(dest, staging)
            os.replace(staging / filename, dest)
        written.append(filename)
    if toml:  # last: the folder is a city only once every layer is in place
        with writing(CONFIG_FILE, out, written):
            os.replace(staging / CONFIG_FILE, out / CONFIG_FILE)


__all__ = ["can_move_whole", "commit", "make_staging", "move_whole", "remove_staging", "write_error", "writing"]
