"""reporting facts: project versions, fund and stage facts (rebuilt from the ledger)

Revision ID: 0004_facts
Revises: 0003_sharing
"""
from alembic import op
import sqlalchemy as sa

revision = "0004_facts"
down_revision = "0003_sharing"
branch_labels = None
depends_on = None
# New projections of old events: storage.database.Database.migrate rebuilds them after upgrading.
REBUILDS_PROJECTIONS = True


def upgrade() -> None:
    op.create_table(
        "project_versions",
        sa.Column("event_seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("owner_unit", sa.String(length=40), nullable=False),
        sa.Column("host_unit", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=True),
        sa.Column("industry", sa.String(length=60), nullable=True),
        sa.Column("flag_industrial", sa.Boolean(), nullable=False),
        sa.Column("flag_strong", sa.Boolean(), nullable=False),
        sa.Column("flag_headquarters", sa.Boolean(), nullable=False),
        sa.Column("flag_digital", sa.Boolean(), nullable=False),
        sa.Column("flag_central_soe", sa.Boolean(), nullable=False),
        sa.Column("flag_foreign", sa.Boolean(), nullable=False),
        sa.Column("leader_member_id", sa.BigInteger(), nullable=True),
        sa.Column("countable", sa.Boolean(), nullable=False),
        sa.Column("credit_owner_pct", sa.SmallInteger(), nullable=True),
        sa.Column("credit_host_pct", sa.SmallInteger(), nullable=True),
        sa.Column("credit_rule", sa.String(length=40), nullable=True),
        sa.Column("contract_wan", sa.BigInteger(), nullable=True),
        sa.Column("valid_to", sa.DateTime(), nullable=True),
        sa.Column("class_key", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("event_seq", name=op.f("pk_project_versions")),
    )
    op.create_table(
        "project_milestones",
        sa.Column("project_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=True),
        sa.Column("landed_at", sa.DateTime(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("producing_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_project_milestones")),
    )
    op.create_index("ix_project_versions_asof", "project_versions",
                    ["project_id", "at", "valid_to", "countable", "class_key"], unique=False)
    op.create_table(
        "fund_facts",
        sa.Column("event_seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("amount_wan", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("event_seq", name=op.f("pk_fund_facts")),
    )
    op.create_index("ix_fund_facts_project_at", "fund_facts", ["project_id", "at"], unique=False)
    op.create_index("ix_fund_facts_at", "fund_facts", ["at"], unique=False)
    op.create_table(
        "stage_facts",
        sa.Column("event_seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("stage_rank", sa.Integer(), nullable=False),
        sa.Column("contract_wan", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("event_seq", name=op.f("pk_stage_facts")),
    )
    op.create_index("ix_stage_facts_project_at", "stage_facts", ["project_id", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_stage_facts_project_at", table_name="stage_facts")
    op.drop_table("stage_facts")
    op.drop_index("ix_fund_facts_at", table_name="fund_facts")
    op.drop_index("ix_fund_facts_project_at", table_name="fund_facts")
    op.drop_table("fund_facts")
    op.drop_table("project_milestones")
    op.drop_index("ix_project_versions_asof", table_name="project_versions")
    op.drop_table("project_versions")
