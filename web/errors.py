"""Map domain errors to HTTP answers so every expected failure is a clear 4xx."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

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


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_error_handler)
