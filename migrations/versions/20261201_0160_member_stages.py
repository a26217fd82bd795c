"""members have stages (shadow, reverse shadow, primary) and shifts a role; rotations say
how many shifts a newcomer shadows

Existing members are primaries and existing shifts primary: nothing changes until a
rotation asks for shadow shifts.

Revision ID: 0160
Revises: 0146
Create Date: 2026-12-01 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0160"
down_revision: str | Sequence[str] | None = "0146"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rotation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "shadow_shifts_required", sa.Integer(), server_default=sa.text("0"), nullable=False
            )
        )
    with op.batch_alter_table("rotation_member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("stage", sa.String(length=20), server_default="primary", nullable=False)
        )
        batch_op.add_column(
            sa.Column("graduation_held", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("role", sa.String(length=10), server_default="primary", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_column("role")
    with op.batch_alter_table("rotation_member", schema=None) as batch_op:
        batch_op.drop_column("graduation_held")
        batch_op.drop_column("stage")
    with op.batch_alter_table("rotation", schema=None) as batch_op:
        batch_op.drop_column("shadow_shifts_required")
