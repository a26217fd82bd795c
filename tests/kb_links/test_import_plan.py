"""Card imports planned in one transaction and written in another.

Between the plan and the write other people keep editing: the write works each revised
card out again from its locked row, so their edits survive, and a card someone else created
meanwhile makes the whole write a Conflict with nothing written.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict
from core.models import AuditEvent
from kb_links import importers, service
from kb_links.models import Card, CardRevision
from tests.conftest import DEFAULT_NOW
from tests.factories import make_card, make_person
from tests.probes import table_state

NOW = DEFAULT_NOW
HEADER = "title,url,source,external_id,collection,verify_every_days\n"


def test_planning_reads_only_and_the_write_applies_the_plan(session: Session) -> None:
    make_card(session, title="Refunds", source="notion", external_id="n-1", collection="Billing")
    text = (
        HEADER
        + "Refunds and credits,https://notion.example/refunds,notion,n-1,Billing,\n"
        + "Escalation,https://wiki.example/escalate,link,,,\n"
    )
    before = table_state(session)
    plan = importers.plan_csv(session, text=text, now=NOW)
    assert table_state(session) == before
    assert len(plan.new_cards) == 1 and len(plan.revisions) == 1

    result = importers.apply_plan(session, plan=plan, now=NOW, actor=None)
    assert (result.created, result.updated, result.bumped) == (1, 1, 0)
    titles = set(session.scalars(select(Card.title)))
    assert titles == {"Refunds and credits", "Escalation"}


def test_an_edit_between_plan_and_write_is_kept(session: Session) -> None:
    card = make_card(
        session,
        title="Refunds",
        url="https://notion.example/refunds",
        source="notion",
        external_id="n-1",
        verify_every_days=30,
    )
    # The file retitles the card and leaves its interval alone (blank column).
    text = HEADER + "Refunds and credits,https://notion.example/refunds,notion,n-1,,\n"
    plan = importers.plan_csv(session, text=text, now=NOW)
    later = NOW + timedelta(minutes=5)
    service.revise_card(
        session, card=card, changes={"verify_every_days": 45}, change="minor", now=NOW, actor=None
    )
    session.flush()

    result = importers.apply_plan(session, plan=plan, now=later, actor=None)
    assert result.updated == 1
    session.refresh(card)
    assert (card.title, card.verify_every_days, card.version) == ("Refunds and credits", 45, 1)
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "card.update", AuditEvent.at == later)
    ).one()
    assert event.before is not None and event.before["verify_every_days"] == 45
    assert event.before["title"] == "Refunds"


def test_a_revision_an_edit_made_unnecessary_writes_nothing(session: Session) -> None:
    card = make_card(
        session, title="Old", url="https://a.example/1", source="notion", external_id="n-1"
    )
    text = HEADER + "New,https://a.example/1,notion,n-1,,\n"
    plan = importers.plan_csv(session, text=text, now=NOW)
    service.revise_card(
        session, card=card, changes={"title": "New"}, change="minor", now=NOW, actor=None
    )
    session.flush()
    revisions = len(session.scalars(select(CardRevision)).all())

    result = importers.apply_plan(session, plan=plan, now=NOW, actor=None)
    assert (result.created, result.updated) == (0, 0)
    assert len(session.scalars(select(CardRevision)).all()) == revisions


def test_a_card_created_meanwhile_makes_the_write_a_conflict_that_writes_nothing(
    session: Session,
) -> None:
    admin = make_person(session, is_admin=True)
    make_card(session, title="Known", source="notion", external_id="n-0")
    text = (
        HEADER
        + "Known again,https://notion.example/0,notion,n-0,,\n"
        + "Refunds,https://notion.example/refunds,notion,n-1,,\n"
    )
    plan = importers.plan_csv(session, text=text, now=NOW)
    make_card(session, title="Refunds (by hand)", source="notion", external_id="n-1")
    session.commit()
    before = table_state(session)

    with pytest.raises(Conflict, match="import again"):
        importers.apply_plan(session, plan=plan, now=NOW, actor=admin)
    session.rollback()
    assert table_state(session) == before
