"""half-monthly reports, observation projects, the calendar's bookkeeping

Revision ID: 0002_reports
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_reports'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_submissions',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('deadline_at', sa.DateTime(), nullable=False),
    sa.Column('on_time', sa.Boolean(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=True),
    sa.Column('projects', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_submissions')),
    sa.UniqueConstraint('unit', 'period', name=op.f('uq_report_submissions_unit'))
    )
    with op.batch_alter_table('report_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_submissions_period'), ['period'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_submissions_unit'), ['unit'], unique=False)

    op.create_table('observation_projects',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('quarter', sa.String(length=6), nullable=False),
    sa.Column('project_id', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=True),
    sa.Column('named_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observation_projects'))
    )
    with op.batch_alter_table('observation_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_observation_projects_quarter'), ['quarter'], unique=False)
        batch_op.create_index(batch_op.f('ix_observation_projects_unit'), ['unit'], unique=False)

    op.create_table('calendar_pushes',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('period', sa.String(length=40), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=True),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_calendar_pushes'))
    )
    with op.batch_alter_table('calendar_pushes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_pushes_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_pushes_kind'), ['kind'], unique=False)

    op.create_table('calendar_state',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_calendar_state'))
    )


def downgrade() -> None:
    op.drop_table('calendar_state')
    with op.batch_alter_table('calendar_pushes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_pushes_kind'))
        batch_op.drop_index(batch_op.f('ix_calendar_pushes_due_at'))

    op.drop_table('calendar_pushes')
    with op.batch_alter_table('observation_projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_observation_projects_unit'))
        batch_op.drop_index(batch_op.f('ix_observation_projects_quarter'))

    op.drop_table('observation_projects')
    with op.batch_alter_table('report_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_submissions_unit'))
        batch_op.drop_index(batch_op.f('ix_report_submissions_period'))

    op.drop_table('report_submissions')
