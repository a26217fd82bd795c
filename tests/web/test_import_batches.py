"""People and card imports written in batches: checked in full first, then short writes.

A bad row anywhere (the last batch's included) rejects the file with nothing written; each
batch commits on its own and is reported; a concurrent edit made between the check and the
write is built on, not overwritten with what the check saw.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import batches
from core.models import AuditEvent, Person
from flows import bulk_import
from kb_links.models import Card
from tests.conftest import DEFAULT_NOW
from tests.factories import auth, make_person, make_token


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batches, "BATCH_ROWS", 2)


def people_csv(count: int, *, last: str | None = None) -> str:
    rows = [f"p{n}@example.com,Person {n},UTC,team" for n in range(count)]
    if last is not None:
        rows[-1] = last
    return "email,name,timezone,team\n" + "\n".join(rows) + "\n"


def cards_csv(count: int, *, last: str | None = None) -> str:
    rows = [f"Card {n},https://kb.example.com/{n},guru,g-{n}" for n in range(count)]
    if last is not None:
        rows[-1] = last
    return "title,url,source,external_id\n" + "\n".join(rows) + "\n"


def count(session: Session, model: type[Person] | type[Card]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def admin_headers(session: Session) -> dict[str, str]:
    admin = make_person(session, is_admin=True)
    return {**auth(make_token(session, admin)), "Content-Type": "text/csv"}


def test_a_bad_row_in_the_last_batch_imports_no_person(
    client: TestClient, session: Session
) -> None:
    headers = admin_headers(session)
    before = count(session, Person)
    text = people_csv(7, last="broken-email,Broken,UTC,")
    response = client.post("/api/v1/people/import", content=text, headers=headers)
    assert response.status_code == 422
    assert "nothing imported" in response.json()["detail"]
    assert [e["line"] for e in response.json()["errors"]] == [8]
    assert count(session, Person) == before


def test_a_bad_row_in_the_last_batch_imports_no_card(client: TestClient, session: Session) -> None:
    headers = admin_headers(session)
    text = cards_csv(7, last="Broken,not a url,guru,g-6")
    response = client.post("/api/v1/cards/import", content=text, headers=headers)
    assert response.status_code == 422
    assert [e["line"] for e in response.json()["errors"]] == [8]
    assert count(session, Card) == 0


def test_every_batch_is_written_and_reported(client: TestClient, session: Session) -> None:
    headers = admin_headers(session)
    people = client.post("/api/v1/people/import", content=people_csv(5), headers=headers)
    assert people.json() == {"created": 5, "updated": 0}
    cards = client.post("/api/v1/cards/import", content=cards_csv(5), headers=headers)
    assert cards.json() == {"created": 5, "updated": 0, "bumped": 0}
    assert count(session, Card) == 5
    created = session.scalars(
        select(AuditEvent.subject_id).where(AuditEvent.action == "card.create")
    ).all()
    assert len(set(created)) == 5


def test_progress_is_told_before_and_after_each_batch(session: Session) -> None:
    make_person(session, email="p1@example.com", name="Person 1", team="team")
    session.commit()
    checked = bulk_import.check_people(session, text=people_csv(6))
    # p1 already matches: it counts as done from the start and is not written.
    assert (checked.total, len(checked.pending)) == (6, 5)
    steps: list[tuple[int, int]] = []
    totals = bulk_import.write(
        session,
        checked,
        now=DEFAULT_NOW,
        actor=None,
        progress=lambda done, total: steps.append((done, total)),
    )
    assert steps == [(1, 6), (3, 6), (5, 6), (6, 6)]
    assert (totals.created, totals.updated, totals.bumped) == (5, 0, None)
    again = bulk_import.check_people(session, text=people_csv(6))
    assert again.pending == []


def test_an_edit_between_check_and_write_is_built_on(session: Session) -> None:
    person = make_person(session, email="p0@example.com", name="Old", team="old team")
    session.commit()
    checked = bulk_import.check_people(session, text=people_csv(3))
    # Someone renames p0 after the check: the file's values go over the stored row, and
    # the audit event shows what was stored just before.
    person.name, person.timezone = "Renamed meanwhile", "Europe/Paris"
    session.commit()
    totals = bulk_import.write(session, checked, now=DEFAULT_NOW, actor=None)
    assert (totals.created, totals.updated) == (2, 1)
    session.refresh(person)
    assert (person.name, person.timezone, person.team) == ("Person 0", "UTC", "team")
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "person.update", AuditEvent.subject_id == str(person.id)
        )
    ).one()
    assert event.before == {
        "name": "Renamed meanwhile",
        "timezone": "Europe/Paris",
        "team": "old team",
    }


def test_a_card_added_between_check_and_write_is_revised(session: Session) -> None:
    checked = bulk_import.check_cards(session, text=cards_csv(3), is_json=False, now=DEFAULT_NOW)
    session.add(
        Card(title="By hand", url="https://kb.example.com/1", source="guru", external_id="g-1",
             collection=None, verify_every_days=90, last_verified_at=DEFAULT_NOW, version=1,
             archived=False, created_at=DEFAULT_NOW, updated_at=DEFAULT_NOW,
             changed_at=DEFAULT_NOW)
    )  # fmt: skip
    session.commit()
    totals = bulk_import.write(session, checked, now=DEFAULT_NOW, actor=None)
    assert (totals.created, totals.updated, totals.bumped) == (2, 1, 0)
    titles = session.scalars(select(Card.title).order_by(Card.external_id)).all()
    assert titles == ["Card 0", "Card 1", "Card 2"]
