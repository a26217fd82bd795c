"""The time-off page: add and remove one's own days off; managers do it for their members.

After adding, the page lists the shifts that went to someone else, so nobody has to guess
what the days off changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from core import i18n, people
from core.i18n import N_
from core.models import Person
from rotation import access, members, time_off
from rotation import shifts as shift_rows
from rotation.schemas import TimeOffCreate
from web.deps import forbidden
from web.pages.helpers import (
    FormInvalid,
    PageVisit,
    TimeOffId,
    ViewerPost,
    ViewerVisit,
    checked,
    no_such,
    not_found_as,
    parse_id,
    person_or_404,
)
from web.pages.pager import PageNumber, page_of
from web.templating import flash, gettext, render, request_locale

router = APIRouter(include_in_schema=False)
MAX_REASSIGNED_SHOWN = 200


def _allowed(session: Session, *, viewer: Person, person: Person) -> None:
    """The person themselves, admins and managers of a rotation they are in; else a 403 page."""
    if viewer.id == person.id:
        return
    if not members.manages_member(session, manager=viewer, person=person):
        raise forbidden(
            N_(
                "Only the person, an admin or a manager of their rotation can change "
                "their time off."
            )
        )


def _person(session: Session, *, viewer: Person, person_id: str) -> Person:
    """Whose time off the page is about: the viewer unless another person is named."""
    if not person_id:
        return viewer
    chosen = parse_id(person_id)
    if chosen is None:
        raise no_such("person")
    person = person_or_404(session, chosen)
    _allowed(session, viewer=viewer, person=person)
    return person


def _reassigned(value: str) -> list[int]:
    ids = [parse_id(part) for part in value.split(",")[:MAX_REASSIGNED_SHOWN]]
    return [i for i in ids if i is not None]


def _page(
    visit: PageVisit,
    *,
    person: Person,
    reassigned: list[int] | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    page: int = 1,
) -> HTMLResponse:
    request, session, viewer, now = visit.request, visit.session, visit.viewer, visit.now
    rows, pager = page_of(request, time_off.list_time_off(session, person=person), page=page)
    choices = (
        members.people_managed_by(session, manager=viewer)
        if access.manages_any(session, person=viewer)
        else []
    )
    if choices and viewer.id not in {p.id for p in choices}:
        choices.insert(0, viewer)
    today = now.astimezone(ZoneInfo(person.timezone)).date()
    return render(
        request,
        "time_off.html",
        {
            "viewer": viewer,
            "person": person,
            "choices": choices,
            "rows": rows,
            "pager": pager,
            "today": today,
            "reassigned": shift_rows.load(session, reassigned or []),
            "values": values
            or {"start": today.isoformat(), "end": today.isoformat(), "reason": ""},
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("/time-off", response_class=HTMLResponse)
def time_off_page(
    visit: ViewerVisit, person: str = "", reassigned: str = "", page: PageNumber = 1
) -> HTMLResponse:
    whose = _person(visit.session, viewer=visit.viewer, person_id=person)
    return _page(visit, person=whose, reassigned=_reassigned(reassigned), page=page)


def _here(person: Person, viewer: Person) -> str:
    return "/time-off" if person.id == viewer.id else f"/time-off?person={person.id}"


@router.post("/time-off", response_model=None)
def add_time_off(post: ViewerPost) -> Response:
    whose = _person(post.session, viewer=post.viewer, person_id=post.text("person_id"))
    values = post.texts("start", "end", "reason")
    try:
        data = checked(TimeOffCreate, values, wording=_date_wording)
    except FormInvalid as exc:
        return _page(
            post,
            person=whose,
            values=values,
            errors=exc.errors,
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    _row, changed = time_off.add_time_off(
        post.session, person=whose, start=data.start, end=data.end, reason=data.reason,
        now=post.now, actor=post.viewer,
    )  # fmt: skip
    locale = request_locale(post.request)
    flash(
        post.request,
        _added(data, whose=whose, viewer=post.viewer, changed=changed, locale=locale),
    )
    target = _here(whose, post.viewer)
    if changed:
        target += ("&" if "?" in target else "?") + "reassigned=" + ",".join(map(str, changed))
    return RedirectResponse(target, status_code=303)


def _date_wording(item: Mapping[str, Any]) -> str | None:
    if item["loc"] and item["loc"][0] in ("start", "end") and "date" in str(item["msg"]):
        return "Enter a date as YYYY-MM-DD."
    return None


def _days(start: date, end: date, locale: str) -> str:
    first = i18n.format_day(start, locale=locale)
    if end == start:
        return first
    last = i18n.format_day(end, locale=locale)
    return i18n.gettext(locale, "%(first)s to %(last)s", first=first, last=last)


def _added(
    data: TimeOffCreate, *, whose: Person, viewer: Person, changed: list[int], locale: str
) -> str:
    moved = (
        i18n.ngettext(
            locale,
            "%(count)s shift went to someone else: see below.",
            "%(count)s shifts went to someone else: see below.",
            len(changed),
        )
        if changed
        else i18n.gettext(locale, "No shifts were affected.")
    )
    days, zone = _days(data.start, data.end, locale), whose.timezone
    if whose.id == viewer.id:
        added = i18n.gettext(
            locale, "Added your time off: %(days)s (%(zone)s).", days=days, zone=zone
        )
    else:
        added = i18n.gettext(
            locale,
            "Added %(name)s's time off: %(days)s (%(zone)s).",
            name=whose.name,
            days=days,
            zone=zone,
        )
    return f"{added} {moved}"


@router.post("/time-off/{time_off_id}/delete", response_model=None)
def delete_time_off(post: ViewerPost, time_off_id: TimeOffId) -> Response:
    with not_found_as("time off"):
        row = time_off.get_time_off(post.session, time_off_id)
    whose = people.get_person(post.session, row.person_id)
    _allowed(post.session, viewer=post.viewer, person=whose)
    days = _days(row.start, row.end, request_locale(post.request))
    time_off.delete_time_off(post.session, row=row, now=post.now, actor=post.viewer)
    flash(
        post.request,
        gettext(
            post.request,
            "Removed the time off of %(days)s; open shifts were filled again where possible.",
            days=days,
        ),
    )
    return RedirectResponse(_here(whose, post.viewer), status_code=303)
