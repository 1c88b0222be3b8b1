"""The derived tables, rebuilt from the ledger at will: daily tonnage rollups, the weights
in force after corrections, the assessment's activity counts (per cell and per
village-day) and households' deposit days."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from custody.db.base import Base


class DailyRollup(Base):
    """Grams and records of one category at one node on one day, by measure; rebuildable."""

    __tablename__ = "daily_rollups"
    __table_args__ = (Index("ix_daily_rollups_node_day", "level", "node_id", "day"),
                      {"sqlite_with_rowid": False})  # the key orders the rows: reads are ranges
    level: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    node_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    category: Mapped[str] = mapped_column(String(20), primary_key=True)
    measure: Mapped[str] = mapped_column(String(20), primary_key=True)
    grams: Mapped[int] = mapped_column(BigInteger)
    count: Mapped[int] = mapped_column(BigInteger)


class CorrectedWeight(Base):
    """The weight and category in force for a corrected handover; rebuildable."""

    __tablename__ = "corrected_weights"
    seq: Mapped[int] = mapped_column(BigInteger, ForeignKey("handovers.seq"), primary_key=True,
                                     autoincrement=False)
    weight_g: Mapped[int | None] = mapped_column(BigInteger)
    category: Mapped[str | None] = mapped_column(String(20))


class ActivityRollup(Base):
    """Records of one kind of work at one booth or transfer room, by one person, on one day.

    Derived from the ledger in the append's transaction and rebuildable
    (``custody.services.activity_rollups`` defines the measures); the assessment
    reads these, never the ledger.
    """

    __tablename__ = "activity_rollups"
    __table_args__ = ({"sqlite_with_rowid": False},)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    node_id: Mapped[str] = mapped_column(String(9), primary_key=True)
    actor_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure: Mapped[str] = mapped_column(String(20), primary_key=True)
    village: Mapped[str | None] = mapped_column(String(100))
    count: Mapped[int] = mapped_column(BigInteger)


class ActivityVillageDay(Base):
    """One measure's work in one village on one day: the booths (or rooms) with any of it
    and its records; the ``activity_rollups`` cells of the village-day summed, kept with
    them in the append's transaction; rebuildable. Measure ``households``: the village's
    households with a deposit that day (``nodes`` and ``records`` both), as
    ``household_months`` has them."""

    __tablename__ = "activity_village_days"
    __table_args__ = ({"sqlite_with_rowid": False},)  # the key orders the rows: reads are ranges
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    village: Mapped[str] = mapped_column(String(100), primary_key=True)
    measure: Mapped[str] = mapped_column(String(20), primary_key=True)
    nodes: Mapped[int] = mapped_column(BigInteger)  # distinct nodes
    records: Mapped[int] = mapped_column(BigInteger)


class HouseholdMonth(Base):
    """The days of one month on which a household deposited (bit d-1 for day d); rebuildable."""

    __tablename__ = "household_months"
    __table_args__ = ({"sqlite_with_rowid": False},)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    household_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    village_id: Mapped[int] = mapped_column(Integer)
    days: Mapped[int] = mapped_column(BigInteger)
