"""Signed checkpoints: a published (count, head hash, time) that pins history.

A checkpoint is signed with Ed25519. Anyone holding the public key can check
that the ledger still holds the same first ``count`` records, even if someone
with database access rewrote history and recomputed every hash after it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

CHECKPOINT_FORMAT = "custody-checkpoint/1"


class CheckpointError(ValueError):
    """A checkpoint that cannot be trusted: malformed or badly signed."""


@dataclass(frozen=True)
class Checkpoint:
    """What a checkpoint states about the ledger."""

    count: int
    head_hash: str
    time: str
    key_id: str

    def message(self) -> bytes:
        """The exact bytes that are signed."""
        parts = (CHECKPOINT_FORMAT, self.count, self.head_hash, self.time, self.key_id)
        return "|".join(map(str, parts)).encode()


def key_id_of(public_key: Ed25519PublicKey) -> str:
    """A short, stable name for a public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b32encode(raw).decode()[:12]


def sign(checkpoint_fields: dict, private_key: Ed25519PrivateKey) -> str:
    """The checkpoint as a JSON document with its signature."""
    cp = Checkpoint(key_id=key_id_of(private_key.public_key()), **checkpoint_fields)
    signature = base64.b64encode(private_key.sign(cp.message())).decode()
    public = private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    doc = {"format": CHECKPOINT_FORMAT, **asdict(cp), "signature": signature,
           "public_key": base64.b64encode(public).decode()}
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def load_and_check(text: str, public_key: Ed25519PublicKey) -> Checkpoint:
    """Parse a checkpoint document and check its signature against the trusted key."""
    try:
        doc = json.loads(text)
        if doc.get("format") != CHECKPOINT_FORMAT:
            raise CheckpointError(f"not a {CHECKPOINT_FORMAT} document")
        cp = Checkpoint(int(doc["count"]), str(doc["head_hash"]), str(doc["time"]),
                        str(doc["key_id"]))
        signature = base64.b64decode(doc["signature"], validate=True)
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"malformed checkpoint: {exc}") from exc
    if cp.key_id != key_id_of(public_key):
        raise CheckpointError(f"checkpoint signed by key {cp.key_id}, not the trusted key")
    try:
        public_key.verify(signature, cp.message())
    except InvalidSignature as exc:
        raise CheckpointError("checkpoint signature is not valid") from exc
    return cp
