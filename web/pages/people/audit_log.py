"""The audit log page (admins): sentences with names, filters, pages, raw JSON a click away."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from core import audit, people
from flows import audit_log
from rotation import service as rotation_service
from web.deps import NowDep, SessionDep
from web.pages.helpers import AdminViewer, required_id
from web.templating import render

router = APIRouter(include_in_schema=False)
DEFAULT_DAYS = 30
MAX_PAGE = 10_000


@dataclass(frozen=True)
class Chosen:
    """The filters as typed, kept in the form and in the pager's links."""

    actor: str = ""
    rotation: str = ""
    kind: str = ""
    since: str = ""
    until: str = ""

    def query(self, page: int) -> str:
        values = {k: v for k, v in vars(self).items() if v}
        return urlencode({**values, "page": page})


def _day(text: str, *, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, detail=f"{name}: give a date such as 2026-12-01"
        ) from None


def _filter(
    session: Session, chosen: Chosen, *, zone: ZoneInfo, now: datetime
) -> audit.EventFilter:
    """The query's filters checked: ids and dates that are not, are a clear 422 page."""
    first = _day(chosen.since, name="since")
    last = _day(chosen.until, name="until")
    since = (
        datetime.combine(first, time(0), tzinfo=zone)
        if first
        else (None if last else now - timedelta(days=DEFAULT_DAYS))
    )
    until = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone) if last else None
    subjects = None
    if chosen.rotation:
        rotation_id = required_id(chosen.rotation, name="rotation")
        subjects = audit_log.rotation_subjects(session, rotation_id=rotation_id)
    return audit.EventFilter(
        since=since,
        until=until,
        actor_id=required_id(chosen.actor, name="actor") if chosen.actor else None,
        subject_type=chosen.kind or None,
        subjects=subjects,
    )


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    session: SessionDep,
    viewer: AdminViewer,
    now: NowDep,
    actor: str = "",
    rotation: str = "",
    kind: str = "",
    since: str = "",
    until: str = "",
    page: int = 1,
) -> HTMLResponse:
    chosen = Chosen(actor=actor, rotation=rotation, kind=kind, since=since, until=until)
    page = max(1, min(page, MAX_PAGE))
    where = _filter(session, chosen, zone=ZoneInfo(viewer.timezone), now=now)
    entries, total = audit_log.read_log(session, where=where, page=page)
    pages = max(1, -(-total // audit_log.PAGE_SIZE))
    return render(
        request,
        "audit.html",
        {
            "viewer": viewer,
            "entries": entries,
            "total": total,
            "page": page,
            "pages": pages,
            "page_size": audit_log.PAGE_SIZE,
            "chosen": chosen,
            "default_days": DEFAULT_DAYS,
            "people": people.list_people(session),
            "rotations": rotation_service.list_rotations(session),
            "kinds": audit.subject_types(session),
        },
    )
