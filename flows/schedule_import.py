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
from collections.abc import Callable, Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import audit
from core.errors import Conflict, Invalid
from core.models import Person
from flows import import_fidelity as fidelity
from flows import import_report, import_rows
from rotation import placement
from rotation.imports import grafana, ical, opsgenie, pagerduty, spreadsheet
from rotation.imports.plan import ImportFileError, SchedulePlan
from rotation.models import ImportedSource, Rotation, Schedule

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
) -> import_report.ImportReport:
    """Import a source (or, with ``dry_run``, only report what importing it would do)."""
    plan = _short_key(parse(kind, text, now=now, name=name))
    report = import_report.ImportReport(
        kind=plan.kind, key=plan.key, name=plan.name, notes=list(plan.notes)
    )
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
    report: import_report.ImportReport,
) -> None:
    writing = import_rows.Writing(session, now=now, actor=actor, report=report)
    by_key = import_rows.people_for(writing, plan=plan, people_map=people_map)
    rotations = [
        import_rows.create_rotation(writing, plan=rotation_plan, by_key=by_key)
        for rotation_plan in plan.rotations
    ]
    schedule = None
    if len(rotations) > 1 and (plan.final is not None or plan.overrides):
        # Layers of one source answer in order: the schedule is what makes that so.
        schedule = import_rows.create_schedule(writing, plan=plan, rotations=rotations)
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
    report.fidelity = fidelity.check(
        session,
        plan=plan,
        rotations=rotations,
        schedule=schedule,
        by_key=by_key,
        now=now,
        explained=explained,
    )
    _remember(
        session,
        plan=plan,
        rotations=rotations,
        schedule=schedule,
        report=report,
        now=now,
        actor=actor,
    )


def _remember(
    session: Session,
    *,
    plan: SchedulePlan,
    rotations: list[Rotation],
    schedule: Schedule | None,
    report: import_report.ImportReport,
    now: datetime,
    actor: Person | None,
) -> None:
    """The source as imported (so importing it again finds it), audited."""
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
    audit.Trail(session, actor=actor, at=now).record(
        "schedule.import",
        ("import", plan.key),
        after={
            "rotation_ids": [rotation.id for rotation in rotations],
            "schedule": report.schedule,
            "people_created": report.people_created,
            "overrides": report.overrides,
        },
    )


def _overrides(
    session: Session,
    *,
    plan: SchedulePlan,
    schedule: Schedule | None,
    rotations: list[Rotation],
    by_key: Mapping[str, Person],
    now: datetime,
    report: import_report.ImportReport,
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
        for low, high, rotation in fidelity.answering(
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
