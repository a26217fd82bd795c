"""People and card imports for a request: checked first, written in batches, maybe in a job.

A request that carries ``Prefer: respond-async`` (RFC 7240) is answered ``202 Accepted``
once its file has been checked (a bad row still answers 422 at once, and no job is made),
with ``Location: /api/v1/imports/jobs/{id}``; the batches are then written by a background
thread of this process (``flows.import_jobs``). Without it the batches are written before
the answer, as ever.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import Header, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from core import import_jobs
from core.models import ImportJob, Person
from flows import bulk_import
from flows import import_jobs as job_flows
from web import bodies

JOB_PATH = "/api/v1/imports/jobs/{id}"


class JobErrorOut(BaseModel):
    line: int | None
    message: str


class ImportJobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: str = Field(description="queued | running | done | failed")
    kind: str = Field(description="people | cards")
    total: int = Field(description="rows in the file")
    done: int = Field(description="rows written or found unchanged so far")
    created: int
    updated: int
    bumped: int | None = Field(description="cards only: bumped to a new version")
    errors: list[JobErrorOut] = Field(description="why a failed job stopped")
    started_at: datetime
    finished_at: datetime | None


ASYNC_RESPONSES: dict[int | str, dict[str, Any]] = {
    202: {
        "model": ImportJobOut,
        "description": "With `Prefer: respond-async`: the file passed every check and is "
        "being written; poll the job at `Location`.",
        "headers": {"Location": {"schema": {"type": "string"}}},
    }
}


def job_out(job: ImportJob) -> ImportJobOut:
    return ImportJobOut.model_validate(job)


PreferHeader = Annotated[
    str | None,
    Header(
        alias="Prefer",
        description="`respond-async` (RFC 7240): answer 202 with an import job once every "
        "row has been checked, and write in the background",
    ),
]


def wants_async(prefer: str | None) -> bool:
    """Whether a ``Prefer`` header (RFC 7240) asks for ``respond-async``."""
    preferences = prefer or ""
    return any(
        token.split(";")[0].split("=")[0].strip().lower() == "respond-async"
        for token in preferences.split(",")
    )


def check_cards(
    session: Session, *, text: str, is_json: bool, now: datetime
) -> bulk_import.Checked:
    if is_json:
        bodies.check_json_document(text)
    return bulk_import.check_cards(session, text=text, is_json=is_json, now=now)


def accept(
    request: Request, session: Session, *, checked: bulk_import.Checked, actor: Person
) -> JSONResponse:
    """Make the job of a checked import, start writing it, and answer 202 with its place."""
    now = request.app.state.clock.now()
    job = import_jobs.start(
        session, kind=checked.kind, total=checked.total, done=checked.unchanged, actor=actor,
        now=now,
    )  # fmt: skip
    session.commit()
    runner: Callable[[Callable[[], None]], None] = getattr(
        request.app.state, "import_runner", job_flows.in_thread
    )
    job_id, actor_id = job.id, actor.id
    runner(
        lambda: job_flows.run(
            request.app.state.sessionmaker,
            job_id=job_id,
            checked=checked,
            actor_id=actor_id,
            clock=request.app.state.clock,
        )
    )
    return JSONResponse(
        job_out(job).model_dump(mode="json"),
        status_code=status.HTTP_202_ACCEPTED,
        headers={"Location": JOB_PATH.format(id=job.id)},
    )
