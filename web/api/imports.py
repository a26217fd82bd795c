"""Schedule imports from other tools: upload → preview (a dry run) → apply. Admins only."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from core import import_jobs
from core.errors import Invalid
from flows import import_previews, schedule_import
from rotation.models import ScheduleImport
from web.bodies import MAX_UPLOAD_BYTES, check_json_document, parse_json, uploaded_text
from web.bulk_imports import ImportJobOut, job_out
from web.deps import AdminPerson, NowDep, SessionDep
from web.params import ObjectId

router = APIRouter(prefix="/api/v1", tags=["imports"])


def _object(*required: str, **properties: dict[str, Any]) -> dict[str, Any]:
    """A request body of one JSON-schema object: the names it requires, then its properties."""
    return {"schema": {"type": "object", "required": list(required), "properties": properties}}


_SOURCE = {"type": "string", "enum": list(schedule_import.KINDS)}
_BINARY = {"type": "string", "format": "binary"}
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": _object(
                "source",
                "content",
                source=_SOURCE,
                content={"description": "the exported file: text, or JSON"},
                filename={"type": "string"},
                people_map={"type": "object", "additionalProperties": {"type": "string"}},
            ),
            "multipart/form-data": _object(
                "source", "file", source=_SOURCE, file=_BINARY, people_map=_BINARY
            ),
        },
    }
}


class ImportOut(BaseModel):
    id: int
    source: str
    filename: str
    status: str = Field(description="preview | applied")
    created_at: datetime
    applied_at: datetime | None
    report: dict[str, Any]


@dataclass(frozen=True)
class Upload:
    kind: str
    text: str
    filename: str
    people_map: dict[str, str]


async def _file_text(value: object, name: str) -> str:
    if isinstance(value, UploadFile):
        data = await value.read(MAX_UPLOAD_BYTES + 1)
    elif isinstance(value, str):
        data = value.encode()
    else:
        raise Invalid(f"{name} is missing")
    return uploaded_text(data, name)


async def read_upload(request: Request) -> Upload:
    """The source kind, the file and an optional people map, from JSON or a multipart form."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        kind = str(form.get("source") or "")
        upload = form.get("file")
        text = await _file_text(upload, "file")
        filename = (upload.filename or "") if isinstance(upload, UploadFile) else ""
        raw_map = form.get("people_map")
        people_map = (
            schedule_import.read_people_map(await _file_text(raw_map, "people_map"))
            if raw_map
            else {}
        )
    else:
        body = parse_json(await request.body())
        if not isinstance(body, dict):
            raise Invalid("body must be a JSON object with source and content")
        kind, content = str(body.get("source") or ""), body.get("content")
        if content is None:
            raise Invalid("content is missing")
        text = content if isinstance(content, str) else json.dumps(content)
        filename = str(body.get("filename") or "")
        people_map = _people_map(body.get("people_map"))
    if kind not in schedule_import.KINDS:
        raise Invalid(f"source must be one of {', '.join(schedule_import.KINDS)}")
    check_json_document(text)
    return Upload(kind=kind, text=text, filename=filename, people_map=people_map)


def _people_map(value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise Invalid("people_map must map source ids to emails")
    return {key: email.strip().lower() for key, email in value.items()}


UploadDep = Annotated[Upload, Depends(read_upload)]


def import_out(preview: ScheduleImport) -> ImportOut:
    return ImportOut(
        id=preview.id,
        source=preview.kind,
        filename=preview.filename,
        status="applied" if preview.applied_at is not None else "preview",
        created_at=preview.created_at,
        applied_at=preview.applied_at,
        report=preview.report,
    )


@router.post(
    "/imports/schedule",
    response_model=ImportOut,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=UPLOAD_BODY,
)
def create_import(
    upload: UploadDep, session: SessionDep, actor: AdminPerson, now: NowDep
) -> ImportOut:
    """Check a source in a dry run: what would be created, and the fidelity report."""
    preview = import_previews.create(
        session,
        kind=upload.kind,
        text=upload.text,
        filename=upload.filename,
        people_map=upload.people_map,
        now=now,
        actor=actor,
    )
    return import_out(preview)


@router.get("/imports/schedule/{import_id}", response_model=ImportOut)
def get_import(import_id: ObjectId, session: SessionDep, _actor: AdminPerson) -> ImportOut:
    return import_out(import_previews.get(session, import_id))


@router.post("/imports/schedule/{import_id}/apply", response_model=ImportOut)
def apply_import(
    import_id: ObjectId, session: SessionDep, actor: AdminPerson, now: NowDep
) -> ImportOut:
    """Import the previewed source for real (once)."""
    preview = import_previews.get(session, import_id)
    return import_out(import_previews.apply(session, preview=preview, now=now, actor=actor))


@router.get("/imports/jobs/{job_id}", response_model=ImportJobOut, tags=["imports"])
def get_import_job(job_id: ObjectId, session: SessionDep, _actor: AdminPerson) -> ImportJobOut:
    """A people or card import answered 202: queued, running, done or failed."""
    return job_out(import_jobs.get(session, job_id))
