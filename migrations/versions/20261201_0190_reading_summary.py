"""per person and rotation, the required cards still unread, so readiness reports need not
load every acknowledgement; an index for a person's latest acknowledgement

Revision ID: 0190
Revises: 0200
Create Date: 2026-12-01 07:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "0190"
down_revision: str | Sequence[str] | None = "0200"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reading_summary",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("rotation_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("missing", sa.Text(), nullable=False),
        sa.Column("through", sa.Integer(), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_reading_summary_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rotation_id"],
            ["rotation.id"],
            name=op.f("fk_reading_summary_rotation_id_rotation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "rotation_id", name=op.f("pk_reading_summary")),
    )
    op.create_index(
        op.f("ix_reading_summary_rotation_id"), "reading_summary", ["rotation_id"], unique=False
    )
    op.create_index(
        "ix_acknowledgement_person_id_id", "acknowledgement", ["person_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_acknowledgement_person_id_id", table_name="acknowledgement")
    op.drop_index(op.f("ix_reading_summary_rotation_id"), table_name="reading_summary")
    op.drop_table("reading_summary")
