"""What a manager changes from the manage page: the roster, requirements, overrides, rebalance.

Each form posts here, calls one domain function and comes back to the manage page with a
message; a refusal re-renders the page with the input kept and the problem next to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from core import i18n, people
from core.errors import Conflict, Invalid
from core.models import Person
from onboarding import card_sets, cover_reading, requirements
from onboarding.schemas import RequirementIn, RequirementsPut
from rotation import members, overrides
from rotation import service as rotation_service
from rotation.models import Rotation, Shift
from rotation.schemas import check_date_range
from web.deps import get_settings_dep
from web.pages.helpers import ViewerPost, parse_id, roll_back_refused
from web.pages.rotations import forms as rotation_forms
from web.pages.rotations.common import parse_local, rotation_or_404
from web.pages.rotations.manage import ManageState, manage_page, manageable, refused_page
from web.templating import flash, gettext, local_time, ngettext, request_locale

router = APIRouter(include_in_schema=False)
MEMBER_ACTIONS = ("add", "remove", "up", "down")


def _back(slug: str, anchor: str) -> RedirectResponse:
    return RedirectResponse(f"/rotations/{slug}/manage#{anchor}", status_code=303)


# --- members --------------------------------------------------------------------------------


def _new_roster(
    session: Session, *, roster: list[Person], action: str, person_id: str, email: str
) -> tuple[list[int], str]:
    """The roster's person ids after ``action`` and what the page says about it.

    Raises Invalid, with the reason, for a change that cannot be made.
    """
    ids = [person.id for person in roster]
    if action not in MEMBER_ACTIONS:
        raise Invalid("Choose to add, remove or move a member.")
    if action == "add":
        added, problem = rotation_forms.people_ids(session, email)
        if problem or not added:
            raise Invalid(problem or "Enter the email of the person to add.")
        already = [p.name for p in roster if p.id in added]
        if already:
            raise Invalid(f"{', '.join(already)} is already a member.")
        names = people.find_by_ids(session, person_ids=added)
        return ids + added, (
            f"Added {', '.join(names[i].name for i in added)} at the end of the roster. "
            "Shifts already published stay as they are: rebalance to share them out."
        )
    person = next((p for p in roster if str(p.id) == person_id), None)
    if person is None:
        raise Invalid("That person is not a member of this rotation any more.")
    if action == "remove":
        return [i for i in ids if i != person.id], (
            f"Removed {person.name}; their shifts ahead went to the others."
        )
    at = ids.index(person.id)
    to = at - 1 if action == "up" else at + 1
    if not 0 <= to < len(ids):
        raise Invalid(f"{person.name} is already {'first' if to < 0 else 'last'}.")
    ids[at], ids[to] = ids[to], ids[at]
    return ids, f"Moved {person.name} {action} the roster."


@router.post("/rotations/{slug}/manage/members", response_model=None)
def change_members(slug: str, post: ViewerPost) -> Response:
    action, person_id, email = post.texts("action", "person_id", "email").values()
    rotation = manageable(post.session, viewer=post.viewer, slug=slug)
    roster = [m.person for m in members.list_members(post.session, rotation=rotation)]
    try:
        ids, message = _new_roster(
            post.session, roster=roster, action=action, person_id=person_id, email=email
        )
        members.set_members(
            post.session, rotation=rotation, person_ids=ids, now=post.now, actor=post.viewer
        )
    except (Invalid, Conflict) as exc:
        state = ManageState(member_email=email, member_error=exc.detail)
        return refused_page(post, slug=slug, exc=exc, state=state)
    flash(post.request, message)
    return _back(rotation.slug, "members")


# --- requirements ---------------------------------------------------------------------------


def _requirement_items(
    wanted: list[dict[str, str]], *, new: dict[str, str]
) -> tuple[list[RequirementIn], dict[str, str]]:
    """The rows checked one by one, and what is wrong per row (keyed by card set, or "new")."""
    items: list[RequirementIn] = []
    errors: dict[str, str] = {}
    for row in wanted:
        try:
            items.append(RequirementIn.model_validate(row))
        except ValidationError as exc:
            problem = exc.errors()[0]
            if problem["type"] == "int_parsing":
                message = "Enter whole numbers of days."
            else:
                message = str(problem["msg"]).removeprefix("Value error, ")
            errors["new" if row is new else row["card_set_id"]] = message
    return items, errors


def _requirements_state(
    session: Session, *, rows: list[dict[str, str]], new: dict[str, str], errors: dict[str, str]
) -> ManageState:
    """The requirements form as sent, with each card set's name and the problems marked."""
    names = {
        str(view.card_set.id): view.card_set.name for view in card_sets.list_card_sets(session)
    }
    return ManageState(
        requirement_rows=[{**row, "name": names.get(row["card_set_id"], "?")} for row in rows],
        new_requirement=new,
        requirement_errors=errors,
    )


@router.post("/rotations/{slug}/manage/requirements", response_model=None)
def save_requirements(slug: str, post: ViewerPost) -> Response:
    rotation = manageable(post.session, viewer=post.viewer, slug=slug)
    rows = [
        {"card_set_id": set_id, "assign_days_before": assign, "due_days_before": due}
        for set_id, assign, due in zip(
            post.every("card_set_id"),
            post.every("assign_days_before"),
            post.every("due_days_before"),
            strict=False,
        )
    ]
    new = {
        "card_set_id": post.text("new_card_set_id"),
        "assign_days_before": post.text("new_assign_days_before", "21"),
        "due_days_before": post.text("new_due_days_before", "2"),
    }
    wanted = [row for row in rows if row["card_set_id"] not in post.every("remove")]
    items, errors = _requirement_items(wanted + ([new] if new["card_set_id"] else []), new=new)
    try:
        if errors:
            raise Invalid("Nothing was saved: fix the requirements marked below.")
        requirements.set_requirements(
            post.session, rotation=rotation, data=RequirementsPut(requirements=items), now=post.now,
            actor=post.viewer,
        )  # fmt: skip
    except Invalid as exc:
        status_code = roll_back_refused(post.session, exc)
        rotation = rotation_or_404(post.session, slug)
        errors = {"form": exc.detail, **errors}
        state = _requirements_state(post.session, rows=rows, new=new, errors=errors)
        return manage_page(post, rotation=rotation, state=state, status_code=status_code)
    flash(
        post.request,
        gettext(
            post.request,
            "Saved the reading required before each shift of “%(name)s”.",
            name=rotation.name,
        ),
    )
    return _back(rotation.slug, "requirements")


# --- overrides ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Override:
    """An override as typed: the shift, who takes it and the part of it, or what is wrong."""

    shift: Shift | None
    person: Person | None
    start: datetime | None
    end: datetime | None
    errors: dict[str, str]


def _override_input(
    session: Session,
    *,
    rotation: Rotation,
    zone: str,
    shift_id: str,
    person_id: str,
    start: str,
    end: str,
) -> _Override:
    errors: dict[str, str] = {}
    chosen_shift = parse_id(shift_id)
    shift = session.get(Shift, chosen_shift) if chosen_shift is not None else None
    if shift is None or shift.rotation_id != rotation.id:
        shift = None
        errors["shift_id"] = "Choose a shift of this rotation."
    chosen = parse_id(person_id)
    person = session.get(Person, chosen) if chosen is not None else None
    if person is None:
        errors["person_id"] = "Choose who takes the shift."
    window: dict[str, datetime | None] = {}
    for name, value in (("start", start), ("end", end)):
        try:
            window[name] = parse_local(value, timezone=zone)
        except ValueError:
            errors[name] = f"Enter a date and time ({zone}), or leave it empty."
            window[name] = None
    return _Override(shift, person, window["start"], window["end"], errors)


def _overridden(pieces: list[Shift], *, person: Person, zone: str, locale: str) -> str:
    taken = next(piece for piece in pieces if piece.person_id == person.id)
    values = {
        "name": person.name, "zone": zone,
        "start": local_time(taken.start, zone, locale=locale),
        "end": local_time(taken.end, zone, locale=locale),
    }  # fmt: skip
    if len(pieces) > 1:
        return i18n.gettext(
            locale,
            "%(name)s now takes %(start)s to %(end)s (%(zone)s), a part of the shift: "
            "it was split.",
            **values,
        )
    return i18n.gettext(locale, "%(name)s now takes %(start)s to %(end)s (%(zone)s).", **values)


@router.post("/rotations/{slug}/manage/override", response_model=None)
def override_shift(slug: str, post: ViewerPost) -> Response:
    rotation = manageable(post.session, viewer=post.viewer, slug=slug)
    values = post.texts("shift_id", "person_id", "start", "end")
    typed = _override_input(post.session, rotation=rotation, zone=post.viewer.timezone, **values)
    try:
        if typed.shift is None or typed.person is None or typed.errors:
            raise Invalid("Nothing was changed: fix the fields marked below.")
        pieces = overrides.override(
            post.session, shift=typed.shift, person=typed.person, start=typed.start, end=typed.end,
            now=post.now, actor=post.viewer,
        )  # fmt: skip
    except (Invalid, Conflict) as exc:
        state = ManageState(override=values, override_errors={"form": exc.detail, **typed.errors})
        return refused_page(post, slug=slug, exc=exc, state=state)
    taken = [p.id for p in pieces if p.person_id == typed.person.id]
    base_url = get_settings_dep(post.request).base_url
    cover_reading.assign(post.session, shift_ids=taken, now=post.now, base_url=base_url)
    locale = request_locale(post.request)
    flash(
        post.request,
        _overridden(pieces, person=typed.person, zone=post.viewer.timezone, locale=locale),
    )
    return _back(rotation.slug, "override")


# --- rebalance ------------------------------------------------------------------------------


@router.post("/rotations/{slug}/manage/rebalance", response_model=None)
def rebalance(slug: str, post: ViewerPost) -> Response:
    from_date = post.text("from_date")
    rotation = manageable(post.session, viewer=post.viewer, slug=slug)
    try:
        try:
            day = check_date_range(date.fromisoformat(from_date.strip()))
        except ValueError:
            raise Invalid("Enter the first day to rebalance from as a date.") from None
        changed = rotation_service.rebalance(
            post.session, rotation=rotation, from_date=day, now=post.now, actor=post.viewer
        )
    except (Invalid, Conflict) as exc:
        state = ManageState(rebalance_from=from_date, rebalance_error=exc.detail)
        return refused_page(post, slug=slug, exc=exc, state=state)
    count = len(changed)
    flash(
        post.request,
        ngettext(
            post.request,
            "Rebalanced from %(day)s: %(count)s shift changed hands.",
            "Rebalanced from %(day)s: %(count)s shifts changed hands.",
            count,
            day=i18n.format_day(day, locale=request_locale(post.request)),
        )
        if count
        else gettext(
            post.request,
            "Rebalanced from %(day)s: it was already fair; nothing moved.",
            day=i18n.format_day(day, locale=request_locale(post.request)),
        ),
    )
    return _back(rotation.slug, "rebalance")
