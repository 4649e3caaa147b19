"""group chats bound to units

Revision ID: 0005_groups
Revises: 0004_facts
"""
from alembic import op
import sqlalchemy as sa

revision = "0005_groups"
down_revision = "0004_facts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit_chats",
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("chat_id", sa.String(length=100), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("bound_by", sa.Integer(), nullable=True),
        sa.Column("bound_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "chat_id", name=op.f("pk_unit_chats")),
    )
    with op.batch_alter_table("unit_chats", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_chats_unit"), ["unit"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("unit_chats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_chats_unit"))
    op.drop_table("unit_chats")
