"""Recording handovers into the ledger: the rules, the hash chain, the derived state.

``record`` and ``record_many`` run their own transaction; ``append`` and
``append_all`` run inside the caller's (a scan's, a correction's). The work is
the ``Appender``'s (``custody.services.handover_appender``): lock the head,
read the assets and actors (``custody.services.asset_states``), check each draft
against the custody rules, seal it into the hash chain, then write the records,
the asset states and the rollup amounts together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from custody.db.engine import Database
from custody.db.repositories import Connection, writing
from custody.domain.errors import DomainError
from custody.domain.model import HandoverDraft
from custody.domain.outcomes import RecordedHandover
from custody.services.handover_appender import Appender

__all__ = ["RecordedHandover", "append", "append_all", "record", "record_many"]

T = TypeVar("T")


def record(db: Database, draft: HandoverDraft, *, max_speed_kmh: float = 120.0,
           now: datetime | None = None) -> RecordedHandover:
    """Check one handover against the rules and append it to the ledger (one transaction)."""
    with writing(db) as repos:
        return append(repos.conn, draft, max_speed_kmh=max_speed_kmh, now=now)


def record_many(db: Database, drafts: Sequence[HandoverDraft], *, max_speed_kmh: float = 120.0,
                times: Sequence[datetime | None] | None = None
                ) -> list[RecordedHandover | DomainError]:
    """Append several handovers in one transaction (one commit, one fsync).

    Each draft gets its own answer: its record, or the DomainError that refused
    it. A refused draft leaves nothing behind, since every check comes before
    any change. ``times`` optionally fixes each server time. The assets and
    actors of the whole batch are read at once and the records written in bulk,
    so a batch costs a few statements however many drafts it holds.
    """
    results: list[RecordedHandover | DomainError] = []
    times = times or [None] * len(drafts)
    with writing(db) as repos:
        appender = Appender(repos.conn, max_speed_kmh)
        appender.load(drafts)
        for draft, now in zip(drafts, times, strict=True):
            try:
                results.append(appender.add(draft, now))
            except DomainError as exc:
                results.append(exc)
        appender.flush()
    return results


def append(conn: Connection, draft: HandoverDraft, *, max_speed_kmh: float = 120.0,
           now: datetime | None = None) -> RecordedHandover:
    """Append one handover inside an open write transaction (the caller commits).

    This is the hot path of the whole system: on PostgreSQL it costs two round
    trips (the reads, then the writes) before the caller's commit.
    """
    return append_all(conn, [draft], max_speed_kmh=max_speed_kmh, now=now)[0][0]


def append_all(conn: Connection, drafts: Sequence[HandoverDraft], *,
               max_speed_kmh: float = 120.0, now: datetime | None = None,
               alongside: Callable[[list[RecordedHandover]], T] | None = None,
               count_once: bool = False) -> tuple[list[RecordedHandover], T | None]:
    """Append drafts in order inside an open write transaction; the first refusal raises.

    Every draft is checked and sealed before anything is written, then all are
    written together: two round trips on PostgreSQL however many drafts. Given
    the records, ``alongside`` sends the caller's own statements in the round
    trip that writes them (a scan's attempt row goes there); what it returns is
    returned with the records. With ``count_once`` (a phone's scan), a move
    that repeats the current state is answered, not appended, and a
    weighbridge weighing of a delivery confirms it (custody.domain.contents).
    """
    appender = Appender(conn, max_speed_kmh, count_once=count_once)
    appender.load(drafts)
    recorded = [appender.add(draft, now) for draft in drafts]
    extra = appender.flush(alongside=(lambda: alongside(recorded)) if alongside else None)
    return recorded, extra
