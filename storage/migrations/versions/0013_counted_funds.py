"""counted funds: each funds decision's effect on the figures (verified amount, what leaves 待核实), as of when

Revision ID: 0013_counted_funds
Revises: 0012_evidence
"""
import sqlalchemy as sa
from alembic import op

revision = "0013_counted_funds"
down_revision = "0012_evidence"
branch_labels = None
depends_on = None
# A new projection of events already recorded (decisions made since 0012): the projections are rebuilt after upgrading.
REBUILDS_PROJECTIONS = True


def upgrade() -> None:
    op.create_table(
        "funds_decision_facts",
        sa.Column("event_seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("entry_seq", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("verified_wan", sa.BigInteger(), nullable=False),
        sa.Column("settled_wan", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("event_seq", name=op.f("pk_funds_decision_facts")),
    )
    op.create_index("ix_funds_decision_facts_project_at", "funds_decision_facts", ["project_id", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_funds_decision_facts_project_at", table_name="funds_decision_facts")
    op.drop_table("funds_decision_facts")
