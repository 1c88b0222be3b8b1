"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22

The ledger table refuses UPDATE and DELETE through triggers: corrections are
new records. (Anyone who can drop the triggers can still edit rows; `custody
verify` and signed checkpoints are what detect that.)
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

PG_APPEND_ONLY = """
CREATE FUNCTION custody_refuse_ledger_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the custody ledger is append-only: % refused', TG_OP;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER handovers_append_only BEFORE UPDATE OR DELETE ON handovers
    FOR EACH ROW EXECUTE FUNCTION custody_refuse_ledger_change();
"""
SQLITE_APPEND_ONLY = [
    "CREATE TRIGGER handovers_no_update BEFORE UPDATE ON handovers "
    "BEGIN SELECT RAISE(ABORT, 'the custody ledger is append-only: UPDATE refused'); END",
    "CREATE TRIGGER handovers_no_delete BEFORE DELETE ON handovers "
    "BEGIN SELECT RAISE(ABORT, 'the custody ledger is append-only: DELETE refused'); END",
]


def upgrade() -> None:
    op.create_table('actors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('asset_serials',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('last_serial', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind')
    )
    op.create_table('ledger_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('villages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('district', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('households',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['village_id'], ['villages.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('village_id', 'ref')
    )
    op.create_table('assets',
    sa.Column('asset_id', sa.String(length=9), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=True),
    sa.Column('village_id', sa.Integer(), nullable=True),
    sa.Column('site_id', sa.String(length=9), nullable=True),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('lat_e7', sa.Integer(), nullable=True),
    sa.Column('lon_e7', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['assets.asset_id'], ),
    sa.ForeignKeyConstraint(['village_id'], ['villages.id'], ),
    sa.PrimaryKeyConstraint('asset_id'),
    sa.UniqueConstraint('kind', 'serial')
    )
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assets_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_assets_village_id'), ['village_id'], unique=False)

    op.create_table('asset_states',
    sa.Column('asset_id', sa.String(length=9), nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.Column('last_seen_us', sa.BigInteger(), nullable=False),
    sa.Column('lat_e7', sa.Integer(), nullable=True),
    sa.Column('lon_e7', sa.Integer(), nullable=True),
    sa.Column('accuracy_cm', sa.Integer(), nullable=True),
    sa.Column('holding', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.asset_id'], ),
    sa.PrimaryKeyConstraint('asset_id')
    )
    op.create_table('handovers',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('record_kind', sa.String(length=20), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=True),
    sa.Column('source_id', sa.String(length=9), nullable=False),
    sa.Column('dest_id', sa.String(length=9), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.Column('device_time_us', sa.BigInteger(), nullable=True),
    sa.Column('server_time_us', sa.BigInteger(), nullable=False),
    sa.Column('lat_e7', sa.Integer(), nullable=True),
    sa.Column('lon_e7', sa.Integer(), nullable=True),
    sa.Column('accuracy_cm', sa.Integer(), nullable=True),
    sa.Column('photo_sha256', sa.String(length=64), nullable=True),
    sa.Column('weight_g', sa.BigInteger(), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=True),
    sa.Column('flags', sa.String(length=200), nullable=True),
    sa.Column('corrects_seq', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], ),
    sa.ForeignKeyConstraint(['corrects_seq'], ['handovers.seq'], ),
    sa.ForeignKeyConstraint(['dest_id'], ['assets.asset_id'], ),
    sa.ForeignKeyConstraint(['source_id'], ['assets.asset_id'], ),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('hash'),
    sa.UniqueConstraint('prev_hash')
    )
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.create_index('ix_handovers_dest_seq', ['dest_id', 'seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_handovers_photo_sha256'), ['photo_sha256'], unique=False)
        batch_op.create_index('ix_handovers_server_time', ['server_time_us'], unique=False)
        batch_op.create_index('ix_handovers_source_seq', ['source_id', 'seq'], unique=False)

    op.bulk_insert(
        sa.table("ledger_head", sa.column("id", sa.Integer), sa.column("seq", sa.BigInteger),
                 sa.column("hash", sa.String)),
        [{"id": 1, "seq": 0, "hash": "0" * 64}],
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_APPEND_ONLY)
    else:
        for stmt in SQLITE_APPEND_ONLY:
            op.execute(stmt)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS handovers_append_only ON handovers")
        op.execute("DROP FUNCTION IF EXISTS custody_refuse_ledger_change()")
    else:
        op.execute("DROP TRIGGER IF EXISTS handovers_no_update")
        op.execute("DROP TRIGGER IF EXISTS handovers_no_delete")
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.drop_index('ix_handovers_source_seq')
        batch_op.drop_index('ix_handovers_server_time')
        batch_op.drop_index(batch_op.f('ix_handovers_photo_sha256'))
        batch_op.drop_index('ix_handovers_dest_seq')

    op.drop_table('handovers')
    op.drop_table('asset_states')
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assets_village_id'))
        batch_op.drop_index(batch_op.f('ix_assets_kind'))

    op.drop_table('assets')
    op.drop_table('households')
    op.drop_table('villages')
    op.drop_table('ledger_head')
    op.drop_table('asset_serials')
    op.drop_table('actors')
