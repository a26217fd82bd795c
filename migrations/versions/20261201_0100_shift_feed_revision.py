"""shift.feed_revision: counts changes of the text a feed shows for a shift

A rename of the rotation or of a person on the shift changes an event's text without changing
the shift; calendar clients only take the new text when SEQUENCE rises, and the feed shows
``sequence + feed_revision``. Kept apart from ``sequence``, which pending swaps compare.

Revision ID: 20261201_0100
Revises: 0111
Create Date: 2026-12-01 00:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_0100"
down_revision: str | Sequence[str] | None = "0111"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("feed_revision", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_column("feed_revision")
