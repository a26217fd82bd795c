"""people's Slack user ids, cached from a lookup by email; outbox messages can wait before a
retry

Revision ID: 0141
Revises: 0140
Create Date: 2026-12-01 00:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "0141"
down_revision: str | Sequence[str] | None = "0140"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slack_identity",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=True),
        sa.Column("checked_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_slack_identity_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_slack_identity")),
    )
    with op.batch_alter_table("slack_identity", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_slack_identity_slack_user_id"), ["slack_user_id"], unique=False
        )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("not_before", core.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("not_before")
    with op.batch_alter_table("slack_identity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_identity_slack_user_id"))
    op.drop_table("slack_identity")
