"""What the assessment reads: the registry's villages and what is due in them, the activity
rollups summed two ways, and households' deposit days counted from ``household_months``.

Core ``select()`` (a report, read once per request; ``benchmarks/reports.py`` times it);
every count is summed in the database, no row of the rollups leaves it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Connection, Row, and_, func, literal_column, or_, select

from custody.db.schema import ActivityRollup, Actor, Asset, Household, HouseholdMonth, Town, Village

_A = ActivityRollup
_H = HouseholdMonth


def _bit(d: int):
    """The SQL for day ``d + 1``'s bit of ``days`` (0 or 1); ``d`` is a constant 0–30."""
    return _H.days.op(">>")(literal_column(str(int(d)))).op("&")(literal_column("1"))


class AssessmentRepository:
    """The reads behind ``assessment_counts`` and ``household_days``."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def villages(self) -> list[Row]:
        """(id, name, town name) of every village."""
        return self.conn.execute(select(Village.id, Village.name, Town.name)
                                 .outerjoin(Town, Town.id == Village.town_id)).all()

    def assets_per_village(self, kinds: Sequence[str]) -> list[Row]:
        """(kind, village id, count) of the registered assets of these kinds in a village."""
        return self.conn.execute(
            select(Asset.kind, Asset.village_id, func.count())
            .where(Asset.kind.in_(list(kinds)), Asset.village_id.is_not(None))
            .group_by(Asset.kind, Asset.village_id)).all()

    def households_per_village(self) -> dict[int, int]:
        """{village id: registered households}."""
        return dict(self.conn.execute(
            select(Household.village_id, func.count()).group_by(Household.village_id)).all())

    def activity_by_place(self, first: date, last: date) -> list[Row]:
        """(village, day, measure, distinct nodes, records) of the days' activity rollups."""
        return self.conn.execute(
            select(_A.village, _A.day, _A.measure, func.count(_A.node_id.distinct()),
                   func.sum(_A.count)).where(_A.day.between(first, last))
            .group_by(_A.village, _A.day, _A.measure)).all()

    def activity_by_person(self, first: date, last: date, measures: Sequence[str]
                           ) -> list[Row]:
        """(actor id, village, day, measure, nodes, records) of these measures over the days."""
        return self.conn.execute(
            select(_A.actor_id, _A.village, _A.day, _A.measure, func.count(), func.sum(_A.count))
            .where(_A.day.between(first, last), _A.measure.in_(list(measures)))
            .group_by(_A.actor_id, _A.village, _A.day, _A.measure)).all()

    def actor_names(self, ids: Sequence[int]) -> dict[int, str]:
        """{actor id: name} of these actors."""
        return dict(self.conn.execute(
            select(Actor.id, Actor.name).where(Actor.id.in_(sorted(ids)))).all())

    def depositing_per_day(self, month: date, days: Sequence[int]) -> list[Row]:
        """(village id, households depositing on each of these days of the month (0-based))."""
        return self.conn.execute(
            select(_H.village_id, *[func.sum(_bit(d)) for d in days])
            .where(_H.month == month).group_by(_H.village_id)).all()

    def depositing_any_day(self, touched: Sequence[tuple[date, int]]) -> dict[int, int]:
        """{village id: households with a deposit on any day} of the (month, day bits) given."""
        if len(touched) == 1:  # a household has one row a month: no need for DISTINCT
            (month, bits), = touched
            stmt = (select(_H.village_id, func.count())
                    .where(_H.month == month, _H.days.op("&")(bits) != 0))
        else:
            any_day = or_(*[and_(_H.month == month, _H.days.op("&")(bits) != 0)
                            for month, bits in touched])
            stmt = select(_H.village_id, func.count(_H.household_id.distinct())).where(any_day)
        return dict(self.conn.execute(stmt.group_by(_H.village_id)).all())
