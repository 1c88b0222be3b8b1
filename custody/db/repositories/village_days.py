"""The append's statements that keep ``activity_village_days`` (raw cursor, run by
``RollupRepository.add_activity`` and ``mark_deposit_days`` in the append's transaction).

Each counts a node or a household in a village-day only if it is not there yet,
read before the statement that adds it: appends hold the ledger head's lock
(``LedgerRepository.open``), so no other append adds one meanwhile.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, bindparam, case, exists, literal, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from custody.db.prepared import Prepared
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


ADD_VILLAGE_DAY = {"postgresql": _add_village_day(pg_insert),
                   "sqlite": _add_village_day(sqlite_insert)}


def _add_household_day(insert_fn) -> Prepared:
    """Count the household of a deposited bag in its village's day, unless its month has
    the day already (run before ``_MARK_DAY`` sets it)."""
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
    return Prepared(stmt.on_conflict_do_update(
        index_elements=[v.day, v.village, v.measure],
        set_={"nodes": v.nodes + stmt.excluded.nodes,
              "records": v.records + stmt.excluded.records}))


ADD_HOUSEHOLD_DAY = {"postgresql": _add_household_day(pg_insert),
                     "sqlite": _add_household_day(sqlite_insert)}
