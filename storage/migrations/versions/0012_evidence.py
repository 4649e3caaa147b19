"""evidence: files' bytes keyed by SHA-256, files attached to projects, funds reports' verification

Revision ID: 0012_evidence
Revises: 0011_effective_facts
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_evidence"
down_revision = "0011_effective_facts"
branch_labels = None
depends_on = None
# funds_reports is a new projection of old events (every funds report already recorded waits for
# verification): storage.database.Database.migrate rebuilds the projections after upgrading.
REBUILDS_PROJECTIONS = True


def upgrade() -> None:
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_blobs")),
    )
    op.create_table(
        "attachments",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("mime_type", sa.String(120), nullable=False),
        sa.Column("actor", sa.BigInteger(), nullable=True),
        sa.Column("unit", sa.String(40), nullable=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_attachments")),
    )
    op.create_index(op.f("ix_attachments_project_id"), "attachments", ["project_id"], unique=False)
    op.create_table(
        "funds_reports",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("amount_wan", sa.BigInteger(), nullable=False),
        sa.Column("reported_by", sa.BigInteger(), nullable=True),
        sa.Column("reported_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("waiting_since", sa.DateTime(), nullable=False),
        sa.Column("verified_wan", sa.BigInteger(), nullable=True),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_funds_reports")),
    )
    op.create_index(op.f("ix_funds_reports_project_id"), "funds_reports", ["project_id"], unique=False)
    op.create_index("ix_funds_reports_status_waiting", "funds_reports", ["status", "waiting_since"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_funds_reports_status_waiting", table_name="funds_reports")
    op.drop_index(op.f("ix_funds_reports_project_id"), table_name="funds_reports")
    op.drop_table("funds_reports")
    op.drop_index(op.f("ix_attachments_project_id"), table_name="attachments")
    op.drop_table("attachments")
    op.drop_table("blobs")
