"""The SCIM service behind ``/scim/v2`` (``web.scim.routes``): the request's bearer token
checked, the request handled over its unit of work, refusals audited.

Imported on the first SCIM request, not at start-up: scim2-models and scim2-server build
their pydantic schemas at import, several megabytes a worker that is never provisioned
would carry for nothing.
"""

from __future__ import annotations

import json
from datetime import datetime
from http import HTTPStatus

from fastapi import BackgroundTasks, Request
from fastapi.responses import Response
from scim2_models import SCIMException, UnauthorizedException
from scim2_server.handler import ScimHandler
from scim2_server.requests import ScimRequest
from scim2_server.responses import ScimResponse
from sqlalchemy.orm import Session

from core import audit, scim_tokens
from core.settings import Settings
from flows import invitations, scim, scim_storage
from web.scim.routes import MAX_BODY


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _token_note(
    scim_request: ScimRequest, request: Request, session: Session, now: datetime
) -> str:
    """Who is calling, for the audit trail; UnauthorizedException without a live token."""
    # Checked before routing, so nothing about the endpoints is told to a caller without
    # a token; only the service description is public (RFC 7643 §5).
    if scim_request.path.removesuffix(".scim").lower() == "/serviceproviderconfig":
        return "SCIM (no token needed)"
    token = scim_tokens.token_for(session, token=_bearer(request), now=now)
    if token is None:
        raise UnauthorizedException(detail="a valid SCIM bearer token is required")
    return f"SCIM token {token.id}" + (f" ({token.label})" if token.label else "")


def _record_refusal(request: Request, session: Session, now: datetime) -> None:
    client = request.client.host if request.client else "unknown address"
    audit.Trail(session, actor=None, at=now).record(
        "scim.token_refused",
        ("scim_token", "unknown"),
        note=f"{request.method} {request.url.path} from {client}",
    )


def _answer(response: ScimResponse, scim_request: ScimRequest) -> Response:
    response.headers.setdefault("Location", scim_request.url)
    response.headers.setdefault("Cache-Control", "no-cache")
    body = b"" if response.body is None else json.dumps(response.body).encode()
    return Response(content=body, status_code=int(response.status), headers=response.headers)


def handle(
    request: Request,
    session: Session,
    settings: Settings,
    now: datetime,
    background: BackgroundTasks,
    body: bytes,
) -> Response:
    """Answer one SCIM request; ``body`` is as ``web.scim.routes.raw_body`` read it."""
    base_url = settings.base_url + "/scim/v2"
    scim_request = ScimRequest(
        method=request.method,
        base_url=base_url,
        path="/"
        + "/".join(
            str(request.path_params[name])
            for name in ("endpoint", "resource_id")
            if name in request.path_params
        ),
        query=dict(request.query_params),
        headers=list(request.headers.items()),
        body=body[: MAX_BODY + 1],
    )
    service = scim.service()
    storage: scim_storage.PeopleStorage | None = None
    try:
        note = _token_note(scim_request, request, session, now)
        storage = scim_storage.PeopleStorage(session, settings=settings, now=now, note=note)
        response = ScimHandler(service, storage).handle(scim_request)
    except SCIMException as exc:
        response = service.error_response(exc)
    if response.status >= HTTPStatus.BAD_REQUEST:
        # A refused request changes nothing, whatever the storage did before the refusal.
        session.rollback()
        if response.status == HTTPStatus.UNAUTHORIZED:
            _record_refusal(request, session, now)
    elif storage is not None and storage.message_ids:
        background.add_task(
            invitations.send_now,
            request.app.state.sessionmaker,
            message_ids=storage.message_ids,
            settings=settings,
            now=now,
        )
    return _answer(response, scim_request)
