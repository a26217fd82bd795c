"""Requests must name one of our hosts: the ``Host`` header ends up in links and asset URLs.

Starlette's ``TrustedHostMiddleware`` answers 400 to any other host. The probes and
``/metrics`` are exempt: load balancers and scrapers call them by address, and they build
no URLs.
"""

from __future__ import annotations

from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class AllowedHosts:
    def __init__(self, app: ASGIApp, *, allowed_hosts: list[str]) -> None:
        self.app = app
        self.checked = TrustedHostMiddleware(app, allowed_hosts=allowed_hosts, www_redirect=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        await self.checked(scope, receive, send)
