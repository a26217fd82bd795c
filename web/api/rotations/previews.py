"""``?dry_run=true``: a change's preview instead of the change (``rotation.preview``)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Annotated

from fastapi import Query, Response, status
from sqlalchemy.orm import Session

from rotation import preview
from rotation.schemas import PreviewOut

DryRun = Annotated[
    bool,
    Query(description="Check the change and answer which shifts it would change, saving nothing"),
]


def answer(
    session: Session,
    response: Response,
    *,
    rotation_ids: Collection[int],
    now: datetime,
    change: Callable[[], object],
) -> PreviewOut:
    """Run ``change`` as a dry run and answer its preview with 200 (refusals as they are)."""
    found = preview.dry_run(session, rotation_ids=rotation_ids, now=now, change=change)
    response.status_code = status.HTTP_200_OK
    return PreviewOut.model_validate(found)
