"""Use cases of rotations: create, edit, archive, rebalance, reading rotations and shifts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from slugify import slugify
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from core import audit
from core.errors import Conflict, Invalid, NotFound
from core.models import Person
from rotation import (
    duty_settings,
    fairness_settings,
    generation,
    holiday_release,
    reassignment,
    schedule_inputs,
    slug_aliases,
)
from rotation.models import Rotation, Shift
from rotation.schemas import RotationCreate, RotationUpdate

SLACK_FIELDS = ("slack_channel", "slack_usergroup", "slack_dm_days_ahead")
CADENCE_FIELDS = ("timezone", "start_date", "handoff_time", "shift_days", "people_per_shift")
EDITABLE_FIELDS = (
    "slug",
    "name",
    "description",
    *CADENCE_FIELDS,
    "horizon_days",
    "swap_requires_approval",
    *SLACK_FIELDS,
    "scim_group",
    "shadow_shifts_required",
    "at_risk_days",
)


# --- reading ------------------------------------------------------------------------------


def get_rotation(session: Session, slug: str) -> Rotation:
    """The rotation with ``slug`` (managers loaded); NotFound otherwise."""
    rotation = session.scalars(
        select(Rotation).where(Rotation.slug == slug).options(selectinload(Rotation.managers))
    ).one_or_none()
    if rotation is None:
        raise NotFound(f"rotation {slug!r} not found")
    return rotation


def list_rotations(
    session: Session, *, archived: bool | None = None, limit: int | None = None, offset: int = 0
) -> list[Rotation]:
    """Rotations by name (only archived or only live ones if asked; a page of ``limit`` from
    ``offset``), managers loaded."""
    query = (
        select(Rotation)
        .options(selectinload(Rotation.managers))
        .order_by(Rotation.name, Rotation.id)
    )
    if archived is not None:
        query = query.where(Rotation.archived.is_(archived))
    return list(session.scalars(query.limit(limit).offset(offset)))


def count_rotations(session: Session, *, archived: bool) -> int:
    query = select(func.count()).select_from(Rotation).where(Rotation.archived.is_(archived))
    return int(session.scalar(query) or 0)


def list_shifts(
    session: Session,
    *,
    rotation: Rotation,
    start: datetime | None = None,
    end: datetime | None = None,
    include_cancelled: bool = False,
) -> list[Shift]:
    """Shifts overlapping [start, end) by start, rotation and person loaded (one query)."""
    query = (
        select(Shift)
        .where(Shift.rotation_id == rotation.id)
        .options(joinedload(Shift.rotation), joinedload(Shift.person))
        .order_by(Shift.start, Shift.slot, Shift.id)
    )
    if start is not None:
        query = query.where(Shift.end > start)
    if end is not None:
        query = query.where(Shift.start < end)
    if not include_cancelled:
        query = query.where(Shift.cancelled_at.is_(None))
    return list(session.scalars(query))


def on_call(session: Session, *, rotation: Rotation, at: datetime) -> list[Shift]:
    """The live shifts under way at ``at``, by slot."""
    return list(
        session.scalars(
            select(Shift)
            .where(*schedule_inputs.live(rotation.id), Shift.start <= at, Shift.end > at)
            .options(joinedload(Shift.rotation), joinedload(Shift.person))
            .order_by(Shift.slot, Shift.start)
        )
    )


# --- writing ------------------------------------------------------------------------------


# What an audit event pictures of a rotation, besides its managers.
AUDITED_FIELDS = (*EDITABLE_FIELDS, "archived")


def _snapshot(rotation: Rotation) -> dict[str, object]:
    return {
        **audit.snapshot(rotation, AUDITED_FIELDS),
        "manager_ids": sorted(p.id for p in rotation.managers),
        **duty_settings.snapshot(rotation),
        **fairness_settings.snapshot(rotation),
    }


def _with_managers(session: Session, rotation: Rotation) -> Rotation:
    """Make sure ``rotation.managers`` is loaded (the relationship never loads lazily)."""
    if "managers" in inspect(rotation).unloaded:
        session.scalars(
            select(Rotation)
            .where(Rotation.id == rotation.id)
            .options(selectinload(Rotation.managers))
        ).one()
    return rotation


def require_active_people(
    session: Session, person_ids: Sequence[int], *, role: str
) -> list[Person]:
    """The people with these ids, in order; unknown, repeated or deactivated ids are Invalid."""
    if len(set(person_ids)) != len(person_ids):
        raise Invalid(f"{role} ids must not repeat")
    found = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(person_ids)))}
    unknown = [i for i in person_ids if i not in found]
    if unknown:
        raise Invalid(f"unknown person id(s) for {role}: {', '.join(map(str, unknown))}")
    inactive = [i for i in person_ids if not found[i].active]
    if inactive:
        raise Invalid(f"deactivated person id(s) for {role}: {', '.join(map(str, inactive))}")
    return [found[i] for i in person_ids]


def _check_slug_free(session: Session, slug: str, *, rotation_id: int | None = None) -> None:
    query = select(Rotation.id).where(Rotation.slug == slug)
    if rotation_id is not None:
        query = query.where(Rotation.id != rotation_id)
    if session.scalar(query) is not None:
        raise Conflict(f"a rotation with slug {slug!r} already exists")
    slug_aliases.check_not_aliased(session, slug=slug, rotation_id=rotation_id)


def _flush_unique(session: Session, slug: str) -> None:
    """Flush inside a savepoint so a concurrent insert of the same slug is a Conflict."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(f"a rotation with slug {slug!r} already exists") from exc


# The most shift slots a rotation may hold over its horizon: beyond this, generating,
# storing and publishing its shifts is work out of all proportion to any real rotation
# (a weekly shift of 10 people over two years is 1,040).
MAX_SHIFT_SLOTS = 20_000


def check_slot_ceiling(*, horizon_days: int, people_per_shift: int, shift_days: int) -> None:
    """Invalid when ``horizon_days * people_per_shift / shift_days`` passes the ceiling."""
    slots = -(-horizon_days * people_per_shift // shift_days)
    if slots > MAX_SHIFT_SLOTS:
        raise Invalid(
            f"horizon_days * people_per_shift / shift_days = {slots:,} shift slots; "
            f"the limit is {MAX_SHIFT_SLOTS:,}: use longer shifts, a shorter horizon or "
            "fewer people per shift",
            limit=MAX_SHIFT_SLOTS,
            slots=slots,
        )


def create_rotation(
    session: Session, *, data: RotationCreate, now: datetime, actor: Person | None
) -> Rotation:
    """Create a rotation and its (uncovered) shifts from the one in progress to the horizon."""
    check_slot_ceiling(
        horizon_days=data.horizon_days,
        people_per_shift=data.people_per_shift,
        shift_days=data.shift_days,
    )
    slug = data.slug or slugify(data.name, max_length=100)
    if not slug:
        raise Invalid("cannot make a slug from this name; give one")
    _check_slug_free(session, slug)
    managers = require_active_people(session, data.manager_ids, role="manager")
    rotation = Rotation(
        **data.model_dump(include=set(EDITABLE_FIELDS) - {"slug"}),
        slug=slug,
        archived=False,
        created_at=now,
        updated_at=now,
    )
    dumped = data.model_dump()
    duty_settings.apply(rotation, duty_settings.take(dumped))
    fairness_settings.apply(rotation, fairness_settings.take(dumped))
    rotation.managers = managers
    session.add(rotation)
    _flush_unique(session, slug)
    audit.Trail(session, actor=actor, at=now).record(
        "rotation.create", ("rotation", rotation.id), after=_snapshot(rotation)
    )
    generation.reschedule(session, rotation=rotation, now=now, actor=actor, reason="created")
    _follow_group(session, rotation=rotation, now=now, actor=actor)
    return rotation


def update_rotation(
    session: Session,
    *,
    rotation: Rotation,
    data: RotationUpdate,
    now: datetime,
    actor: Person | None,
) -> Rotation:
    """Apply a partial edit; a stale ``version`` is a Conflict, a cadence change regenerates."""
    changes, duty_changes = _checked_changes(session, rotation=rotation, data=data)
    fairness_changes = fairness_settings.take(changes)
    _with_managers(session, rotation)
    before = _snapshot(rotation)
    if "manager_ids" in changes:
        rotation.managers = require_active_people(
            session, changes.pop("manager_ids"), role="manager"
        )
    cadence_changed = any(
        name in changes and changes[name] != getattr(rotation, name) for name in CADENCE_FIELDS
    )
    horizon_grew = changes.get("horizon_days", rotation.horizon_days) > rotation.horizon_days
    old_slug = rotation.slug
    for name in EDITABLE_FIELDS:
        if name in changes:
            setattr(rotation, name, changes[name])
    own_holidays_newly_off = duty_settings.apply(rotation, duty_changes)
    fairness_settings.apply(rotation, fairness_changes)
    rotation.updated_at = now
    try:
        _flush_unique(session, rotation.slug)
    except StaleDataError as exc:
        raise Conflict("rotation was changed by someone else meanwhile; reload") from exc
    if rotation.slug != old_slug:
        slug_aliases.record_change(session, rotation=rotation, old_slug=old_slug, now=now)
    audit.Trail(session, actor=actor, at=now).record_change(
        "rotation.update", ("rotation", rotation.id), before=before, after=_snapshot(rotation)
    )
    generation.lock(session, rotation.id)
    if cadence_changed:
        reassignment.regenerate(session, rotation=rotation, now=now, actor=actor)
    elif horizon_grew or "shadow_shifts_required" in changes:
        # A longer horizon has slots to fill; shadows still short of a new number of shadow
        # shifts are seated beside primaries.
        reason = "horizon extended" if horizon_grew else "shadow shifts changed"
        generation.reschedule(session, rotation=rotation, now=now, actor=actor, reason=reason)
    if own_holidays_newly_off:
        holiday_release.release_conflicts(session, rotation=rotation, now=now, actor=actor)
    if before.get("scim_group") != rotation.scim_group:
        _follow_group(session, rotation=rotation, now=now, actor=actor)
    return rotation


def _follow_group(
    session: Session, *, rotation: Rotation, now: datetime, actor: Person | None
) -> None:
    """Take the members from the identity provider's group the rotation names, if any."""
    # The roster is kept by the members module, which builds on this one.
    from rotation import group_roster

    group_roster.follow(session, rotation=rotation, now=now, actor=actor)


def _checked_changes(
    session: Session, *, rotation: Rotation, data: RotationUpdate
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields the edit sets (and, apart, its duty settings), after checking its version,
    nulls and the slug it asks for."""
    if data.version is not None and data.version != rotation.version:
        raise Conflict(
            f"rotation changed since version {data.version} (now {rotation.version}); "
            "reload and edit again"
        )
    if rotation.archived:
        raise Conflict("rotation is archived")
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    # Duty settings may be cleared with null; every other field must keep a value.
    duty_changes = duty_settings.take(changes)
    nulls = [name for name, value in changes.items() if value is None]
    if nulls:
        raise Invalid(f"cannot be null: {', '.join(sorted(nulls))}")
    check_slot_ceiling(
        **{
            name: changes.get(name, getattr(rotation, name))
            for name in ("horizon_days", "people_per_shift", "shift_days")
        }
    )
    if "slug" in changes:
        _check_slug_free(session, changes["slug"], rotation_id=rotation.id)
    return changes, duty_changes


def archive_rotation(
    session: Session, *, rotation: Rotation, now: datetime, actor: Person | None
) -> Rotation:
    """Archive: no more generation; shifts not yet started are cancelled (idempotent)."""
    if rotation.archived:
        return rotation
    _with_managers(session, rotation)
    before = _snapshot(rotation)
    generation.lock(session, rotation.id)
    rotation.archived = True
    rotation.updated_at = now
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict("rotation was changed by someone else meanwhile; reload") from exc
    cancelled = reassignment.cancel_future(session, rotation=rotation, now=now)
    audit.Trail(session, actor=actor, at=now).record_change(
        "rotation.archive",
        ("rotation", rotation.id),
        before=before,
        after={**_snapshot(rotation), "cancelled_shift_ids": cancelled},
    )
    return rotation


def rebalance(
    session: Session, *, rotation: Rotation, from_date: date, now: datetime, actor: Person | None
) -> list[int]:
    """Reassign the scheduled shifts from ``from_date`` by the rule; ids of those that moved."""
    if rotation.archived:
        raise Conflict("rotation is archived")
    generation.lock(session, rotation.id)
    changed = reassignment.rebalance(
        session, rotation=rotation, from_date=from_date, now=now, actor=actor
    )
    audit.Trail(session, actor=actor, at=now).record(
        "rotation.rebalance",
        ("rotation", rotation.id),
        after={"from": from_date.isoformat(), "changed_shift_ids": changed},
    )
    return changed
