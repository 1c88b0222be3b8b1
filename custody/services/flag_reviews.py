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

from sqlalchemy import Select, func, insert, literal, select
from sqlalchemy.orm import aliased

import vocabulary
from custody.db.engine import Database
from custody.db.schema import Actor, Asset, FlagReview, Handover, Village
from custody.domain.errors import DomainError, NotFlagged, ReasonRequired, UnknownHandover
from custody.domain.model import Action, Role
from custody.services.corrections import MAX_REASON, Correction, append_correction
from custody.services.record_filters import RecordFilter, narrow
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
    with db.write_engine.begin() as conn:
        flags = conn.execute(select(Handover.flags).where(Handover.seq == seq)).first()
        if flags is None:
            raise UnknownHandover(f"no ledger record number {seq}")
        if not flags.flags:
            raise NotFlagged(f"record {seq} has no flag to review")
        correction_seq = None
        if decision == "correct":
            fix = correction or Correction(seq, None, None, note)
            correction_seq = append_correction(conn, Correction(seq, fix.weight_kg, fix.category,
                                                                note), reviewer_id, reviewer_role)
        review_id = conn.execute(insert(FlagReview).values(
            seq=seq, decision=decision, note=note, reviewer_id=reviewer_id, reviewed_at=now,
            correction_seq=correction_seq).returning(FlagReview.id)).scalar_one()
    return {"id": review_id, "seq": seq, "decision": decision, "note": note,
            "reviewer_id": reviewer_id, "reviewed_at": now, "correction_seq": correction_seq}


def reviews_of(db: Database, seqs: list[int]) -> dict[int, list[dict]]:
    """Every review of these handovers, oldest first, with the reviewer's name."""
    if not seqs:
        return {}
    stmt = (select(FlagReview, Actor.name).join(Actor, Actor.id == FlagReview.reviewer_id)
            .where(FlagReview.seq.in_(seqs)).order_by(FlagReview.id))
    found: dict[int, list[dict]] = {}
    with db.read() as session:
        for r, name in session.execute(stmt):
            found.setdefault(r.seq, []).append(
                {"id": r.id, "decision": r.decision, "note": r.note, "reviewer": name,
                 "reviewed_at": r.reviewed_at, "correction_seq": r.correction_seq})
    return found


def _flagged(where: FlagFilter) -> Select:
    """Flagged handovers with their actor and the id of their newest review."""
    latest = (select(FlagReview.seq, func.max(FlagReview.id).label("review_id"))
              .group_by(FlagReview.seq).subquery())
    stmt = (select(Handover, Actor.name, latest.c.review_id)
            .join(Actor, Actor.id == Handover.actor_id)
            .outerjoin(latest, latest.c.seq == Handover.seq)
            .where(Handover.flags.is_not(None), Handover.flags != ""))
    if where.state == "open":
        stmt = stmt.where(latest.c.review_id.is_(None))
    elif where.state == "reviewed":
        stmt = stmt.where(latest.c.review_id.is_not(None))
    if where.flag:
        stmt = stmt.where(literal(",").concat(Handover.flags).concat(",")
                          .contains(f",{where.flag},", autoescape=True))
    return narrow(stmt, RecordFilter(village=where.village, person=where.person,
                                      day_from=where.day_from, day_to=where.day_to))


def list_flags(db: Database, where: FlagFilter, *, limit: int = 50,
               before_seq: int | None = None) -> list[dict]:
    """One page of flagged handovers, newest first, each with its reviews and village."""
    stmt = _flagged(where).order_by(Handover.seq.desc()).limit(max(1, min(limit, MAX_PAGE)))
    if before_seq is not None:
        stmt = stmt.where(Handover.seq < before_seq)
    with db.read() as session:
        rows = [{**handover_dict(h), "actor_name": name} for h, name, _ in session.execute(stmt)]
    return _annotate(db, rows)


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
    stmt = (select(Handover.source_id, Handover.seq, Handover.note, Actor.name)
            .join(Actor, Actor.id == Handover.actor_id)
            .where(Handover.action == Action.INSPECT.value, Handover.note.is_not(None),
                   Handover.source_id.in_(sorted(asset_ids)))
            .order_by(Handover.seq.desc()).limit(per_asset * len(asset_ids)))
    found: dict[str, list[dict]] = {}
    with db.read() as session:
        for asset_id, seq, note, name in session.execute(stmt):
            kept = found.setdefault(asset_id, [])
            if len(kept) < per_asset:
                kept.append({"seq": seq, "asset": asset_id, "note": note, "inspector": name})
    return found


def villages_of(db: Database, asset_ids: set[str]) -> dict[str, str]:
    """The village name of each asset that has one (its own, or its site's)."""
    if not asset_ids:
        return {}
    site = aliased(Asset)
    stmt = (select(Asset.asset_id, Village.name)
            .outerjoin(site, site.asset_id == Asset.site_id)
            .join(Village, Village.id == func.coalesce(site.village_id, Asset.village_id))
            .where(Asset.asset_id.in_(sorted(asset_ids))))
    with db.read() as session:
        return dict(session.execute(stmt).all())
