"""Outbound webhook endpoints (admins): register, list, remove, and read the delivery log."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict

from onboarding.webhooks import service
from onboarding.webhooks.service import WebhookCreate
from web.deps import AdminPerson, NowDep, SessionDep
from web.paging import PageDep
from web.params import ObjectId

router = APIRouter(prefix="/api/v1", tags=["webhooks"])


class WebhookOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    description: str
    events: list[str]
    enabled: bool
    consecutive_failures: int
    disabled_at: datetime | None
    created_at: datetime


class WebhookCreatedOut(WebhookOut):
    # Shown once: the receiver verifies signatures with it; it cannot be read back later.
    secret: str


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    message_id: str
    event_type: str
    attempted_at: datetime
    status_code: int | None
    succeeded: bool
    error: str


@router.post("/webhooks", response_model=WebhookCreatedOut, status_code=status.HTTP_201_CREATED)
def create_webhook(
    data: WebhookCreate, session: SessionDep, admin: AdminPerson, now: NowDep
) -> WebhookCreatedOut:
    """Register an endpoint for some events; the answer carries its signing secret once."""
    endpoint = service.create(session, data=data, actor=admin, now=now)
    return WebhookCreatedOut.model_validate(endpoint)


@router.get("/webhooks", response_model=list[WebhookOut])
def list_webhooks(paging: PageDep, session: SessionDep, _admin: AdminPerson) -> list[WebhookOut]:
    found = [WebhookOut.model_validate(e) for e in service.list_endpoints(session)]
    return paging.rows(found)


@router.get("/webhooks/{webhook_id}/deliveries", response_model=list[DeliveryOut])
def webhook_deliveries(
    paging: PageDep, webhook_id: ObjectId, session: SessionDep, _admin: AdminPerson
) -> list[DeliveryOut]:
    """The endpoint's latest delivery attempts, newest first."""
    endpoint = service.get(session, webhook_id)
    found = [DeliveryOut.model_validate(d) for d in service.deliveries(session, endpoint=endpoint)]
    return paging.rows(found)


@router.delete("/webhooks/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_webhook(
    webhook_id: ObjectId, session: SessionDep, admin: AdminPerson, now: NowDep
) -> Response:
    service.delete(session, endpoint=service.get(session, webhook_id), actor=admin, now=now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
