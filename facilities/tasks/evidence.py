"""Evidence photos: checked (images only, a stated size limit), named by their content's SHA-256 (so a
photo is stored once and never overwritten) and given a thumbnail for the task's timeline.

Accepted: JPEG, PNG and WebP images up to :data:`MAX_BYTES` (what phone cameras and ``st.camera_input``
produce); the image is decoded in full, so a truncated or disguised file is refused, not stored.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from facilities.errors import EvidenceRejected

#: the largest photo accepted, in bytes (a 12-megapixel phone JPEG is 3–6 MB)
MAX_BYTES = 12 * 1024 * 1024
#: the most pixels decoded (guards against decompression bombs)
MAX_PIXELS = 60_000_000
#: Pillow format -> media type
FORMATS = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# (MPO: a JPEG carrying a second picture, as phones write them, e.g. with an HDR gain map)
THUMBNAIL_PX = 240


@dataclass(frozen=True)
class Photo:
    """A checked photo: its content hash, media type, size, pixel size, bytes and a JPEG thumbnail."""

    sha256: str
    media_type: str
    size: int
    width: int
    height: int
    data: bytes
    thumbnail: bytes
    filename: str | None = None


def inspect_photo(data: bytes, filename: str | None = None) -> Photo:
    """Check ``data`` as an evidence photo; EvidenceRejected naming the file and what is accepted otherwise."""
    from PIL import Image, UnidentifiedImageError

    name = filename or "photo"
    accepted = f"a JPEG, PNG or WebP photo up to {MAX_BYTES // (1024 * 1024)} MB"
    if not data:
        raise EvidenceRejected(f"{name}: the file is empty (accepted: {accepted})")
    if len(data) > MAX_BYTES:
        raise EvidenceRejected(f"{name}: {len(data) / 1024 / 1024:.1f} MB is too large (accepted: {accepted})")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
            if fmt not in FORMATS:
                raise EvidenceRejected(f"{name}: a {fmt or 'unknown'} file is not accepted (accepted: {accepted})")
            if width * height > MAX_PIXELS:
                raise EvidenceRejected(f"{name}: {width} × {height} pixels is too large (accepted: up to {MAX_PIXELS:,} pixels)")
            probe.load()  # decode it all: a truncated or corrupt image is refused here
            thumb = probe.convert("RGB")
            thumb.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            out = io.BytesIO()
            thumb.save(out, "JPEG", quality=80)
    except EvidenceRejected:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise EvidenceRejected(f"{name}: not a readable image ({exc}) (accepted: {accepted})") from None
    return Photo(hashlib.sha256(data).hexdigest(), FORMATS[fmt], len(data), width, height, data, out.getvalue(), filename)


__all__ = ["FORMATS", "MAX_BYTES", "Photo", "inspect_photo"]
