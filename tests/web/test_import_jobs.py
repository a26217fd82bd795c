"""Large imports through the API with ``Prefer: respond-async``: 202, then a job to poll.

The job's work is queued here instead of run in a thread, so each step can be watched.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import batches, import_jobs
from core.models import ImportJob, Person
from kb_links.models import Card
from tests.conftest import DEFAULT_NOW
from tests.factories import auth, make_person, make_token

ASYNC = {"Prefer": "respond-async, wait=0", "Content-Type": "text/csv"}


@pytest.fixture
def queued(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[Callable[[], None]]:
    monkeypatch.setattr(batches, "BATCH_ROWS", 2)
    work: list[Callable[[], None]] = []
    app.state.import_runner = work.append
    return work


def admin_headers(session: Session) -> dict[str, str]:
    return auth(make_token(session, make_person(session, is_admin=True)))


def jobs(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ImportJob)) or 0


def test_a_people_import_answers_202_and_its_job_tells_how_far_it_got(
    client: TestClient, session: Session, queued: list[Callable[[], None]]
) -> None:
    headers = admin_headers(session)
    text = "email,name\n" + "".join(f"p{n}@example.com,Person {n}\n" for n in range(5))
    response = client.post("/api/v1/people/import", content=text, headers={**headers, **ASYNC})
    assert response.status_code == 202, response.text
    body = response.json()
    assert response.headers["location"] == f"/api/v1/imports/jobs/{body['id']}"
    assert body["status"] == "queued"
    assert (body["kind"], body["total"], body["done"], body["bumped"]) == ("people", 5, 0, None)
    assert body["finished_at"] is None
    [work] = queued
    work()
    done = client.get(response.headers["location"], headers=headers)
    assert done.status_code == 200
    assert done.json() | {"started_at": None, "finished_at": None} == {
        "id": body["id"], "status": "done", "kind": "people", "total": 5, "done": 5,
        "created": 5, "updated": 0, "bumped": None, "errors": [], "started_at": None,
        "finished_at": None,
    }  # fmt: skip
    assert done.json()["finished_at"] is not None
    emails = session.scalars(select(Person.email).where(Person.email.like("p_@example.com")))
    assert len(emails.all()) == 5


def test_a_card_import_job_counts_created_updated_and_bumped(
    client: TestClient, session: Session, queued: list[Callable[[], None]]
) -> None:
    headers = admin_headers(session)
    text = "title,url,source,external_id\n" + "".join(
        f"Card {n},https://kb.example.com/{n},guru,g-{n}\n" for n in range(3)
    )
    response = client.post("/api/v1/cards/import", content=text, headers={**headers, **ASYNC})
    assert response.status_code == 202
    assert response.json()["bumped"] == 0
    queued.pop()()
    job = client.get(response.headers["location"], headers=headers).json()
    assert (job["status"], job["created"], job["updated"], job["bumped"]) == ("done", 3, 0, 0)
    assert session.scalar(select(func.count()).select_from(Card)) == 3


def test_a_bad_row_answers_422_at_once_and_makes_no_job(
    client: TestClient, session: Session, queued: list[Callable[[], None]]
) -> None:
    headers = {**admin_headers(session), **ASYNC}
    text = "email,name\nok@example.com,Ok\nnot-an-email,Bad\n"
    response = client.post("/api/v1/people/import", content=text, headers=headers)
    assert response.status_code == 422
    assert [e["line"] for e in response.json()["errors"]] == [3]
    assert (queued, jobs(session)) == ([], 0)


def test_without_the_preference_the_answer_is_the_result(
    client: TestClient, session: Session, queued: list[Callable[[], None]]
) -> None:
    headers = {**admin_headers(session), "Content-Type": "text/csv", "Prefer": "return=minimal"}
    text = "email,name\na@b.co,A\n"
    response = client.post("/api/v1/people/import", content=text, headers=headers)
    assert (response.status_code, response.json()) == (200, {"created": 1, "updated": 0})
    assert (queued, jobs(session)) == ([], 0)


def test_a_job_that_fails_says_why(
    client: TestClient,
    session: Session,
    queued: list[Callable[[], None]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    headers = admin_headers(session)
    response = client.post(
        "/api/v1/people/import", content="email,name\na@b.co,A\n", headers={**headers, **ASYNC}
    )

    def refuse(*_args: object, **_kwargs: object) -> None:
        from core.errors import Conflict

        raise Conflict("someone with one of these emails was added meanwhile")

    monkeypatch.setattr("core.people_import.write_people", refuse)
    queued.pop()()
    job = client.get(response.headers["location"], headers=headers).json()
    assert job["status"] == "failed"
    assert job["errors"] == [
        {"line": None, "message": "someone with one of these emails was added meanwhile"}
    ]


def test_unknown_jobs_are_404_and_only_admins_see_jobs(
    client: TestClient, session: Session, queued: list[Callable[[], None]]
) -> None:
    headers = admin_headers(session)
    assert client.get("/api/v1/imports/jobs/999999", headers=headers).status_code == 404
    response = client.post(
        "/api/v1/people/import", content="email,name\na@b.co,A\n", headers={**headers, **ASYNC}
    )
    member = auth(make_token(session, make_person(session)))
    assert client.get(response.headers["location"], headers=member).status_code == 403
    assert client.get(response.headers["location"]).status_code == 401


def test_jobs_of_a_process_that_is_gone_are_marked_failed_on_start(session: Session) -> None:
    def job(owner: str) -> ImportJob:
        made = ImportJob(kind="cards", status="running", total=9, done=4, created=0, updated=0,
                         errors=[], owner=owner, started_at=DEFAULT_NOW)  # fmt: skip
        session.add(made)
        return made

    host = import_jobs.this_process().rpartition(":")[0]
    # This very process id (a predecessor's, reused), a process that is gone, and one that
    # is alive (the parent of this test run) or on another host: only the first two failed.
    mine, gone = job(import_jobs.this_process()), job(f"{host}:{2**22 + 7}")
    alive, elsewhere = job(f"{host}:{os.getppid()}"), job("elsewhere:1")
    session.flush()
    assert import_jobs.fail_orphans(session, now=DEFAULT_NOW) == 2
    assert [j.status for j in (mine, gone, alive, elsewhere)] == [
        "failed", "failed", "running", "running"
    ]  # fmt: skip
    assert mine.errors[0]["message"] == import_jobs.STOPPED
