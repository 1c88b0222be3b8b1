"""Checkpoints as C2SP signed notes (https://c2sp.org/signed-note), Ed25519 signatures.

The note text follows the tlog-checkpoint layout (https://c2sp.org/tlog-checkpoint)::

    custody.nanhu.jiaxing.cn/ledger         origin: names the ledger, and the key
    4212                                    count: records 1..4212 are pinned
    3q2+7wQ4...=                            base64 of record 4212's sha256 (the chain head)
    time 2026-11-23T02:00:00Z               extension line: when it was signed

    — custody.nanhu.jiaxing.cn/ledger AbCd...   key id (4 bytes) || Ed25519 signature

Not a tlog-checkpoint proper: its third line must be an RFC 6962 Merkle tree root,
and Custody's ledger is a hash chain, so the line holds the newest record's hash,
which commits to every record before it. The consequences: no inclusion or
consistency proofs (checking one record, or that a later checkpoint extends an
earlier one, means walking the records in between), and generic witnesses cannot
cosign it. The envelope is the standard one, so any signed-note library verifies
the signature with the published verifier key ``<name>+<key id hex>+<base64(0x01
|| public key)>``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = b"\x01"  # the signed-note signature type byte
MAX_NOTE_BYTES = 64 * 1024
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")
_TIME = re.compile(r"time (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)")


class CheckpointError(ValueError):
    """A checkpoint that cannot be trusted: malformed, or not signed by the trusted key."""


@dataclass(frozen=True)
class Checkpoint:
    """What a checkpoint states: the first ``count`` records end in ``head_hash``."""

    origin: str
    count: int
    head_hash: str  # hex sha256 of record ``count`` (64 zeros for an empty ledger)
    time: str  # RFC 3339, UTC

    def text(self) -> str:
        """The note text that is signed."""
        head = base64.b64encode(bytes.fromhex(self.head_hash)).decode()
        return f"{self.origin}\n{self.count}\n{head}\ntime {self.time}\n"


def _raw(public_key: Ed25519PublicKey) -> bytes:
    """The 32 bytes of an Ed25519 public key."""
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(name: str, public_key: Ed25519PublicKey) -> bytes:
    """The signed-note key id: SHA-256(name || 0x0A || 0x01 || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + _raw(public_key)).digest()[:4]


def _check_name(name: str) -> None:
    """Key names are non-empty, without spaces or '+'."""
    if not name or "+" in name or any(c.isspace() for c in name):
        raise CheckpointError(f"bad key name {name!r}: non-empty, no spaces, no '+'")


def verifier_key(name: str, public_key: Ed25519PublicKey) -> str:
    """The key to publish: ``<name>+<key id hex>+<base64(0x01 || public key)>``."""
    _check_name(name)
    encoded = base64.b64encode(ED25519 + _raw(public_key)).decode()
    return f"{name}+{key_id(name, public_key).hex()}+{encoded}"


def parse_verifier_key(text: str) -> tuple[str, bytes, Ed25519PublicKey]:
    """(name, key id, public key) of a published verifier key; CheckpointError if malformed."""
    try:
        name, id_hex, encoded = text.strip().split("+", 2)
        raw = base64.b64decode(encoded, validate=True)
        if len(raw) != 33 or raw[:1] != ED25519:
            raise ValueError("not an Ed25519 key (type 0x01, 32 bytes)")
        public_key = Ed25519PublicKey.from_public_bytes(raw[1:])
        given_id = bytes.fromhex(id_hex)
    except ValueError as exc:
        raise CheckpointError(f"malformed verifier key: {exc}") from exc
    _check_name(name)
    if given_id != key_id(name, public_key):
        raise CheckpointError("malformed verifier key: its key id does not match the key")
    return name, given_id, public_key


def sign_checkpoint(checkpoint: Checkpoint, private_key: Ed25519PrivateKey) -> str:
    """The signed note of a checkpoint, signed under its origin as the key name."""
    _check_name(checkpoint.origin)
    text = checkpoint.text()
    signature = key_id(checkpoint.origin, private_key.public_key()) \
        + private_key.sign(text.encode())
    return f"{text}\n\u2014 {checkpoint.origin} {base64.b64encode(signature).decode()}\n"


def open_checkpoint(note: str, trusted_key: str) -> Checkpoint:
    """The checkpoint in ``note``, once its signature by ``trusted_key`` is verified."""
    name, wanted_id, public_key = parse_verifier_key(trusted_key)
    if len(note.encode()) > MAX_NOTE_BYTES:
        raise CheckpointError("malformed checkpoint: too large")
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise CheckpointError("malformed checkpoint: control characters")
    text, sep, signatures = note.rpartition("\n\n")
    if not sep or not signatures.endswith("\n"):
        raise CheckpointError("malformed checkpoint: no signature block")
    text += "\n"
    verified = False
    for line in signatures[:-1].split("\n"):
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "\u2014":
            raise CheckpointError(f"malformed checkpoint: bad signature line {line[:80]!r}")
        try:
            blob = base64.b64decode(parts[2], validate=True)
        except ValueError as exc:
            raise CheckpointError("malformed checkpoint: signature is not base64") from exc
        if parts[1] != name or blob[:4] != wanted_id:
            continue  # someone else's signature (a witness, an old key): ignored
        try:
            public_key.verify(blob[4:], text.encode())
        except InvalidSignature as exc:
            raise CheckpointError("checkpoint signature is not valid") from exc
        verified = True
    if not verified:
        raise CheckpointError(f"checkpoint is not signed by the trusted key {name}")
    return _parse_text(text, name)


def _parse_text(text: str, key_name: str) -> Checkpoint:
    """The checkpoint fields of a verified note text."""
    lines = text[:-1].split("\n")
    if len(lines) < 4 or not all(lines):
        raise CheckpointError("malformed checkpoint: origin, count, head hash and time needed")
    origin, count, head = lines[:3]
    if origin != key_name:
        raise CheckpointError(f"checkpoint of {origin!r}, signed as {key_name!r}")
    if not _DECIMAL.fullmatch(count):
        raise CheckpointError(f"malformed checkpoint: bad count {count!r}")
    try:
        head_bytes = base64.b64decode(head, validate=True)
    except ValueError as exc:
        raise CheckpointError("malformed checkpoint: head hash is not base64") from exc
    times = [m.group(1) for m in map(_TIME.fullmatch, lines[3:]) if m]
    if len(head_bytes) != 32 or len(times) != 1:
        raise CheckpointError("malformed checkpoint: a 32-byte head hash and one time needed")
    return Checkpoint(origin, int(count), head_bytes.hex(), times[0])
