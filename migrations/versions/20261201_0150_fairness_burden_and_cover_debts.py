"""rotations choose fairness by shift count or by burden, with the weight of an hour on each
kind of day; releases record covers and the shift that paid one back; shifts keep why the
scheduler gave them to their person

Existing rotations keep fairness by count and the documented default weights.

Revision ID: 0150
Revises: 0170
Create Date: 2026-12-01 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0150"
down_revision: str | Sequence[str] | None = "0170"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rotation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("fairness", sa.String(length=8), server_default="count", nullable=False)
        )
        for kind, weight in (("weekday", "1"), ("weekend", "1.5"), ("holiday", "2")):
            batch_op.add_column(
                sa.Column(
                    f"burden_{kind}", sa.Float(), server_default=sa.text(weight), nullable=False
                )
            )
        batch_op.create_check_constraint("fairness_known", "fairness IN ('count', 'burden')")
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.add_column(sa.Column("why", sa.JSON(), nullable=True))
    with op.batch_alter_table("shift_release", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cover", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("repaid_by_shift_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_shift_release_repaid_by_shift_id_shift"),
            "shift",
            ["repaid_by_shift_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("shift_release", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_shift_release_repaid_by_shift_id_shift"), type_="foreignkey"
        )
        batch_op.drop_column("repaid_by_shift_id")
        batch_op.drop_column("cover")
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_column("why")
    with op.batch_alter_table("rotation", schema=None) as batch_op:
        batch_op.drop_constraint("fairness_known", type_="check")
        batch_op.drop_column("burden_holiday")
        batch_op.drop_column("burden_weekend")
        batch_op.drop_column("burden_weekday")
        batch_op.drop_column("fairness")
