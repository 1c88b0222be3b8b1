"""Corrections: a supervisor puts right the weight or category of a handover.

A correction is a new ledger record pointing at the one it corrects (never an
edit); the rollups, and so the tonnage and the trace, follow the values in
force (``custody.services.rollups``).
"""

from __future__ import annotations

from dataclasses import dataclass

from custody.db.engine import Database
from custody.db.repositories import Connection, Repositories, writing
from custody.domain.errors import NothingToCorrect, ReasonRequired, UnknownHandover
from custody.domain.model import Action, Category, HandoverDraft, Role
from custody.services import handovers

MAX_REASON = 2000


@dataclass(frozen=True)
class Correction:
    """What a supervisor puts right, and why."""

    seq: int
    weight_kg: float | None
    category: Category | None
    reason: str


def append_correction(conn: Connection, fix: Correction, actor_id: int, role: Role) -> int:
    """Append the correction record inside an open write transaction; its record number."""
    reason = (fix.reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ReasonRequired("give the reason for the correction (at most 2000 characters)")
    if fix.weight_kg is None and fix.category is None:
        raise NothingToCorrect("give the right weight, the right category, or both")
    original = Repositories(conn).ledger.moved(fix.seq)
    if original is None:
        raise UnknownHandover(f"no ledger record number {fix.seq}")
    inspection = original.action == Action.INSPECT.value
    draft = HandoverDraft(original.source_id, original.dest_id, actor_id, role,
                          action=Action.INSPECT if inspection else None,
                          weight_kg=fix.weight_kg, category=fix.category, note=reason,
                          corrects_seq=fix.seq)
    return handovers.append(conn, draft).seq


def correct(db: Database, fix: Correction, actor_id: int, role: Role) -> int:
    """Append a correction of ``fix.seq`` (one transaction); the new record's number."""
    with writing(db) as repos:
        return append_correction(repos.conn, fix, actor_id, role)
