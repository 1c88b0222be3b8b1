"""QR identities: asset IDs, signed codes ``HTTPS://<HOST>/T/<ID><KEYID><TAG>``, and their checks.

``<ID>`` is a kind letter and an 8-digit serial, ``<KEYID>`` one upper-case letter naming the
signing key (several keys may verify, one issues), ``<TAG>`` the first 80 bits of
HMAC-SHA256(key, domain || host || key id || ID) in RFC 4648 base32 (16 chars, no padding).
Everything is upper case so the QR uses alphanumeric mode. Scheme and host compare
case-insensitively (phones lower-case the host); the ID/key/tag part is strict.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass

from ._errors import BadTag, ForeignCode, MalformedCode, UnknownKey

KIND_LETTERS: Mapping[str, str] = {
    "bag": "B",
    "bin": "N",
    "booth": "S",
    "transfer_room": "R",
    "vehicle": "V",
    "facility": "F",
}
_KIND_BY_LETTER = {letter: kind for kind, letter in KIND_LETTERS.items()}

SERIAL_DIGITS = 8
TAG_BITS = 80
_TAG_BYTES = TAG_BITS // 8
_TAG_CHARS = TAG_BITS // 5
_PATH = "/T/"
_SCHEME = "HTTPS://"
_DOMAIN = b"custody/qr/v1\n"
_ASSET_ID = re.compile(r"[BNSRVF][0-9]{8}")
_TOKEN = re.compile(r"([BNSRVF][0-9]{8})([A-Z])([A-Z2-7]{16})")
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?")
_KEY_ID = re.compile(r"[A-Z]")
MIN_KEY_BYTES = 16


def asset_id(kind: str, serial: int) -> str:
    """Return the asset ID for a kind and serial, e.g. ``asset_id("bag", 7) == "B00000007"``."""
    if kind not in KIND_LETTERS:
        raise ValueError(f"unknown asset kind {kind!r}; expected one of {sorted(KIND_LETTERS)}")
    if isinstance(serial, bool) or not isinstance(serial, int) or not 0 <= serial < 10**8:
        raise ValueError(f"serial must be an int in 0..99999999, got {serial!r}")
    return f"{KIND_LETTERS[kind]}{serial:0{SERIAL_DIGITS}d}"


def split_asset_id(value: str) -> tuple[str, int]:
    """Return ``(kind, serial)`` for an asset ID such as ``"B00000007"``."""
    if not isinstance(value, str) or not _ASSET_ID.fullmatch(value):
        raise MalformedCode(f"not an asset ID (kind letter + 8 digits): {value!r}")
    return _KIND_BY_LETTER[value[0]], int(value[1:])


@dataclass(frozen=True)
class ParsedCode:
    """The parts of a well-formed code; the tag is not yet checked."""

    asset_id: str
    kind: str
    serial: int
    key_id: str
    tag: str


class IdentityScheme:
    """Issues and verifies the signed QR codes of one deployment (one host, a key ring)."""

    def __init__(self, host: str, keys: Mapping[str, bytes], current_key_id: str) -> None:
        """Configure the deployment host, the verifying keys and the key used to issue."""
        if not isinstance(host, str) or not _HOST.fullmatch(host) or len(host) > 253:
            raise ValueError(f"host must be a DNS name (optionally :port), got {host!r}")
        for key_id, key in keys.items():
            if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
                raise ValueError(f"key id must be one upper-case letter A-Z, got {key_id!r}")
            if not isinstance(key, bytes | bytearray) or len(key) < MIN_KEY_BYTES:
                raise ValueError(f"key {key_id!r} must be at least {MIN_KEY_BYTES} bytes")
        if current_key_id not in keys:
            raise ValueError(f"current key id {current_key_id!r} is not among the keys")
        self.host = host.upper()
        self.current_key_id = current_key_id
        self._keys = {key_id: bytes(key) for key_id, key in keys.items()}
        self._prefix = f"{_SCHEME}{self.host}{_PATH}"
        self._lower_prefix = self._prefix[: -len(_PATH)].lower()
        self._host_bytes = host.lower().encode("ascii") + b"\n"

    def __repr__(self) -> str:
        """Show host and key ids, never key material."""
        return f"IdentityScheme(host={self.host!r}, key_ids={sorted(self._keys)!r})"

    def _tag(self, key_id: str, asset: str) -> str:
        """Compute the base32 tag of an asset ID under one key."""
        message = _DOMAIN + self._host_bytes + (key_id + asset).encode("ascii")
        digest = hmac.new(self._keys[key_id], message, hashlib.sha256).digest()
        return base64.b32encode(digest[:_TAG_BYTES]).decode("ascii")

    def make_token(self, asset: str) -> str:
        """Return the ``<ID><KEYID><TAG>`` token for an asset ID, signed with the current key."""
        split_asset_id(asset)
        return f"{asset}{self.current_key_id}{self._tag(self.current_key_id, asset)}"

    def make_code(self, asset: str) -> str:
        """Return the full upper-case URL code to print in the QR of an asset ID."""
        return self._prefix + self.make_token(asset)

    def _token_of(self, text: str) -> str:
        """Strip the scheme/host/path prefix from a URL (or a bare ``/T/`` path)."""
        if not isinstance(text, str):
            raise ForeignCode(f"not a code: {type(text).__name__}")
        if text.startswith(_PATH):
            return text[len(_PATH) :]
        head_len = len(self._prefix) - len(_PATH)
        head = text[:head_len]
        if not head.isascii() or head.lower() != self._lower_prefix:
            raise ForeignCode(f"not a code of {self.host}: {text[:80]!r}")
        if text[head_len : head_len + len(_PATH)] != _PATH:
            raise ForeignCode(f"not a code of {self.host} (path is not {_PATH}): {text[:80]!r}")
        return text[head_len + len(_PATH) :]

    @staticmethod
    def parse_token(token: str) -> ParsedCode:
        """Split a bare ``<ID><KEYID><TAG>`` token, checking its shape only."""
        match = _TOKEN.fullmatch(token) if isinstance(token, str) else None
        if match is None:
            raise MalformedCode(
                f"expected <kind letter><8 digits><key letter><16 base32 chars>, got {token!r:.80}"
            )
        asset, key_id, tag = match.groups()
        return ParsedCode(asset, _KIND_BY_LETTER[asset[0]], int(asset[1:]), key_id, tag)

    def parse(self, text: str) -> ParsedCode:
        """Split a URL code (or ``/T/`` path) of this deployment, checking its shape only."""
        return self.parse_token(self._token_of(text))

    def verify_token(self, token: str) -> str:
        """Check a bare ``<ID><KEYID><TAG>`` token and return its asset ID."""
        parsed = self.parse_token(token)
        if parsed.key_id not in self._keys:
            raise UnknownKey(f"unknown key id {parsed.key_id!r} in code for {parsed.asset_id}")
        expected = self._tag(parsed.key_id, parsed.asset_id)
        if not hmac.compare_digest(expected.encode("ascii"), parsed.tag.encode("ascii")):
            raise BadTag(f"tag does not match for {parsed.asset_id}: forged or mistyped code")
        return parsed.asset_id

    def verify(self, text: str) -> str:
        """Check a scanned URL code (or ``/T/`` path) and return its asset ID."""
        return self.verify_token(self._token_of(text))
