"""Map domain errors to HTTP answers so every expected failure is a clear 4xx."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, InterfaceError, OperationalError, StatementError

from core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound

# A 422 shows what was wrong, never the whole input back: a megabyte field is not repeated.
MAX_ECHO_CHARS = 200

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


def excerpt(text: str, limit: int = MAX_ECHO_CHARS) -> str:
    """At most ``limit`` characters of ``text``, and only what UTF-8 can carry (a lone
    surrogate from a JSON escape would make the answer itself fail)."""
    if len(text) > limit:
        text = text[:limit] + "…"
    return text.encode("utf-8", "replace").decode("utf-8")


def bounded(value: Any, limit: int = MAX_ECHO_CHARS) -> Any:
    """``value`` made safe to send back: strings cut to ``limit``, containers too large to
    show as an excerpt of their JSON."""
    if isinstance(value, str):
        return excerpt(value, limit)
    if isinstance(value, dict | list | tuple):
        shown = jsonable_encoder(value)
        text = json.dumps(shown, ensure_ascii=False, default=str)
        if len(text) > limit:
            return excerpt(text, limit)
        return _clean(shown)
    return value


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return excerpt(value, len(value))
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _bounded_context(value: Any) -> Any:
    # Limits stay numbers ({"max_length": 200}); an exception is shown as its message.
    if value is None or isinstance(value, bool | int | float):
        return value
    return bounded(value if isinstance(value, str | list | dict) else str(value))


def _bounded_error(error: dict[str, Any]) -> dict[str, Any]:
    shown = {**error, "loc": [bounded(part) for part in error.get("loc", ())]}
    shown["msg"] = excerpt(str(error.get("msg", "")), 2 * MAX_ECHO_CHARS)
    if "input" in error:
        shown["input"] = bounded(error["input"])
    if "ctx" in error:
        shown["ctx"] = {key: _bounded_context(value) for key, value in error["ctx"].items()}
    return shown


async def validation_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 shape, with every echo of the input bounded."""
    assert isinstance(exc, RequestValidationError)
    errors = [_bounded_error(dict(error)) for error in exc.errors()]
    return JSONResponse(status_code=422, content={"detail": jsonable_encoder(errors)})


async def domain_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    content = {"detail": excerpt(exc.detail, 2000), **_clean(exc.extra)}
    return JSONResponse(status_code=status_for(exc), content=content)


async def data_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    # A backstop, not the validation itself: input the database refuses as data (a number
    # out of range, a character it cannot store) is the caller's mistake, never a 500. The
    # unit of work has already rolled back when this runs. SQLite's driver raises a bare
    # OverflowError for integers beyond 64 bits where PostgreSQL raises DataError.
    assert isinstance(exc, DataError | OverflowError | UnicodeEncodeError)
    return JSONResponse(
        status_code=422,
        content={"detail": "a value is out of range or holds characters that cannot be stored"},
    )


async def statement_error_handler(request: Request, exc: Exception) -> JSONResponse:
    # A parameter the driver cannot convert (a date overflowing when made UTC) arrives
    # wrapped; it is bad input like the ones above. Anything else stays a server error.
    assert isinstance(exc, StatementError)
    if isinstance(exc.orig, OverflowError | UnicodeEncodeError):
        return await data_error_handler(request, exc.orig)
    raise exc


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
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(DomainError, domain_error_handler)
    app.add_exception_handler(DataError, data_error_handler)
    app.add_exception_handler(OverflowError, data_error_handler)
    app.add_exception_handler(StatementError, statement_error_handler)
    app.add_exception_handler(OperationalError, database_unavailable_handler)
    app.add_exception_handler(InterfaceError, database_unavailable_handler)
