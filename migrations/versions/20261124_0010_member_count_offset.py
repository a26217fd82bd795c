"""rotation members carry the shift count they were credited with on joining

Revision ID: 0010
Revises: 0002
Create Date: 2026-11-24 04:17:52.458357
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing members start from zero, as every member did before the column existed.
    with op.batch_alter_table("rotation_member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("count_offset", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("rotation_member", schema=None) as batch_op:
        batch_op.drop_column("count_offset")
