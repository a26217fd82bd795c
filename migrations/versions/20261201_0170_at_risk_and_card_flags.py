"""rotations say how many days ahead a shift may be at risk; a covered shift may carry its
own reading due time; readers flag cards

Revision ID: 0170
Revises: 0160
Create Date: 2026-12-01 03:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "0170"
down_revision: str | Sequence[str] | None = "0160"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rotation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("at_risk_days", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.create_check_constraint("at_risk_days_range", "at_risk_days BETWEEN 0 AND 28")
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reading_due_at", core.db.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "card_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.Text(), server_default="", nullable=False),
        sa.Column("change", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
            name=op.f("fk_card_flag_author_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["card_id"], ["card.id"], name=op.f("fk_card_flag_card_id_card"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["person.id"],
            name=op.f("fk_card_flag_resolved_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_flag")),
    )
    op.create_index(op.f("ix_card_flag_card_id"), "card_flag", ["card_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_card_flag_card_id"), table_name="card_flag")
    op.drop_table("card_flag")
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_column("reading_due_at")
    with op.batch_alter_table("rotation", schema=None) as batch_op:
        batch_op.drop_constraint("at_risk_days_range", type_="check")
        batch_op.drop_column("at_risk_days")
