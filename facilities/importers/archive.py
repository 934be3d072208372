"""Archives (a zipped Shapefile ``.zip``, ``.kmz``, ``.xlsx``), opened without trusting what they declare.

:func:`check_archive` refuses one at once, before anything is decompressed, when it holds more members than
``MAX_ARCHIVE_MEMBERS`` (counted from the end-of-archive record, before the member list is even read) or
declares more than ``MAX_ARCHIVE_BYTES`` unpacked (both in :mod:`facilities.settings`;
``FACILITIES_MAX_ARCHIVE_MEMBERS``, ``FACILITIES_MAX_ARCHIVE_MB`` override them). Declared sizes are not
trusted alone: ``.zip``/``.kmz`` are unpacked by :func:`unpack_archive`, streaming, with a byte cap, into a
temporary folder outside the city (GDAL never opens the archive), and Python's ``zipfile`` — which
``openpyxl`` uses for ``.xlsx`` too — stops every member at its declared size and fails its CRC check if the
data runs on, so an archive that lies about its sizes is refused as damaged, never unpacked beyond them.
"""

from __future__ import annotations

import contextlib
import math
import os
import struct
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from facilities import settings
from facilities.errors import ImportUsageError


def archive_limits() -> tuple[int, int]:
    """(bytes, members) an archive may unpack to: :mod:`facilities.settings`, or the environment."""
    limits = []
    for env, default, scale, example in (
        (settings.MAX_ARCHIVE_BYTES_ENV, settings.MAX_ARCHIVE_BYTES, 1024 * 1024, "a size in MiB, e.g. 512"),
        (settings.MAX_ARCHIVE_MEMBERS_ENV, settings.MAX_ARCHIVE_MEMBERS, 1, "a whole number, e.g. 10000"),
    ):
        raw = os.environ.get(env, "").strip().replace("_", "")
        if not raw:
            limits.append(default)
            continue
        try:
            value = float(raw) if scale > 1 else int(raw)
        except ValueError:
            value = -1
        if not (math.isfinite(value) and value > 0):
            raise ImportUsageError(f"{env}={os.environ[env]!r}: not a positive number (accepted: {example})")
        limits.append(int(value * scale))
    return limits[0], limits[1]


def _mib(n: int) -> str:
    return f"{n / 1024 / 1024:,.0f} MiB" if n >= 10 * 1024 * 1024 else f"{n / 1024 / 1024:,.2f} MiB".replace(".00 MiB", " MiB")


def _declared_members(path: Path) -> int | None:
    """The member count in a zip file's end-of-archive record (ZIP64 too), read without the member list."""
    try:
        with open(path, "rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            tail_len = min(size, 22 + 65535)
            fh.seek(size - tail_len)
            tail = fh.read(tail_len)
            i = tail.rfind(b"PK\x05\x06")
            if i < 0 or len(tail) - i < 22:
                return None
            total = struct.unpack("<H", tail[i + 10 : i + 12])[0]
            locator = tail[i - 20 : i] if i >= 20 else b""
            if total == 0xFFFF and locator[:4] == b"PK\x06\x07":
                fh.seek(struct.unpack("<Q", locator[8:16])[0])
                record = fh.read(56)
                if record[:4] == b"PK\x06\x06":
                    total = struct.unpack("<Q", record[32:40])[0]
            return total
    except (OSError, struct.error):
        return None


def check_archive(path: Path, kind: str) -> list[zipfile.ZipInfo]:
    """The members of the zip archive ``path`` (a ``kind``: "zipped GIS file", "KMZ file", "Excel workbook").

    Raises ImportUsageError — naming the file and the limit, before anything is decompressed — when it
    holds more than the member limit or declares more than the byte limit unpacked (:func:`archive_limits`),
    or when it is not a readable zip archive.
    """
    max_bytes, max_members = archive_limits()
    env_b, env_m = settings.MAX_ARCHIVE_BYTES_ENV, settings.MAX_ARCHIVE_MEMBERS_ENV
    nothing = "nothing was unpacked or imported"

    def too_many(n: int) -> ImportUsageError:
        return ImportUsageError(
            f"{path.name}: the {kind} holds {n:,} members, more than the limit of {max_members:,} ({env_m}); {nothing} "
            f"(accepted: at most {max_members:,} members). If the file is genuine, raise the limit, e.g. {env_m}={n}"
        )

    declared = _declared_members(path)
    if declared is not None and declared > max_members:
        raise too_many(declared)
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, struct.error) as exc:
        raise ImportUsageError(f"{path.name}: not a readable {kind} (a zip archive): {exc}") from None
    if len(infos) > max_members:
        raise too_many(len(infos))
    total = sum(i.file_size for i in infos)
    if total > max_bytes:
        packed = path.stat().st_size
        ratio = f", {total / max(packed, 1):,.0f} times its size of {packed:,} bytes" if packed else ""
        need = math.ceil(total / 1024 / 1024)
        raise ImportUsageError(
            f"{path.name}: the {kind} would unpack to {_mib(total)} ({total:,} bytes{ratio}), more than the limit of "
            f"{_mib(max_bytes)} ({env_b}); {nothing} (accepted: archives unpacking to at most {_mib(max_bytes)}). "
            f"If the file is genuine, raise the limit, e.g. {env_b}={need}"
        )
    return infos


def _member_path(name: str) -> PurePosixPath | None:
    """A member's path inside the unpacking folder, or None to skip it (folders, macOS metadata, unsafe names)."""
    parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", ".", "..", "/")]
    if not parts or name.endswith("/") or parts[0] == "__MACOSX" or parts[-1].startswith("._") or ":" in parts[0]:
        return None
    return PurePosixPath(*parts)


def unpack_archive(path: Path, infos: list[zipfile.ZipInfo], dest: Path, kind: str) -> list[Path]:
    """Unpack ``infos`` of ``path`` into ``dest``, streaming, stopping at the byte limit; return the files written.

    Python's zipfile never gives more than a member's declared size and fails the CRC check when the data
    runs on; the running total is capped as well. ImportUsageError (naming the file) on a damaged,
    encrypted or oversized archive.
    """
    max_bytes, _ = archive_limits()
    written, total = [], 0
    try:
        with zipfile.ZipFile(path) as z:
            for info in infos:
                rel = _member_path(info.filename)
                if rel is None or info.is_dir() or (info.external_attr >> 16) & 0o170000 == 0o120000:  # (symlinks: skipped)
                    continue
                target = dest.joinpath(*rel.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with z.open(info) as src, open(target, "wb") as out:
                    while chunk := src.read(1 << 20):
                        total += len(chunk)
                        if total > max_bytes:
                            raise ImportUsageError(
                                f"{path.name}: the {kind} unpacks to more than the limit of {_mib(max_bytes)} "
                                f"({settings.MAX_ARCHIVE_BYTES_ENV}), more than it declares; nothing was imported"
                            )
                        out.write(chunk)
                written.append(target)
    except ImportUsageError:
        raise
    except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        raise ImportUsageError(
            f"{path.name}: the {kind} is damaged, encrypted or uses an unknown compression ({exc}); nothing was imported "
            "(accepted: an unencrypted zip archive, deflate or stored)"
        ) from None
    return written


@contextlib.contextmanager
def unpacked(path: Path, kind: str) -> Iterator[tuple[Path, list[Path]]]:
    """Check and unpack a zip archive into a temporary folder (outside any city); yield it and its files."""
    infos = check_archive(path, kind)
    with tempfile.TemporaryDirectory(prefix="facilities-unpack-") as tmp:
        yield Path(tmp), unpack_archive(path, infos, Path(tmp), kind)


__all__ = ["archive_limits", "check_archive", "unpack_archive", "unpacked"]
