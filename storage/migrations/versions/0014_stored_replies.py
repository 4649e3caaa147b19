"""stored replies: an update's replies kept with its record until the channel sent them

Revision ID: 0014_stored_replies
Revises: 0013_counted_funds
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_stored_replies"
down_revision = "0013_counted_funds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("processed_updates") as batch:
        batch.add_column(sa.Column("replies", sa.Text(), nullable=True))
        batch.add_column(sa.Column("replies_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("processed_updates") as batch:
        batch.drop_column("replies_at")
        batch.drop_column("replies")
