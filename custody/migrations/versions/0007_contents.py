"""contents: what each handover carried per category; what each container holds

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

``handover_portions`` holds, per handover, the grams of each category it
carried (custody.domain.contents); ``asset_states`` gains each container's
contents and to whom each asset last handed its waste. Both are derived from
the ledger: after upgrading a database that already holds handovers, run
``custody rollups rebuild`` to derive them (and the rollups by category).
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('handover_portions',
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('grams', sa.BigInteger(), nullable=False),
    sa.Column('estimated', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('seq', 'category')
    )
    with op.batch_alter_table('asset_states', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contents', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('handed_to', sa.String(length=9), nullable=True))
        batch_op.add_column(sa.Column('handed_seq', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('handed_weighed', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('asset_states', schema=None) as batch_op:
        batch_op.drop_column('handed_weighed')
        batch_op.drop_column('handed_seq')
        batch_op.drop_column('handed_to')
        batch_op.drop_column('contents')
    op.drop_table('handover_portions')
