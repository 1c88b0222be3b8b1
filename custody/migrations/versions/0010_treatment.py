"""treatment: a facility's registered kind of treatment

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30

``assets.treatment`` names what a treatment facility does with what it receives
(composting, recycling, incineration, landfill, hazardous_treatment; the
``vocabulary`` identifiers), so the public trace page can say it plainly.
Empty for every other kind of asset.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assets') as batch:
        batch.add_column(sa.Column('treatment', sa.String(length=30), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('assets') as batch:
        batch.drop_column('treatment')
