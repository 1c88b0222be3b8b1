"""Reading the daily tonnage: per day, node and category, from the rollups only.

The rollups (``custody.services.rollups``) are kept in step with every append,
so no report here ever scans raw handovers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import Connection, bindparam, func, select

from custody.db.engine import Database
from custody.db.prepared import Prepared
from custody.db.schema import Asset, DailyRollup
from custody.services.rollups import LEVELS, MEASURES

_KG_KEYS = tuple(f"{m}_kg" for m in MEASURES)
_COUNT_KEYS = tuple(f"{m}_count" for m in MEASURES)
_R = DailyRollup
_RANGE = (select(_R.day, _R.node_id, _R.category,
                 *[func.sum(c).filter(_R.measure == m) for c in (_R.grams, _R.count)
                   for m in MEASURES])
          .where(_R.level == bindparam("level"), _R.day >= bindparam("day_from"),
                 _R.day <= bindparam("day_to")))
# Read on the raw cursor (custody.db.prepared): a year of 30 booths (43,800 cells)
# costs 1.2x the CPU through SQLAlchemy's result layer on SQLite and 1.4x on
# PostgreSQL (benchmarks/statements.py), and an export reads millions of cells.
_TONNAGE = {False: Prepared(_RANGE.group_by(_R.day, _R.node_id, _R.category)
                            .order_by(_R.day, _R.node_id, _R.category)),
            True: Prepared(_RANGE.where(_R.node_id == bindparam("node"))
                           .group_by(_R.day, _R.node_id, _R.category)
                           .order_by(_R.day, _R.node_id, _R.category))}


def daily_tonnage(db: Database, day_from: date, day_to: date, level: str,
                  node: str | None = None) -> list[dict]:
    """Per day, node and category: kg and records of every measure, read from the rollups."""
    return list(iter_daily_tonnage(db, day_from, day_to, level, node))


def iter_daily_tonnage(db: Database, day_from: date, day_to: date, level: str,
                       node: str | None = None, *, chunk: int = 5000) -> Iterator[dict]:
    """The rows of ``daily_tonnage`` as they are read, ``chunk`` at a time.

    For exports: a year of every booth is about two million rows, which as a
    list of dicts would take gigabytes.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    as_text = db.is_sqlite  # SQLite keeps dates as ISO text
    params = {"level": level, "node": node,
              "day_from": day_from.isoformat() if as_text else day_from,
              "day_to": day_to.isoformat() if as_text else day_to}
    days: dict = {}
    names: dict[str, str] = {}
    with db.engine.connect() as conn:
        for rows in _TONNAGE[node is not None].stream(conn, params, chunk=chunk):
            names.update(_names(conn, level, {row[1] for row in rows} - names.keys()))
            for day, node_id, category, *totals in rows:
                if day not in days:
                    days[day] = date.fromisoformat(day) if as_text else day
                item = {"day": days[day], "level": level, "node": node_id,
                        "name": names.get(node_id) or node_id, "category": category}
                item.update(zip(_KG_KEYS, [int(g or 0) / 1000 for g in totals[:5]],
                                strict=True))
                item.update(zip(_COUNT_KEYS, [int(n or 0) for n in totals[5:]], strict=True))
                yield item


def _names(conn: Connection, level: str, nodes: set[str]) -> dict[str, str]:
    """Display names of asset nodes ("" for none; villages and districts are their own names)."""
    if level in ("village", "district") or not nodes:
        return {}
    found = dict.fromkeys(nodes, "")
    found.update(conn.execute(select(Asset.asset_id, Asset.name)
                              .where(Asset.asset_id.in_(sorted(nodes)),
                                     Asset.name.is_not(None))).all())
    return found


def mass_balance(db: Database, day_from: date, day_to: date, room: str | None = None, *,
                 tolerance: float = 0.1) -> list[dict]:
    """Per transfer room, day and category: kg in, kg out, the gap, flagged above tolerance.

    ``flagged`` when |in - out| > tolerance × in, or when waste left a room that
    received none that day (a room is expected to be cleared daily).
    """
    rows = daily_tonnage(db, day_from, day_to, "transfer_room", room)
    found = []
    for row in rows:
        kg_in, kg_out = row["room_in_kg"], row["room_out_kg"]
        if not (row["room_in_count"] or row["room_out_count"]):
            continue
        gap = round(kg_in - kg_out, 3)
        share = gap / kg_in if kg_in else None
        found.append({"day": row["day"], "room": row["node"], "name": row["name"],
                      "category": row["category"], "in_kg": kg_in, "out_kg": kg_out,
                      "gap_kg": gap, "gap_share": None if share is None else round(share, 4),
                      "flagged": abs(gap) > tolerance * kg_in if kg_in else kg_out > 0})
    return found


def latest_day(db: Database, until: date) -> date | None:
    """The newest day up to ``until`` that has any tonnage recorded."""
    with db.engine.connect() as conn:
        return conn.execute(select(func.max(DailyRollup.day))
                            .where(DailyRollup.day <= until)).scalar()
