"""Verifying the ledger and writing signed checkpoints."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import ledgercheck
from custody.db.engine import Database
from custody.db.repositories import reading, writing
from custody.domain.ledger import GENESIS_HASH, ChainBreak, ChainSegment, walk

FETCH_ROWS = 20_000  # rows per query while walking
PARALLEL_FROM = 200_000  # below this, one process is quicker than starting workers


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of walking the whole ledger."""

    count: int
    head_hash: str
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        """True when every record is intact and linked."""
        return self.broken is None


def verify(db: Database, *, workers: int | None = None) -> VerifyReport:
    """Walk the whole chain; report the first bad record and why."""
    with reading(db) as repos:
        max_seq, (head_seq, head_hash) = repos.ledger.extent()
    workers = workers or (min(os.cpu_count() or 1, 4) if max_seq >= PARALLEL_FROM else 1)
    ranges = _split(max_seq, workers)
    if len(ranges) <= 1:
        segments = [_walk_range(db.url.render_as_string(hide_password=False), 1, max_seq, db)]
    else:
        url = db.url.render_as_string(hide_password=False)
        with ProcessPoolExecutor(len(ranges)) as pool:
            segments = list(pool.map(_walk_range, [url] * len(ranges),
                                     [a for a, _ in ranges], [b for _, b in ranges]))
    expected_prev = GENESIS_HASH
    count = 0
    for (first, last), seg in zip(ranges or [(1, 0)], segments, strict=True):
        if seg.count and seg.first_prev_hash != expected_prev:
            return VerifyReport(count, expected_prev, ChainBreak(
                first, "previous-hash link does not match the record before it"))
        if seg.broken:
            return VerifyReport(count + seg.count, seg.last_hash or expected_prev, seg.broken)
        if seg.count != last - first + 1:
            return VerifyReport(count + seg.count, seg.last_hash or expected_prev, ChainBreak(
                first + seg.count, f"record {first + seg.count} is missing"))
        count += seg.count
        expected_prev = seg.last_hash or expected_prev
    if head_seq != count or head_hash != expected_prev:
        return VerifyReport(count, expected_prev, ChainBreak(
            min(head_seq, count) + 1,
            f"ledger head names record {head_seq}, but the chain ends at record {count}"))
    return VerifyReport(count, expected_prev, None)


def _split(max_seq: int, workers: int) -> list[tuple[int, int]]:
    """Cut 1..max_seq into at most ``workers`` contiguous ranges."""
    if max_seq <= 0:
        return []
    size = -(-max_seq // workers)
    return [(a, min(a + size - 1, max_seq)) for a in range(1, max_seq + 1, size)]


def _walk_range(url: str, first: int, last: int, db: Database | None = None) -> ChainSegment:
    """Walk records first..last (the first query also catches seq < 1), in chunks."""
    own = db is None
    db = db or Database(url)
    try:
        segment = None
        prev: str | None = None
        start = first
        with reading(db) as repos:
            while True:
                stop = min(start + FETCH_ROWS - 1, last)
                rows = repos.ledger.chain(start, stop)
                part = walk(rows, start_seq=start, prev_hash=prev)
                segment = part if segment is None else ChainSegment(
                    first, segment.count + part.count, segment.first_prev_hash,
                    part.last_hash or segment.last_hash, part.broken)
                if part.broken or stop >= last or part.count != stop - start + 1:
                    break
                prev, start = part.last_hash, stop + 1
        return segment or ChainSegment(first, 0, None, None, None)
    finally:
        if own:
            db.dispose()


def load_or_create_signing_key(path: Path) -> Ed25519PrivateKey:
    """The checkpoint signing key in a PEM file, made (mode 0600) on first use."""
    path = Path(path)
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 private key")
        return key
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return key


def write_verifier_key(path: Path, key: Ed25519PrivateKey, origin: str) -> str:
    """Write the public verifier key beside the private one (mode 0644); returns it."""
    published = ledgercheck.verifier_key(origin, key.public_key())
    path = Path(path)
    if not path.exists() or path.read_text().strip() != published:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(published + "\n")
        path.chmod(0o644)
    return published


def read_verifier_key(path: Path) -> str | None:
    """The published verifier key kept in ``path``, or None if there is none."""
    path = Path(path)
    return path.read_text().strip() if path.exists() else None


def make_checkpoint(db: Database, key: Ed25519PrivateKey, origin: str, *,
                    now: datetime | None = None) -> str:
    """Sign a checkpoint of the verified ledger and publish it; returns the signed note."""
    report = verify(db)
    if not report.ok:
        raise ledgercheck.CheckpointError(f"ledger does not verify at record {report.broken.seq}: "
                                 f"{report.broken.reason}")
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    stated = ledgercheck.Checkpoint(origin, report.count, report.head_hash,
                                    moment.isoformat().replace("+00:00", "Z"))
    note = ledgercheck.sign_checkpoint(stated, key)
    with writing(db) as repos:
        repos.ledger.add_checkpoint(report.count, report.head_hash, moment, note)
    return note


def latest_checkpoint(db: Database) -> str | None:
    """The newest published checkpoint's signed note, if any."""
    with reading(db) as repos:
        return repos.ledger.latest_checkpoint()


def verify_against(db: Database, checkpoint_note: str, trusted_key: str) -> VerifyReport:
    """Verify the chain, then that its first ``count`` records are those the checkpoint pinned.

    ``trusted_key`` is the published verifier key: no private key is needed or read.
    """
    pinned = ledgercheck.open_checkpoint(checkpoint_note, trusted_key)
    report = verify(db)
    if not report.ok and report.broken.seq <= pinned.count:
        return report
    if report.count < pinned.count:
        return VerifyReport(report.count, report.head_hash, ChainBreak(
            report.count + 1,
            f"checkpoint of {pinned.time} pinned {pinned.count} records; only "
            f"{report.count} remain"))
    with reading(db) as repos:
        stored = repos.ledger.hash_of(pinned.count)
    if pinned.count and stored != pinned.head_hash:
        return VerifyReport(report.count, report.head_hash, ChainBreak(
            pinned.count,
            f"history rewritten: record {pinned.count} no longer has the hash the checkpoint "
            f"of {pinned.time} signed"))
    return report
