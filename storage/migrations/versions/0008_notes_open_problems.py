"""notes: a (kind, resolved_at) index for the problems awaiting city coordination

Revision ID: 0008_notes_open_problems
Revises: 0007_web
"""
from alembic import op

revision = "0008_notes_open_problems"
down_revision = "0007_web"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The 驾驶舱 counts and lists every open problem city-wide: without it, a scan of every note
    # (≈0.8 s at the million-event bench ledger on SQLite).
    op.create_index("ix_notes_kind_resolved_at", "notes", ["kind", "resolved_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_notes_kind_resolved_at", table_name="notes")
