"""initial schema: ledger, projections, operational state

Revision ID: 0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa

# The ledger refuses UPDATE and DELETE at the database itself; the hash chain catches anyone
# who drops these triggers first.
_SQLITE_GUARDS = [
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
    "BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END",
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
    "BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END",
]
_PG_GUARDS = [
    "CREATE FUNCTION zsbot_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'ledger events are append-only'; END $$",
    "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
    "FOR EACH ROW EXECUTE FUNCTION zsbot_events_append_only()",
    "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events "
    "FOR EACH STATEMENT EXECUTE FUNCTION zsbot_events_append_only()",
]


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('conversations',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('flow', sa.String(length=30), nullable=False),
    sa.Column('step', sa.String(length=40), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('chat_id', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_conversations'))
    )
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversations_expires_at'), ['expires_at'], unique=False)

    op.create_table('events',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.BigInteger(), nullable=True),
    sa.Column('unit', sa.String(length=40), nullable=True),
    sa.Column('project_id', sa.BigInteger(), nullable=True),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_events')),
    sa.UniqueConstraint('hash', name=op.f('uq_events_hash')),
    sa.UniqueConstraint('prev_hash', name=op.f('uq_events_prev_hash'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_type'), ['type'], unique=False)

    op.create_table('identities',
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('chat_id', sa.String(length=100), nullable=False),
    sa.Column('bound_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('channel', 'external_id', name=op.f('pk_identities'))
    )
    with op.batch_alter_table('identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identities_member_id'), ['member_id'], unique=False)

    op.create_table('invites',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('member_id', sa.BigInteger(), nullable=True),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('used_by', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invites')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_invites_code_hash'))
    )
    op.create_table('members',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('trip_quota', sa.Integer(), nullable=True),
    sa.Column('reporter', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_members'))
    )
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_members_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_members_unit'), ['unit'], unique=False)

    op.create_table('notes',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('project_id', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('author_id', sa.BigInteger(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('next_steps', sa.Text(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notes'))
    )
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notes_project_id'), ['project_id'], unique=False)

    op.create_table('org_configs',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_org_configs'))
    )
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('chat_id', sa.String(length=100), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=True),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('not_before', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('key', name=op.f('uq_outbox_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['status', 'not_before'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_kind'), ['kind'], unique=False)

    op.create_table('processed_updates',
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('update_id', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('channel', 'update_id', name=op.f('pk_processed_updates'))
    )
    with op.batch_alter_table('processed_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processed_updates_at'), ['at'], unique=False)

    op.create_table('projects',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('normalized_name', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('industry', sa.String(length=60), nullable=True),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=True),
    sa.Column('source', sa.String(length=40), nullable=True),
    sa.Column('contact', sa.String(length=200), nullable=True),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('next_steps', sa.Text(), nullable=True),
    sa.Column('intended_wan', sa.BigInteger(), nullable=True),
    sa.Column('contract_wan', sa.BigInteger(), nullable=True),
    sa.Column('planned_wan', sa.BigInteger(), nullable=True),
    sa.Column('funds_wan', sa.BigInteger(), nullable=False),
    sa.Column('foreign_wan', sa.BigInteger(), nullable=True),
    sa.Column('foreign_currency', sa.String(length=3), nullable=True),
    sa.Column('flag_industrial', sa.Boolean(), nullable=False),
    sa.Column('flag_strong', sa.Boolean(), nullable=False),
    sa.Column('flag_headquarters', sa.Boolean(), nullable=False),
    sa.Column('flag_digital', sa.Boolean(), nullable=False),
    sa.Column('flag_central_soe', sa.Boolean(), nullable=False),
    sa.Column('flag_foreign', sa.Boolean(), nullable=False),
    sa.Column('owner_unit', sa.String(length=40), nullable=False),
    sa.Column('responsible_unit', sa.String(length=40), nullable=False),
    sa.Column('responsible_person', sa.String(length=100), nullable=True),
    sa.Column('leader_member_id', sa.BigInteger(), nullable=True),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('terminated_reason', sa.Text(), nullable=True),
    sa.Column('duplicate_of', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects'))
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projects_credit_code'), ['credit_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_normalized_name'), ['normalized_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_owner_unit'), ['owner_unit'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_responsible_unit'), ['responsible_unit'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_stage'), ['stage'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_updated_at'), ['updated_at'], unique=False)

    op.create_table('trips',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('traveller', sa.String(length=100), nullable=False),
    sa.Column('leader_member_id', sa.BigInteger(), nullable=True),
    sa.Column('destination', sa.String(length=100), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('companies', sa.Text(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('next_steps', sa.Text(), nullable=True),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trips'))
    )
    with op.batch_alter_table('trips', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trips_leader_member_id'), ['leader_member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trips_unit'), ['unit'], unique=False)

    for statement in _PG_GUARDS if op.get_bind().dialect.name == "postgresql" else _SQLITE_GUARDS:
        op.execute(statement)

    op.create_table('units',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('parent', sa.String(length=40), nullable=True),
    sa.Column('peer_group', sa.String(length=40), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_units'))
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS events_no_truncate ON events")
        op.execute("DROP TRIGGER IF EXISTS events_append_only ON events")
        op.execute("DROP FUNCTION IF EXISTS zsbot_events_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS events_no_update")
        op.execute("DROP TRIGGER IF EXISTS events_no_delete")
    op.drop_table('units')
    with op.batch_alter_table('trips', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trips_unit'))
        batch_op.drop_index(batch_op.f('ix_trips_leader_member_id'))

    op.drop_table('trips')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projects_updated_at'))
        batch_op.drop_index(batch_op.f('ix_projects_stage'))
        batch_op.drop_index(batch_op.f('ix_projects_responsible_unit'))
        batch_op.drop_index(batch_op.f('ix_projects_owner_unit'))
        batch_op.drop_index(batch_op.f('ix_projects_normalized_name'))
        batch_op.drop_index(batch_op.f('ix_projects_credit_code'))

    op.drop_table('projects')
    with op.batch_alter_table('processed_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processed_updates_at'))

    op.drop_table('processed_updates')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_kind'))
        batch_op.drop_index('ix_outbox_due')

    op.drop_table('outbox')
    op.drop_table('org_configs')
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notes_project_id'))

    op.drop_table('notes')
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_members_unit'))
        batch_op.drop_index(batch_op.f('ix_members_name'))

    op.drop_table('members')
    op.drop_table('invites')
    with op.batch_alter_table('identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identities_member_id'))

    op.drop_table('identities')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_type'))
        batch_op.drop_index(batch_op.f('ix_events_project_id'))
        batch_op.drop_index(batch_op.f('ix_events_at'))

    op.drop_table('events')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversations_expires_at'))

    op.drop_table('conversations')
