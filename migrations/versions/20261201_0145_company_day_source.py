"""company days off remember where they came from (the API or the company's calendar)

Revision ID: 0145
Revises: 0142
Create Date: 2026-12-01 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0145"
down_revision: str | Sequence[str] | None = "0142"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("company_day_off") as batch:
        batch.add_column(
            sa.Column("source", sa.String(length=10), server_default="manual", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("company_day_off") as batch:
        batch.drop_column("source")
