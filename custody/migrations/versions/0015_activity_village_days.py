"""activity village-days: the assessment's activity per village, day and measure

Revision ID: 0015
Revises: 0012
Create Date: 2026-11-30

The assessment (考核) summed ``activity_rollups`` per village, day and measure
with ``count(DISTINCT node_id)`` on every request: on the Nanhu-size
PostgreSQL month (42,000 cells) a sort of every cell by village name that
spilled to disk, 109 ms of the page's month (EXPLAIN ANALYZE), and a quarter
three times that. ``activity_village_days`` holds those sums (distinct booths
or rooms, records) for each village-day, and (measure ``households``) each
village-day's households with a deposit, which the trend summed from
``household_months`` bits (35 ms a month): 6,400 rows a month, read by key
range. The append keeps it in its own transaction with the cells and the bits
(``RollupRepository.add_activity``, ``mark_deposit_days``); ``custody rollups
rebuild`` derives it from them. Down revision 0012: the head when this was
written (0013/0014 are being written alongside; the merge re-chains).

The upgrade fills it from the cells and the bits a live district already holds
(what ``ActivityRepository.derive_village_days`` does for a rebuild), so the
assessment of an upgraded district is the same the moment it starts: an empty
table read as a district where nothing had been recorded.
"""
from datetime import date, timedelta

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'activity_village_days',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('village', sa.String(length=100), nullable=False),
        sa.Column('measure', sa.String(length=20), nullable=False),
        sa.Column('nodes', sa.BigInteger(), nullable=False),
        sa.Column('records', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('day', 'village', 'measure'),
        sqlite_with_rowid=False,
    )
    _fill(op.get_bind())


def _fill(conn) -> None:
    """The village-days of the cells (distinct nodes, records) and of the households' bits."""
    cells = sa.table("activity_rollups", sa.column("day", sa.Date), sa.column("node_id"),
                     sa.column("measure"), sa.column("village"), sa.column("count"))
    days = sa.table("activity_village_days", sa.column("day", sa.Date), sa.column("village"),
                    sa.column("measure"), sa.column("nodes"), sa.column("records"))
    bits = sa.table("household_months", sa.column("month", sa.Date), sa.column("village_id"),
                    sa.column("days"))
    villages = sa.table("villages", sa.column("id"), sa.column("name"))
    conn.execute(days.insert().from_select(
        ["day", "village", "measure", "nodes", "records"],
        sa.select(cells.c.day, cells.c.village, cells.c.measure,
                  sa.func.count(cells.c.node_id.distinct()), sa.func.sum(cells.c.count))
        .where(cells.c.village.is_not(None))
        .group_by(cells.c.day, cells.c.village, cells.c.measure)))
    for month in conn.execute(sa.select(bits.c.month).distinct()).scalars().all():
        if isinstance(month, str):
            month = date.fromisoformat(month)
        per_day = [sa.func.sum(bits.c.days.op(">>")(sa.literal_column(str(d)))
                               .op("&")(sa.literal_column("1"))) for d in range(31)]
        found = conn.execute(sa.select(villages.c.name, *per_day)
                             .join(villages, villages.c.id == bits.c.village_id)
                             .where(bits.c.month == month).group_by(villages.c.name)).all()
        rows = [{"day": month + timedelta(days=d), "village": name, "measure": "households",
                 "nodes": n, "records": n}
                for name, *counts in found for d, n in enumerate(counts)
                if n and (month + timedelta(days=d)).month == month.month]
        if rows:
            conn.execute(days.insert(), rows)


def downgrade() -> None:
    op.drop_table('activity_village_days')
