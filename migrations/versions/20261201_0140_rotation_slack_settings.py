"""rotations name a Slack channel, an on-shift user group and how early to tell the
incoming person

Empty channel and group keep an existing rotation silent in Slack.

Revision ID: 0140
Revises: 20261201_0101
Create Date: 2026-12-01 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0140"
down_revision: str | Sequence[str] | None = "20261201_0101"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rotation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("slack_channel", sa.String(length=80), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("slack_usergroup", sa.String(length=40), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "slack_dm_days_ahead", sa.Integer(), server_default=sa.text("3"), nullable=False
            )
        )
        batch_op.create_check_constraint(
            "slack_dm_days_range", "slack_dm_days_ahead BETWEEN 0 AND 28"
        )


def downgrade() -> None:
    with op.batch_alter_table("rotation", schema=None) as batch_op:
        batch_op.drop_constraint("slack_dm_days_range", type_="check")
        batch_op.drop_column("slack_dm_days_ahead")
        batch_op.drop_column("slack_usergroup")
        batch_op.drop_column("slack_channel")
