"""projects.industry_other: a chain typed under 其他, for the office to map (issue 16)

Revision ID: 0010_industry_other
Revises: 0009_checkpoints
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_industry_other"
down_revision = "0009_checkpoints"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("industry_other", sa.String(60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("industry_other")
