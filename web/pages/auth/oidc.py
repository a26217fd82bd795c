"""OpenID Connect sign-in (authorization code with PKCE) through authlib's Starlette client.

authlib checks ``state`` (kept in the signed session cookie), sends the PKCE verifier,
verifies the ID token's signature against the provider's published keys and its claims
(issuer, audience, expiry, nonce, ``at_hash``). What is left here is who may come in: a
person with that *verified* email address, or a new person from an allowed domain. The
client itself (``oidc_client``, with authlib) is imported on the first sign-in this way.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from core.i18n import N_
from core.settings import Settings
from flows import sign_in
from web.deps import SettingsDep
from web.templating import flash, gettext, render

router = APIRouter(include_in_schema=False)

NEXT_KEY = "oidc_next"
REFUSALS = {
    "provider_error": "The sign-in provider did not sign you in",
    "bad_response": "The sign-in answer could not be verified",
    "unverified_email": "Your email address is not verified by the sign-in provider",
    "no_email": "The sign-in provider did not tell us your email address",
    "no_account": "There is no allhands account for this email address",
    "inactive": "This account is not active",
}


def _safe_next(value: str | None) -> str:
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _require_oidc(settings: Settings) -> None:
    if not settings.oidc_enabled:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=N_("Single sign-on is not set up."))


@router.get("/auth/oidc/login", response_model=None)
async def oidc_login(request: Request, settings: SettingsDep, next: str | None = None) -> Response:
    _require_oidc(settings)
    request.session[NEXT_KEY] = _safe_next(next)
    from web.pages.auth import oidc_client  # on first use (see that module's docstring)

    return await oidc_client.authorize_redirect(request, settings)


def _refused(request: Request, reason: str) -> HTMLResponse:
    key, _, _detail = reason.partition(":")
    code = status.HTTP_403_FORBIDDEN if key in ("no_account", "inactive") else 400
    return render(
        request,
        "error.html",
        {
            "status_code": code,
            "title": "Sign-in refused",
            "detail": REFUSALS.get(key, REFUSALS["bad_response"])
            + ". Try again, or ask an admin for an invitation.",
        },
        status_code=code,
    )


@router.get("/auth/oidc/callback", response_model=None)
async def oidc_callback(request: Request, settings: SettingsDep) -> Response:
    _require_oidc(settings)
    next_path = _safe_next(request.session.pop(NEXT_KEY, None))
    from web.pages.auth import oidc_client

    claims = await oidc_client.verified_claims(request, settings)
    sessions = request.app.state.sessionmaker
    now = request.app.state.clock.now()
    client_host = request.client.host if request.client else "unknown address"
    if isinstance(claims, str):
        await run_in_threadpool(
            sign_in.record_refusal, sessions, reason=claims, now=now, client=client_host
        )
        return _refused(request, claims)
    outcome = await run_in_threadpool(
        sign_in.sign_in_with_claims,
        sessions,
        claims=claims,
        allowed_domains=settings.oidc_domains,
        now=now,
        client=client_host,
    )
    if outcome.refusal is not None:
        return _refused(request, outcome.refusal)
    # A fresh session: nothing set before authentication survives (no fixation).
    request.session.clear()
    request.session.update(
        {"pid": outcome.person_id, "epoch": outcome.epoch, "csrf": secrets.token_urlsafe(32)}
    )
    flash(request, gettext(request, "Welcome, %(name)s.", name=outcome.name))
    return RedirectResponse(next_path, status_code=303)
