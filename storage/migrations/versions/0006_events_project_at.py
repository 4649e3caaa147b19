"""events: one (project_id, at) index instead of (project_id)

Revision ID: 0006_events_project_at
Revises: 0005_groups
"""
from alembic import op

revision = "0006_events_project_at"
down_revision = "0005_groups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Covers every lookup the old index served, and "last event per project before T" without
    # reading the rows (the 台账 at a million events: 2.2 s → 0.2 s on SQLite).
    op.create_index("ix_events_project_at", "events", ["project_id", "at"], unique=False)
    op.drop_index("ix_events_project_id", table_name="events")


def downgrade() -> None:
    op.create_index("ix_events_project_id", "events", ["project_id"], unique=False)
    op.drop_index("ix_events_project_at", table_name="events")
