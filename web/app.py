"""The application factory: builds engine, templates and routers in ``lifespan``, not at import."""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from http import HTTPStatus
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

import migrations.models  # noqa: F401  (every table registered before first use)
from core import import_jobs
from core.clock import Clock, SystemClock
from core.db import make_engine, make_sessionmaker, max_connections
from core.i18n import N_
from core.settings import Settings, get_settings
from rotation.feed import renames as feed_renames
from web import api_docs, errors, openapi, routes
from web.admission import AdmissionLimit
from web.bodies import body_limit_for
from web.body_limit import BodyLimit
from web.feeds.compression import FeedCompression
from web.feeds.fast import FeedFastPath
from web.hosts import AllowedHosts
from web.metrics import Metrics, MetricsMiddleware
from web.pages.helpers import LoginRequired, error_page_viewer, login_url
from web.ratelimit import LoginLimiter
from web.read_retry import ReadRetry
from web.security_headers import SecurityHeadersMiddleware
from web.templating import build_templates, render

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
DOCS_ASSETS = api_docs.ASSETS_URL
SESSION_MAX_AGE = 14 * 24 * 3600
# Marked here, translated where the error page shows them (its ``translate`` filter).
ERROR_TITLES = {
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Not allowed here"),
    409: N_("That clashes with something"),
    422: N_("That cannot be used"),
    503: N_("Try again shortly"),
}
PLAIN_DETAILS = {
    404: N_("There is no page at this address."),
    405: N_("This page cannot be used that way."),
}
SOMETHING_WRONG = N_("Something went wrong")
Handler = Callable[[Request, Any], Response | Awaitable[Response]]
NON_PAGE_PREFIXES = (
    "/api/",
    "/scim/",
    "/slack/",
    "/feeds/",
    "/static/",
    DOCS_ASSETS + "/",
    "/healthz",
    "/readyz",
    "/metrics",
    "/docs",
)


def is_page_request(request: Request) -> bool:
    """HTML pages get HTML errors; the API, feeds and probes keep JSON or plain answers."""
    path = request.url.path
    return not path.startswith(NON_PAGE_PREFIXES) and path != "/openapi.json"


def _lifespan(
    settings: Settings, session_factory: sessionmaker[Session] | None
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The engine is built when the app starts and disposed when it stops, never at import."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if session_factory is not None:
            app.state.sessionmaker = session_factory
            feed_renames.watch(session_factory)
            _fail_orphaned_imports(app)
            yield
            return
        engine = make_engine(settings.effective_database_url, workers=settings.web_workers)
        app.state.sessionmaker = make_sessionmaker(engine)
        feed_renames.watch(app.state.sessionmaker)
        _fail_orphaned_imports(app)
        try:
            yield
        finally:
            engine.dispose()

    return lifespan


def _fail_orphaned_imports(app: FastAPI) -> None:
    """Import jobs of a process that is gone never finish: say so (``core.import_jobs``)."""
    try:
        with app.state.sessionmaker.begin() as session:
            import_jobs.fail_orphans(session, now=app.state.clock.now())
    except SQLAlchemyError:
        # Not migrated yet (``allhands serve`` migrates first; a bare app may not be).
        log.warning("could not check for unfinished import jobs", exc_info=True)


async def _to_login(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return RedirectResponse(login_url(exc.next_path), status_code=303)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Pages answer HTTP errors with an HTML page; the API and feeds keep FastAPI's JSON."""
    assert isinstance(exc, StarletteHTTPException)
    if is_page_request(request):
        return render(
            request,
            "error.html",
            {
                "status_code": exc.status_code,
                "viewer": error_page_viewer(request),
                "title": ERROR_TITLES.get(exc.status_code, SOMETHING_WRONG),
                "detail": _http_detail(exc),
            },
            status_code=exc.status_code,
        )
    return await http_exception_handler(request, exc)


def _http_detail(exc: StarletteHTTPException) -> str:
    """Starlette's bare status phrase ("Not Found") said as a sentence a person can act on."""
    if exc.detail == HTTPStatus(exc.status_code).phrase:
        return PLAIN_DETAILS.get(exc.status_code, exc.detail + ".")
    return str(exc.detail)


def _page_detail(body: bytes) -> str:
    """A person-readable sentence from a JSON error body (a 422 lists fields and reasons)."""
    detail = json.loads(body).get("detail", "")
    if isinstance(detail, str):
        return detail
    reasons = []
    for error in detail if isinstance(detail, list) else []:
        where = " ".join(str(part) for part in error.get("loc", ())[1:]) or "input"
        reasons.append(f"{where}: {error.get('msg', 'not valid')}")
    return "; ".join(reasons) or "Something in the request is not valid."


def _in_html_for_pages(handler: Handler) -> Callable[[Request, Exception], Awaitable[Response]]:
    """Pages answer errors as a page with the navigation; the API keeps the JSON ``handler``
    gives (same status and headers)."""

    async def answer(request: Request, exc: Exception) -> Response:
        answered = handler(request, exc)
        response = await answered if inspect.isawaitable(answered) else answered
        if not is_page_request(request) or response.media_type != "application/json":
            return response
        code = response.status_code
        page = render(
            request,
            "error.html",
            {
                "status_code": code,
                "viewer": error_page_viewer(request),
                "title": ERROR_TITLES.get(code, SOMETHING_WRONG),
                "detail": _page_detail(bytes(response.body)),
            },
            status_code=code,
        )
        if "retry-after" in response.headers:
            page.headers["Retry-After"] = response.headers["retry-after"]
        return page

    return answer


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    """Added innermost first: read retry, feed compression, admission, body limits,
    sessions, security headers, the feed fast path, allowed hosts, then metrics outermost."""
    # Innermost: a reading request that lost the race for SQLite's write lock runs again
    # inside its admission slot, before anything was sent.
    app.add_middleware(ReadRetry)
    # It only encodes the feed routes' finished bodies.
    app.add_middleware(FeedCompression)
    # Innermost, so waiting requests are counted by the metrics but hold nothing else.
    url = settings.effective_database_url
    app.add_middleware(
        AdmissionLimit,
        limit=max_connections(url, workers=settings.web_workers),
        serial_writes=url.startswith("sqlite"),
    )
    # Outside admission: a body is read (bounded, with a deadline) before a slot is taken,
    # so a slow or huge upload holds no slot while it arrives.
    app.add_middleware(
        BodyLimit, limit_for=body_limit_for, timeout_seconds=settings.body_timeout_seconds
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_secret_key(),
        session_cookie="allhands_session",
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(SecurityHeadersMiddleware)
    # In front of all of the above: a fully cached feed needs none of it (it adds the
    # security headers itself); the host check and the metrics still see every request.
    app.add_middleware(FeedFastPath, state=app.state)
    app.add_middleware(AllowedHosts, allowed_hosts=settings.allowed_host_names)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    session_factory: sessionmaker[Session] | None = None,
) -> FastAPI:
    """Build the app; tests pass their own clock and a session factory bound to one connection."""
    settings = settings or get_settings()
    app = FastAPI(
        docs_url=None,  # served by ``web.api_docs`` from installed assets
        redoc_url=None,
        title="allhands",
        version="0.1.0",
        description="All Hands Support rotations, calendar feeds and onboarding.",
        lifespan=_lifespan(settings, session_factory),
    )
    api_docs.install(app)
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    app.state.templates = build_templates()
    app.state.metrics = Metrics()
    app.state.login_limiter = LoginLimiter(settings.login_attempts_per_minute)

    errors.install(app)
    for error_type, handler in list(app.exception_handlers.items()):
        app.add_exception_handler(error_type, _in_html_for_pages(handler))
    openapi.install(app)
    app.add_exception_handler(LoginRequired, _to_login)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    _add_middleware(app, settings)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    routes.include_all(app)
    return app
