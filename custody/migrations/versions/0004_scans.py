"""scans: every photo upload attempt, with its idempotency key and stored answer

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scan_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=100), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('photo_sha256', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('http_status', sa.Integer(), nullable=False),
    sa.Column('response', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], ),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('actor_id', 'idempotency_key')
    )
    with op.batch_alter_table('scan_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scan_attempts_photo_sha256'), ['photo_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_scan_attempts_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_scan_attempts_status'), ['status'], unique=False)


def downgrade() -> None:
    op.drop_table('scan_attempts')
