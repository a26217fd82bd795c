"""Schedule endpoints: layered schedules, their on-call answer and final line; company days off."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from core.errors import Invalid
from core.schemas import PersonRef
from rotation import company_days, schedule_service
from rotation.duty_schemas import CompanyDayOut, CompanyDaysPut
from rotation.models import Schedule
from rotation.schedule_schemas import (
    FinalEntryOut,
    LayerOut,
    ScheduleCreate,
    ScheduleOnCallOut,
    ScheduleOut,
    ScheduleUpdate,
)
from rotation.schemas import ShiftOut, check_date_range
from web.deps import AdminPerson, CurrentPerson, NowDep, SessionDep
from web.paging import PageDep

router = APIRouter(prefix="/api/v1", tags=["schedules"])

InstantQuery = Annotated[
    str | None, Query(description="ISO 8601 instant with offset (else UTC), or a date (UTC)")
]
DEFAULT_FINAL_SPAN = timedelta(days=7)


def parse_instant(value: str, *, name: str) -> datetime:
    """An instant from a query string: ISO 8601 (offset, else UTC) or a date at 00:00 UTC."""
    # A "+hh:mm" offset sent without URL-encoding arrives with the "+" turned into a space.
    text = value.strip().replace(" ", "+")
    try:
        if len(text) == 10:
            day = check_date_range(date.fromisoformat(text))
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        instant = datetime.fromisoformat(text)
        check_date_range(instant.date())
    except ValueError as exc:
        raise Invalid(f"{name} must be an ISO 8601 instant or date, got {value!r}: {exc}") from exc
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant


def schedule_out(session: Session, schedule: Schedule) -> ScheduleOut:
    return schedules_out(session, [schedule])[0]


def schedules_out(session: Session, found: list[Schedule]) -> list[ScheduleOut]:
    """The schedules with their layers (two queries whatever their number)."""
    layers = schedule_service.layers_of(session, [s.id for s in found])
    return [
        ScheduleOut(
            id=schedule.id,
            slug=schedule.slug,
            name=schedule.name,
            description=schedule.description,
            layers=[layer.name for layer in layers[schedule.id]],
            layer_details=[
                LayerOut(
                    layer=layer.name,
                    kind="rotation" if layer.rotation is not None else "schedule",
                    slug=(layer.rotation or layer.schedule).slug,  # type: ignore[union-attr]
                    name=layer.title,
                )
                for layer in layers[schedule.id]
            ],
            version=schedule.version,
        )
        for schedule in found
    ]


@router.post("/schedules", response_model=ScheduleOut, status_code=status.HTTP_201_CREATED)
def create_schedule(
    data: ScheduleCreate, session: SessionDep, caller: CurrentPerson, now: NowDep
) -> ScheduleOut:
    schedule = schedule_service.create_schedule(session, data=data, now=now, actor=caller)
    return schedule_out(session, schedule)


@router.get("/schedules", response_model=list[ScheduleOut])
def list_schedules(
    paging: PageDep, session: SessionDep, _caller: CurrentPerson
) -> list[ScheduleOut]:
    found = schedule_service.list_schedules(session)
    return schedules_out(session, paging.rows(found))


@router.get("/schedules/{slug}", response_model=ScheduleOut)
def get_schedule(slug: str, session: SessionDep, _caller: CurrentPerson) -> ScheduleOut:
    return schedule_out(session, schedule_service.get_schedule(session, slug))


@router.patch("/schedules/{slug}", response_model=ScheduleOut)
def update_schedule(
    slug: str, data: ScheduleUpdate, session: SessionDep, caller: CurrentPerson, now: NowDep
) -> ScheduleOut:
    schedule = schedule_service.get_schedule(session, slug)
    schedule = schedule_service.update_schedule(
        session, schedule=schedule, data=data, now=now, actor=caller
    )
    return schedule_out(session, schedule)


@router.get("/schedules/{slug}/on-call", response_model=ScheduleOnCallOut)
def schedule_on_call(
    slug: str, session: SessionDep, _caller: CurrentPerson, now: NowDep, at: InstantQuery = None
) -> ScheduleOnCallOut:
    schedule = schedule_service.get_schedule(session, slug)
    instant = parse_instant(at, name="at") if at else now
    layer, shifts = schedule_service.on_call(session, schedule=schedule, at=instant)
    return ScheduleOnCallOut(
        at=instant, layer=layer, shifts=[ShiftOut.model_validate(s) for s in shifts]
    )


@router.get(
    "/schedules/{slug}/final",
    response_model=list[FinalEntryOut],
    description="The final on-call line over [start, end) (default: the next 7 days, at most "
    "366 days). Gaps, when no layer has anyone on duty, are entries whose person, layer and "
    "shift_id are null; a shift of several people gives one entry per person.",
)
def schedule_final(
    paging: PageDep,
    slug: str,
    session: SessionDep,
    _caller: CurrentPerson,
    now: NowDep,
    start: InstantQuery = None,
    end: InstantQuery = None,
) -> list[FinalEntryOut]:
    schedule = schedule_service.get_schedule(session, slug)
    window_start = parse_instant(start, name="start") if start else now
    window_end = parse_instant(end, name="end") if end else window_start + DEFAULT_FINAL_SPAN
    views = schedule_service.final(session, schedule=schedule, start=window_start, end=window_end)
    return [
        FinalEntryOut(
            start=view.start,
            end=view.end,
            person=PersonRef.model_validate(view.shift.person)
            if view.shift is not None and view.shift.person is not None
            else None,
            layer=view.layer,
            shift_id=view.shift.id if view.shift is not None else None,
        )
        for view in paging.rows(views)
    ]


@router.get("/company-days-off", response_model=list[CompanyDayOut])
def list_company_days_off(
    paging: PageDep, session: SessionDep, _caller: AdminPerson
) -> list[CompanyDayOut]:
    days = paging.rows(company_days.list_days(session))
    return [CompanyDayOut(day=d.day, name=d.name) for d in days]


@router.put("/company-days-off", response_model=list[CompanyDayOut])
def set_company_days_off(
    data: CompanyDaysPut, session: SessionDep, actor: AdminPerson, now: NowDep
) -> list[CompanyDayOut]:
    days = company_days.set_days(session, data=data, now=now, actor=actor)
    return [CompanyDayOut(day=d.day, name=d.name) for d in days]
