"""Operational endpoints: liveness, readiness, Prometheus metrics, audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from core import audit
from core.schemas import Instant
from web.deps import AdminPerson, SessionDep

router = APIRouter(tags=["operations"])


@router.get("/healthz", include_in_schema=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", include_in_schema=False)
def readyz(request: Request) -> JSONResponse:
    try:
        with request.app.state.sessionmaker() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return JSONResponse(
            status_code=503, content={"status": "unavailable", "detail": type(exc).__name__}
        )
    return JSONResponse({"status": "ok"})


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
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
    session: SessionDep, _admin: AdminPerson, since: Instant | None = None
) -> list[AuditEventOut]:
    return [AuditEventOut.model_validate(e) for e in audit.list_events(session, since=since)]
