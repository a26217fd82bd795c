"""indexes leading with a live shift's end per rotation and a shift's end per person, so the
latest shift of a rotation and the shifts reaching into a window are found without walking
every shift before them

Revision ID: 0191
Revises: 0190
Create Date: 2026-12-01 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0191"
down_revision: str | Sequence[str] | None = "0190"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_shift_rotation_end",
        "shift",
        ["rotation_id", "end"],
        unique=False,
        postgresql_where=sa.text("cancelled_at IS NULL"),
        sqlite_where=sa.text("cancelled_at IS NULL"),
    )
    op.create_index("ix_shift_person_end", "shift", ["person_id", "end"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_shift_person_end", table_name="shift")
    op.drop_index("ix_shift_rotation_end", table_name="shift")
