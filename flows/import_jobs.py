"""Writing a checked import in the background, its progress kept in its job row.

The caller checks the file first (``flows.bulk_import.check_*``: a bad row is rejected
before any job exists), creates the job (``core.import_jobs.start``) and hands ``run`` to a
background runner: a daemon thread of the web process (``in_thread``). Each batch commits
on its own; the job row is updated after each, in a transaction of its own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from core import import_jobs
from core.clock import Clock
from core.errors import DomainError
from core.models import Person
from flows import bulk_import

log = logging.getLogger(__name__)

# Runs a job's work somewhere else than the request (a thread, or a test's queue).
Runner = Callable[[Callable[[], None]], None]


def in_thread(work: Callable[[], None]) -> None:
    threading.Thread(target=work, name="allhands-import", daemon=True).start()


def run(
    sessions: sessionmaker[Session],
    *,
    job_id: int,
    checked: bulk_import.Checked,
    actor_id: int | None,
    clock: Clock,
) -> None:
    """Write ``checked`` for job ``job_id``; the job ends ``done`` or ``failed``."""

    def progress(done: int, _total: int) -> None:
        with sessions.begin() as session:
            import_jobs.record_progress(session, job_id=job_id, done=done)

    try:
        with sessions() as session:
            actor = session.get(Person, actor_id) if actor_id is not None else None
            totals = bulk_import.write(
                session, checked, now=clock.now(), actor=actor, progress=progress
            )
    except Exception as exc:
        log.exception("import job %s failed", job_id)
        message = exc.detail if isinstance(exc, DomainError) else "the import failed"
        with sessions.begin() as session:
            import_jobs.fail(session, job_id=job_id, message=message, now=clock.now())
        return
    with sessions.begin() as session:
        import_jobs.finish(
            session,
            job_id=job_id,
            created=totals.created,
            updated=totals.updated,
            bumped=totals.bumped,
            now=clock.now(),
        )
