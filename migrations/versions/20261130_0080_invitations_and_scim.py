"""Invitation and password-reset links, SCIM tokens and groups, provisioning fields

People gain the identity provider's names for them (SCIM externalId and userName), a mark
for people the provider deleted, and per-channel reminder choices; existing people keep
getting reminders on every channel.

Revision ID: 0080
Revises: 20261130_0050
Create Date: 2026-11-30 20:30:39.913307
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "0080"
down_revision: str | Sequence[str] | None = "20261130_0050"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scim_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_group")),
        sa.UniqueConstraint("display_name", name=op.f("uq_scim_group_display_name")),
    )
    op.create_table(
        "scim_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_scim_token_token_hash")),
    )
    op.create_table(
        "credential_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["person.id"],
            name=op.f("fk_credential_link_created_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_credential_link_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_link")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_credential_link_secret_hash")),
    )
    with op.batch_alter_table("credential_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credential_link_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "scim_group_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["scim_group.id"],
            name=op.f("fk_scim_group_member_group_id_scim_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_scim_group_member_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_group_member")),
        sa.UniqueConstraint(
            "group_id", "person_id", name=op.f("uq_scim_group_member_group_id_person_id")
        ),
    )
    with op.batch_alter_table("scim_group_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scim_group_member_person_id"), ["person_id"], unique=False
        )

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("user_name", sa.String(length=320), nullable=True))
        batch_op.add_column(
            sa.Column("deprovisioned_at", core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("notify_email", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("notify_slack", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.create_unique_constraint(batch_op.f("uq_person_user_name"), ["user_name"])


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_person_user_name"), type_="unique")
        batch_op.drop_column("notify_slack")
        batch_op.drop_column("notify_email")
        batch_op.drop_column("deprovisioned_at")
        batch_op.drop_column("user_name")
        batch_op.drop_column("external_id")

    with op.batch_alter_table("scim_group_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scim_group_member_person_id"))

    op.drop_table("scim_group_member")
    with op.batch_alter_table("credential_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credential_link_person_id"))

    op.drop_table("credential_link")
    op.drop_table("scim_token")
    op.drop_table("scim_group")
