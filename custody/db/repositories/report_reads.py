"""What the resident's tonnage page and the facilities' mass balance read.

The tonnage page sums the daily rollups in the database (a year of a village is a
few hundred rows per category, every village one grouped statement); the balance
reads the portions of the deliveries to facilities. Core ``select()`` on the
reader engine: pages, read once per request (``benchmarks/reports.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Connection, Row, func, select
from sqlalchemy.orm import aliased

from custody.db.schema import Asset, DailyRollup, Handover, HandoverPortion, Household, Village

_R = DailyRollup


class ReportRepository:
    """The reads behind ``tonnage_summary`` and ``facility_balance``."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def _day(self, day: date):
        """A date as the database compares it (SQLite keeps ISO text)."""
        return day.isoformat() if self.conn.dialect.name == "sqlite" else day

    def grams_per_day(self, level: str, node: str | None, day_from: date, day_to: date,
                      measures: Sequence[str]) -> list[Row]:
        """(day, category, grams of each measure...) of a level's (or one node's) rollups."""
        grams = [func.sum(_R.grams).filter(_R.measure == m) for m in measures]
        stmt = (select(_R.day, _R.category, *grams)
                .where(_R.level == level, _R.day >= self._day(day_from),
                       _R.day <= self._day(day_to), _R.measure.in_(list(measures)))
                .group_by(_R.day, _R.category))
        if node:
            stmt = stmt.where(_R.node_id == node)
        return self.conn.execute(stmt).all()

    def collected_per_village(self, day_from: date, day_to: date) -> list[Row]:
        """(village, category, grams collected) over the days."""
        return self.conn.execute(
            select(_R.node_id, _R.category, func.sum(_R.grams))
            .where(_R.level == "village", _R.measure == "collected",
                   _R.day >= self._day(day_from), _R.day <= self._day(day_to))
            .group_by(_R.node_id, _R.category)).all()

    def households_per_village_name(self) -> dict[str, int]:
        """{village name: registered households} of the villages that have any."""
        return dict(self.conn.execute(select(Village.name, func.count(Household.id))
                                      .join(Household, Household.village_id == Village.id)
                                      .group_by(Village.name)).all())

    def districts(self) -> list[str]:
        """Every district, in order."""
        return list(self.conn.scalars(select(Village.district).distinct()
                                      .order_by(Village.district)))

    def village_names(self) -> list[str]:
        """Every village's name, in order."""
        return list(self.conn.scalars(select(Village.name).order_by(Village.name)))

    def named_assets(self, kind: str) -> list[Row]:
        """(asset_id, name) of the assets of a kind, in id order."""
        return self.conn.execute(select(Asset.asset_id, Asset.name).where(Asset.kind == kind)
                                 .order_by(Asset.asset_id)).all()

    def deliveries(self, facility_kind: str, record_kind: str, since_us: int, until_us: int
                   ) -> list[Row]:
        """(facility, device_time_us, server_time_us, category, grams) of each portion
        handed to a facility and stamped since..until (server time, until excluded)."""
        plant = aliased(Asset)
        return self.conn.execute(
            select(Handover.dest_id, Handover.device_time_us, Handover.server_time_us,
                   HandoverPortion.category, HandoverPortion.grams)
            .join(HandoverPortion, HandoverPortion.seq == Handover.seq)
            .join(plant, plant.asset_id == Handover.dest_id)
            .where(plant.kind == facility_kind, Handover.record_kind == record_kind,
                   Handover.server_time_us >= since_us, Handover.server_time_us < until_us)
        ).all()
