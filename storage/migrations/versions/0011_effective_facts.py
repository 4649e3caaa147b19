"""facts know when a thing happened and when the ledger learnt it; voided projects; late facts

Revision ID: 0011_effective_facts
Revises: 0010_industry_other

The facts tables are projections: they are recreated in their new shape (project_versions gets a second key
column, which SQLite cannot add in place) and refilled from the ledger by the rebuild that follows.
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_effective_facts"
down_revision = "0010_industry_other"
branch_labels = None
depends_on = None
# The reshaped facts are refilled from events: storage.database.Database.migrate rebuilds them after upgrading.
REBUILDS_PROJECTIONS = True

FLAGS = ("industrial", "strong", "headquarters", "digital", "central_soe", "foreign")


def _versions(*, new: bool) -> None:
    keys = ["event_seq", "row_seq"] if new else ["event_seq"]
    op.create_table(
        "project_versions",
        sa.Column("event_seq", sa.BigInteger(), autoincrement=False, nullable=False),
        *([sa.Column("row_seq", sa.BigInteger(), autoincrement=False, nullable=False)] if new else []),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("owner_unit", sa.String(length=40), nullable=False),
        sa.Column("host_unit", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=True),
        sa.Column("industry", sa.String(length=60), nullable=True),
        *[sa.Column(f"flag_{f}", sa.Boolean(), nullable=False) for f in FLAGS],
        sa.Column("leader_member_id", sa.BigInteger(), nullable=True),
        sa.Column("countable", sa.Boolean(), nullable=False),
        sa.Column("credit_owner_pct", sa.SmallInteger(), nullable=True),
        sa.Column("credit_host_pct", sa.SmallInteger(), nullable=True),
        sa.Column("credit_rule", sa.String(length=40), nullable=True),
        sa.Column("contract_wan", sa.BigInteger(), nullable=True),
        sa.Column("valid_to", sa.DateTime(), nullable=True),
        sa.Column("class_key", sa.BigInteger(), nullable=False),
        *([sa.Column("recorded_at", sa.DateTime(), nullable=False),
           sa.Column("replaced_at", sa.DateTime(), nullable=True)] if new else []),
        sa.PrimaryKeyConstraint(*keys, name=op.f("pk_project_versions")),
    )
    columns = ["project_id", "at", "valid_to", "countable", "class_key"]
    if new:
        columns = ["project_id", "at", "valid_to", "countable", "replaced_at", "class_key", "recorded_at"]
    op.create_index("ix_project_versions_asof", "project_versions", columns, unique=False)


def _facts(*, new: bool) -> None:
    recorded = [sa.Column("recorded_at", sa.DateTime(), nullable=False)] if new else []
    stages = ("signed", "landed", "started", "producing")
    op.create_table(
        "project_milestones",
        sa.Column("project_id", sa.BigInteger(), autoincrement=False, nullable=False),
        *[sa.Column(f"{s}_at", sa.DateTime(), nullable=True) for s in stages],
        *([sa.Column(f"{s}_recorded", sa.DateTime(), nullable=True) for s in stages] if new else []),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_project_milestones")),
    )
    op.create_table(
        "fund_facts",
        sa.Column("event_seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("amount_wan", sa.BigInteger(), nullable=False),
        *recorded,
        *([sa.Column("entry_seq", sa.BigInteger(), nullable=False)] if new else []),
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
        *recorded,
        sa.PrimaryKeyConstraint("event_seq", name=op.f("pk_stage_facts")),
    )
    op.create_index("ix_stage_facts_project_at", "stage_facts", ["project_id", "at"], unique=False)


def _drop_facts() -> None:
    op.drop_index("ix_stage_facts_project_at", table_name="stage_facts")
    op.drop_table("stage_facts")
    op.drop_index("ix_fund_facts_at", table_name="fund_facts")
    op.drop_index("ix_fund_facts_project_at", table_name="fund_facts")
    op.drop_table("fund_facts")
    op.drop_table("project_milestones")
    op.drop_index("ix_project_versions_asof", table_name="project_versions")
    op.drop_table("project_versions")


def upgrade() -> None:
    _drop_facts()
    _versions(new=True)
    _facts(new=True)
    op.create_table(
        "late_facts",
        sa.Column("event_seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("event_seq", name=op.f("pk_late_facts")),
    )
    op.create_index("ix_late_facts_at", "late_facts", ["at"], unique=False)
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("voided_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("void_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("void_reason")
        batch.drop_column("voided_at")
    op.drop_index("ix_late_facts_at", table_name="late_facts")
    op.drop_table("late_facts")
    _drop_facts()
    _versions(new=False)
    _facts(new=False)
