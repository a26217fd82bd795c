"""Onboarding endpoints: card sets, rotation requirements, checklists, acknowledgements and
readiness (JSON, with CSV exports for the evidence and the report)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel

from core import people
from core.models import Person
from core.schemas import Instant, PersonRef
from onboarding import acks, card_sets, graduation, progress, requirements
from onboarding.schemas import (
    AckCreate,
    AckOut,
    CardRef,
    CardSetCreate,
    CardSetOut,
    CardSetUpdate,
    ChecklistCard,
    ChecklistOut,
    ChecklistShift,
    ReadinessRow,
    RequirementOut,
    RequirementsOut,
    RequirementsPut,
)
from rotation import access
from rotation.schemas import ShiftOut
from web.deps import CurrentPerson, NowDep, SessionDep, SettingsDep, forbidden
from web.paging import PageDep
from web.params import ObjectId

router = APIRouter(prefix="/api/v1", tags=["onboarding"])

OutModel = TypeVar("OutModel", bound=BaseModel)
ExportFormat = Literal["json", "csv"]
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}}
}


def _csv(text: str, *, filename: str) -> Response:
    return Response(
        content=text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _utc(value: datetime | None) -> datetime | None:
    """Query instants without an offset are taken as UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


# --- card sets ------------------------------------------------------------------------


def _out(model: type[OutModel], row: object, **others: Any) -> OutModel:
    """``model`` filled from ``row``'s attributes of the same names; ``others`` give the rest."""
    fields = {name: getattr(row, name) for name in model.model_fields if name not in others}
    return model.model_validate({**fields, **others})


def _card_set_out(view: card_sets.CardSetView) -> CardSetOut:
    return _out(CardSetOut, view.card_set, card_ids=view.card_ids)


def _require_card_set_editor(session: SessionDep, caller: Person) -> None:
    if not access.manages_any(session, person=caller):
        raise forbidden("only admins and rotation managers work with card sets")


@router.post("/card-sets", response_model=CardSetOut, status_code=status.HTTP_201_CREATED)
def create_card_set(
    data: CardSetCreate, session: SessionDep, caller: CurrentPerson, now: NowDep
) -> CardSetOut:
    """Create a card set: ``card_ids`` in reading order, each once, all existing and live."""
    _require_card_set_editor(session, caller)
    view = card_sets.create_card_set(session, data=data, now=now, actor=caller)
    return _card_set_out(view)


@router.get("/card-sets", response_model=list[CardSetOut])
def list_card_sets(paging: PageDep, session: SessionDep, caller: CurrentPerson) -> list[CardSetOut]:
    """Every card set by name (admins and rotation managers)."""
    _require_card_set_editor(session, caller)
    views = paging.fetch(
        lambda limit, offset: card_sets.list_card_sets(session, limit=limit, offset=offset)
    )
    return [_card_set_out(view) for view in views]


@router.get("/card-sets/{card_set_id}", response_model=CardSetOut)
def get_card_set(card_set_id: ObjectId, session: SessionDep, caller: CurrentPerson) -> CardSetOut:
    """One card set with its cards in reading order."""
    _require_card_set_editor(session, caller)
    card_set = card_sets.get_card_set(session, card_set_id=card_set_id)
    return _card_set_out(card_sets.view(session, card_set=card_set))


@router.patch("/card-sets/{card_set_id}", response_model=CardSetOut)
def update_card_set(
    card_set_id: ObjectId,
    data: CardSetUpdate,
    session: SessionDep,
    caller: CurrentPerson,
    now: NowDep,
) -> CardSetOut:
    """Rename, describe, or replace the ordered cards (the list given replaces the old one)."""
    _require_card_set_editor(session, caller)
    card_set = card_sets.get_card_set(session, card_set_id=card_set_id)
    view = card_sets.update_card_set(session, card_set=card_set, data=data, now=now, actor=caller)
    return _card_set_out(view)


# --- requirements -----------------------------------------------------------------------


def _requirements_out(slug: str, views: list[requirements.RequirementView]) -> RequirementsOut:
    return RequirementsOut(
        rotation=slug,
        requirements=[
            RequirementOut(
                id=v.requirement.id,
                card_set_id=v.requirement.card_set_id,
                card_set_name=v.card_set_name,
                assign_days_before=v.requirement.assign_days_before,
                due_days_before=v.requirement.due_days_before,
            )
            for v in views
        ],
    )


@router.get("/rotations/{slug}/requirements", response_model=RequirementsOut)
def get_requirements(slug: str, session: SessionDep, _caller: CurrentPerson) -> RequirementsOut:
    """The card sets the rotation requires, in reading order, with their windows."""
    rotation = requirements.get_rotation(session, slug=slug)
    return _requirements_out(slug, requirements.list_requirements(session, rotation=rotation))


@router.put("/rotations/{slug}/requirements", response_model=RequirementsOut)
def put_requirements(
    slug: str, data: RequirementsPut, session: SessionDep, caller: CurrentPerson, now: NowDep
) -> RequirementsOut:
    """Replace the rotation's requirements; the order given is the reading order.

    Reading is assigned ``assign_days_before`` and due ``due_days_before`` calendar days
    before each shift starts, at the rotation's handoff time in its timezone.
    """
    rotation = requirements.get_rotation(session, slug=slug)
    if not access.is_manager(session, person=caller, rotation=rotation):
        raise forbidden("only this rotation's managers can set its requirements")
    views = requirements.set_requirements(
        session, rotation=rotation, data=data, now=now, actor=caller
    )
    return _requirements_out(slug, views)


# --- checklists and acknowledgements ------------------------------------------------------


def _checklist_out(person: Person, entries: list[progress.ChecklistEntry]) -> ChecklistOut:
    return ChecklistOut(
        person=PersonRef.model_validate(person),
        shifts=[
            ChecklistShift(
                shift=ShiftOut.model_validate(entry.shift),
                assigned_at=entry.readiness.assigned_at,
                due_at=entry.readiness.due_at,
                status=entry.readiness.status.value,
                required=entry.readiness.required,
                done=entry.readiness.done,
                cards=[
                    ChecklistCard(
                        card=CardRef.model_validate(card),
                        acknowledged=state.acknowledged,
                        acknowledged_version=state.acknowledged_version,
                        acknowledged_at=state.acknowledged_at,
                        changed_since_last_shift=card.id in entry.changed,
                        revision_note=entry.changed[card.id].note
                        if card.id in entry.changed
                        else None,
                    )
                    for card, state in entry.cards
                ],
            )
            for entry in entries
        ],
    )


def _viewable_person(session: SessionDep, caller: Person, person_id: int) -> Person:
    person = people.get_person(session, person_id)
    if not progress.may_view_person(session, viewer=caller, person=person):
        raise forbidden("only the person, their rotation managers and admins can see this")
    return person


@router.get("/me/checklist", response_model=ChecklistOut)
def my_checklist(session: SessionDep, caller: CurrentPerson, now: NowDep) -> ChecklistOut:
    """My shifts not yet ended whose reading is assigned, with each card's state."""
    return _checklist_out(caller, progress.checklist(session, person=caller, now=now))


@router.get("/people/{person_id}/checklist", response_model=ChecklistOut)
def person_checklist(
    person_id: ObjectId, session: SessionDep, caller: CurrentPerson, now: NowDep
) -> ChecklistOut:
    """Someone's checklist: for them, admins, and managers of a rotation they belong to."""
    person = _viewable_person(session, caller, person_id)
    return _checklist_out(person, progress.checklist(session, person=person, now=now))


def _ack_out(view: acks.AckView) -> AckOut:
    ack = view.acknowledgement
    return _out(AckOut, ack, card_title=view.card_title, version=ack.card_version)


@router.post("/acks", response_model=AckOut, status_code=status.HTTP_201_CREATED)
def acknowledge(
    data: AckCreate, session: SessionDep, caller: CurrentPerson, now: NowDep,
    settings: SettingsDep,
) -> AckOut:  # fmt: skip
    """Acknowledge reading a card at its current version (``version`` defaults to it).

    Another version is 409 with ``current_version``; an archived card is 409; an unknown
    card 404. Acknowledging the same version again returns the first acknowledgement (201)
    and records nothing new. Cards no requirement asks for may be acknowledged too.
    """
    view = acks.acknowledge(
        session, person=caller, card_id=data.card_id, version=data.version, now=now
    )
    graduation.run(session, now=now, base_url=settings.base_url, person_id=caller.id)
    return _ack_out(view)


@router.get("/people/{person_id}/acks", response_model=list[AckOut], responses=CSV_RESPONSE)
def person_acks(
    paging: PageDep,
    person_id: ObjectId,
    session: SessionDep,
    caller: CurrentPerson,
    export: Annotated[ExportFormat, Query(alias="format")] = "json",
) -> list[AckOut] | Response:
    """Acknowledgement history, oldest first; ``?format=csv`` for the audit evidence."""
    person = _viewable_person(session, caller, person_id)
    history = acks.history(session, person=person)
    if export == "csv":
        return _csv(
            acks.history_csv(person=person, acks=history),
            filename=f"acknowledgements-{person.id}.csv",
        )
    return [_ack_out(view) for view in paging.rows(history)]


# --- readiness ----------------------------------------------------------------------------


def _readiness_row(entry: progress.ReadinessEntry) -> ReadinessRow:
    shift = ShiftOut.model_validate(entry.shift)
    return ReadinessRow(
        shift=shift,
        person=shift.person,
        due_at=entry.readiness.due_at,
        required=entry.readiness.required,
        done=entry.readiness.done,
        missing=list(entry.readiness.missing),
        status=entry.readiness.status.value,
    )


@router.get("/readiness", response_model=list[ReadinessRow], responses=CSV_RESPONSE)
def readiness(
    paging: PageDep,
    session: SessionDep,
    caller: CurrentPerson,
    now: NowDep,
    start: Instant | None = None,
    end: Instant | None = None,
    rotation: str | None = None,
    export: Annotated[ExportFormat, Query(alias="format")] = "json",
) -> list[ReadinessRow] | Response:
    """Readiness of every live shift overlapping the window (default now … now + 8 weeks).

    Managers see their own rotations, admins all. A shift whose rotation requires nothing
    is ``ready`` with ``required`` 0 and no ``due_at``; a shift without a person is
    ``uncovered``. Archived cards are not required. ``?format=csv`` exports the rows.
    """
    rotation_ids: set[int] | None
    if rotation is not None:
        chosen = requirements.get_rotation(session, slug=rotation)
        if not access.is_manager(session, person=caller, rotation=chosen):
            raise forbidden("only this rotation's managers and admins can see its readiness")
        rotation_ids = {chosen.id}
    elif caller.is_admin:
        rotation_ids = None
    else:
        rotation_ids = access.managed_rotation_ids(session, person=caller)
        if not rotation_ids:
            raise forbidden("only rotation managers and admins can see readiness")
    window_start, window_end = progress.resolve_window(start=_utc(start), end=_utc(end), now=now)
    entries = progress.report(
        session, start=window_start, end=window_end, rotation_ids=rotation_ids, now=now
    )
    if export == "csv":
        return _csv(progress.report_csv(entries), filename="readiness.csv")
    return [_readiness_row(entry) for entry in paging.rows(entries)]
