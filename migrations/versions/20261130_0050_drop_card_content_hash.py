"""Drop card.content_hash

Nothing ever wrote the column: a card's version (and Guru's source_version) tell when its
content changed, so the hash never had a reader either.

Revision ID: 20261130_0050
Revises: 0040
Create Date: 2026-11-30 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261130_0050"
down_revision: str | Sequence[str] | None = "0040"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # batch mode: SQLite rebuilds the table to drop a column that older versions cannot drop.
    with op.batch_alter_table("card") as batch:
        batch.drop_column("content_hash")


def downgrade() -> None:
    with op.batch_alter_table("card") as batch:
        batch.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))
