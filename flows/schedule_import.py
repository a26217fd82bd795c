"""Import a schedule from another tool: people, rotations with history, a layered schedule,
overrides, and the fidelity check, in one unit of work (a dry run rolls it all back).

Each rotation is created with the source's cadence and coverage; the source's past turns
become its history, so the scheduler's counts and "longest since last shift" carry on where
the old tool left off; the members are set in roster order and the scheduler fills the
future. Wherever its pick differs from the source's own turns, and for the source's
schedule-level overrides, the source's person is placed on that stretch (an override), so
nothing in the source is lost.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from slugify import slugify
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import audit, people
from core.errors import Conflict, Invalid
from core.models import Person
from core.schemas import PersonCreate
from flows import import_fidelity as fidelity
from rotation import members, placement, schedule_service, timeline
from rotation import service as rotation_service
from rotation import shifts as shift_rows
from rotation.imports import grafana, ical, opsgenie, pagerduty, spreadsheet
from rotation.imports.plan import ImportFileError, RotationPlan, SchedulePlan, SourceShift
from rotation.models import ImportedSource, Rotation, Schedule, Shift
from rotation.schedule_schemas import ScheduleCreate
from rotation.schemas import RotationCreate

ModelT = TypeVar("ModelT", bound=BaseModel)
Parser = Callable[[str, datetime, str], SchedulePlan]
PARSERS: dict[str, Parser] = {
    "csv": lambda text, now, name: spreadsheet.parse(text, now=now, name=name),
    "pagerduty": lambda text, now, name: pagerduty.parse(text, now=now),
    "opsgenie": lambda text, now, name: opsgenie.parse(text, now=now),
    "grafana": lambda text, now, name: grafana.parse(text, now=now),
    "ical": lambda text, now, name: ical.parse(text, now=now, name=name),
}
KINDS = tuple(PARSERS)
MAX_KEY = 100  # fits the audit event's subject id (and the import's key column)


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    kind: str
    key: str
    name: str
    status: str = "created"  # created | unchanged | dry-run
    people_created: list[str] = field(default_factory=list)
    people_matched: list[str] = field(default_factory=list)
    rotations: list[dict[str, Any]] = field(default_factory=list)
    schedule: str | None = None
    history_shifts: int = 0
    overrides: int = 0
    notes: list[str] = field(default_factory=list)
    fidelity: fidelity.Fidelity | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "name": self.name,
            "status": self.status,
            "people_created": self.people_created,
            "people_matched": self.people_matched,
            "rotations": self.rotations,
            "schedule": self.schedule,
            "history_shifts": self.history_shifts,
            "overrides": self.overrides,
            "notes": self.notes,
            "fidelity": None if self.fidelity is None else self.fidelity.as_dict(),
        }


def read_people_map(text: str) -> dict[str, str]:
    """``source,email`` rows (a header line is optional): a source id, name or email each."""
    mapping: dict[str, str] = {}
    for line, cells in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"))), start=1):
        if not cells or not "".join(cells).strip():
            continue
        if len(cells) != 2:
            raise Invalid(f"people map line {line}: expected two columns, source,email")
        source, email = cells[0].strip(), cells[1].strip().lower()
        if line == 1 and email == "email":
            continue
        if "@" not in email:
            raise Invalid(f"people map line {line}: {cells[1]!r} is not an email address")
        mapping[source] = email
    return mapping


def parse(kind: str, text: str, *, now: datetime, name: str = "") -> SchedulePlan:
    """The plan of a source; a bad file is Invalid naming the line or JSON path."""
    parser = PARSERS.get(kind)
    if parser is None:
        raise Invalid(f"unknown source {kind!r}: use one of {', '.join(KINDS)}")
    try:
        return parser(text, now, name)
    except ImportFileError as exc:
        raise Invalid(str(exc), where=exc.where) from None
    except (ValueError, OverflowError) as exc:
        # A date or number the parsers' own checks let through but arithmetic cannot take.
        raise Invalid(f"the file holds a value out of range: {exc}") from None


def run(
    session: Session,
    *,
    kind: str,
    text: str,
    now: datetime,
    actor: Person | None,
    name: str = "",
    people_map: Mapping[str, str] | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import a source (or, with ``dry_run``, only report what importing it would do)."""
    plan = _short_key(parse(kind, text, now=now, name=name))
    report = ImportReport(kind=plan.kind, key=plan.key, name=plan.name, notes=list(plan.notes))
    known = session.scalar(select(ImportedSource).where(ImportedSource.key == plan.key))
    if known is not None:
        if known.fingerprint != plan.fingerprint:
            raise Conflict(
                f"{plan.key} was imported before from different content; edit the rotations "
                "it made in allhands instead of importing it again"
            )
        report.status = "unchanged"
        return report
    savepoint = session.begin_nested()
    try:
        _apply(session, plan=plan, people_map=people_map or {}, now=now, actor=actor, report=report)
    except IntegrityError as exc:
        # Someone imported the same source (or took a slug) in the same moment.
        savepoint.rollback()
        raise Conflict(f"{plan.key} is being imported by someone else; try again") from exc
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
        report.status = "dry-run"
    else:
        savepoint.commit()
    return report


def _short_key(plan: SchedulePlan) -> SchedulePlan:
    """The plan with a key that fits its column: a long one keeps a prefix and a digest."""
    if len(plan.key) <= MAX_KEY:
        return plan
    digest = hashlib.sha256(plan.key.encode()).hexdigest()[:32]
    return dataclasses.replace(plan, key=f"{plan.key[: MAX_KEY - 33]}~{digest}")


def _apply(
    session: Session,
    *,
    plan: SchedulePlan,
    people_map: Mapping[str, str],
    now: datetime,
    actor: Person | None,
    report: ImportReport,
) -> None:
    by_key = _people(session, plan=plan, people_map=people_map, now=now, actor=actor, report=report)
    rotations = [
        _rotation(session, plan=rotation_plan, by_key=by_key, now=now, actor=actor, report=report)
        for rotation_plan in plan.rotations
    ]
    schedule = None
    if len(rotations) > 1 and (plan.final is not None or plan.overrides):
        # Layers of one source answer in order: the schedule is what makes that so.
        schedule = _schedule(session, plan=plan, rotations=rotations, now=now, actor=actor)
        report.schedule = schedule.slug
    explained = _overrides(
        session,
        plan=plan,
        schedule=schedule,
        rotations=rotations,
        by_key=by_key,
        now=now,
        report=report,
    )
    report.fidelity = _fidelity(
        session,
        plan=plan,
        rotations=rotations,
        schedule=schedule,
        by_key=by_key,
        now=now,
        explained=explained,
    )
    session.add(
        ImportedSource(
            key=plan.key,
            kind=plan.kind,
            fingerprint=plan.fingerprint,
            schedule_id=None if schedule is None else schedule.id,
            rotation_ids=[rotation.id for rotation in rotations],
            created_at=now,
        )
    )
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="schedule.import",
        subject_type="import",
        subject_id=plan.key,
        after={
            "rotation_ids": [rotation.id for rotation in rotations],
            "schedule": report.schedule,
            "people_created": report.people_created,
            "overrides": report.overrides,
        },
        at=now,
    )


def _checked(model: type[ModelT], what: str, **fields: Any) -> ModelT:
    """The service's input shape, or Invalid saying which imported thing does not fit it."""
    try:
        return model(**fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, error['loc']))}: {error['msg']}" for error in exc.errors()
        )
        raise Invalid(f"{what} cannot be imported: {problems}") from None


# --- people -------------------------------------------------------------------------------


def _people(
    session: Session,
    *,
    plan: SchedulePlan,
    people_map: Mapping[str, str],
    now: datetime,
    actor: Person | None,
    report: ImportReport,
) -> dict[str, Person]:
    """Each source person as an allhands person: matched by email, created if missing."""
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
            person = people.create_person(session, data=data, now=now, actor=actor)
            report.people_created.append(person.email)
        elif not person.active:
            raise Invalid(f"{person.email} is deactivated; reactivate them or map them elsewhere")
        else:
            report.people_matched.append(person.email)
        found[source.key] = person
    return found


# --- rotations ----------------------------------------------------------------------------


def _free_slug(session: Session, model: type[Rotation] | type[Schedule], name: str) -> str:
    base = slugify(name, max_length=90) or "imported"
    taken = set(session.scalars(select(model.slug).where(model.slug.startswith(base))))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def _rotation(
    session: Session,
    *,
    plan: RotationPlan,
    by_key: Mapping[str, Person],
    now: datetime,
    actor: Person | None,
    report: ImportReport,
) -> Rotation:
    """The rotation, its history, its roster, and the source's turns where the rule differs."""
    data = _checked(
        RotationCreate,
        f"rotation {plan.name!r}",
        name=plan.name,
        slug=_free_slug(session, Rotation, plan.name),
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
    history = _history(
        session, rotation=rotation, plan=plan, by_key=by_key, before=first_live or now, now=now
    )
    members.set_members(
        session,
        rotation=rotation,
        person_ids=[by_key[key].id for key in plan.roster],
        now=now,
        actor=actor,
    )
    placed = 0
    for turn in plan.shifts:
        if turn.person is None or first_live is None or turn.end <= first_live:
            continue
        placed += placement.place(
            session,
            rotation_id=rotation.id,
            person_id=by_key[turn.person].id,
            start=max(turn.start, first_live),
            end=turn.end,
            now=now,
        )
    report.history_shifts += history
    report.overrides += placed
    report.rotations.append(
        {
            "name": rotation.name,
            "slug": rotation.slug,
            "cadence": timeline.describe(generation_cadence(rotation)),
            "coverage": list(plan.coverage),
            "roster": [by_key[key].email for key in plan.roster],
            "history_shifts": history,
            "overrides": placed,
        }
    )
    return rotation


def generation_cadence(rotation: Rotation) -> timeline.Cadence:
    return timeline.Cadence(
        timezone=rotation.timezone,
        start_date=rotation.start_date,
        handoff_time=rotation.handoff_time,
        shift_days=rotation.shift_days,
    )


def _history(
    session: Session,
    *,
    rotation: Rotation,
    plan: RotationPlan,
    by_key: Mapping[str, Person],
    before: datetime,
    now: datetime,
) -> int:
    """The source's turns before the first generated shift, as past shifts of the rotation."""
    cadence = generation_cadence(rotation)
    rows = []
    for turn in plan.shifts:
        if turn.person is None or turn.start >= before:
            continue
        index = cadence.index_at(turn.start)
        rows.append(
            Shift(
                rotation_id=rotation.id,
                index=index,
                slot=0,
                start=turn.start,
                end=min(turn.end, before),
                person_id=by_key[turn.person].id,
                kind=shift_rows.SCHEDULED,
                sequence=0,
                uid=shift_rows.new_uid(rotation_id=rotation.id, index=index, slot=0),
                created_at=now,
                updated_at=now,
            )
        )
    session.add_all(rows)
    session.flush()
    return len(rows)


# --- the schedule and its overrides -------------------------------------------------------


def _schedule(
    session: Session,
    *,
    plan: SchedulePlan,
    rotations: list[Rotation],
    now: datetime,
    actor: Person | None,
) -> Schedule:
    data = _checked(
        ScheduleCreate,
        f"schedule {plan.name!r}",
        name=plan.name,
        slug=_free_slug(session, Schedule, plan.name),
        description=f"Imported from {plan.key}.",
        layers=[rotation.slug for rotation in rotations],
    )
    return schedule_service.create_schedule(session, data=data, now=now, actor=actor)


def _overrides(
    session: Session,
    *,
    plan: SchedulePlan,
    schedule: Schedule | None,
    rotations: list[Rotation],
    by_key: Mapping[str, Person],
    now: datetime,
    report: ImportReport,
) -> list[fidelity.Explained]:
    """Each source override placed on whichever layer answers during it.

    A stretch where no layer is on duty cannot be overridden in allhands (an override
    replaces someone on a shift's duty), so it is explained rather than placed.
    """
    explained: list[fidelity.Explained] = []
    for override in plan.overrides:
        if override.person is None or override.end <= now or not rotations:
            continue
        start = max(override.start, now)
        targets = []
        for low, high, rotation in _answering(
            session, schedule=schedule, rotations=rotations, start=start, end=override.end
        ):
            if rotation is not None:
                targets.append((low, high, rotation))
                continue
            explained.append(
                fidelity.Explained(
                    low,
                    high,
                    f"an override for {by_key[override.person].email} falls where no "
                    "layer is on duty; allhands overrides a shift's duty, so this stays a gap",
                )
            )
        for low, high, rotation in targets:
            report.overrides += placement.place(
                session,
                rotation_id=rotation.id,
                person_id=by_key[override.person].id,
                start=low,
                end=high,
                now=now,
            )
    return explained


def _answering(
    session: Session,
    *,
    schedule: Schedule | None,
    rotations: list[Rotation],
    start: datetime,
    end: datetime,
) -> list[tuple[datetime, datetime, Rotation | None]]:
    """Which rotation answers over [start, end), stretch by stretch (None: nobody does)."""
    if schedule is not None:
        by_slug = {rotation.slug: rotation for rotation in rotations}
        views = schedule_service.final(session, schedule=schedule, start=start, end=end)
        return [
            (view.start, view.end, None if view.layer is None else by_slug[view.layer])
            for view in views
        ]
    (rotation,) = rotations
    stretches: list[tuple[datetime, datetime, Rotation | None]] = []
    cursor = start
    for low, high, _email in fidelity.rotation_line(
        session, rotation=rotation, start=start, end=end
    ):
        if low > cursor:
            stretches.append((cursor, low, None))
        stretches.append((low, high, rotation))
        cursor = max(cursor, high)
    if cursor < end:
        stretches.append((cursor, end, None))
    return stretches


def _fidelity(
    session: Session,
    *,
    plan: SchedulePlan,
    rotations: list[Rotation],
    schedule: Schedule | None,
    by_key: Mapping[str, Person],
    now: datetime,
    explained: list[fidelity.Explained],
) -> fidelity.Fidelity:
    """Final line against the source's final line; without one, each rotation against its
    source turns."""
    emails = {key: person.email for key, person in by_key.items()}
    result: fidelity.Fidelity | None = None
    if plan.final is not None and (schedule is not None or len(rotations) == 1):
        start, end = fidelity.window(now, plan.final)
        result = fidelity.Fidelity(start=start, end=end)
        if schedule is not None:
            ours = fidelity.schedule_line(session, schedule=schedule, start=start, end=end)
        else:
            ours = fidelity.rotation_line(session, rotation=rotations[0], start=start, end=end)
        fidelity.compare(
            line=plan.name,
            source=_stretches(plan.final, emails),
            allhands=ours,
            start=start,
            end=end,
            explained=explained,
            fidelity=result,
        )
        return result
    start, end = now, now + fidelity.WINDOW
    result = fidelity.Fidelity(start=start, end=end)
    for rotation_plan, rotation in zip(plan.rotations, rotations, strict=True):
        low, high = fidelity.window(now, rotation_plan.shifts)
        fidelity.compare(
            line=rotation.name,
            source=_stretches(rotation_plan.shifts, emails),
            allhands=fidelity.rotation_line(session, rotation=rotation, start=low, end=high),
            start=low,
            end=high,
            explained=explained,
            fidelity=result,
        )
    return result


def _stretches(shifts: Sequence[SourceShift], emails: Mapping[str, str]) -> list[fidelity.Stretch]:
    return [
        (shift.start, shift.end, None if shift.person is None else emails[shift.person])
        for shift in shifts
    ]
