"""rollups: daily tonnage per node, category and measure; weights in force after corrections

Revision ID: 0003
Revises: 0004
Create Date: 2026-11-22

Both tables are derived from the ledger and rebuilt by ``custody rollups
rebuild``. (0004_scans already revises 0002, so this one follows 0004 to keep
a single head.)
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('daily_rollups',
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('node_id', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('measure', sa.String(length=20), nullable=False),
    sa.Column('grams', sa.BigInteger(), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('level', 'day', 'node_id', 'category', 'measure'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('daily_rollups', schema=None) as batch_op:
        batch_op.create_index('ix_daily_rollups_node_day', ['level', 'node_id', 'day'], unique=False)
    op.create_table('corrected_weights',
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('weight_g', sa.BigInteger(), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['seq'], ['handovers.seq'], ),
    sa.PrimaryKeyConstraint('seq')
    )


def downgrade() -> None:
    op.drop_table('corrected_weights')
    with op.batch_alter_table('daily_rollups', schema=None) as batch_op:
        batch_op.drop_index('ix_daily_rollups_node_day')
    op.drop_table('daily_rollups')
