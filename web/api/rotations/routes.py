"""Rotation endpoints: rotations, members, shifts, who is on call, rebalance, overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from core.errors import Invalid
from core.models import Person
from onboarding import cover_reading, graduation
from rotation import access, duty, generation, members, overrides, stages, why
from rotation import service as rotation_service
from rotation import shifts as shift_rows
from rotation.models import Rotation
from rotation.schemas import (
    MemberOut,
    MembersSet,
    MemberUpdate,
    OnCallOut,
    OverrideCreate,
    PreviewOut,
    RebalanceOut,
    RebalanceRequest,
    RotationCreate,
    RotationOut,
    RotationUpdate,
    ShiftOut,
    check_date_range,
)
from web.api.rotations import previews
from web.deps import AdminPerson, CurrentPerson, NowDep, SessionDep, SettingsDep, forbidden
from web.paging import PageDep
from web.params import ObjectId

router = APIRouter(prefix="/api/v1", tags=["rotations"])
# Swaps and time off belong to the rotation domain; the app mounts all three with one line.

ShiftId = ObjectId
InstantQuery = Annotated[
    str | None,
    Query(description="ISO 8601 instant with offset, or a date (midnight on the rotation's clock)"),
]


def parse_instant(value: str, *, rotation: Rotation, name: str) -> datetime:
    """An instant from a query string: ISO 8601 (offset, else UTC) or a bare date."""
    # A "+hh:mm" offset sent without URL-encoding arrives with the "+" turned into a space.
    text = value.strip().replace(" ", "+")
    try:
        if len(text) == 10:
            return generation.start_of_day(rotation, check_date_range(date.fromisoformat(text)))
        instant = datetime.fromisoformat(text)
        check_date_range(instant.date())
    except ValueError as exc:
        raise Invalid(f"{name} must be an ISO 8601 instant or date, got {value!r}: {exc}") from exc
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant


def require_manager(session: Session, *, person: Person, rotation: Rotation) -> None:
    if not access.is_manager(session, person=person, rotation=rotation):
        raise forbidden("only a manager of this rotation (or an admin) can do this")


def managed_rotation(session: Session, *, slug: str, caller: Person) -> Rotation:
    """The rotation, if ``caller`` manages it (or is an admin); 404 or 403 otherwise."""
    rotation = rotation_service.get_rotation(session, slug)
    require_manager(session, person=caller, rotation=rotation)
    return rotation


@router.post("/rotations", response_model=RotationOut, status_code=status.HTTP_201_CREATED)
def create_rotation(
    data: RotationCreate, session: SessionDep, actor: AdminPerson, now: NowDep
) -> RotationOut:
    rotation = rotation_service.create_rotation(session, data=data, now=now, actor=actor)
    return RotationOut.of(rotation)


@router.get("/rotations", response_model=list[RotationOut])
def list_rotations(
    paging: PageDep, session: SessionDep, _caller: CurrentPerson, archived: bool | None = None
) -> list[RotationOut]:
    rotations = rotation_service.list_rotations(session, archived=archived)
    return [RotationOut.of(r) for r in paging.rows(rotations)]


@router.get("/rotations/{slug}", response_model=RotationOut)
def get_rotation(slug: str, session: SessionDep, _caller: CurrentPerson) -> RotationOut:
    return RotationOut.of(rotation_service.get_rotation(session, slug))


@router.patch("/rotations/{slug}", response_model=RotationOut | PreviewOut)
def update_rotation(
    slug: str,
    data: RotationUpdate,
    session: SessionDep,
    caller: CurrentPerson,
    now: NowDep,
    changes: previews.ChangesDep,
) -> RotationOut | PreviewOut:
    rotation = managed_rotation(session, slug=slug, caller=caller)
    return changes.answer(
        [rotation.id],
        lambda: rotation_service.update_rotation(
            session, rotation=rotation, data=data, now=now, actor=caller
        ),
        then=RotationOut.of,
    )


@router.delete("/rotations/{slug}", response_model=RotationOut)
def archive_rotation(
    slug: str, session: SessionDep, actor: AdminPerson, now: NowDep
) -> RotationOut:
    rotation = rotation_service.get_rotation(session, slug)
    rotation = rotation_service.archive_rotation(session, rotation=rotation, now=now, actor=actor)
    return RotationOut.of(rotation)


@router.put("/rotations/{slug}/members", response_model=list[MemberOut] | PreviewOut)
def set_members(
    slug: str,
    data: MembersSet,
    session: SessionDep,
    caller: CurrentPerson,
    now: NowDep,
    changes: previews.ChangesDep,
) -> list[MemberOut] | PreviewOut:
    rotation = managed_rotation(session, slug=slug, caller=caller)
    return changes.answer(
        [rotation.id],
        lambda: members.set_members(
            session, rotation=rotation, person_ids=data.person_ids, now=now, actor=caller
        ),
        then=lambda saved: [MemberOut.model_validate(m) for m in saved],
    )


@router.get("/rotations/{slug}/members", response_model=list[MemberOut])
def list_members(
    paging: PageDep, slug: str, session: SessionDep, _caller: CurrentPerson
) -> list[MemberOut]:
    rotation = rotation_service.get_rotation(session, slug)
    roster = paging.rows(members.list_members(session, rotation=rotation))
    return [MemberOut.model_validate(m) for m in roster]


@router.get("/rotations/{slug}/members/{person_id}", response_model=MemberOut)
def get_member(
    slug: str, person_id: ObjectId, session: SessionDep, _caller: CurrentPerson
) -> MemberOut:
    rotation = rotation_service.get_rotation(session, slug)
    return MemberOut.model_validate(
        stages.get_member(session, rotation=rotation, person_id=person_id)
    )


@router.patch("/rotations/{slug}/members/{person_id}", response_model=MemberOut)
def update_member(
    slug: str, person_id: ObjectId, data: MemberUpdate, session: SessionDep,
    caller: CurrentPerson, now: NowDep, settings: SettingsDep,
) -> MemberOut:  # fmt: skip
    """Graduate a shadow (``stage``) or hold their graduation back (``graduation_held``)."""
    rotation = managed_rotation(session, slug=slug, caller=caller)
    member = stages.get_member(session, rotation=rotation, person_id=person_id)
    graduation.set_stage(
        session, rotation=rotation, member=member, stage=data.stage,
        held=data.graduation_held, now=now, actor=caller, base_url=settings.base_url,
    )  # fmt: skip
    return MemberOut.model_validate(member)


@router.get("/rotations/{slug}/shifts", response_model=list[ShiftOut])
def list_shifts(
    paging: PageDep,
    slug: str,
    session: SessionDep,
    _caller: CurrentPerson,
    start: InstantQuery = None,
    end: InstantQuery = None,
    include_cancelled: bool = False,
) -> list[ShiftOut]:
    rotation = rotation_service.get_rotation(session, slug)
    window_start = parse_instant(start, rotation=rotation, name="start") if start else None
    window_end = parse_instant(end, rotation=rotation, name="end") if end else None
    if window_start and window_end and window_end < window_start:
        raise Invalid("end must not be before start")
    shifts = rotation_service.list_shifts(
        session,
        rotation=rotation,
        start=window_start,
        end=window_end,
        include_cancelled=include_cancelled,
    )
    return [ShiftOut.model_validate(s) for s in paging.rows(shifts)]


@router.get("/rotations/{slug}/on-call", response_model=OnCallOut)
def on_call(
    slug: str, session: SessionDep, _caller: CurrentPerson, now: NowDep, at: InstantQuery = None
) -> OnCallOut:
    rotation = rotation_service.get_rotation(session, slug)
    instant = parse_instant(at, rotation=rotation, name="at") if at else now
    shifts = duty.on_call(session, rotation=rotation, at=instant)
    return OnCallOut(at=instant, shifts=[ShiftOut.model_validate(s) for s in shifts])


@router.post("/rotations/{slug}/rebalance", response_model=RebalanceOut | PreviewOut)
def rebalance(
    slug: str,
    data: RebalanceRequest,
    session: SessionDep,
    caller: CurrentPerson,
    now: NowDep,
    changes: previews.ChangesDep,
) -> RebalanceOut | PreviewOut:
    rotation = managed_rotation(session, slug=slug, caller=caller)
    return changes.answer(
        [rotation.id],
        lambda: rotation_service.rebalance(
            session, rotation=rotation, from_date=data.from_date, now=now, actor=caller
        ),
        then=lambda changed: RebalanceOut(changed_shift_ids=changed),
    )


@router.get("/shifts/{shift_id}", response_model=ShiftOut)
def get_shift(shift_id: ShiftId, session: SessionDep, _caller: CurrentPerson) -> ShiftOut:
    return ShiftOut.model_validate(shift_rows.get(session, shift_id))


class CandidateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    person_id: int
    name: str
    position: int
    shifts_before: int
    last_shift_end: datetime | None
    unavailable: str | None


class ComparedPerson(BaseModel):
    id: int
    name: str


class ComparedOut(BaseModel):
    """One member as compared: ``figure`` is their shift count here before the shift."""

    person: ComparedPerson
    figure: float
    eligible: bool
    reason: str | None = None


class WhyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    shift_id: int
    person_id: int | None
    rule: str
    text: str
    eligible: int
    candidates: list[CandidateOut]
    compared: list[ComparedOut] = []

    @classmethod
    def of(cls, found: why.Why) -> WhyOut:
        compared = [
            ComparedOut(
                person=ComparedPerson(id=c.person_id, name=c.name),
                figure=c.shifts_before,
                eligible=c.unavailable is None,
                reason=c.unavailable,
            )
            for c in found.candidates
        ]
        return cls.model_validate(found).model_copy(update={"compared": compared})


@router.get("/shifts/{shift_id}/why", response_model=WhyOut)
def why_shift(shift_id: ShiftId, session: SessionDep, caller: CurrentPerson) -> WhyOut:
    """Why this person is on this shift: the rule and the figures compared.

    For the shift's holder, the rotation's managers and admins.
    """
    shift = shift_rows.get(session, shift_id)
    if shift.person_id != caller.id:
        require_manager(session, person=caller, rotation=shift.rotation)
    return WhyOut.of(why.why(session, shift=shift))


@router.post(
    "/shifts/{shift_id}/override",
    response_model=ShiftOut | list[ShiftOut] | PreviewOut,
    status_code=status.HTTP_201_CREATED,
    responses={
        201: {"description": "The shift; every piece, in time order, when split"},
        200: {"model": PreviewOut, "description": "With dry_run=true: what it would change"},
    },
)
def override_shift(
    shift_id: ShiftId,
    data: OverrideCreate,
    session: SessionDep,
    caller: CurrentPerson,
    now: NowDep,
    settings: SettingsDep,
    changes: previews.ChangesDep,
) -> ShiftOut | list[ShiftOut] | PreviewOut:
    shift = shift_rows.get(session, shift_id)
    require_manager(session, person=caller, rotation=shift.rotation)
    person = session.get(Person, data.person_id)
    if person is None:
        raise Invalid(f"unknown person id {data.person_id}")
    pieces = changes.run(
        [shift.rotation_id],
        lambda: overrides.override(
            session,
            shift=shift,
            person=person,
            start=data.start,
            end=data.end,
            now=now,
            actor=caller,
        ),
    )
    if isinstance(pieces, PreviewOut):
        return pieces
    taken = [p.id for p in pieces if p.person_id == person.id]
    cover_reading.assign(session, shift_ids=taken, now=now, base_url=settings.base_url)
    loaded = [ShiftOut.model_validate(s) for s in shift_rows.load(session, [p.id for p in pieces])]
    return loaded[0] if len(loaded) == 1 else loaded
