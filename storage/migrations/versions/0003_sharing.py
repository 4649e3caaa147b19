"""shared lead ledger: transfers, routes, interests, claims, supporting units, credit snapshots

Revision ID: 0003_sharing
Revises: 0002_reports
"""
from alembic import op
import sqlalchemy as sa

revision = '0003_sharing'
down_revision = '0002_reports'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sharing_claims',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('project_id', sa.BigInteger(), nullable=False),
    sa.Column('other_project_id', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('opened_by', sa.BigInteger(), nullable=True),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('first_contact_unit', sa.String(length=40), nullable=True),
    sa.Column('first_contact_project_id', sa.BigInteger(), nullable=True),
    sa.Column('decided_by', sa.BigInteger(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('resolved_seq', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sharing_claims'))
    )
    with op.batch_alter_table('sharing_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sharing_claims_other_project_id'), ['other_project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sharing_claims_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sharing_claims_status'), ['status'], unique=False)

    op.create_table('sharing_interests',
    sa.Column('project_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('project_id', 'unit', name=op.f('pk_sharing_interests'))
    )
    op.create_table('sharing_project_credits',
    sa.Column('project_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('source_seq', sa.BigInteger(), nullable=False),
    sa.Column('owner_unit', sa.String(length=40), nullable=False),
    sa.Column('host_unit', sa.String(length=40), nullable=False),
    sa.Column('rule_code', sa.String(length=60), nullable=True),
    sa.Column('rule_name', sa.String(length=100), nullable=True),
    sa.Column('owner_pct', sa.Integer(), nullable=False),
    sa.Column('host_pct', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('project_id', name=op.f('pk_sharing_project_credits'))
    )
    op.create_table('sharing_routes',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('project_id', sa.BigInteger(), nullable=False),
    sa.Column('from_unit', sa.String(length=40), nullable=False),
    sa.Column('to_unit', sa.String(length=40), nullable=False),
    sa.Column('suggested', sa.Text(), nullable=False),
    sa.Column('routed_by', sa.BigInteger(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sharing_routes'))
    )
    with op.batch_alter_table('sharing_routes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sharing_routes_project_id'), ['project_id'], unique=False)

    op.create_table('sharing_supporting_units',
    sa.Column('project_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('project_id', 'unit', name=op.f('pk_sharing_supporting_units'))
    )
    op.create_table('sharing_transfers',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('project_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('from_unit', sa.String(length=40), nullable=False),
    sa.Column('to_unit', sa.String(length=40), nullable=False),
    sa.Column('owner_unit', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('proposed_by', sa.BigInteger(), nullable=True),
    sa.Column('proposed_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decided_by', sa.BigInteger(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sharing_transfers'))
    )
    with op.batch_alter_table('sharing_transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sharing_transfers_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sharing_transfers_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_sharing_transfers_to_unit'), ['to_unit'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sharing_transfers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sharing_transfers_to_unit'))
        batch_op.drop_index(batch_op.f('ix_sharing_transfers_status'))
        batch_op.drop_index(batch_op.f('ix_sharing_transfers_project_id'))

    op.drop_table('sharing_transfers')
    op.drop_table('sharing_supporting_units')
    with op.batch_alter_table('sharing_routes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sharing_routes_project_id'))

    op.drop_table('sharing_routes')
    op.drop_table('sharing_project_credits')
    op.drop_table('sharing_interests')
    with op.batch_alter_table('sharing_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sharing_claims_status'))
        batch_op.drop_index(batch_op.f('ix_sharing_claims_project_id'))
        batch_op.drop_index(batch_op.f('ix_sharing_claims_other_project_id'))

    op.drop_table('sharing_claims')
