"""rotations, cards and onboarding

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 04:08:37.841953
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # One function per table, in foreign-key order.
    _create_card_set()
    _create_outbox_message()
    _create_rotation()
    _create_card()
    _create_rotation_manager()
    _create_rotation_member()
    _create_rotation_requirement()
    _create_shift()
    _create_time_off()
    _create_acknowledgement()
    _create_card_revision()
    _create_card_set_item()
    _create_shift_release()
    _create_swap_request()


def _create_card_set() -> None:
    op.create_table(
        "card_set",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_set")),
        sa.UniqueConstraint("name", name=op.f("uq_card_set_name")),
    )


def _create_outbox_message() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("dedupe_key", sa.String(length=300), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_message_dedupe_key")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_message_unsent", ["sent_at", "id"], unique=False)


def _create_rotation() -> None:
    op.create_table(
        "rotation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("handoff_time", sa.Time(), nullable=False),
        sa.Column("shift_days", sa.Integer(), nullable=False),
        sa.Column("people_per_shift", sa.Integer(), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("swap_requires_approval", sa.Boolean(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "horizon_days BETWEEN 7 AND 730", name=op.f("ck_rotation_horizon_days_range")
        ),
        sa.CheckConstraint(
            "people_per_shift >= 1", name=op.f("ck_rotation_people_per_shift_positive")
        ),
        sa.CheckConstraint(
            "shift_days BETWEEN 1 AND 28", name=op.f("ck_rotation_shift_days_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rotation")),
        sa.UniqueConstraint("slug", name=op.f("uq_rotation_slug")),
    )


def _create_card() -> None:
    op.create_table(
        "card",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("collection", sa.String(length=200), nullable=True),
        sa.Column("verifier_id", sa.Integer(), nullable=True),
        sa.Column("verify_every_days", sa.Integer(), nullable=False),
        sa.Column("last_verified_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source_version", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "verify_every_days >= 1", name=op.f("ck_card_verify_every_days_positive")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_card_version_positive")),
        sa.ForeignKeyConstraint(
            ["verifier_id"],
            ["person.id"],
            name=op.f("fk_card_verifier_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card")),
        sa.UniqueConstraint("source", "external_id", name=op.f("uq_card_source_external_id")),
    )
    with op.batch_alter_table("card", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_card_verifier_id"), ["verifier_id"], unique=False)


def _create_rotation_manager() -> None:
    op.create_table(
        "rotation_manager",
        sa.Column("rotation_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_rotation_manager_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rotation_id"],
            ["rotation.id"],
            name=op.f("fk_rotation_manager_rotation_id_rotation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("rotation_id", "person_id", name=op.f("pk_rotation_manager")),
    )


def _create_rotation_member() -> None:
    op.create_table(
        "rotation_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rotation_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("joined_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("left_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_rotation_member_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rotation_id"],
            ["rotation.id"],
            name=op.f("fk_rotation_member_rotation_id_rotation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rotation_member")),
    )
    with op.batch_alter_table("rotation_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rotation_member_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            "ix_rotation_member_rotation_person", ["rotation_id", "person_id"], unique=False
        )


def _create_rotation_requirement() -> None:
    op.create_table(
        "rotation_requirement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rotation_id", sa.Integer(), nullable=False),
        sa.Column("card_set_id", sa.Integer(), nullable=False),
        sa.Column("assign_days_before", sa.Integer(), nullable=False),
        sa.Column("due_days_before", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "assign_days_before >= 0", name=op.f("ck_rotation_requirement_assign_days_non_negative")
        ),
        sa.CheckConstraint(
            "due_days_before <= assign_days_before",
            name=op.f("ck_rotation_requirement_due_within_assign"),
        ),
        sa.CheckConstraint(
            "due_days_before >= 0", name=op.f("ck_rotation_requirement_due_days_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["card_set_id"],
            ["card_set.id"],
            name=op.f("fk_rotation_requirement_card_set_id_card_set"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rotation_id"],
            ["rotation.id"],
            name=op.f("fk_rotation_requirement_rotation_id_rotation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rotation_requirement")),
        sa.UniqueConstraint(
            "rotation_id",
            "card_set_id",
            name=op.f("uq_rotation_requirement_rotation_id_card_set_id"),
        ),
    )
    with op.batch_alter_table("rotation_requirement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rotation_requirement_card_set_id"), ["card_set_id"], unique=False
        )


def _create_shift() -> None:
    op.create_table(
        "shift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rotation_id", sa.Integer(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("start", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=200), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint('"end" > start', name=op.f("ck_shift_end_after_start")),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_shift_person_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["rotation_id"],
            ["rotation.id"],
            name=op.f("fk_shift_rotation_id_rotation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift")),
        sa.UniqueConstraint("uid", name=op.f("uq_shift_uid")),
    )
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.create_index("ix_shift_person_start", ["person_id", "start"], unique=False)
        batch_op.create_index("ix_shift_rotation_start", ["rotation_id", "start"], unique=False)
        batch_op.create_index(
            "uq_shift_live_slot",
            ["rotation_id", "start", "slot"],
            unique=True,
            postgresql_where=sa.text("cancelled_at IS NULL"),
            sqlite_where=sa.text("cancelled_at IS NULL"),
        )


def _create_time_off() -> None:
    op.create_table(
        "time_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('"end" >= start', name=op.f("ck_time_off_end_not_before_start")),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_time_off_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_off")),
    )
    with op.batch_alter_table("time_off", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_time_off_person_id"), ["person_id"], unique=False)


def _create_acknowledgement() -> None:
    op.create_table(
        "acknowledgement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("card_version", sa.Integer(), nullable=False),
        sa.Column("acknowledged_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"],
            ["card.id"],
            name=op.f("fk_acknowledgement_card_id_card"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_acknowledgement_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acknowledgement")),
    )
    with op.batch_alter_table("acknowledgement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_acknowledgement_card_id"), ["card_id"], unique=False)
        batch_op.create_index(
            "ix_acknowledgement_person_card", ["person_id", "card_id"], unique=False
        )


def _create_card_revision() -> None:
    op.create_table(
        "card_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=10), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["person.id"],
            name=op.f("fk_card_revision_actor_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["card_id"], ["card.id"], name=op.f("fk_card_revision_card_id_card"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_revision")),
    )
    with op.batch_alter_table("card_revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_card_revision_card_id"), ["card_id"], unique=False)


def _create_card_set_item() -> None:
    op.create_table(
        "card_set_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_set_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"], ["card.id"], name=op.f("fk_card_set_item_card_id_card"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["card_set_id"],
            ["card_set.id"],
            name=op.f("fk_card_set_item_card_set_id_card_set"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_set_item")),
        sa.UniqueConstraint(
            "card_set_id", "card_id", name=op.f("uq_card_set_item_card_set_id_card_id")
        ),
    )
    with op.batch_alter_table("card_set_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_card_set_item_card_id"), ["card_id"], unique=False)


def _create_shift_release() -> None:
    op.create_table(
        "shift_release",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("released_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_shift_release_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"],
            ["shift.id"],
            name=op.f("fk_shift_release_shift_id_shift"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_release")),
    )
    with op.batch_alter_table("shift_release", schema=None) as batch_op:
        batch_op.create_index(
            "ix_shift_release_person_at", ["person_id", "released_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_shift_release_shift_id"), ["shift_id"], unique=False)


def _create_swap_request() -> None:
    op.create_table(
        "swap_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("counterpart_person_id", sa.Integer(), nullable=False),
        sa.Column("counterpart_shift_id", sa.Integer(), nullable=True),
        sa.Column("shift_sequence", sa.Integer(), nullable=False),
        sa.Column("counterpart_shift_sequence", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("accepted_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'approved', 'declined', 'cancelled')",
            name=op.f("ck_swap_request_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["person.id"],
            name=op.f("fk_swap_request_approved_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["counterpart_person_id"],
            ["person.id"],
            name=op.f("fk_swap_request_counterpart_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["counterpart_shift_id"],
            ["shift.id"],
            name=op.f("fk_swap_request_counterpart_shift_id_shift"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["person.id"],
            name=op.f("fk_swap_request_requester_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"],
            ["shift.id"],
            name=op.f("fk_swap_request_shift_id_shift"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_swap_request")),
    )
    with op.batch_alter_table("swap_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_swap_request_counterpart_person_id"),
            ["counterpart_person_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_swap_request_shift_id"), ["shift_id"], unique=False)
        batch_op.create_index("ix_swap_request_status", ["status"], unique=False)


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("swap_request", schema=None) as batch_op:
        batch_op.drop_index("ix_swap_request_status")
        batch_op.drop_index(batch_op.f("ix_swap_request_shift_id"))
        batch_op.drop_index(batch_op.f("ix_swap_request_counterpart_person_id"))

    op.drop_table("swap_request")
    with op.batch_alter_table("shift_release", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shift_release_shift_id"))
        batch_op.drop_index("ix_shift_release_person_at")

    op.drop_table("shift_release")
    with op.batch_alter_table("card_set_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_set_item_card_id"))

    op.drop_table("card_set_item")
    with op.batch_alter_table("card_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_revision_card_id"))

    op.drop_table("card_revision")
    with op.batch_alter_table("acknowledgement", schema=None) as batch_op:
        batch_op.drop_index("ix_acknowledgement_person_card")
        batch_op.drop_index(batch_op.f("ix_acknowledgement_card_id"))

    op.drop_table("acknowledgement")
    with op.batch_alter_table("time_off", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_off_person_id"))

    op.drop_table("time_off")
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_shift_live_slot",
            postgresql_where=sa.text("cancelled_at IS NULL"),
            sqlite_where=sa.text("cancelled_at IS NULL"),
        )
        batch_op.drop_index("ix_shift_rotation_start")
        batch_op.drop_index("ix_shift_person_start")

    op.drop_table("shift")
    with op.batch_alter_table("rotation_requirement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rotation_requirement_card_set_id"))

    op.drop_table("rotation_requirement")
    with op.batch_alter_table("rotation_member", schema=None) as batch_op:
        batch_op.drop_index("ix_rotation_member_rotation_person")
        batch_op.drop_index(batch_op.f("ix_rotation_member_person_id"))

    op.drop_table("rotation_member")
    op.drop_table("rotation_manager")
    with op.batch_alter_table("card", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_verifier_id"))

    op.drop_table("card")
    op.drop_table("rotation")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_unsent")

    op.drop_table("outbox_message")
    op.drop_table("card_set")
    # ### end Alembic commands ###
