"""Login and logout."""

from __future__ import annotations

import math
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from core import i18n, people
from core.i18n import N_
from core.security import verify_password
from core.settings import Settings
from web.deps import NowDep, SessionDep, SettingsDep, person_from_cookie
from web.pages.helpers import verify_csrf
from web.templating import LANGUAGE_COOKIE, flash, gettext, ngettext, render

router = APIRouter(include_in_schema=False)
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
MAX_EMAIL_ECHO = 320  # the longest valid address; the form field shows no more


def _safe_next(value: str | None) -> str:
    # Only same-site paths: "//evil.example" or "https://…" would be an open redirect.
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


@router.post("/language", dependencies=[Depends(verify_csrf)])
async def choose_language(request: Request) -> RedirectResponse:
    """The footer's language switch for visitors not signed in: a cookie that wins over the
    browser's language. Signed-in people choose on their profile."""
    form = await request.form()
    locale, back = form.get("locale"), form.get("next")
    response = RedirectResponse(_safe_next(back if isinstance(back, str) else None), 303)
    if locale in i18n.LOCALES:
        response.set_cookie(
            LANGUAGE_COOKIE, str(locale), max_age=LANGUAGE_COOKIE_AGE, httponly=True,
            samesite="lax", secure=request.url.scheme == "https",
        )  # fmt: skip
    elif locale == "":
        response.delete_cookie(LANGUAGE_COOKIE)
    else:
        raise HTTPException(422, detail=N_("Unknown language."))
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, settings: SettingsDep, next: str | None = None) -> HTMLResponse:
    return render(
        request,
        "login.html",
        {"next": _safe_next(next), "email": "", "error": None, "proxy_auth": settings.auth_header},
    )


def _login_page(
    request: Request,
    settings: Settings,
    *,
    next_path: str,
    email: str,
    error: str,
    status_code: int,
    headers: dict[str, str] | None = None,
) -> Response:
    response = render(
        request,
        "login.html",
        {
            "next": _safe_next(next_path),
            "email": email[:MAX_EMAIL_ECHO],
            "error": error,
            "proxy_auth": settings.auth_header,
        },
        status_code=status_code,
    )
    response.headers.update(headers or {})
    return response


@router.post("/login", response_model=None, dependencies=[Depends(verify_csrf)])
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    if not settings.password_login:
        raise HTTPException(404, detail=N_("Password login is turned off; use single sign-on."))
    limiter = request.app.state.login_limiter
    client = request.client.host if request.client else "unknown"
    key_email = email.strip().lower()
    wait = limiter.attempt(client, key_email)
    if wait > 0:
        seconds = math.ceil(wait)
        return _login_page(
            request,
            settings,
            next_path=next,
            email=email,
            error=ngettext(
                request,
                "Too many attempts. Try again in %(count)s second.",
                "Too many attempts. Try again in %(count)s seconds.",
                seconds,
            ),
            status_code=429,
            headers={"Retry-After": str(seconds)},
        )
    person = people.find_by_email(session, key_email) if key_email else None
    hash_ = person.password_hash if person is not None and person.active else None
    # Always one password check, also for unknown emails: equal work reveals no accounts.
    if not verify_password(hash_, password) or person is None:
        return _login_page(
            request,
            settings,
            next_path=next,
            email=email,
            error=gettext(request, "Wrong email or password."),
            status_code=401,
        )
    limiter.succeeded(client, key_email)
    # A fresh session at login: nothing set before authentication survives (no fixation).
    request.session.clear()
    request.session.update(
        {"pid": person.id, "epoch": person.session_epoch, "csrf": secrets.token_urlsafe(32)}
    )
    request.state.preferred_locale = person.locale
    flash(request, gettext(request, "Welcome, %(name)s.", name=person.name))
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[Depends(verify_csrf)])
def logout(request: Request, session: SessionDep, now: NowDep) -> RedirectResponse:
    person = person_from_cookie(request, session)
    if person is not None:
        # Clearing our copy of the cookie is not enough: a copied one must stop working too.
        people.end_sessions(session, person=person, now=now)
    request.session.clear()
    flash(request, gettext(request, "You are logged out."))
    return RedirectResponse("/login", status_code=303)
