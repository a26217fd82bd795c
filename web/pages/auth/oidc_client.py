"""The OpenID Connect client behind ``web.pages.auth.oidc``: authlib's Starlette client,
registered on first use.

Imported on the first sign-in through the provider, not at start-up: authlib, joserfc,
cryptography's bindings and authlib's HTTP client take several megabytes a worker would
carry for nothing where single sign-on is off or rarely used.
"""

from __future__ import annotations

from typing import Any

from authlib.integrations.starlette_client import OAuth, OAuthError
from authlib.integrations.starlette_client.apps import StarletteOAuth2App
from fastapi import HTTPException, Request, status
from fastapi.responses import Response
from httpx import HTTPError
from joserfc.errors import JoseError

from core.settings import Settings


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


async def authorize_redirect(request: Request, settings: Settings) -> Response:
    """The redirect to the provider's sign-in page; 503 when the provider cannot be reached."""
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


async def verified_claims(request: Request, settings: Settings) -> dict[str, Any] | str:
    """The ID token's claims, or the reason (a key of ``oidc.REFUSALS``) it is refused."""
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
