"""The append's statements that keep ``activity_village_days`` and ``household_months``
(raw cursor, run by ``RollupRepository.add_activity`` and ``mark_deposit_days`` in the
append's transaction).

Each counts a node or a household in a village-day only if it is not there yet,
read before the statement that adds it: appends hold the ledger head's lock
(``LedgerRepository.open``), so no other append adds one meanwhile.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, bindparam, case, exists, func, literal, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from custody.db.prepared import ARRAYS_FROM, Prepared
from custody.db.schema import (
    ActivityRollup,
    ActivityVillageDay,
    Asset,
    Household,
    HouseholdMonth,
    Village,
)
from custody.domain.assessment import HOUSEHOLDS


def _add_village_day(insert_fn) -> Prepared:
    """Add one node's records to its village-day, and the node if it has no cell there yet."""
    a, v = ActivityRollup, ActivityVillageDay
    day = bindparam("day", type_=v.day.type)
    known = exists().where(a.day == day, a.node_id == bindparam("node"),
                           a.measure == bindparam("measure"), a.village == bindparam("village"))
    stmt = insert_fn(v).from_select(
        ["day", "village", "measure", "nodes", "records"],
        select(day, bindparam("village", type_=v.village.type),
               bindparam("measure", type_=v.measure.type),
               case((known, literal(0, BigInteger)), else_=literal(1, BigInteger)),
               bindparam("records", type_=v.records.type))
        .where(true()))  # SQLite: a WHERE before ON CONFLICT, so it is not read as a join's ON
    return Prepared(stmt.on_conflict_do_update(
        index_elements=[v.day, v.village, v.measure],
        set_={"nodes": v.nodes + stmt.excluded.nodes,
              "records": v.records + stmt.excluded.records}))


def _add_village_days_pg() -> Prepared:
    """``_add_village_day`` for many nodes in one PostgreSQL statement, over one array a
    column: summed per village-day (a row may be updated once a statement)."""
    a, v = ActivityRollup, ActivityVillageDay
    columns = [("day", v.day.type), ("node", a.node_id.type), ("measure", v.measure.type),
               ("village", v.village.type), ("records", v.records.type)]
    d = select(*[func.unnest(bindparam(f"a_{name}", type_=ARRAY(t))).label(name)
                 for name, t in columns]).subquery("d")
    known = exists().where(a.day == d.c.day, a.node_id == d.c.node,
                           a.measure == d.c.measure, a.village == d.c.village)
    stmt = pg_insert(v).from_select(
        ["day", "village", "measure", "nodes", "records"],
        select(d.c.day, d.c.village, d.c.measure,
               func.sum(case((known, literal(0, BigInteger)), else_=literal(1, BigInteger))),
               func.sum(d.c.records)).group_by(d.c.day, d.c.village, d.c.measure))
    return Prepared(stmt.on_conflict_do_update(
        index_elements=[v.day, v.village, v.measure],
        set_={"nodes": v.nodes + stmt.excluded.nodes,
              "records": v.records + stmt.excluded.records}))


_ONE_VILLAGE_DAY = {"postgresql": _add_village_day(pg_insert),
                    "sqlite": _add_village_day(sqlite_insert)}
_MANY_VILLAGE_DAYS = _add_village_days_pg()


def add_village_days(conn, rows: list[dict]) -> None:
    """Run ``_add_village_day`` for each {day, node, measure, village, records} (one node
    each, no two alike): on PostgreSQL one statement over arrays for many (a scan's
    few go as executemany, as ``BulkInsert`` does)."""
    if conn.dialect.name == "postgresql" and len(rows) >= ARRAYS_FROM:
        _MANY_VILLAGE_DAYS.execute(conn, {f"a_{k}": [row[k] for row in rows] for k in rows[0]})
    else:
        _ONE_VILLAGE_DAY[conn.dialect.name].execute_many(conn, rows)


def _add_household_day(insert_fn):
    """Count the household of a deposited bag in its village's day, unless its month has
    the day already (read before ``_mark_day`` sets it)."""
    v, m = ActivityVillageDay, HouseholdMonth
    seen = exists().where(m.month == bindparam("month", type_=m.month.type),
                          m.household_id == Household.id,
                          m.days.op("&")(bindparam("bit", type_=m.days.type)) != 0)
    one = literal(1, BigInteger)
    stmt = insert_fn(v).from_select(
        ["day", "village", "measure", "nodes", "records"],
        select(bindparam("day", type_=v.day.type), Village.name, literal(HOUSEHOLDS), one, one)
        .select_from(Asset).join(Household, Household.id == Asset.household_id)
        .join(Village, Village.id == Household.village_id)
        .where(Asset.asset_id == bindparam("bag"), ~seen))
    return stmt.on_conflict_do_update(
        index_elements=[v.day, v.village, v.measure],
        set_={"nodes": v.nodes + stmt.excluded.nodes,
              "records": v.records + stmt.excluded.records})


def _mark_day(insert_fn):
    """Set a day's bit in the month of the household of a deposited bag (if it has one)."""
    stmt = insert_fn(HouseholdMonth).from_select(
        ["month", "household_id", "village_id", "days"],
        select(bindparam("month", type_=HouseholdMonth.month.type), Household.id,
               Household.village_id, bindparam("bit", type_=HouseholdMonth.days.type))
        .join(Asset, Asset.household_id == Household.id)
        .where(Asset.asset_id == bindparam("bag")))
    return stmt.on_conflict_do_update(
        index_elements=[HouseholdMonth.month, HouseholdMonth.household_id],
        set_={"days": HouseholdMonth.days.op("|")(stmt.excluded.days)})


# PostgreSQL: both in one statement, the count a WITH of the bit's upsert (a WITH sees the
# rows as they were before the statement), run for every deposit as one executemany.
_PG_COUNT_AND_MARK = Prepared(_mark_day(pg_insert).add_cte(
    _add_household_day(pg_insert).cte("counted")))
# SQLite (in process): the count, then the bit, deposit after deposit.
_SQLITE_COUNT, _SQLITE_MARK = (Prepared(_add_household_day(sqlite_insert)),
                               Prepared(_mark_day(sqlite_insert)))


def _sqlite_count_and_mark(conn, deposits) -> None:
    for deposit in deposits:
        _SQLITE_COUNT.execute(conn, deposit)
        _SQLITE_MARK.execute(conn, deposit)


# Count each {bag, day, month, bit} deposit's household in its village-day unless its
# month has the day already, then set the day (bags of no household are skipped): two
# bags of one household on one day count it once, in one batch or two.
def _pg_count_and_mark_many() -> Prepared:
    """Both for many deposits in one PostgreSQL statement over arrays: each household-day
    once, counted per village-day and its month's bits or-ed (a row is updated once a
    statement: hundreds of updates of one village-day row in one transaction cost each
    other more and more, as the build of a district showed, 3,300 -> 1,400 records/s)."""
    v, m = ActivityVillageDay, HouseholdMonth
    d = select(*[func.unnest(bindparam(f"a_{name}", type_=ARRAY(t))).label(name) for name, t in
                 (("bag", Asset.asset_id.type), ("day", v.day.type), ("month", m.month.type),
                  ("bit", m.days.type))]).subquery("d")
    found = (select(Household.id.label("household"), Household.village_id,
                    Village.name.label("village"), d.c.day, d.c.month, d.c.bit)
             .select_from(d).join(Asset, Asset.asset_id == d.c.bag)
             .join(Household, Household.id == Asset.household_id)
             .join(Village, Village.id == Household.village_id).distinct().cte("found"))
    seen = exists().where(m.month == found.c.month, m.household_id == found.c.household,
                          m.days.op("&")(found.c.bit) != 0)
    counted = pg_insert(v).from_select(
        ["day", "village", "measure", "nodes", "records"],
        select(found.c.day, found.c.village, literal(HOUSEHOLDS), func.count(), func.count())
        .where(~seen).group_by(found.c.day, found.c.village))
    counted = counted.on_conflict_do_update(
        index_elements=[v.day, v.village, v.measure],
        set_={"nodes": v.nodes + counted.excluded.nodes,
              "records": v.records + counted.excluded.records})
    stmt = pg_insert(m).from_select(
        ["month", "household_id", "village_id", "days"],
        select(found.c.month, found.c.household, found.c.village_id,
               func.bit_or(found.c.bit))
        .group_by(found.c.month, found.c.household, found.c.village_id))
    stmt = stmt.on_conflict_do_update(index_elements=[m.month, m.household_id],
                                      set_={"days": m.days.op("|")(stmt.excluded.days)})
    return Prepared(stmt.add_cte(counted.cte("counted")))


_PG_COUNT_AND_MARK_MANY = _pg_count_and_mark_many()


def _pg_count_and_mark(conn, deposits) -> None:
    if len(deposits) >= ARRAYS_FROM:
        _PG_COUNT_AND_MARK_MANY.execute(conn, {f"a_{k}": [d[k] for d in deposits]
                                               for k in ("bag", "day", "month", "bit")})
    else:
        _PG_COUNT_AND_MARK.execute_many(conn, deposits)


COUNT_AND_MARK_DAY = {"postgresql": _pg_count_and_mark, "sqlite": _sqlite_count_and_mark}
