"""HEIC and AVIF support for Pillow, registered once, for every module that opens photos."""

from __future__ import annotations

import functools

__all__ = ["register_heif"]


@functools.cache
def register_heif() -> None:
    """Teach Pillow to open HEIC/AVIF, once per process."""
    from pillow_heif import register_heif_opener  # heavy: only when a photo is opened

    register_heif_opener()
