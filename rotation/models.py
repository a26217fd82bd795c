"""ORM models of rotations: the rotation, its members, time off, materialised shifts, swaps."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime
from core.models import Person

rotation_manager = Table(
    "rotation_manager",
    Base.metadata,
    Column("rotation_id", ForeignKey("rotation.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), primary_key=True),
)


class Rotation(Base):
    __tablename__ = "rotation"
    __table_args__ = (
        CheckConstraint("shift_days BETWEEN 1 AND 28", name="shift_days_range"),
        CheckConstraint("people_per_shift >= 1", name="people_per_shift_positive"),
        CheckConstraint("horizon_days BETWEEN 7 AND 730", name="horizon_days_range"),
        CheckConstraint("slack_dm_days_ahead BETWEEN 0 AND 28", name="slack_dm_days_range"),
        CheckConstraint("at_risk_days BETWEEN 0 AND 28", name="at_risk_days_range"),
        CheckConstraint("fairness IN ('count', 'burden')", name="fairness_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[date] = mapped_column(Date)
    handoff_time: Mapped[time] = mapped_column(Time)
    shift_days: Mapped[int] = mapped_column(Integer, default=7)
    people_per_shift: Mapped[int] = mapped_column(Integer, default=1)
    horizon_days: Mapped[int] = mapped_column(Integer, default=182)
    swap_requires_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # Optimistic locking: every UPDATE checks and bumps it, so a concurrent edit fails
    # with StaleDataError instead of silently overwriting the other manager's change.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Duty rules (rotation.coverage, rotation.holidays): weekly windows as
    # [{days, start, end, overnight}] (empty = around the clock) and a holiday calendar.
    coverage: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list, server_default=text("'[]'")
    )
    holiday_country: Mapped[str | None] = mapped_column(String(8))
    holiday_subdivision: Mapped[str | None] = mapped_column(String(16))
    holiday_policy: Mapped[str | None] = mapped_column(String(8))
    treat_own_holidays_as_time_off: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )

    # Slack (README "Slack"): where handoffs are posted ("" = nowhere), the user group kept
    # pointing at whoever is on shift, and how many days ahead the incoming person is told.
    slack_channel: Mapped[str] = mapped_column(String(80), default="", server_default="")
    slack_usergroup: Mapped[str] = mapped_column(String(40), default="", server_default="")
    slack_dm_days_ahead: Mapped[int] = mapped_column(Integer, default=3, server_default=text("3"))
    # The identity provider's group (its SCIM displayName) whose people are the members;
    # "" = members are set by hand.
    scim_group: Mapped[str] = mapped_column(String(255), default="", server_default="")
    # Stages (rotation.stages): how many shifts a newcomer shadows a primary before joining
    # the roster; 0 = newcomers join as primaries straight away.
    shadow_shifts_required: Mapped[int] = mapped_column(
        Integer, default=0, server_default=text("0")
    )
    # How many days ahead a shift whose reading will not be done in time is called at risk
    # (README "At-risk shifts"); 0 leaves readiness as ready / pending / overdue only.
    at_risk_days: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))

    # Fairness (README "Hours and fairness"): "count" evens out shifts, "burden" evens out
    # weighted hours, with what one hour of duty weighs on each kind of day.
    fairness: Mapped[str] = mapped_column(String(8), default="count", server_default="count")
    burden_weekday: Mapped[float] = mapped_column(Float, default=1.0, server_default=text("1"))
    burden_weekend: Mapped[float] = mapped_column(Float, default=1.5, server_default=text("1.5"))
    burden_holiday: Mapped[float] = mapped_column(Float, default=2.0, server_default=text("2"))

    managers: Mapped[list[Person]] = relationship(secondary=rotation_manager, lazy="raise")

    __mapper_args__ = {"version_id_col": version}


class RotationMember(Base):
    """A membership period; leaving sets ``left_at`` so history keeps who was eligible when."""

    __tablename__ = "rotation_member"
    __table_args__ = (Index("ix_rotation_member_rotation_person", "rotation_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rotation_id: Mapped[int] = mapped_column(ForeignKey("rotation.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The shift count a member is credited with on joining: the rotation's minimum then, so
    # a newcomer is not handed a run of shifts to catch up with people who were there first.
    count_offset: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # "shadow" (extra slot beside a primary, not coverage), "reverse_shadow" or "primary";
    # a manager's hold keeps a shadow from graduating on their own.
    stage: Mapped[str] = mapped_column(String(20), default="primary", server_default="primary")
    graduation_held: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    person: Mapped[Person] = relationship(lazy="raise")


class TimeOff(Base):
    """Days off, inclusive, as calendar dates in the person's own timezone."""

    __tablename__ = "time_off"
    __table_args__ = (CheckConstraint('"end" >= start', name="end_not_before_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Shift(Base):
    """One person-slot of one shift, materialised so ids, UIDs, swaps and reading stay stable.

    ``index`` is the shift number k of the cadence (start = start_date + k·shift_days);
    pieces of a shift split by a partial override share it. A removed shift keeps its row
    with ``cancelled_at`` set so calendar clients can be told to delete it.
    """

    __tablename__ = "shift"
    __table_args__ = (
        # Backs idempotent generation: two concurrent `schedule extend` runs cannot both
        # insert the same live slot.
        Index(
            "uq_shift_live_slot",
            "rotation_id",
            "start",
            "slot",
            unique=True,
            postgresql_where=text("cancelled_at IS NULL"),
            sqlite_where=text("cancelled_at IS NULL"),
        ),
        Index("ix_shift_rotation_start", "rotation_id", "start"),
        Index("ix_shift_person_start", "person_id", "start"),
        # A live shift's end first: a rotation's latest shift, and the shifts reaching into a
        # window, without walking every shift that starts before the window ends.
        Index(
            "ix_shift_rotation_end",
            "rotation_id",
            "end",
            postgresql_where=text("cancelled_at IS NULL"),
            sqlite_where=text("cancelled_at IS NULL"),
        ),
        Index("ix_shift_person_end", "person_id", "end"),
        CheckConstraint('"end" > start', name="end_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rotation_id: Mapped[int] = mapped_column(ForeignKey("rotation.id", ondelete="CASCADE"))
    index: Mapped[int] = mapped_column(Integer)
    slot: Mapped[int] = mapped_column(Integer, default=0)
    start: Mapped[datetime] = mapped_column(UTCDateTime())
    end: Mapped[datetime] = mapped_column(UTCDateTime())
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20), default="scheduled")
    # "shadow": a learner beside the primaries, in slot SHADOW_SLOTS + the primary's slot;
    # such a shift is neither coverage nor counted for fairness.
    role: Mapped[str] = mapped_column(String(10), default="primary", server_default="primary")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # Raised when only the text a feed shows changes (a rotation or person renamed); feeds
    # show ``sequence + feed_revision``. Apart from ``sequence``, which pending swaps compare.
    feed_revision: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    uid: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A later due time for the reading of whoever took the shift over after its usual due
    # time had passed (README "At-risk shifts"); None: the requirements' own due time.
    reading_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What the scheduler compared when it gave the shift to its person (rotation.why_line).
    why: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    rotation: Mapped[Rotation] = relationship(lazy="raise")
    person: Mapped[Person | None] = relationship(lazy="raise")


class RotationSlugAlias(Base):
    """A slug a rotation had before: feed and page URLs under it keep leading to the rotation."""

    __tablename__ = "rotation_slug_alias"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    rotation_id: Mapped[int] = mapped_column(
        ForeignKey("rotation.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ShiftRelease(Base):
    """A person lost a shift (swap, override, reassignment): their feed shows it cancelled."""

    __tablename__ = "shift_release"
    __table_args__ = (Index("ix_shift_release_person_at", "person_id", "released_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(Integer)
    released_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Someone else took the shift for them (time off, an override, a swap given as a cover):
    # they owe it, and the scheduler puts them first for a shift it plans afterwards, the
    # one recorded here once it has.
    cover: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    repaid_by_shift_id: Mapped[int | None] = mapped_column(
        ForeignKey("shift.id", ondelete="SET NULL")
    )


class SwapRequest(Base):
    __tablename__ = "swap_request"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'accepted', 'approved', 'declined', 'cancelled')",
            name="status_known",
        ),
        Index("ix_swap_request_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id", ondelete="CASCADE"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    counterpart_person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    counterpart_shift_id: Mapped[int | None] = mapped_column(
        ForeignKey("shift.id", ondelete="CASCADE")
    )
    # The shifts' sequences when the swap was asked: if either changed since, the swap is
    # about a shift that no longer looks like that, and accepting it answers 409.
    shift_sequence: Mapped[int] = mapped_column(Integer)
    counterpart_shift_sequence: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CompanyDayOff(Base):
    """A day the whole company is off; it joins every rotation's public holidays."""

    __tablename__ = "company_day_off"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # "manual" (set over the API) or "calendar" (read from the company's iCal URL).
    source: Mapped[str] = mapped_column(String(10), default="manual", server_default="manual")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Schedule(Base):
    """Rotations stacked in layers; the final on-call is the highest layer on duty."""

    __tablename__ = "schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __mapper_args__ = {"version_id_col": version}


class ScheduleLayer(Base):
    """One layer of a schedule: a rotation, or another schedule's final line."""

    __tablename__ = "schedule_layer"
    __table_args__ = (
        UniqueConstraint("schedule_id", "position"),
        CheckConstraint("(rotation_id IS NULL) <> (layer_schedule_id IS NULL)", name="one_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedule.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    rotation_id: Mapped[int | None] = mapped_column(
        ForeignKey("rotation.id", ondelete="CASCADE"), index=True
    )
    layer_schedule_id: Mapped[int | None] = mapped_column(
        ForeignKey("schedule.id", ondelete="RESTRICT"), index=True
    )


class ImportedSource(Base):
    """A schedule brought in from another tool, by the source's stable key.

    Importing the same key again with the same content changes nothing; the rows it made
    are found through here.
    """

    __tablename__ = "imported_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    fingerprint: Mapped[str] = mapped_column(String(64))
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("schedule.id", ondelete="SET NULL"))
    rotation_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ScheduleImport(Base):
    """An uploaded source and its preview, waiting for an admin to apply it."""

    __tablename__ = "schedule_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[str] = mapped_column(Text)
    people_map: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
