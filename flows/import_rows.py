"""The rows an import writes: people matched or created, rotations with their history and the
source's turns, and the schedule that layers them. Called by ``flows.schedule_import``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias, TypeVar

from pydantic import BaseModel, ValidationError
from slugify import slugify
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import people
from core.errors import Invalid
from core.models import Person
from core.schemas import PersonCreate
from flows import import_report
from rotation import generation, members, placement, schedule_service, timeline
from rotation import service as rotation_service
from rotation import shifts as shift_rows
from rotation.imports.plan import RotationPlan, SchedulePlan, SourceShift
from rotation.models import Rotation, Schedule, Shift
from rotation.schedule_schemas import ScheduleCreate
from rotation.schemas import RotationCreate

ModelT = TypeVar("ModelT", bound=BaseModel)
# Source turns someone holds, each with the id of the allhands person holding it.
Held: TypeAlias = list[tuple[SourceShift, int]]


@dataclass(frozen=True)
class Writing:
    """What every row of one import is written with: the unit of work, the time, who
    imports, and the report it fills."""

    session: Session
    now: datetime
    actor: Person | None
    report: import_report.ImportReport


def checked(model: type[ModelT], what: str, **fields: Any) -> ModelT:
    """The service's input shape, or Invalid saying which imported thing does not fit it."""
    try:
        return model(**fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, error['loc']))}: {error['msg']}" for error in exc.errors()
        )
        raise Invalid(f"{what} cannot be imported: {problems}") from None


# --- people -------------------------------------------------------------------------------


def people_for(
    writing: Writing, *, plan: SchedulePlan, people_map: Mapping[str, str]
) -> dict[str, Person]:
    """Each source person as an allhands person: matched by email, created if missing."""
    session, report = writing.session, writing.report
    found: dict[str, Person] = {}
    for source in plan.people:
        email = (
            people_map.get(source.key)
            or (people_map.get(source.email) if source.email else None)
            or people_map.get(source.name)
            or source.email
        )
        if not email:
            raise Invalid(
                f"{source.name} ({source.key}) has no email in the source; map them with a "
                "people map (source,email)"
            )
        person = people.find_by_email(session, email)
        if person is None:
            try:
                data = PersonCreate(email=email, name=source.name, timezone=plan.timezone)
            except ValidationError:
                raise Invalid(
                    f"{source.name} ({source.key}): {email!r} is not an email address"
                ) from None
            person = people.create_person(session, data=data, now=writing.now, actor=writing.actor)
            report.people_created.append(person.email)
        elif not person.active:
            raise Invalid(f"{person.email} is deactivated; reactivate them or map them elsewhere")
        else:
            report.people_matched.append(person.email)
        found[source.key] = person
    return found


# --- rotations ----------------------------------------------------------------------------


def free_slug(session: Session, model: type[Rotation] | type[Schedule], name: str) -> str:
    base = slugify(name, max_length=90) or "imported"
    taken = set(session.scalars(select(model.slug).where(model.slug.startswith(base))))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def create_rotation(
    writing: Writing, *, plan: RotationPlan, by_key: Mapping[str, Person]
) -> Rotation:
    """The rotation, its history, its roster, and the source's turns where the rule differs."""
    session, now, actor, report = writing.session, writing.now, writing.actor, writing.report
    data = checked(
        RotationCreate,
        f"rotation {plan.name!r}",
        name=plan.name,
        slug=free_slug(session, Rotation, plan.name),
        description=f"Imported from {plan.key}.",
        timezone=plan.timezone,
        start_date=plan.start_date,
        handoff_time=plan.handoff_time,
        shift_days=plan.shift_days,
        coverage=list(plan.coverage),
    )
    rotation = rotation_service.create_rotation(session, data=data, now=now, actor=actor)
    first_live = session.scalar(
        select(func.min(Shift.start)).where(Shift.rotation_id == rotation.id)
    )
    held = [(turn, by_key[turn.person].id) for turn in plan.shifts if turn.person is not None]
    history = _history(writing, rotation, held, before=first_live or now)
    members.set_members(
        session,
        rotation=rotation,
        person_ids=[by_key[key].id for key in plan.roster],
        now=now,
        actor=actor,
    )
    placed = (
        0 if first_live is None else _place_turns(writing, rotation, held, first_live=first_live)
    )
    report.history_shifts += history
    report.overrides += placed
    report.rotations.append(
        {
            "name": rotation.name,
            "slug": rotation.slug,
            "cadence": timeline.describe(generation.cadence_of(rotation)),
            "coverage": list(plan.coverage),
            "roster": [by_key[key].email for key in plan.roster],
            "history_shifts": history,
            "overrides": placed,
        }
    )
    return rotation


def _place_turns(writing: Writing, rotation: Rotation, held: Held, *, first_live: datetime) -> int:
    """The source's turns from the first generated shift on, placed where the rule differs."""
    placed = 0
    for turn, person_id in held:
        if turn.end <= first_live:
            continue
        placed += placement.place(
            writing.session,
            rotation_id=rotation.id,
            person_id=person_id,
            start=max(turn.start, first_live),
            end=turn.end,
            now=writing.now,
        )
    return placed


def _history(writing: Writing, rotation: Rotation, held: Held, *, before: datetime) -> int:
    """The source's turns before the first generated shift, as past shifts of the rotation."""
    cadence = generation.cadence_of(rotation)
    rows = []
    for turn, person_id in held:
        if turn.start >= before:
            continue
        index = cadence.index_at(turn.start)
        rows.append(
            Shift(
                rotation_id=rotation.id,
                index=index,
                slot=0,
                start=turn.start,
                end=min(turn.end, before),
                person_id=person_id,
                kind=shift_rows.SCHEDULED,
                sequence=0,
                uid=shift_rows.new_uid(rotation_id=rotation.id, index=index, slot=0),
                created_at=writing.now,
                updated_at=writing.now,
            )
        )
    writing.session.add_all(rows)
    writing.session.flush()
    return len(rows)


# --- the schedule -------------------------------------------------------------------------


def create_schedule(writing: Writing, *, plan: SchedulePlan, rotations: list[Rotation]) -> Schedule:
    data = checked(
        ScheduleCreate,
        f"schedule {plan.name!r}",
        name=plan.name,
        slug=free_slug(writing.session, Schedule, plan.name),
        description=f"Imported from {plan.key}.",
        layers=[rotation.slug for rotation in rotations],
    )
    return schedule_service.create_schedule(
        writing.session, data=data, now=writing.now, actor=writing.actor
    )
