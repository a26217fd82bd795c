"""Large imports: every row checked first, then written with multi-row statements."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import people_import
from core.models import AuditEvent, Person
from kb_links import importers
from kb_links.models import Card, CardRevision
from tests.conftest import DEFAULT_NOW
from tests.probes import table_state
from tests.querycount import count_statements

ROWS = 1_200


def _people_csv(rows: int, *, start: int = 0, team: str = "a") -> str:
    lines = ["email,name,timezone,team"]
    lines += [f"p{n}@example.com,Person {n},UTC,{team}" for n in range(start, start + rows)]
    return "\n".join(lines) + "\n"


def _count(session: Session, what: object) -> int:
    return int(session.scalar(select(func.count()).select_from(what)) or 0)  # type: ignore[arg-type]


def test_people_import_writes_in_batches_with_an_audit_event_per_person(session: Session) -> None:
    with count_statements(session) as sent:
        result = people_import.import_people_csv(
            session, text=_people_csv(ROWS), now=DEFAULT_NOW, actor=None
        )
    assert (result.created, result.updated) == (ROWS, 0)
    assert len(result.created_ids) == ROWS
    assert len(sent) < 30, f"{len(sent)} statements for {ROWS} people"
    assert _count(session, Person) == ROWS
    assert _count(session, AuditEvent) == ROWS
    ana = session.get(Person, result.created_ids[7])
    assert ana is not None and (ana.email, ana.name) == ("p7@example.com", "Person 7")
    # Again with half the rows changed (and some new): changes are batched as well.
    newcomers = _people_csv(10, start=ROWS).splitlines()[1:]
    text = _people_csv(ROWS // 2, team="b") + "\n".join(newcomers)
    with count_statements(session) as sent:
        again = people_import.import_people_csv(session, text=text, now=DEFAULT_NOW, actor=None)
    assert (again.created, again.updated) == (10, ROWS // 2)
    assert len(sent) < 30
    session.refresh(ana)
    assert ana.team == "b"


def test_a_bad_row_anywhere_rejects_the_whole_file_before_anything_is_written(
    session: Session,
) -> None:
    text = _people_csv(ROWS) + "not-an-email,Someone,UTC,a\n"
    before = table_state(session)
    with pytest.raises(people_import.ImportRejected) as refused:
        people_import.import_people_csv(session, text=text, now=DEFAULT_NOW, actor=None)
    assert refused.value.errors[0].line == ROWS + 2
    assert table_state(session) == before


def test_emails_are_checked_as_strictly_as_one_at_a_time(session: Session) -> None:
    text = "email,name\nok@example.com,A\nfine@example.com,B\n.dot@example.com,C\nx@-bad-.com,D\n"
    with pytest.raises(people_import.ImportRejected) as refused:
        people_import.import_people_csv(session, text=text, now=DEFAULT_NOW, actor=None)
    assert [e.line for e in refused.value.errors] == [4, 5]


def test_card_import_writes_in_batches_with_revisions_and_audit(session: Session) -> None:
    lines = ["title,url,source,external_id"]
    lines += [f"Card {n},https://kb.example.com/{n},guru,g-{n}" for n in range(ROWS)]
    lines += [f"Link {n},https://kb.example.com/l/{n},link," for n in range(10)]
    with count_statements(session) as sent:
        result = importers.import_csv(
            session, text="\n".join(lines) + "\n", now=DEFAULT_NOW, actor=None
        )
    assert (result.created, result.updated) == (ROWS + 10, 0)
    assert len(sent) < 40, f"{len(sent)} statements for {ROWS} cards"
    assert _count(session, Card) == ROWS + 10
    assert _count(session, CardRevision) == ROWS + 10
    card = session.scalars(select(Card).where(Card.external_id == "g-5")).one()
    revision = session.scalars(select(CardRevision).where(CardRevision.card_id == card.id)).one()
    assert (revision.version, revision.summary) == (1, "created")
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.subject_id == str(card.id), AuditEvent.action == "card.create"
        )
    ).one()
    assert event.after is not None and event.after["title"] == "Card 5"
