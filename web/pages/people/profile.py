"""The profile page ``/me``: name, timezone, reminder channels, password, calendar link,
API tokens and ending every session."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from core import audit, credentials, i18n, people, personal_tokens
from core.errors import Invalid
from core.models import Person
from core.schemas import PersonUpdate, TokenCreate
from web.feeds import routes as feeds
from web.pages.helpers import (
    PageVisit,
    TokenId,
    ViewerPost,
    ViewerVisit,
    field_errors,
    sentence,
)
from web.templating import flash, gettext, render

router = APIRouter(include_in_schema=False)


@cache
def _timezones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def _values(person: Person) -> dict[str, object]:
    return {
        "name": person.name,
        "timezone": person.timezone,
        "notify_email": person.notify_email,
        "notify_slack": person.notify_slack,
        "locale": person.locale or "",
    }


def _page(
    visit: PageVisit,
    *,
    values: dict[str, object] | None = None,
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    status_code: int = 200,
    new_token: personal_tokens.NewToken | None = None,
    token_form: dict[str, str] | None = None,
    token_error: str | None = None,
) -> HTMLResponse:
    request, session, viewer = visit.request, visit.session, visit.viewer
    settings = request.app.state.settings
    return render(
        request,
        "profile.html",
        {
            "viewer": viewer,
            "values": values or _values(viewer),
            "errors": errors or {},
            "password_error": problem,
            "password_login": settings.password_login,
            "has_password": bool(viewer.password_hash),
            "min_length": credentials.MIN_PASSWORD_LENGTH,
            "timezones": _timezones(),
            "locales": i18n.NATIVE_NAMES,
            "calendar": feeds.calendar_urls(settings=settings, person=viewer, rotations=[]),
            "tokens": personal_tokens.list_tokens(session, person=viewer),
            "now": request.app.state.clock.now(),
            "new_token": new_token,
            "token_form": token_form or {"name": "", "expires_on": ""},
            "token_error": token_error,
        },
        status_code=status_code,
    )


def _keep_this_session(request: Request, person: Person) -> None:
    # The person's epoch moved (their other sessions ended); this browser stays logged in.
    request.session.update({"epoch": person.session_epoch, "csrf": secrets.token_urlsafe(32)})


@router.get("/me", response_class=HTMLResponse)
def profile(visit: ViewerVisit) -> HTMLResponse:
    return _page(visit)


@router.post("/me", response_model=None)
def save_profile(post: ViewerPost) -> Response:
    name = post.text("name", max_length=1000)
    timezone = post.text("timezone", max_length=200)
    notify_email, notify_slack = post.ticked("notify_email"), post.ticked("notify_slack")
    # Empty: follow the browser's language.
    locale = post.text("locale", max_length=20)
    values: dict[str, object] = {
        "name": name, "timezone": timezone, "notify_email": notify_email,
        "notify_slack": notify_slack, "locale": locale,
    }  # fmt: skip
    try:
        data = PersonUpdate(name=name, timezone=timezone, locale=locale or None)
    except ValidationError as exc:
        return _page(post, values=values, errors=field_errors(exc), status_code=422)
    people.update_person(
        post.session, person=post.viewer, data=data, now=post.now, actor=post.viewer
    )
    before = {"notify_email": post.viewer.notify_email, "notify_slack": post.viewer.notify_slack}
    post.viewer.notify_email, post.viewer.notify_slack = notify_email, notify_slack
    after = {"notify_email": notify_email, "notify_slack": notify_slack}
    if before != after:
        audit.Trail(post.session, actor=post.viewer, at=post.now).record(
            "person.notification_preferences",
            ("person", post.viewer.id),
            before=before,
            after=after,
        )
    # The next page, and this message, speak the language just chosen.
    post.request.state.preferred_locale = post.viewer.locale
    flash(post.request, gettext(post.request, "Your profile is saved."))
    return RedirectResponse("/me", status_code=303)


@router.post("/me/password", response_model=None)
def change_password(post: ViewerPost) -> Response:
    fields = ("current", "new", "confirm")
    current, new, confirm = (post.text(name, max_length=1000) for name in fields)
    if not post.request.app.state.settings.password_login:
        return _page(
            post, problem=gettext(post.request, "Passwords are off here."), status_code=404
        )
    try:
        credentials.change_password(
            post.session,
            person=post.viewer,
            current=current,
            new=new,
            confirm=confirm,
            now=post.now,
        )
    except Invalid as exc:
        return _page(post, problem=sentence(exc.detail), status_code=422)
    _keep_this_session(post.request, post.viewer)
    flash(
        post.request,
        gettext(post.request, "Your password is changed; your other sessions have ended."),
    )
    return RedirectResponse("/me", status_code=303)


def _end_of_day(day: str, timezone: str) -> datetime | None:
    """The end of ``day`` (``YYYY-MM-DD``, empty: None) in the viewer's timezone."""
    if not day:
        return None
    try:
        chosen = date.fromisoformat(day)
    except ValueError as exc:
        raise Invalid("give the expiry date as YYYY-MM-DD") from exc
    return datetime.combine(chosen, time(23, 59, 59), tzinfo=ZoneInfo(timezone))


@router.post("/me/tokens", response_model=None)
def create_token(post: ViewerPost) -> Response:
    """A new token, shown on this answer only (it is not stored, so no page can show it again)."""
    name, expires_on = post.text("name", max_length=1000), post.text("expires_on", max_length=20)
    form = {"name": name, "expires_on": expires_on}
    try:
        data = TokenCreate(name=name, expires_at=_end_of_day(expires_on, post.viewer.timezone))
        made = personal_tokens.create_token(
            post.session, person=post.viewer, name=data.name, expires_at=data.expires_at,
            now=post.now, actor=post.viewer,
        )  # fmt: skip
    except ValidationError as exc:
        problem = "; ".join(field_errors(exc).values())
        return _page(post, token_form=form, token_error=problem, status_code=422)
    except Invalid as exc:
        return _page(post, token_form=form, token_error=sentence(exc.detail), status_code=422)
    return _page(post, new_token=made, status_code=201)


@router.post("/me/tokens/{token_id}/revoke", response_model=None)
def revoke_token(post: ViewerPost, token_id: TokenId) -> Response:
    if not personal_tokens.revoke_token(
        post.session, person=post.viewer, token_id=token_id, now=post.now
    ):
        flash(post.request, gettext(post.request, "You have no such token."), "error")
        return RedirectResponse("/me", status_code=303)
    flash(
        post.request,
        gettext(
            post.request,
            "Token #%(id)s is revoked; programs using it are refused from now on.",
            id=token_id,
        ),
    )
    return RedirectResponse("/me", status_code=303)


@router.post("/me/sessions/end")
def end_all_sessions(post: ViewerPost) -> RedirectResponse:
    people.end_sessions(post.session, person=post.viewer, now=post.now)
    post.request.session.clear()
    flash(post.request, gettext(post.request, "Every session of yours has ended. Log in again."))
    return RedirectResponse("/login", status_code=303)
