"""A scan's photo: decode it, keep it, and verify each code it holds (no lock, no database).

The decoder (``scanners``) gives the codes' texts and the camera's EXIF; a photo
it cannot use is refused (``NotAPhoto``, ``PhotoTooLarge``, ``UnreadablePhoto``)
and not kept. A usable photo is stored under its sha256, then each code is checked
against the label scheme (``labels.IdentityScheme.verify``): a forged or foreign
code is reported, not an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import labels
import scanners
from custody.domain.errors import NotAPhoto, PhotoTooLarge, UnreadablePhoto
from custody.services.photos import PhotoStore


@dataclass
class PhotoReading:
    """What the photo says, found before any lock is taken."""

    sha256: str  # where the photo is stored
    codes: list[dict] = field(default_factory=list)  # a report per code read
    genuine: dict[str, dict] = field(default_factory=dict)  # asset id -> its code's report
    metadata: scanners.PhotoMetadata = field(default_factory=scanners.PhotoMetadata)


def read_photo(photo: bytes, sha256: str, *, read: Callable[[bytes], scanners.PhotoContents],
               photos: PhotoStore, identity: labels.IdentityScheme) -> PhotoReading:
    """Decode the photo and read its EXIF, store it, verify its codes; a PhotoRefused error
    when it is no usable photo."""
    try:
        contents = read(photo)
    except scanners.ScanError as exc:
        kind = type(exc).__name__
        if isinstance(exc, scanners.DecodeFailed):
            raise UnreadablePhoto(str(exc), kind) from exc
        if isinstance(exc, scanners.ImageTooLarge):
            raise PhotoTooLarge(str(exc), kind) from exc
        raise NotAPhoto(str(exc), kind) from exc
    sha = photos.put(photo, sha256=sha256)
    codes, genuine = verify_codes(identity, contents.codes)
    return PhotoReading(sha, codes, genuine, contents.metadata)


def verify_codes(identity: labels.IdentityScheme, decoded: list
                 ) -> tuple[list[dict], dict[str, dict]]:
    """Each decoded text checked: (report per code, {asset id: its report} for genuine ones)."""
    codes, ids = [], {}
    for item in decoded:
        entry = {"text": item.text, "engine": item.engine}
        try:
            asset_id = identity.verify(item.text)
        except labels.CodeError as exc:
            entry.update(status=type(exc).__name__, message=str(exc))
        else:
            entry.update(status="ok", asset_id=asset_id)
            ids[asset_id] = entry
        codes.append(entry)
    return codes, ids
