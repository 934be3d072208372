"""Whole-or-absent file writes: a reader (or a killed process) never sees half a file."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)


def _write_unnamed(path: Path, data: bytes, mode: int) -> Path | None:
    """Write ``data`` to an unnamed file beside ``path`` (Linux ``O_TMPFILE``: a killed process leaves nothing)
    and only then give it a temporary name; None where the system cannot (the caller uses a named file)."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None:
        return None
    try:
        fd = os.open(path.parent, flag | os.O_WRONLY, mode)
    except OSError:  # a file system without O_TMPFILE
        return None
    try:
        _write_all(fd, data)
        os.fchmod(fd, mode)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:  # linkat(AT_SYMLINK_FOLLOW) through /proc names the file; the dir fds make Python call linkat
            os.link(f"/proc/self/fd/{fd}", tmp.name, src_dir_fd=folder, dst_dir_fd=folder, follow_symlinks=True)
        except OSError:  # no /proc
            return None
        finally:
            os.close(folder)
        return tmp
    finally:
        os.close(fd)


def _write_named(path: Path, data: bytes, mode: int) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        _write_all(fd, data)
        os.fchmod(fd, mode)  # mkstemp makes 0600; give the file the usual permissions
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)
    return Path(name)


def write_atomic(path: str | Path, text: str | bytes) -> None:
    """Write ``text`` (UTF-8) or bytes to ``path`` so that ``path`` is always the old file or the new one, whole.

    The bytes go to an unnamed file in the same folder (``O_TMPFILE``), which is named ``.<name>.<random>.tmp``
    only once complete and at once renamed over ``path``: a process killed at any moment leaves no partial file
    (at worst, killed between those two steps, a complete ``.tmp`` that ``validate`` reports). An error names
    the file: ``OSError(errno, reason, path)``, e.g. "No space left on device".
    """
    path = Path(path)
    data = text.encode("utf-8") if isinstance(text, str) else text
    umask = os.umask(0)
    os.umask(umask)
    mode = 0o666 & ~umask
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = _write_unnamed(path, data, mode) or _write_named(path, data, mode)
        try:
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None


__all__ = ["write_atomic"]
