"""What the assessment reads: the registry's villages and what is due in them, the activity
per village-day and per person, and households' deposit days counted from ``household_months``.

Core ``select()`` (a report, read once per request; ``benchmarks/reports.py`` times it);
every count is summed in the database, no row of the rollups leaves it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import (
    BigInteger,
    Connection,
    Row,
    String,
    and_,
    case,
    cast,
    func,
    or_,
    select,
    type_coerce,
)

from custody.db.schema import (
    ActivityRollup,
    ActivityVillageDay,
    Actor,
    Asset,
    Household,
    HouseholdMonth,
    Town,
    Village,
)

_A = ActivityRollup
_V = ActivityVillageDay
_H = HouseholdMonth


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

    def first_day(self) -> date | None:
        """The first day anything was recorded in the district (the key's first column)."""
        return self.conn.execute(select(func.min(_V.day))).scalar()

    def households_per_village(self) -> dict[int, int]:
        """{village id: registered households}."""
        return dict(self.conn.execute(
            select(Household.village_id, func.count()).group_by(Household.village_id)).all())

    def activity_by_place(self, first: date, last: date,
                          sums: Sequence[tuple[str, str]]) -> list[tuple]:
        """(village, day, *sums) per village-day of the days' activity, each of ``sums`` a
        (measure, "nodes" or "records") summed (0 where none), read from
        ``activity_village_days`` (a range of its key) rather than summing the cells with a
        ``count(DISTINCT)`` per request: 109 ms of a Nanhu-size PostgreSQL month, 42,000
        cells sorted by village (migration 0015). One row a village-day, not one a measure:
        a sixth of the rows (the Python objects of a month's read)."""
        return self._dated(1, select(
            _V.village, self._day(_V.day),
            *[cast(func.sum(case((_V.measure == measure, getattr(_V, column)), else_=0)),
                   BigInteger) for measure, column in sums])
            .where(_V.day.between(first, last)).group_by(_V.village, _V.day))

    def activity_by_person(self, first: date, last: date, measures: Sequence[str]
                           ) -> list[tuple]:
        """(actor id, village, day, measure, nodes, records) of these measures over the days."""
        return self._dated(2, select(_A.actor_id, _A.village, self._day(_A.day), _A.measure,
                                     func.count(), func.sum(_A.count))
                           .where(_A.day.between(first, last), _A.measure.in_(list(measures)))
                           .group_by(_A.actor_id, _A.village, _A.day, _A.measure))

    def _day(self, column):
        """A date column as read: as its ISO text on SQLite (``_dated`` makes the dates)."""
        return type_coerce(column, String) if self.conn.dialect.name == "sqlite" else column

    def _dated(self, at: int, stmt) -> list[tuple]:
        """The rows with column ``at`` a date: SQLite's ISO text parsed once per day (the
        Date type's parser per row was a third of a SQLite quarter's reads)."""
        rows = self.conn.execute(stmt).all()
        if self.conn.dialect.name != "sqlite":
            return rows
        days: dict[str, date] = {}
        return [(*r[:at], days.get(r[at]) or days.setdefault(r[at], date.fromisoformat(r[at])),
                 *r[at + 1:]) for r in rows]

    def actor_names(self, ids: Sequence[int]) -> dict[int, str]:
        """{actor id: name} of these actors."""
        return dict(self.conn.execute(
            select(Actor.id, Actor.name).where(Actor.id.in_(sorted(ids)))).all())

    def depositing_in_month(self, month: date, spans: Sequence[int]) -> list[int]:
        """Households with a deposit on any day of each span of the month (its day bits), in
        one statement over the month's rows (a household has one row a month)."""
        found = self.conn.execute(select(*[
            func.sum(case((_H.days.op("&")(bits) != 0, 1), else_=0)) for bits in spans])
            .where(_H.month == month)).one()
        return [int(n or 0) for n in found]

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
