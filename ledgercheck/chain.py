"""The ledger's canonical encoding, and the walk that checks every stored record.

Record ``n`` is sealed by ``sha256("CUSTODY1|" + f1 + "|" + ... + "|" + note)`` over the
columns of ``FIELDS`` in that order, integers in decimal, NULL as nothing, UTF-8; no
field but the note may hold ``|``. ``prev_hash`` (the hash of record ``n - 1``, 64
zeros for record 1) is one of the fields, so the records form a chain: the hash of
record ``n`` commits to records 1..n.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

FIELDS = ("seq", "prev_hash", "record_kind", "action", "source_id", "dest_id", "actor_id",
          "role", "device_time_us", "server_time_us", "lat_e7", "lon_e7", "accuracy_cm",
          "photo_sha256", "weight_g", "category", "flags", "corrects_seq", "note")
GENESIS = "0" * 64
BATCH = 10_000


def record_hash(fields: Sequence[object]) -> str | None:
    """The hex sha256 sealing a record's fields (in ``FIELDS`` order); None if malformed."""
    head = "|".join("" if v is None else str(v) for v in fields[:-1])
    if head.count("|") != len(FIELDS) - 2:
        return None  # a '|' inside a field: bytes could move between fields
    note = "" if fields[-1] is None else str(fields[-1])
    return hashlib.sha256(f"CUSTODY1|{head}|{note}".encode()).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """The outcome of a walk: intact records, and where and why it broke, if it did."""

    count: int  # records 1..count are intact and linked
    head_hash: str  # the hash of record ``count``
    hashes_at: dict[int, str]  # the hash of each record asked for, if reached
    broken_at: int | None = None
    reason: str | None = None


def walk(rows: Iterable[Sequence], pinned: Iterable[int] = ()) -> ChainReport:
    """Check rows of (*FIELDS, hash) ordered by seq; remember the hashes of ``pinned`` seqs."""
    wanted, found = set(pinned), {}
    expected, prev, count = 1, GENESIS, 0
    for row in rows:
        fields, stored = row[:-1], row[-1]
        seq = fields[0]
        if seq != expected:
            return ChainReport(count, prev, found, expected,
                               f"record {expected} is missing (next stored is {seq})")
        if fields[1] != prev:
            return ChainReport(count, prev, found, seq,
                               "its previous-hash link does not match the record before it")
        digest = record_hash(fields)
        if digest is None:
            return ChainReport(count, prev, found, seq, "a field holds the separator '|'")
        if digest != stored:
            return ChainReport(count, prev, found, seq,
                               "its content does not match its hash (record edited)")
        if seq in wanted:
            found[seq] = stored
        prev, expected, count = stored, expected + 1, count + 1
    return ChainReport(count, prev, found)


def open_read_only(url: str):
    """A read-only DB-API connection for a SQLite or PostgreSQL URL (SQLAlchemy style too)."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+")[0]
    if scheme == "sqlite":
        path = unquote(url.split(":///", 1)[1]) if ":///" in url else ""
        if not path or path == ":memory:":
            raise ValueError("a SQLite URL names a file: sqlite:////path/to/custody.sqlite")
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    if scheme in ("postgresql", "postgres"):
        import psycopg

        conn = psycopg.connect(parts._replace(scheme="postgresql").geturl())
        conn.read_only = True
        return conn
    raise ValueError(f"not a SQLite or PostgreSQL URL: {scheme or url!r}")


def check_chain(conn, pinned: Iterable[int] = ()) -> tuple[ChainReport, tuple[int, str]]:
    """Walk every record (one pass, in batches), and read the ledger head row."""
    columns = ", ".join(FIELDS)
    sql = f"SELECT {columns}, hash FROM handovers ORDER BY seq"
    if isinstance(conn, sqlite3.Connection):
        cursor = conn.execute(sql)
    else:
        cursor = conn.cursor(name="ledgercheck")  # server-side: the rows stream
        cursor.itersize = BATCH
        cursor.execute(sql)
    try:
        report = walk(_batches(cursor), pinned)
    finally:
        cursor.close()
    head = conn.execute("SELECT seq, hash FROM ledger_head").fetchone()
    return report, (int(head[0]), head[1])


def _batches(cursor) -> Iterable[Sequence]:
    """Every row of the cursor, fetched BATCH at a time."""
    while rows := cursor.fetchmany(BATCH):
        yield from rows
