"""coverage windows and holiday rules on rotations, people's own holiday country, company days
off, and layered schedules

Every new rotation column has a default that keeps an existing rotation as it was: covered
around the clock, no holiday calendar, people's own holidays not treated as time off.

Revision ID: 0090
Revises: 0080
Create Date: 2026-11-30 20:25:40.881357
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "0090"
down_revision: str | Sequence[str] | None = "0080"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _create_tables()
    _create_schedule_layers()
    _add_columns()


def _create_tables() -> None:
    op.create_table(
        "company_day_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_day_off")),
        sa.UniqueConstraint("day", name=op.f("uq_company_day_off_day")),
    )
    op.create_table(
        "schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule")),
        sa.UniqueConstraint("slug", name=op.f("uq_schedule_slug")),
    )


def _create_schedule_layers() -> None:
    op.create_table(
        "schedule_layer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("rotation_id", sa.Integer(), nullable=True),
        sa.Column("layer_schedule_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(rotation_id IS NULL) <> (layer_schedule_id IS NULL)",
            name=op.f("ck_schedule_layer_one_source"),
        ),
        sa.ForeignKeyConstraint(
            ["layer_schedule_id"],
            ["schedule.id"],
            name=op.f("fk_schedule_layer_layer_schedule_id_schedule"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["rotation_id"],
            ["rotation.id"],
            name=op.f("fk_schedule_layer_rotation_id_rotation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["schedule.id"],
            name=op.f("fk_schedule_layer_schedule_id_schedule"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_layer")),
        sa.UniqueConstraint(
            "schedule_id", "position", name=op.f("uq_schedule_layer_schedule_id_position")
        ),
    )
    with op.batch_alter_table("schedule_layer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_schedule_layer_layer_schedule_id"), ["layer_schedule_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_schedule_layer_rotation_id"), ["rotation_id"], unique=False
        )


def _add_columns() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holiday_country", sa.String(length=8), nullable=True))

    with op.batch_alter_table("rotation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("coverage", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )
        batch_op.add_column(sa.Column("holiday_country", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("holiday_subdivision", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("holiday_policy", sa.String(length=8), nullable=True))
        batch_op.add_column(
            sa.Column(
                "treat_own_holidays_as_time_off",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("rotation", schema=None) as batch_op:
        batch_op.drop_column("treat_own_holidays_as_time_off")
        batch_op.drop_column("holiday_policy")
        batch_op.drop_column("holiday_subdivision")
        batch_op.drop_column("holiday_country")
        batch_op.drop_column("coverage")

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("holiday_country")

    with op.batch_alter_table("schedule_layer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedule_layer_rotation_id"))
        batch_op.drop_index(batch_op.f("ix_schedule_layer_layer_schedule_id"))

    op.drop_table("schedule_layer")
    op.drop_table("schedule")
    op.drop_table("company_day_off")
