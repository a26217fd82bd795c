"""a rotation may take its members from an identity provider's SCIM group

Revision ID: 0146
Revises: 0145
Create Date: 2026-12-01 03:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0146"
down_revision: str | Sequence[str] | None = "0145"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rotation") as batch:
        batch.add_column(
            sa.Column("scim_group", sa.String(length=255), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("rotation") as batch:
        batch.drop_column("scim_group")
