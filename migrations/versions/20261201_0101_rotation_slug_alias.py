"""rotation_slug_alias: the slugs rotations had before, so old feed and page URLs keep working

Revision ID: 20261201_0101
Revises: 20261201_0100
Create Date: 2026-12-01 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "20261201_0101"
down_revision: str | Sequence[str] | None = "20261201_0100"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rotation_slug_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("rotation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["rotation_id"],
            ["rotation.id"],
            name=op.f("fk_rotation_slug_alias_rotation_id_rotation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rotation_slug_alias")),
        sa.UniqueConstraint("slug", name=op.f("uq_rotation_slug_alias_slug")),
    )
    with op.batch_alter_table("rotation_slug_alias", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rotation_slug_alias_rotation_id"), ["rotation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("rotation_slug_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rotation_slug_alias_rotation_id"))
    op.drop_table("rotation_slug_alias")
