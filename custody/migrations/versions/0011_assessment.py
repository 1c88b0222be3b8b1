"""assessment: towns above villages, activity rollups and households' deposit days

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30

- ``towns`` (镇/街道) and ``villages.town_id``: the level above villages that
  the district assessment ranks (a village without a town is ranked alone).
- ``activity_rollups``: records of one measure (pickup, inspection, deposit,
  room clearance ...) per day, booth or transfer room and person, with the
  node's village; derived from the ledger like ``daily_rollups`` and rebuilt
  by ``custody rollups rebuild``.
- ``household_months``: per household and month, a bit per day on which it
  deposited, so a period's distinct depositing households are counted without
  reading the ledger.

Both derived tables start empty; run ``custody rollups rebuild`` once after
upgrading a database that already holds handovers.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'towns',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('district', sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    # A nullable column added in place, not by copying the table (a batch copy drops
    # ``villages``, which the households and assets of a live district refer to).
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE villages ADD COLUMN town_id INTEGER '
                   'CONSTRAINT fk_villages_town_id_towns REFERENCES towns (id)')
    else:
        op.add_column('villages', sa.Column('town_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_villages_town_id_towns', 'villages', 'towns',
                              ['town_id'], ['id'])
    op.create_index('ix_villages_town_id', 'villages', ['town_id'])
    op.create_table(
        'activity_rollups',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('node_id', sa.String(length=9), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=False),
        sa.Column('measure', sa.String(length=20), nullable=False),
        sa.Column('village', sa.String(length=100), nullable=True),
        sa.Column('count', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('day', 'node_id', 'actor_id', 'measure'),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'household_months',
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('household_id', sa.Integer(), nullable=False),
        sa.Column('village_id', sa.Integer(), nullable=False),
        sa.Column('days', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('month', 'household_id'),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table('household_months')
    op.drop_table('activity_rollups')
    with op.batch_alter_table('villages') as batch:
        batch.drop_index('ix_villages_town_id')
        batch.drop_constraint('fk_villages_town_id_towns', type_='foreignkey')
        batch.drop_column('town_id')
    op.drop_table('towns')
