"""BulkInsert writes the same rows whichever form it sends: per row, multi-row VALUES, arrays."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from custody.db.repositories import rollups
from custody.db.schema import DailyRollup


def _cells(n: int, grams: int) -> list[dict]:
    """n distinct rollup cells, each adding ``grams`` and one record."""
    day = date(2026, 5, 1)
    return [{"level": "node", "day": day, "node_id": f"K{i:03d}", "category": "kitchen",
             "measure": "collected", "grams": grams, "count": 1} for i in range(n)]


def _written(db) -> dict:
    with db.read() as session:
        return {(r.node_id, r.day): (r.grams, r.count)
                for r in session.scalars(select(DailyRollup))}


@pytest.mark.parametrize("n", [1, 2, 3, 15, 16, 40])
def test_every_row_count_inserts_then_upserts_the_same_cells(db, n):
    upsert = rollups._UPSERT_ROLLUP
    sqlite = db.is_sqlite
    for grams in (100, 250):  # the second pass hits every cell's ON CONFLICT
        rows = _cells(n, grams)
        if sqlite:
            for row in rows:
                row["day"] = row["day"].isoformat()
        with db.write_engine.begin() as conn:
            upsert.execute(conn, rows)
    assert _written(db) == {(f"K{i:03d}", date(2026, 5, 1)): (350, 2) for i in range(n)}
    if not sqlite and 2 <= n < 16:
        assert n in upsert._values  # sent as one multi-row VALUES statement
