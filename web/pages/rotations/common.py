"""What the rotation pages share: the rotation or a 404 page, the check for its managers, and
reading months and local times from forms."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from fastapi import HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from core.i18n import N_
from core.models import Person
from core.wallclock import local_to_utc
from rotation import access, slug_aliases
from rotation import service as rotation_service
from rotation.models import Rotation
from rotation.schemas import EARLIEST_DATE, LATEST_DATE, SLUG_PATTERN
from web.deps import forbidden
from web.pages.helpers import no_such, not_found_as

LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"
SLUG = re.compile(SLUG_PATTERN)
MAX_SLUG_LENGTH = 100


def rotation_or_404(session: Session, slug: str) -> Rotation:
    """The rotation with its managers loaded, or a 404 page.

    A path that cannot be a slug (a NUL byte, which PostgreSQL refuses in text) is answered
    without asking the database.
    """
    if len(slug) > MAX_SLUG_LENGTH or not SLUG.fullmatch(slug):
        raise no_such("rotation")
    with not_found_as("rotation"):
        return rotation_service.get_rotation(session, slug)


def rotation_or_moved(session: Session, slug: str, request: Request) -> Rotation | Response:
    """The rotation, a permanent redirect to the same page under its new slug if ``slug`` is
    one it had before (bookmarks and feed links outlive a slug change), or a 404 page."""
    try:
        return rotation_or_404(session, slug)
    except HTTPException as exc:
        if exc.status_code != status.HTTP_404_NOT_FOUND or not SLUG.fullmatch(slug):
            raise
        current = slug_aliases.current_slug(session, slug=slug)
        if current is None:
            raise
    moved = request.url.path.replace(f"/rotations/{slug}", f"/rotations/{current}", 1)
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(moved + query, status_code=status.HTTP_301_MOVED_PERMANENTLY)


def require_rotation_manager(session: Session, *, viewer: Person, rotation: Rotation) -> None:
    """Managers of this rotation and admins pass; anyone else gets a 403 page."""
    if not access.is_manager(session, person=viewer, rotation=rotation):
        raise forbidden(N_("Only this rotation's managers and admins can do this."))


def parse_month(value: str, *, today: date) -> date:
    """The first day of the month ``YYYY-MM`` (empty: this month); 422 for anything else."""
    if not value:
        return today.replace(day=1)
    try:
        year, month = (int(part) for part in value.split("-"))
        first = date(year, month, 1)
    except ValueError:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=N_("Give the month as YYYY-MM, e.g. 2026-11."),
        ) from None
    if not EARLIEST_DATE <= first <= LATEST_DATE:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=f"Months from {EARLIEST_DATE:%Y-%m} to {LATEST_DATE:%Y-%m} only.",
        )
    return first


def shift_month(first: date, months: int) -> date:
    """The first day of the month ``months`` after (or before) the one starting on ``first``."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def parse_local(value: str, *, timezone: str) -> datetime | None:
    """A ``datetime-local`` form value on ``timezone``'s clock as a UTC instant; None if empty.

    Raises ValueError for anything that is not ``YYYY-MM-DDTHH:MM``.
    """
    value = value.strip()
    if not value:
        return None
    day_text, separator, time_text = value.partition("T")
    day, at = date.fromisoformat(day_text), time.fromisoformat(time_text)
    if not separator or at.tzinfo is not None or not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(f"not a local date and time: {value!r}")
    return local_to_utc(day, at.replace(second=0, microsecond=0), ZoneInfo(timezone))


def local_input(value: datetime, *, timezone: str) -> str:
    """An instant as a ``datetime-local`` form value on ``timezone``'s clock."""
    return value.astimezone(ZoneInfo(timezone)).strftime(LOCAL_INPUT_FORMAT)
