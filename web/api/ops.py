"""Operational endpoints: liveness, readiness, Prometheus metrics, audit log."""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from core import audit
from core.db import reading
from core.schemas import Instant
from core.security import constant_time_equal
from core.settings import Settings
from web.deps import AdminPerson, SessionDep, SettingsDep
from web.paging import PageDep

router = APIRouter(tags=["operations"])


@router.get("/healthz", include_in_schema=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", include_in_schema=False)
def readyz(request: Request) -> JSONResponse:
    try:
        with reading(request.app.state.sessionmaker) as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return JSONResponse(
            status_code=503, content={"status": "unavailable", "detail": type(exc).__name__}
        )
    return JSONResponse({"status": "ok"})


def _is_loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _may_scrape(request: Request, settings: Settings) -> bool:
    """With ``ALLHANDS_METRICS_TOKEN`` set, the bearer token; without, loopback only."""
    if not settings.metrics_token:
        return _is_loopback(request)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and constant_time_equal(token.strip(), settings.metrics_token)


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request, settings: SettingsDep) -> Response:
    # Route names and traffic are for operators: anyone else gets the same 404 as for a
    # path that does not exist.
    if not _may_scrape(request, settings):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Not Found")
    return Response(
        generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST
    )


class AuditEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    actor_id: int | None
    action: str
    subject_type: str
    subject_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: datetime
    note: str | None


@router.get("/api/v1/audit", response_model=list[AuditEventOut], tags=["audit"])
def list_audit(
    paging: PageDep, session: SessionDep, _admin: AdminPerson, since: Instant | None = None
) -> list[AuditEventOut]:
    """Newest first; pages reach back as far as ``?page=`` asks."""
    events = paging.fetch(
        lambda limit, offset: audit.list_events(session, since=since, limit=limit, offset=offset)
    )
    return [AuditEventOut.model_validate(e) for e in events]
