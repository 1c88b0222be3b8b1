"""Reading a code a person typed or pasted: the whole QR text, its token, or the printed ID.

A camera app that does not open links still shows the QR's text (the URL), which can be
pasted; a label prints the asset ID under the QR (``B00000012``), which can be typed,
in any case, with spaces, and without the leading zeros (``b 12``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import labels

_PRINTED_ID = re.compile(r"([A-Z])0*(\d{1,8})")


@dataclass(frozen=True)
class TypedCode:
    """A verified token (from the QR text) or an asset ID (as printed on the label)."""

    token: str | None = None
    asset_id: str | None = None


def read_typed_code(identity: labels.IdentityScheme, text: str) -> TypedCode:
    """What a typed text names; labels.CodeError when it is not a genuine code or an ID."""
    compact = re.sub(r"\s+", "", text).upper().rstrip("/")
    if "/T/" in compact:
        compact = compact.rsplit("/T/", 1)[1]
    printed = _PRINTED_ID.fullmatch(compact)
    if printed and printed[1] in labels.KIND_LETTERS.values():
        asset_id = f"{printed[1]}{int(printed[2]):08d}"
        labels.split_asset_id(asset_id)
        return TypedCode(asset_id=asset_id)
    identity.verify_token(compact)
    return TypedCode(token=compact)
