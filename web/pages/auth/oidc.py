"""OpenID Connect sign-in (authorization code with PKCE) through authlib's Starlette client.

authlib checks ``state`` (kept in the signed session cookie), sends the PKCE verifier,
verifies the ID token's signature against the provider's published keys and its claims
(issuer, audience, expiry, nonce, ``at_hash``). What is left here is who may come in: a
person with that *verified* email address, or a new person from an allowed domain.
"""

from __future__ import annotations

import secrets
from typing import Any

from authlib.integrations.starlette_client import OAuth, OAuthError
from authlib.integrations.starlette_client.apps import StarletteOAuth2App
from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from httpx import HTTPError
from joserfc.errors import JoseError
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


def _client(request: Request, settings: Settings) -> StarletteOAuth2App:
    """The app's OpenID Connect client, registered on first use (discovery happens then)."""
    client: StarletteOAuth2App | None = getattr(request.app.state, "oidc_client", None)
    if client is None:
        oauth = OAuth()
        client = oauth.register(
            name="allhands",
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            server_metadata_url=settings.oidc_issuer.rstrip("/")
            + "/.well-known/openid-configuration",
            client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
        )
        request.app.state.oidc_client = client
    return client


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
    client = _client(request, settings)
    try:
        redirect: Response = await client.authorize_redirect(
            request, settings.base_url + "/auth/oidc/callback"
        )
    except (HTTPError, OAuthError, ValueError) as exc:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=f"The sign-in provider cannot be reached ({type(exc).__name__}); try again.",
        ) from exc
    return redirect


async def _verified_claims(request: Request, settings: Settings) -> dict[str, Any] | str:
    """The ID token's claims, or the reason (a REFUSALS key) the answer is refused."""
    client = _client(request, settings)
    try:
        token = await client.authorize_access_token(request)
    except OAuthError as exc:
        return "provider_error" if request.query_params.get("error") else f"bad_response:{exc}"
    except (JoseError, HTTPError, ValueError, KeyError) as exc:
        return f"bad_response:{type(exc).__name__}: {exc}"
    claims = token.get("userinfo")
    if not claims:
        return "bad_response:no ID token"
    return dict(claims)


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
    claims = await _verified_claims(request, settings)
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
