"""Mass balance for the desk: transfer rooms (in vs out) and the district (collected vs delivered).

Both from the rollups, per day and category. A row is *over* when its gap is
more than the tolerance × what came in, or when waste went out where none came
in that day.
"""

from __future__ import annotations

from datetime import date

from custody.db.engine import Database
from custody.services import tonnage


def rooms(db: Database, day_from: date, day_to: date, room: str | None, *,
          tolerance: float) -> list[dict]:
    """Per transfer room, day and category: kg in, kg out, the gap, over or not."""
    return tonnage.mass_balance(db, day_from, day_to, room, tolerance=tolerance)


def district(db: Database, day_from: date, day_to: date, *, tolerance: float) -> list[dict]:
    """Per district, day and category: kg collected at booths against kg weighed in at plants."""
    found = []
    for row in tonnage.iter_daily_tonnage(db, day_from, day_to, "district"):
        if not (row["collected_count"] or row["delivered_count"]):
            continue
        kg_in, kg_out = row["collected_kg"], row["delivered_kg"]
        found.append({"day": row["day"], "district": row["node"], "category": row["category"],
                      "collected_kg": kg_in, "delivered_kg": kg_out,
                      **tonnage.gap(kg_in, kg_out, tolerance)})
    return found
