"""Pages behind the one-time links: accept an invitation, reset a forgotten password."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from core import credentials
from core.errors import Invalid
from core.i18n import N_
from core.models import Person
from core.settings import Settings
from flows import invitations
from web.deps import NowDep, SessionDep, SettingsDep
from web.pages.helpers import sentence, verify_csrf
from web.templating import flash, gettext, render

router = APIRouter(include_in_schema=False)

REFUSAL_STATUS = {
    "tampered": status.HTTP_400_BAD_REQUEST,
    "unknown": status.HTTP_404_NOT_FOUND,
    "used": status.HTTP_410_GONE,
    "expired": status.HTTP_410_GONE,
    "inactive": status.HTTP_403_FORBIDDEN,
}
PAGES = {
    credentials.INVITE: {
        "heading": N_("Welcome to allhands"),
        "intro": N_("Choose a password for %(email)s. You log in with it from now on."),
        "done": N_("Your password is set. Log in with it now."),
    },
    credentials.RESET: {
        "heading": N_("Choose a new password"),
        "intro": N_("Choose a new password for %(email)s. Every other session of yours ends."),
        "done": N_("Your new password is set. Log in with it now."),
    },
}


def _require_password_login(settings: Settings) -> None:
    if not settings.password_login:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail=N_("Password login is turned off here; sign in with single sign-on."),
        )


@dataclass(frozen=True)
class _LinkVisit:
    """A visit to one one-time link: the request and what answering it needs."""

    request: Request
    session: Session
    settings: Settings
    now: datetime
    purpose: str
    token: str

    def check(self) -> Person:
        """Whose link it is; ``credentials.LinkRefused`` when it cannot be used."""
        _link, person = credentials.check_link(
            self.session,
            token=self.token,
            purpose=self.purpose,
            secret_key=self.settings.resolved_secret_key(),
            now=self.now,
        )
        return person


def _refused(visit: _LinkVisit, refusal: credentials.LinkRefused) -> HTMLResponse:
    # Rendered rather than raised, so the audit event commits with the request.
    request, purpose = visit.request, visit.purpose
    credentials.record_refusal(
        visit.session, refusal=refusal, purpose=purpose, now=visit.now, note=request.method
    )
    forgot = purpose == credentials.RESET or refusal.reason in ("used", "expired")
    return render(
        request,
        "error.html",
        {
            "status_code": REFUSAL_STATUS[refusal.reason],
            "title": "This link cannot be used",
            "detail": credentials.MESSAGES[refusal.reason]
            + (" You can ask for one on the “Forgot password” page." if forgot else ""),
        },
        status_code=REFUSAL_STATUS[refusal.reason],
    )


def _form(visit: _LinkVisit, *, email: str, error: str | None, code: int = 200) -> HTMLResponse:
    request, texts = visit.request, PAGES[visit.purpose]
    return render(
        request,
        "set_password.html",
        {
            "heading": gettext(request, texts["heading"]),
            "intro": gettext(request, texts["intro"], email=email),
            "action": f"/{visit.purpose}/{visit.token}",
            "email": email,
            "error": error,
            "min_length": credentials.MIN_PASSWORD_LENGTH,
        },
        status_code=code,
    )


def _show(visit: _LinkVisit) -> HTMLResponse:
    _require_password_login(visit.settings)
    try:
        person = visit.check()
    except credentials.LinkRefused as refusal:
        return _refused(visit, refusal)
    return _form(visit, email=person.email, error=None)


def _submit(visit: _LinkVisit, *, password: str, confirm: str) -> Response:
    _require_password_login(visit.settings)
    request = visit.request
    try:
        credentials.use_link(
            visit.session,
            token=visit.token,
            purpose=visit.purpose,
            password=password,
            confirm=confirm,
            secret_key=visit.settings.resolved_secret_key(),
            now=visit.now,
        )
    except credentials.LinkRefused as refusal:
        return _refused(visit, refusal)
    except Invalid as exc:
        email = visit.check().email
        return _form(visit, email=email, error=sentence(exc.detail), code=422)
    request.session.clear()
    flash(request, gettext(request, PAGES[visit.purpose]["done"]))
    return RedirectResponse("/login", status_code=303)


def _link_routes(purpose: str) -> None:
    """The form behind one kind of one-time link (``/invite/…``, ``/reset/…``) and its post."""

    def show(
        request: Request, token: str, session: SessionDep, settings: SettingsDep, now: NowDep
    ) -> HTMLResponse:
        return _show(_LinkVisit(request, session, settings, now, purpose, token))

    def submit(
        request: Request,
        token: str,
        session: SessionDep,
        settings: SettingsDep,
        now: NowDep,
        password: Annotated[str, Form(max_length=1000)] = "",
        confirm: Annotated[str, Form(max_length=1000)] = "",
    ) -> Response:
        visit = _LinkVisit(request, session, settings, now, purpose, token)
        return _submit(visit, password=password, confirm=confirm)

    path = f"/{purpose}/{{token}}"
    router.add_api_route(path, show, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(
        path, submit, methods=["POST"], response_model=None, dependencies=[Depends(verify_csrf)]
    )


for _purpose in (credentials.INVITE, credentials.RESET):
    _link_routes(_purpose)


@router.get("/forgot-password", response_class=HTMLResponse)
def forgot_password_form(request: Request, settings: SettingsDep) -> HTMLResponse:
    _require_password_login(settings)
    return render(
        request, "forgot_password.html", {"sent": False, "valid_hours": settings.reset_valid_hours}
    )


@router.post("/forgot-password", response_model=None, dependencies=[Depends(verify_csrf)])
def forgot_password(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    background: BackgroundTasks,
    email: Annotated[str, Form(max_length=320)] = "",
) -> HTMLResponse:
    _require_password_login(settings)
    message_ids = invitations.request_password_reset(
        session, email=email.strip().lower(), settings=settings, now=now
    )
    background.add_task(
        invitations.send_now,
        request.app.state.sessionmaker,
        message_ids=message_ids,
        settings=settings,
        now=now,
    )
    return render(
        request, "forgot_password.html", {"sent": True, "valid_hours": settings.reset_valid_hours}
    )
