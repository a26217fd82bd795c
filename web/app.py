"""The application factory: builds engine, templates and routers in ``lifespan``, not at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware.sessions import SessionMiddleware

import migrations.models  # noqa: F401  (every table registered before first use)
from core.clock import Clock, SystemClock
from core.db import make_engine, make_sessionmaker
from core.settings import Settings, get_settings
from web import errors, feeds
from web.api import ops, people
from web.metrics import Metrics, MetricsMiddleware
from web.pages import auth as auth_pages
from web.pages.common import LoginRequired, login_url
from web.ratelimit import LoginLimiter
from web.security_headers import SecurityHeadersMiddleware
from web.templating import build_templates

STATIC_DIR = Path(__file__).resolve().parent / "static"
SESSION_MAX_AGE = 14 * 24 * 3600


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    session_factory: sessionmaker[Session] | None = None,
) -> FastAPI:
    """Build the app; tests pass their own clock and a session factory bound to one connection."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if session_factory is not None:
            app.state.sessionmaker = session_factory
            yield
            return
        engine = make_engine(settings.effective_database_url)
        app.state.sessionmaker = make_sessionmaker(engine)
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(
        title="allhands",
        version="0.1.0",
        description="All Hands Support rotations, calendar feeds and onboarding.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    app.state.templates = build_templates()
    app.state.metrics = Metrics()
    app.state.login_limiter = LoginLimiter(settings.login_attempts_per_minute)

    errors.install(app)

    @app.exception_handler(LoginRequired)
    async def _to_login(_request: Request, exc: Exception) -> RedirectResponse:
        assert isinstance(exc, LoginRequired)
        return RedirectResponse(login_url(exc.next_path), status_code=303)

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_secret_key(),
        session_cookie="allhands_session",
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(ops.router)
    app.include_router(people.router)
    app.include_router(auth_pages.router)
    app.include_router(feeds.router)
    return app
