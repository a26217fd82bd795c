"""Security headers on every response; pages load only our own scripts and styles.

Every answer but static assets and calendar feeds (which set their own caching) also says
``Cache-Control: no-store``: pages, API answers and errors may carry personal data and CSRF
tokens, and no shared or browser cache should keep them.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
OWN_CACHING_PREFIXES = ("/static/", "/static-docs/", "/feeds/")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        # The OpenAPI UI is FastAPI's own page with an inline bootstrap script.
        relaxed = scope["path"] in DOCS_PATHS
        private = not scope["path"].startswith(OWN_CACHING_PREFIXES)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    if relaxed and name == "content-security-policy":
                        continue
                    headers.setdefault(name, value)
                if private:
                    headers.setdefault("cache-control", "no-store")
            await send(message)

        await self.app(scope, receive, send_wrapper)
