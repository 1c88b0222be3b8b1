"""Flag review: supervisors confirm, dismiss or correct flagged handovers; the flags list.

A review is an append-only record (who, when, decision, note); the newest
review of a handover is the one in force and the earlier ones stay visible. A
``correct`` review appends the correction record (``custody.services.corrections``)
in the same transaction and names it. A flag is *open* until it has a review.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import vocabulary
from custody.db.engine import Database
from custody.db.repositories import reading, writing
from custody.domain.errors import DomainError, NotFlagged, ReasonRequired, UnknownHandover
from custody.domain.model import Action, Role
from custody.services.corrections import MAX_REASON, Correction, append_correction
from custody.services.record_filters import RecordFilter, ledger_filter
from custody.services.whereabouts import handover_dict

DECISIONS = tuple(vocabulary.REVIEW_DECISIONS)  # confirm, dismiss, correct
MAX_PAGE = 200


@dataclass(frozen=True)
class FlagFilter:
    """What the flags page and ``GET /api/v1/flags`` narrow the list by (None: any)."""

    state: str | None = None
    flag: str | None = None
    village: str | None = None
    person: str | None = None
    day_from: date | None = None
    day_to: date | None = None


def review(db: Database, seq: int, decision: str, reviewer_id: int, reviewer_role: Role,
           note: str | None = None, correction: Correction | None = None) -> dict:
    """Record a review of handover ``seq`` (one transaction); the review as stored."""
    if decision not in DECISIONS:
        raise DomainError(f"decision must be one of {', '.join(DECISIONS)}")
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_REASON:
        raise ReasonRequired("a note is at most 2000 characters")
    if decision != "confirm" and note is None:
        raise ReasonRequired(f"a {decision} review needs a reason")
    now = datetime.now(UTC)
    with writing(db) as repos:
        flags = repos.desk.flags_of(seq)
        if flags is None:
            raise UnknownHandover(f"no ledger record number {seq}")
        if not flags.flags:
            raise NotFlagged(f"record {seq} has no flag to review")
        correction_seq = None
        if decision == "correct":
            fix = correction or Correction(seq, None, None, note)
            correction_seq = append_correction(
                repos.conn, Correction(seq, fix.weight_kg, fix.category, note), reviewer_id,
                reviewer_role)
        review_id = repos.desk.add_review(seq, decision, note, reviewer_id, now, correction_seq)
    return {"id": review_id, "seq": seq, "decision": decision, "note": note,
            "reviewer_id": reviewer_id, "reviewed_at": now, "correction_seq": correction_seq}


def reviews_of(db: Database, seqs: list[int]) -> dict[int, list[dict]]:
    """Every review of these handovers, oldest first, with the reviewer's name."""
    if not seqs:
        return {}
    found: dict[int, list[dict]] = {}
    with reading(db) as repos:
        for r in repos.desk.reviews_of(seqs):
            found.setdefault(r.seq, []).append(
                {"id": r.id, "decision": r.decision, "note": r.note, "reviewer": r.reviewer,
                 "reviewed_at": r.reviewed_at, "correction_seq": r.correction_seq})
    return found


def list_flags(db: Database, where: FlagFilter, *, limit: int = 50,
               before_seq: int | None = None) -> list[dict]:
    """One page of flagged handovers, newest first, each with its reviews and village."""
    terms = ledger_filter(RecordFilter(village=where.village, person=where.person,
                                       day_from=where.day_from, day_to=where.day_to),
                          flagged=True, flag=where.flag or None,
                          reviewed={"open": False, "reviewed": True}.get(where.state))
    with reading(db) as repos:
        found = repos.desk.handovers(terms, max(1, min(limit, MAX_PAGE)), before_seq)
    return _annotate(db, [{**handover_dict(h), "actor_name": h.actor_name} for h in found])


def iter_flags(db: Database, where: FlagFilter, *, chunk: int = 500) -> Iterator[dict]:
    """Every flagged handover the filter keeps, newest first, a page at a time (exports)."""
    before = None
    while True:
        rows = list_flags(db, where, limit=chunk, before_seq=before)
        yield from rows
        if len(rows) < chunk:
            return
        before = rows[-1]["seq"]


def _annotate(db: Database, rows: list[dict]) -> list[dict]:
    """Add each row's reviews (oldest first), the review in force and its village."""
    reviews = reviews_of(db, [r["seq"] for r in rows])
    assets = {r["source"] for r in rows} | {r["dest"] for r in rows}
    villages = villages_of(db, assets)
    notes = inspection_notes(db, assets)
    for r in rows:
        r["reviews"] = reviews.get(r["seq"], [])
        r["inspections"] = notes.get(r["source"], []) + (
            notes.get(r["dest"], []) if r["dest"] != r["source"] else [])
        r["review"] = r["reviews"][-1] if r["reviews"] else None
        r["state"] = "reviewed" if r["reviews"] else "open"
        r["village"] = villages.get(r["dest"]) or villages.get(r["source"])
    return rows


def inspection_notes(db: Database, asset_ids: set[str], *, per_asset: int = 3
                     ) -> dict[str, list[dict]]:
    """The newest inspection notes on each of these assets (a booth keeper's findings)."""
    if not asset_ids:
        return {}
    found: dict[str, list[dict]] = {}
    with reading(db) as repos:
        notes = repos.desk.inspection_notes(sorted(asset_ids), Action.INSPECT.value,
                                            per_asset * len(asset_ids))
    for asset_id, seq, note, name in notes:
        kept = found.setdefault(asset_id, [])
        if len(kept) < per_asset:
            kept.append({"seq": seq, "asset": asset_id, "note": note, "inspector": name})
    return found


def villages_of(db: Database, asset_ids: set[str]) -> dict[str, str]:
    """The village name of each asset that has one (its own, or its site's)."""
    if not asset_ids:
        return {}
    with reading(db) as repos:
        return repos.desk.villages_of(sorted(asset_ids))
