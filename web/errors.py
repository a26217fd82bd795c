"""Map domain errors to HTTP answers so every expected failure is a clear 4xx."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, InterfaceError, OperationalError

from core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound

STATUS_BY_ERROR: list[tuple[type[DomainError], int]] = [
    (NotFound, 404),
    (Conflict, 409),
    (Forbidden, 403),
    (Invalid, 422),
]


def status_for(error: DomainError) -> int:
    for error_type, code in STATUS_BY_ERROR:
        if isinstance(error, error_type):
            return code
    return 400


async def domain_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return JSONResponse(status_code=status_for(exc), content={"detail": exc.detail, **exc.extra})


async def data_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    # A backstop, not the validation itself: input the database refuses as data (a number
    # out of range, a character it cannot store) is the caller's mistake, never a 500. The
    # unit of work has already rolled back when this runs. SQLite's driver raises a bare
    # OverflowError for integers beyond 64 bits where PostgreSQL raises DataError.
    assert isinstance(exc, DataError | OverflowError)
    return JSONResponse(
        status_code=422,
        content={"detail": "a value is out of range or holds characters that cannot be stored"},
    )


async def database_unavailable_handler(_request: Request, exc: Exception) -> JSONResponse:
    # The database is down, restarting or too busy: the request was rolled back and can be
    # retried as it is, which 503 + Retry-After says; a 500 would claim a bug instead.
    assert isinstance(exc, OperationalError | InterfaceError)
    return JSONResponse(
        status_code=503,
        content={"detail": "the database is unavailable; try again shortly"},
        headers={"Retry-After": "5"},
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_error_handler)
    app.add_exception_handler(DataError, data_error_handler)
    app.add_exception_handler(OverflowError, data_error_handler)
    app.add_exception_handler(OperationalError, database_unavailable_handler)
    app.add_exception_handler(InterfaceError, database_unavailable_handler)
