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

It starts empty: run ``custody rollups rebuild`` once after upgrading a
database that already holds handovers.
"""
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


def downgrade() -> None:
    op.drop_table('activity_village_days')
