"""Covering index for acknowledgement lookups by person, card and version

Readiness reports ask which versions thousands of people read; with the version and time
in the index they are answered without touching the table. The new index starts with the
old one's columns, so it serves every query the old one did.

Revision ID: 0040
Revises: 0010
Create Date: 2026-11-24 04:31:24.986917
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0040"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_acknowledgement_person_card_version",
        "acknowledgement",
        ["person_id", "card_id", "card_version", "acknowledged_at"],
        unique=False,
    )
    op.drop_index("ix_acknowledgement_person_card", table_name="acknowledgement")


def downgrade() -> None:
    op.create_index(
        "ix_acknowledgement_person_card",
        "acknowledgement",
        ["person_id", "card_id"],
        unique=False,
    )
    op.drop_index("ix_acknowledgement_person_card_version", table_name="acknowledgement")
