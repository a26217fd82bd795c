"""``/scim/v2``: bearer-token authentication, then the SCIM service over the request's
unit of work. A refused token is answered with a SCIM 401 and leaves an audit event.

The routes are registered here, in the one route table; the service behind them
(``web.scim.service``, with scim2-models and scim2-server) is imported on the first call.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import Response

from web.deps import NowDep, SessionDep, SettingsDep

router = APIRouter(prefix="/scim/v2", include_in_schema=False)
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
# Larger bodies are refused by the service with a 413 before they are parsed.
MAX_BODY = 1_000_000


async def raw_body(request: Request) -> bytes:
    """The request body, read before the (synchronous) endpoint runs in a worker thread."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            break
    return body


@router.api_route("/{endpoint}", methods=METHODS)
@router.api_route("/{endpoint}/{resource_id}", methods=METHODS)
def scim_endpoint(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    background: BackgroundTasks,
    body: Annotated[bytes, Depends(raw_body)],
) -> Response:
    from web.scim import service  # on the first SCIM request (see the module's docstring)

    return service.handle(request, session, settings, now, background, body)
