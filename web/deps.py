"""Request-scoped dependencies: the unit of work, settings, clock and the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from core import people
from core.clock import Clock
from core.db import lost_write_race, reading
from core.models import Person
from core.security import constant_time_equal, person_for_api_token
from core.settings import Settings
from web import read_retry
from web.read_retry import SAFE_METHODS


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One unit of work per request: commit on success, roll back on any error.

    Used with ``scope="function"`` so the commit happens before the response is sent; a
    client never sees a 2xx for a change that then failed to commit. GET and HEAD requests
    begin as readers (``core.db.reading``); one that writes after all and loses the race
    for SQLite's write lock is run again as a writer (``web.read_retry``).

    Making a session touches no database, so it is made on the event loop; the commit (or
    rollback) and close run in one trip to the thread pool.
    """
    sessions: sessionmaker[Session] = request.app.state.sessionmaker
    read_first = request.method in SAFE_METHODS and not read_retry.as_writer(request.scope)
    session = reading(sessions) if read_first else sessions()
    try:
        yield session
    except BaseException as error:
        await run_in_threadpool(_end, session, commit=False)
        if read_first and lost_write_race(error):
            raise read_retry.RunAsWriter from error
        raise
    try:
        await run_in_threadpool(_end, session, commit=True)
    except Exception as error:
        if read_first and lost_write_race(error):
            raise read_retry.RunAsWriter from error
        raise


def _end(session: Session, *, commit: bool) -> None:
    """Commit (or roll back) and close; a failed commit is rolled back."""
    try:
        if commit:
            try:
                session.commit()
            except BaseException:
                session.rollback()
                raise
        else:
            session.rollback()
    finally:
        session.close()


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def settings_dependency(request: Request) -> Settings:
    """The settings, handed to a route without a trip to the thread pool."""
    return get_settings_dep(request)


async def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


async def get_now(clock: Annotated[Clock, Depends(get_clock)]) -> datetime:
    return clock.now()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(settings_dependency)]
ClockDep = Annotated[Clock, Depends(get_clock)]
NowDep = Annotated[datetime, Depends(get_now)]


def unauthorized(detail: str = "authentication required") -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )


def forbidden(detail: str = "not allowed") -> HTTPException:
    return HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail=detail)


def person_from_cookie(request: Request, session: Session) -> Person | None:
    """The person whose signed session cookie came with the request, if still valid."""
    data = request.session
    person_id = data.get("pid")
    if not isinstance(person_id, int):
        return None
    person = session.get(Person, person_id)
    if person is None or not person.active or data.get("epoch") != person.session_epoch:
        return None
    return person


def person_from_proxy_header(
    request: Request, session: Session, settings: Settings
) -> Person | None:
    if not settings.auth_header:
        return None
    email = request.headers.get(settings.auth_header)
    if not email:
        return None
    person = people.find_by_email(session, email)
    if person is None or not person.active:
        return None
    return person


def _check_api_csrf(request: Request) -> None:
    # Browsers attach cookies (and proxies their auth header) to cross-site requests too,
    # so a state-changing API call authenticated that way must prove it came from our page.
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get("csrf")
    given = request.headers.get("x-csrf-token", "")
    if not expected or not constant_time_equal(str(expected), given):
        raise forbidden("missing or wrong X-CSRF-Token header for a cookie-authenticated call")


def current_person(
    request: Request, session: SessionDep, settings: SettingsDep, now: NowDep
) -> Person:
    """The caller of an API endpoint: bearer token, trusted proxy header, or session cookie."""
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise unauthorized("use an Authorization: Bearer <token> header")
        person = person_for_api_token(session, token.strip(), now=now)
        if person is None:
            raise unauthorized("invalid, expired or revoked token")
        return person
    person = person_from_proxy_header(request, session, settings)
    if person is None:
        person = person_from_cookie(request, session)
    if person is None:
        raise unauthorized()
    _check_api_csrf(request)
    return person


CurrentPerson = Annotated[Person, Depends(current_person)]


async def require_admin(person: CurrentPerson) -> Person:
    if not person.is_admin:
        raise forbidden("admin only")
    return person


AdminPerson = Annotated[Person, Depends(require_admin)]
