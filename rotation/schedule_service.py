"""Use cases of layered schedules: create, edit, read, and the final on-call line.

A layer is a rotation (its duty: shifts inside the coverage windows) or another schedule (its
final line). Layers are named as the API names them: a rotation slug, or ``schedule:<slug>``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slugify import slugify
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core import audit
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.models import Person
from rotation import access, duty, schedules
from rotation import service as rotation_service
from rotation.models import Rotation, Schedule, ScheduleLayer, Shift
from rotation.schedule_schemas import SCHEDULE_PREFIX, ScheduleCreate, ScheduleUpdate

MAX_FINAL_SPAN = timedelta(days=366)


@dataclass(frozen=True)
class Layer:
    """One resolved layer: exactly one of ``rotation`` and ``schedule`` is set."""

    name: str
    rotation: Rotation | None = None
    schedule: Schedule | None = None

    @property
    def title(self) -> str:
        source = self.rotation or self.schedule
        return source.name if source is not None else self.name


@dataclass(frozen=True)
class FinalView:
    """A final-line entry with the names the API shows."""

    start: datetime
    end: datetime
    layer: str | None
    shift: Shift | None


# --- reading ------------------------------------------------------------------------------


def get_schedule(session: Session, slug: str) -> Schedule:
    schedule = session.scalars(select(Schedule).where(Schedule.slug == slug)).one_or_none()
    if schedule is None:
        raise NotFound(f"schedule {slug!r} not found")
    return schedule


def list_schedules(session: Session) -> list[Schedule]:
    return list(session.scalars(select(Schedule).order_by(Schedule.name, Schedule.id)))


def layers_of(session: Session, schedule_ids: Sequence[int]) -> dict[int, list[Layer]]:
    """The layers of these schedules, highest first (two queries)."""
    rows: list[tuple[ScheduleLayer, Rotation | None]] = [
        (row, rotation)
        for row, rotation in session.execute(
            select(ScheduleLayer, Rotation)
            .outerjoin(Rotation, Rotation.id == ScheduleLayer.rotation_id)
            .where(ScheduleLayer.schedule_id.in_(list(schedule_ids)))
            .order_by(ScheduleLayer.schedule_id, ScheduleLayer.position)
        )
    ]
    nested_ids = {row.layer_schedule_id for row, _ in rows if row.layer_schedule_id is not None}
    nested = {s.id: s for s in session.scalars(select(Schedule).where(Schedule.id.in_(nested_ids)))}
    found: dict[int, list[Layer]] = {schedule_id: [] for schedule_id in schedule_ids}
    for row, rotation in rows:
        if rotation is not None:
            found[row.schedule_id].append(Layer(name=rotation.slug, rotation=rotation))
        else:
            inner = nested[row.layer_schedule_id or 0]
            found[row.schedule_id].append(Layer(name=SCHEDULE_PREFIX + inner.slug, schedule=inner))
    return found


# --- writing ------------------------------------------------------------------------------


def _graph(session: Session) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """Every schedule's nested schedules and rotations, from one query."""
    nested: dict[int, set[int]] = defaultdict(set)
    rotations: dict[int, set[int]] = defaultdict(set)
    for schedule_id, rotation_id, inner_id in session.execute(
        select(
            ScheduleLayer.schedule_id, ScheduleLayer.rotation_id, ScheduleLayer.layer_schedule_id
        )
    ):
        if rotation_id is not None:
            rotations[schedule_id].add(rotation_id)
        if inner_id is not None:
            nested[schedule_id].add(inner_id)
    return nested, rotations


def _reachable(start: set[int], nested: dict[int, set[int]]) -> set[int]:
    seen: set[int] = set()
    stack = list(start)
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(nested.get(current, ()))
    return seen


def _resolve(session: Session, names: Sequence[str], *, own_id: int | None) -> list[Layer]:
    """The layers named, checked: they exist, are live, and form no cycle (Invalid if not)."""
    slugs = [n for n in names if not n.startswith(SCHEDULE_PREFIX)]
    nested_slugs = [n.removeprefix(SCHEDULE_PREFIX) for n in names if n.startswith(SCHEDULE_PREFIX)]
    rotations = {
        r.slug: r for r in session.scalars(select(Rotation).where(Rotation.slug.in_(slugs)))
    }
    nested = {
        s.slug: s for s in session.scalars(select(Schedule).where(Schedule.slug.in_(nested_slugs)))
    }
    graph, _ = _graph(session)
    layers = []
    for position, name in enumerate(names):
        if not name.startswith(SCHEDULE_PREFIX):
            rotation = rotations.get(name)
            if rotation is None:
                raise Invalid(f"layers[{position}]: there is no rotation {name!r}")
            if rotation.archived:
                raise Invalid(f"layers[{position}]: rotation {name!r} is archived")
            layers.append(Layer(name=name, rotation=rotation))
            continue
        inner = nested.get(name.removeprefix(SCHEDULE_PREFIX))
        if inner is None:
            raise Invalid(f"layers[{position}]: there is no schedule {name!r}")
        if own_id is not None and own_id in _reachable({inner.id}, graph):
            raise Invalid(f"layers[{position}]: {name} includes this schedule (a cycle)")
        layers.append(Layer(name=name, schedule=inner))
    return layers


def rotation_ids_under(session: Session, layers: Sequence[Layer]) -> set[int]:
    """Every rotation in these layers, through nested schedules too."""
    nested, rotations = _graph(session)
    found = {layer.rotation.id for layer in layers if layer.rotation is not None}
    inner = {layer.schedule.id for layer in layers if layer.schedule is not None}
    for schedule_id in _reachable(inner, nested):
        found |= rotations.get(schedule_id, set())
    return found


def require_editor(session: Session, *, person: Person, layers: Sequence[Layer]) -> None:
    """Admins, and managers of at least one rotation in the layers, edit a schedule."""
    if person.is_admin:
        return
    managed = access.managed_rotation_ids(session, person=person)
    if not managed & rotation_ids_under(session, layers):
        raise Forbidden("only admins and managers of one of its rotations can do this")


def _write_layers(session: Session, schedule: Schedule, layers: Sequence[Layer]) -> None:
    session.execute(delete(ScheduleLayer).where(ScheduleLayer.schedule_id == schedule.id))
    session.execute(
        insert(ScheduleLayer),
        [
            {
                "schedule_id": schedule.id,
                "position": position,
                "rotation_id": layer.rotation.id if layer.rotation else None,
                "layer_schedule_id": layer.schedule.id if layer.schedule else None,
            }
            for position, layer in enumerate(layers)
        ],
    )


def _snapshot(schedule: Schedule, layers: Sequence[Layer]) -> dict[str, object]:
    return {
        "slug": schedule.slug,
        "name": schedule.name,
        "description": schedule.description,
        "layers": [layer.name for layer in layers],
    }


def create_schedule(
    session: Session, *, data: ScheduleCreate, now: datetime, actor: Person | None
) -> Schedule:
    """Create a schedule; the caller must manage one of its rotations (or be an admin).

    No actor is the command line, which may do anything.
    """
    slug = data.slug or slugify(data.name, max_length=100)
    if not slug:
        raise Invalid("cannot make a slug from this name; give one")
    layers = _resolve(session, data.layers, own_id=None)
    if actor is not None:
        require_editor(session, person=actor, layers=layers)
    if session.scalar(select(Schedule.id).where(Schedule.slug == slug)) is not None:
        raise Conflict(f"a schedule with slug {slug!r} already exists")
    schedule = Schedule(
        slug=slug, name=data.name, description=data.description, created_at=now, updated_at=now
    )
    session.add(schedule)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(f"a schedule with slug {slug!r} already exists") from exc
    _write_layers(session, schedule, layers)
    audit.Trail(session, actor=actor, at=now).record(
        "schedule.create", ("schedule", schedule.id), after=_snapshot(schedule, layers)
    )
    return schedule


def update_schedule(
    session: Session, *, schedule: Schedule, data: ScheduleUpdate, now: datetime, actor: Person
) -> Schedule:
    """Apply a partial edit; the caller must be able to edit it before and after."""
    current = layers_of(session, [schedule.id])[schedule.id]
    require_editor(session, person=actor, layers=current)
    if data.version is not None and data.version != schedule.version:
        raise Conflict(
            f"schedule changed since version {data.version} (now {schedule.version}); reload"
        )
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    nulls = sorted(name for name, value in changes.items() if value is None)
    if nulls:
        raise Invalid(f"cannot be null: {', '.join(nulls)}")
    layers = current
    if "layers" in changes:
        layers = _resolve(session, changes["layers"], own_id=schedule.id)
        require_editor(session, person=actor, layers=layers)
    before = _snapshot(schedule, current)
    schedule.name = changes.get("name", schedule.name)
    schedule.description = changes.get("description", schedule.description)
    schedule.updated_at = now
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict("schedule was changed by someone else meanwhile; reload") from exc
    if "layers" in changes:
        _write_layers(session, schedule, layers)
    audit.Trail(session, actor=actor, at=now).record(
        "schedule.update",
        ("schedule", schedule.id),
        before=before,
        after=_snapshot(schedule, layers),
    )
    return schedule


# --- the final line -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Window:
    """One reading of a final line: its window, and every shift read for it, by id."""

    session: Session
    start: datetime
    end: datetime
    shifts: dict[int, Shift] = field(default_factory=dict)


def _layer_duties(
    window: _Window, layer: Layer, *, visiting: frozenset[int]
) -> list[schedules.Duty]:
    start, end = window.start, window.end
    if layer.rotation is not None:
        found = rotation_service.list_shifts(
            window.session, rotation=layer.rotation, start=start, end=end
        )
        window.shifts.update((shift.id, shift) for shift in found)
        spans = duty.duty_spans(window.session, rotation=layer.rotation, shifts=found)
        return [
            schedules.Duty(max(low, start), min(high, end), shift.person_id, shift.id)
            for shift in found
            for low, high in spans[shift.id]
            if low < end and high > start
        ]
    assert layer.schedule is not None
    if layer.schedule.id in visiting:  # stored data never has a cycle; stay safe anyway
        return []
    return [
        schedules.Duty(entry.start, entry.end, entry.duty.person_id, entry.duty.shift_id)
        for entry in _final(window, layer.schedule, visiting=visiting)
        if entry.duty is not None
    ]


def _final(
    window: _Window, schedule: Schedule, *, visiting: frozenset[int]
) -> list[schedules.FinalEntry]:
    layers = layers_of(window.session, [schedule.id])[schedule.id]
    duties = [_layer_duties(window, layer, visiting=visiting | {schedule.id}) for layer in layers]
    return schedules.final_line(duties, window.start, window.end)


def final(
    session: Session, *, schedule: Schedule, start: datetime, end: datetime
) -> list[FinalView]:
    """The final on-call line over [start, end), gaps included (at most 366 days)."""
    if end <= start:
        raise Invalid("end must be after start")
    if end - start > MAX_FINAL_SPAN:
        raise Invalid("the window may span at most 366 days")
    names = [layer.name for layer in layers_of(session, [schedule.id])[schedule.id]]
    window = _Window(session, start, end)
    return [
        FinalView(
            start=entry.start,
            end=entry.end,
            layer=None if entry.layer is None else names[entry.layer],
            shift=None if entry.duty is None else window.shifts[entry.duty.shift_id],
        )
        for entry in _final(window, schedule, visiting=frozenset())
    ]


def on_call(
    session: Session, *, schedule: Schedule, at: datetime
) -> tuple[str | None, list[Shift]]:
    """The layer that answers at ``at`` and its shifts on duty then (none: nobody)."""
    views = final(session, schedule=schedule, start=at, end=at + timedelta(seconds=1))
    answering = [view for view in views if view.start <= at and view.shift is not None]
    if not answering:
        return None, []
    return answering[0].layer, [view.shift for view in answering if view.shift is not None]
