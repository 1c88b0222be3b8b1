"""What the supervisor's desk reads and writes on the ledger: handover lists narrowed by
village, person and days, flags and their reviews, one record, one asset's history.

Core ``select()`` on the reader engine (pages, read once per request); a review is
appended inside a write transaction. No raw cursor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Row, Select, func, insert, literal, or_, select
from sqlalchemy.orm import aliased

from custody.db.rollup_tables import CorrectedWeight
from custody.db.schema import Actor, Asset, FlagReview, Handover, Village

# A handover row with its actor's name (``row.actor_name``).
WITH_ACTOR = (*Handover.__table__.c, Actor.name.label("actor_name"))


@dataclass(frozen=True)
class LedgerFilter:
    """Which records a list keeps (None: any); times are server microseconds, to excluded."""

    action: str | None = None
    village: str | None = None
    person: str | None = None
    from_us: int | None = None
    to_us: int | None = None
    flagged: bool = False
    flag: str | None = None
    reviewed: bool | None = None  # None: either; False: no review yet; True: reviewed


def village_assets(village: str) -> Select:
    """Ids of the assets in a village (directly or through their site)."""
    site = aliased(Asset)
    return (select(Asset.asset_id).outerjoin(site, site.asset_id == Asset.site_id)
            .join(Village, Village.id == func.coalesce(site.village_id, Asset.village_id))
            .where(Village.name == village))


def _narrow(stmt: Select, where: LedgerFilter) -> Select:
    """``stmt`` (selecting handovers joined to their actor) kept to what ``where`` names."""
    if where.action:
        stmt = stmt.where(Handover.action == where.action)
    if where.village:
        inside = village_assets(where.village)
        stmt = stmt.where(Handover.source_id.in_(inside) | Handover.dest_id.in_(inside))
    if where.person:
        stmt = stmt.where(Actor.name == where.person)
    if where.from_us is not None:
        stmt = stmt.where(Handover.server_time_us >= where.from_us)
    if where.to_us is not None:
        stmt = stmt.where(Handover.server_time_us < where.to_us)
    if where.flagged or where.flag or where.reviewed is not None:
        stmt = stmt.where(Handover.flags.is_not(None), Handover.flags != "")
    if where.flag:
        stmt = stmt.where(literal(",").concat(Handover.flags).concat(",")
                          .contains(f",{where.flag},", autoescape=True))
    if where.reviewed is not None:
        reviewed = select(FlagReview.id).where(FlagReview.seq == Handover.seq).exists()
        stmt = stmt.where(reviewed if where.reviewed else ~reviewed)
    return stmt


class DeskRepository:
    """The reads and the review append behind ``asset_reads``, ``scan_reads`` and
    ``flag_reviews``."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def handovers(self, where: LedgerFilter, limit: int, before_seq: int | None = None
                  ) -> list[Row]:
        """The newest handovers ``where`` keeps, newest first, with their actor's name."""
        stmt = (select(*WITH_ACTOR).join(Actor, Actor.id == Handover.actor_id)
                .order_by(Handover.seq.desc()).limit(limit))
        if before_seq is not None:
            stmt = stmt.where(Handover.seq < before_seq)
        return self.conn.execute(_narrow(stmt, where)).all()

    def of_asset(self, asset_id: str, limit: int) -> list[Row]:
        """The asset's records (as source or destination), newest first, with actor names."""
        return self.conn.execute(
            select(*WITH_ACTOR).join(Actor, Actor.id == Handover.actor_id)
            .where(or_(Handover.source_id == asset_id, Handover.dest_id == asset_id))
            .order_by(Handover.seq.desc()).limit(limit)).all()

    def record(self, seq: int) -> Row | None:
        """Record ``seq`` with its actor's name; None if there is none."""
        return self.conn.execute(select(*WITH_ACTOR).join(Actor, Actor.id == Handover.actor_id)
                                 .where(Handover.seq == seq)).first()

    def corrections_of(self, seq: int) -> list[Row]:
        """The correction records of ``seq``, oldest first, with actor names."""
        return self.conn.execute(select(*WITH_ACTOR).join(Actor, Actor.id == Handover.actor_id)
                                 .where(Handover.corrects_seq == seq)
                                 .order_by(Handover.seq)).all()

    def corrected(self, seqs: Sequence[int]) -> dict[int, Row]:
        """{seq: (seq, weight_g, category)} of the values in force after corrections."""
        if not seqs:
            return {}
        return {c.seq: c for c in self.conn.execute(
            select(CorrectedWeight.seq, CorrectedWeight.weight_g, CorrectedWeight.category)
            .where(CorrectedWeight.seq.in_(list(seqs))))}

    def flags_of(self, seq: int) -> Row | None:
        """(flags,) of record ``seq``; None if there is no such record."""
        return self.conn.execute(select(Handover.flags).where(Handover.seq == seq)).first()

    def add_review(self, seq: int, decision: str, note: str | None, reviewer_id: int,
                   reviewed_at: datetime, correction_seq: int | None) -> int:
        """Append a review of record ``seq``; its id."""
        return self.conn.execute(insert(FlagReview).values(
            seq=seq, decision=decision, note=note, reviewer_id=reviewer_id,
            reviewed_at=reviewed_at, correction_seq=correction_seq)
            .returning(FlagReview.id)).scalar_one()

    def reviews_of(self, seqs: Sequence[int]) -> list[Row]:
        """Every review of these records, oldest first, with the reviewer's name."""
        return self.conn.execute(
            select(FlagReview.id, FlagReview.seq, FlagReview.decision, FlagReview.note,
                   Actor.name.label("reviewer"), FlagReview.reviewed_at,
                   FlagReview.correction_seq)
            .join(Actor, Actor.id == FlagReview.reviewer_id)
            .where(FlagReview.seq.in_(list(seqs))).order_by(FlagReview.id)).all()

    def inspection_notes(self, asset_ids: Sequence[str], inspect: str, limit: int
                         ) -> list[Row]:
        """(source_id, seq, note, name) of the newest inspections with a note on these assets."""
        return self.conn.execute(
            select(Handover.source_id, Handover.seq, Handover.note, Actor.name)
            .join(Actor, Actor.id == Handover.actor_id)
            .where(Handover.action == inspect, Handover.note.is_not(None),
                   Handover.source_id.in_(sorted(asset_ids)))
            .order_by(Handover.seq.desc()).limit(limit)).all()

    def villages_of(self, asset_ids: Sequence[str]) -> dict[str, str]:
        """The village name of each asset that has one (its own, or its site's)."""
        site = aliased(Asset)
        return dict(self.conn.execute(
            select(Asset.asset_id, Village.name)
            .outerjoin(site, site.asset_id == Asset.site_id)
            .join(Village, Village.id == func.coalesce(site.village_id, Asset.village_id))
            .where(Asset.asset_id.in_(sorted(asset_ids)))).all())
