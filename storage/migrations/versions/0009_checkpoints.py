"""ledger checkpoints: the heads that pushes carried out of the database

Revision ID: 0009_checkpoints
Revises: 0008_notes_open_problems
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_checkpoints"
down_revision = "0008_notes_open_problems"
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table(
        "ledger_checkpoints",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("via", sa.String(80), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", "via", name=op.f("pk_ledger_checkpoints")),
    )

def downgrade() -> None:
    op.drop_table("ledger_checkpoints")
