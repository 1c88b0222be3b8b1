"""The ledger's canonical encoding, record hashes and chain verification.

A record's hash is sha256 over ``CUSTODY1|`` followed by its fields in the
order of ``LEDGER_FIELDS``, each written as text (``None`` as nothing) and
joined by ``|``, with the free-text note last. Every field but the note comes
from a closed alphabet without ``|``; verification checks that, so no edit can
move bytes from one field into another and keep the hash. The previous
record's hash is one of the fields, which chains the records: editing,
deleting, inserting or reordering any stored record breaks the chain at that
point.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

GENESIS_HASH = "0" * 64

# The order is part of the encoding: changing it changes every hash.
LEDGER_FIELDS: tuple[str, ...] = (
    "seq",
    "prev_hash",
    "record_kind",
    "action",
    "source_id",
    "dest_id",
    "actor_id",
    "role",
    "device_time_us",
    "server_time_us",
    "lat_e7",
    "lon_e7",
    "accuracy_cm",
    "photo_sha256",
    "weight_g",
    "category",
    "flags",
    "corrects_seq",
    "note",
)
_SEPARATORS_BEFORE_NOTE = len(LEDGER_FIELDS) - 2
_PREFIX = "CUSTODY1|"


class MalformedRecord(ValueError):
    """A stored field holds a value no honest writer produces."""


def canonical_bytes(fields: Sequence[object]) -> bytes:
    """The canonical encoding of one record's fields, in ``LEDGER_FIELDS`` order."""
    head = "|".join(["" if v is None else str(v) for v in fields[:-1]])
    if head.count("|") != _SEPARATORS_BEFORE_NOTE:
        raise MalformedRecord("a field holds the separator '|'")
    note = fields[-1]
    return (_PREFIX + head + "|" + ("" if note is None else str(note))).encode("utf-8")


def record_hash(fields: Sequence[object]) -> str:
    """The hex sha256 that seals a record."""
    return hashlib.sha256(canonical_bytes(fields)).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """The first record where the chain does not hold, and why."""

    seq: int
    reason: str


@dataclass(frozen=True)
class ChainSegment:
    """The outcome of walking a run of consecutive records."""

    first_seq: int
    count: int
    first_prev_hash: str | None
    last_hash: str | None
    broken: ChainBreak | None


def walk(rows: Iterable[Sequence], *, start_seq: int, prev_hash: str | None) -> ChainSegment:
    """Walk rows of (seq, prev_hash, head, note, stored hash) ordered by seq.

    ``head`` is every field but the note, written as text and joined by ``|``
    exactly as ``canonical_bytes`` does (the database can build it; see
    custody.services.ledger). ``prev_hash`` is the hash the first row must
    point at, or None when the caller checks the joint between segments itself.
    """
    expected_seq = start_seq
    expected_prev = prev_hash
    first_prev: str | None = None
    last_hash: str | None = None
    count = 0
    sha256 = hashlib.sha256
    separators = _SEPARATORS_BEFORE_NOTE
    for seq, prev, head, note, stored in rows:
        if count == 0:
            first_prev = prev
        broken = None
        if seq != expected_seq:
            broken = ChainBreak(expected_seq,
                                f"record {expected_seq} is missing (next stored is {seq})")
        elif expected_prev is not None and prev != expected_prev:
            broken = ChainBreak(seq, "previous-hash link does not match the record before it")
        elif head.count("|") != separators:
            broken = ChainBreak(seq, "a field holds the separator '|'")
        elif sha256((_PREFIX + head + "|" + (note or "")).encode()).hexdigest() != stored:
            broken = ChainBreak(seq, "content does not match its hash (record edited)")
        if broken is not None:
            return ChainSegment(start_seq, count, first_prev, last_hash, broken)
        expected_prev = last_hash = stored
        expected_seq += 1
        count += 1
    return ChainSegment(start_seq, count, first_prev, last_hash, None)


def head_text(fields: Sequence[object]) -> str:
    """Every field but the note as the text the hash covers (for rows read field by field)."""
    return "|".join(["" if v is None else str(v) for v in fields[:-1]])
