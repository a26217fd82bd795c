"""Imports answered 202 and written in the background: their progress, kept in a table.

A job is ``running`` from the moment its file has been checked (a file with a bad row never
becomes a job: it is rejected with 422 at once) until its last batch commits (``done``) or
one fails (``failed``, with the error in ``errors``). Batches written before a failure stay
written; importing the same file again writes only what is missing.

A job belongs to the process writing it (``owner``: host and process id). Jobs live only as
long as that process: when a server process starts, every job still ``queued`` or
``running`` whose owner on this host is no longer alive, or is this very process id (a
predecessor whose id was reused), is marked ``failed``.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import get_or_not_found
from core.models import ImportJob, Person

STATUSES = ("queued", "running", "done", "failed")
UNFINISHED = ("queued", "running")
STOPPED = "the server stopped before this import finished; import the same file again"


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def start(
    session: Session, *, kind: str, total: int, done: int, actor: Person | None, now: datetime
) -> ImportJob:
    job = ImportJob(
        kind=kind,
        status="queued",
        total=total,
        done=done,
        created=0,
        updated=0,
        bumped=0 if kind == "cards" else None,
        errors=[],
        owner=this_process(),
        created_by_id=actor.id if actor is not None else None,
        started_at=now,
    )
    session.add(job)
    session.flush()
    return job


def get(session: Session, job_id: int) -> ImportJob:
    return get_or_not_found(session, ImportJob, job_id, what="import job")


def record_progress(session: Session, *, job_id: int, done: int) -> None:
    job = get(session, job_id)
    job.status = "running"
    job.done = done


def finish(
    session: Session,
    *,
    job_id: int,
    created: int,
    updated: int,
    bumped: int | None,
    now: datetime,
) -> None:
    job = get(session, job_id)
    job.status, job.done, job.finished_at = "done", job.total, now
    job.created, job.updated, job.bumped = created, updated, bumped


def fail(session: Session, *, job_id: int, message: str, now: datetime) -> None:
    job = get(session, job_id)
    job.status, job.finished_at = "failed", now
    job.errors = [{"line": None, "message": message}]


def fail_orphans(session: Session, *, now: datetime) -> int:
    """Mark failed the unfinished jobs of processes on this host that are gone."""
    host, me = socket.gethostname(), os.getpid()
    orphans = 0
    for job in session.scalars(select(ImportJob).where(ImportJob.status.in_(UNFINISHED))):
        owner_host, _, pid = job.owner.rpartition(":")
        if owner_host != host or not pid.isdigit():
            continue
        if int(pid) == me or not _alive(int(pid)):
            job.status, job.finished_at = "failed", now
            job.errors = [{"line": None, "message": STOPPED}]
            orphans += 1
    return orphans


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
