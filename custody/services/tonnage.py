"""Reading the daily tonnage: per day, node and category, from the rollups only.

The rollups (``custody.services.rollups``) are kept in step with every append,
so no report here ever scans raw handovers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from custody.db.engine import Database
from custody.db.repositories import reading
from custody.services.rollups import LEVELS, MEASURES

_KG_KEYS = tuple(f"{m}_kg" for m in MEASURES)
_COUNT_KEYS = tuple(f"{m}_count" for m in MEASURES)


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
    names: dict[str, str] = {}
    with reading(db) as repos:
        for rows in repos.rollups.tonnage_cells(level, day_from, day_to, node, MEASURES,
                                                chunk=chunk):
            if level not in ("village", "district"):  # those are their own names
                names.update(repos.rollups.node_names({row[1] for row in rows} - names.keys()))
            for day, node_id, category, *totals in rows:
                item = {"day": day, "level": level, "node": node_id,
                        "name": names.get(node_id) or node_id, "category": category}
                item.update(zip(_KG_KEYS, [int(g or 0) / 1000 for g in totals[:5]],
                                strict=True))
                item.update(zip(_COUNT_KEYS, [int(n or 0) for n in totals[5:]], strict=True))
                yield item


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
        found.append({"day": row["day"], "room": row["node"], "name": row["name"],
                      "category": row["category"], "in_kg": kg_in, "out_kg": kg_out,
                      **gap(kg_in, kg_out, tolerance)})
    return found


def gap(kg_in: float, kg_out: float, tolerance: float) -> dict:
    """The gap between in and out (kg, to the gram), its share of in, and whether it is over
    the tolerance. Never a negative zero: a gap rounded to nothing is 0.0, not -0.0."""
    kg = round(kg_in - kg_out, 3) + 0.0  # -0.0 + 0.0 is 0.0
    share = round(kg / kg_in, 4) + 0.0 if kg_in else None
    return {"gap_kg": kg, "gap_share": share,
            "flagged": abs(kg) > tolerance * kg_in if kg_in else kg_out > 0}


def latest_day(db: Database, until: date) -> date | None:
    """The newest day up to ``until`` that has any tonnage recorded."""
    with reading(db) as repos:
        return repos.rollups.latest_day(until)
