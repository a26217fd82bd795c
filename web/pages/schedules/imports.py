"""The admin page that moves a schedule in from another tool: upload → preview → confirm."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from core.errors import DomainError, Invalid
from flows import import_previews, schedule_import
from web.bodies import MAX_UPLOAD_BYTES, check_json_document, uploaded_text
from web.deps import SessionDep
from web.pages.helpers import (
    AdminPost,
    AdminViewer,
    AdminVisit,
    PageVisit,
    not_found_as,
    page_error,
    path_id,
    roll_back_refused,
    sentence,
)
from web.templating import flash, gettext, render

router = APIRouter(include_in_schema=False)

ImportId = Annotated[int, path_id("import_id", what="import")]
SOURCES = (
    ("pagerduty", "PagerDuty: GET /schedules/{id} JSON"),
    ("opsgenie", "Opsgenie: schedule, overrides and timeline JSON"),
    ("grafana", "Grafana OnCall: schedule, on_call_shifts and final_shifts JSON"),
    ("ical", "Calendar file (.ics), e.g. a Google Calendar export"),
    ("csv", "Spreadsheet CSV: start,end,email[,rotation]"),
)


def _form_page(
    visit: PageVisit,
    *,
    values: dict[str, Any] | None = None,
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    request, session, viewer = visit.request, visit.session, visit.viewer
    return render(
        request,
        "schedule_import.html",
        {
            "viewer": viewer,
            "sources": SOURCES,
            "values": values or {"source": "pagerduty", "content": "", "people_map": ""},
            "error": error,
            "recent": import_previews.recent(session),
        },
        status_code=status_code,
    )


@router.get("/imports/schedule", response_class=HTMLResponse)
def import_page(visit: AdminVisit) -> HTMLResponse:
    return _form_page(visit)


async def _text(upload: UploadFile | None, typed: str, name: str) -> str:
    """An uploaded file's text, else what was pasted into the form."""
    if upload is not None and upload.filename:
        return uploaded_text(await upload.read(MAX_UPLOAD_BYTES + 1), f"the {name}")
    return typed


@router.post("/imports/schedule", response_model=None)
async def upload_import(
    post: AdminPost,
    file: Annotated[UploadFile | None, File()] = None,
    people_map_file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    values = post.texts("source", "content", "people_map")
    source, content, people_map = values.values()
    try:
        text = await _text(file, content, "file")
        mapping_text = await _text(people_map_file, people_map, "people map")
        if not text.strip():
            raise Invalid("choose a file to upload, or paste its contents")
        check_json_document(text)
        preview = import_previews.create(
            post.session,
            kind=source,
            text=text,
            filename=(file.filename if file is not None and file.filename else ""),
            people_map=schedule_import.read_people_map(mapping_text),
            now=post.now,
            actor=post.viewer,
        )
    except DomainError as exc:
        status_code = roll_back_refused(post.session, exc)
        return _form_page(post, values=values, error=sentence(exc.detail), status_code=status_code)
    return RedirectResponse(f"/imports/schedule/{preview.id}", status_code=303)


@router.get("/imports/schedule/{import_id}", response_class=HTMLResponse)
def preview_page(
    request: Request, import_id: ImportId, session: SessionDep, viewer: AdminViewer
) -> HTMLResponse:
    with not_found_as("import"):
        preview = import_previews.get(session, import_id)
    return render(
        request,
        "schedule_import_preview.html",
        {"viewer": viewer, "preview": preview, "report": preview.report},
    )


@router.post("/imports/schedule/{import_id}/apply", response_model=None)
def apply_import(post: AdminPost, import_id: ImportId) -> Response:
    with not_found_as("import"):
        preview = import_previews.get(post.session, import_id)
    try:
        import_previews.apply(post.session, preview=preview, now=post.now, actor=post.viewer)
    except DomainError as exc:
        post.session.rollback()
        raise page_error(exc) from None
    flash(
        post.request,
        gettext(post.request, "Imported %(name)s.", name=preview.report.get("name", "")),
    )
    return RedirectResponse(f"/imports/schedule/{import_id}", status_code=303)
