"""desk: append-only flag reviews

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

A supervisor's review of a flagged handover (confirm, dismiss with a reason, or
correct, which links the correction record it appended) is a row of
``flag_reviews``. Reviews are evidence like the ledger: the table refuses UPDATE
and DELETE through triggers, and a later review supersedes an earlier one.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

PG_APPEND_ONLY = """
CREATE FUNCTION custody_refuse_review_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'flag reviews are append-only: % refused', TG_OP;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER flag_reviews_append_only BEFORE UPDATE OR DELETE ON flag_reviews
    FOR EACH ROW EXECUTE FUNCTION custody_refuse_review_change();
"""
SQLITE_APPEND_ONLY = [
    "CREATE TRIGGER flag_reviews_no_update BEFORE UPDATE ON flag_reviews "
    "BEGIN SELECT RAISE(ABORT, 'flag reviews are append-only: UPDATE refused'); END",
    "CREATE TRIGGER flag_reviews_no_delete BEFORE DELETE ON flag_reviews "
    "BEGIN SELECT RAISE(ABORT, 'flag reviews are append-only: DELETE refused'); END",
]


def upgrade() -> None:
    op.create_table('flag_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(), nullable=False),
    sa.Column('correction_seq', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['correction_seq'], ['handovers.seq'], ),
    sa.ForeignKeyConstraint(['reviewer_id'], ['actors.id'], ),
    sa.ForeignKeyConstraint(['seq'], ['handovers.seq'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('flag_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_flag_reviews_seq_id', ['seq', 'id'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_APPEND_ONLY)
    else:
        for stmt in SQLITE_APPEND_ONLY:
            op.execute(stmt)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS flag_reviews_append_only ON flag_reviews")
        op.execute("DROP FUNCTION IF EXISTS custody_refuse_review_change()")
    else:
        op.execute("DROP TRIGGER IF EXISTS flag_reviews_no_update")
        op.execute("DROP TRIGGER IF EXISTS flag_reviews_no_delete")
    with op.batch_alter_table('flag_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_flag_reviews_seq_id')
    op.drop_table('flag_reviews')
