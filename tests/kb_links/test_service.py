"""Card registry use cases against the database: versions, revisions, freshness, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, Invalid, NotFound
from core.models import AuditEvent
from kb_links import service
from kb_links.models import CardRevision
from kb_links.schemas import CardCreate, CardUpdate
from tests.conftest import DEFAULT_NOW
from tests.factories import make_card, make_person
from tests.probes import table_state

NOW = DEFAULT_NOW


def audit_actions(session: Session, card_id: int) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_type == "card", AuditEvent.subject_id == str(card_id))
            .order_by(AuditEvent.id)
        )
    )


def test_create_starts_at_version_one_verified_now(session: Session) -> None:
    admin = make_person(session, is_admin=True)
    verifier = make_person(session)
    card = service.create_card(
        session,
        data=CardCreate(
            title="Refunds",
            url="https://kb.example.com/refunds",
            source="notion",
            external_id="abc",
            collection="Billing",
            verifier_id=verifier.id,
            verify_every_days=30,
        ),
        now=NOW,
        actor=admin,
    )
    assert (card.version, card.last_verified_at, card.changed_at) == (1, NOW, NOW)
    assert card.verifier_id == verifier.id
    assert audit_actions(session, card.id) == ["card.create"]
    revisions = service.list_revisions(session, card=card)
    assert [(r.version, r.change) for r in revisions] == [(1, "major")]


def test_create_with_explicit_null_is_never_verified_and_stale(session: Session) -> None:
    admin = make_person(session, is_admin=True)
    data = CardCreate.model_validate(
        {"title": "New", "url": "https://a.example/new", "last_verified_at": None}
    )
    card = service.create_card(session, data=data, now=NOW, actor=admin)
    assert card.last_verified_at is None
    assert card in service.list_cards(session, now=NOW, stale=True)


def test_create_refuses_unknown_or_inactive_verifier_and_future_verification(
    session: Session,
) -> None:
    admin = make_person(session, is_admin=True)
    gone = make_person(session, active=False)
    before = table_state(session)
    with pytest.raises(Invalid, match="not found"):
        service.create_card(
            session,
            data=CardCreate(title="t", url="https://a.example", verifier_id=987654),
            now=NOW,
            actor=admin,
        )
    with pytest.raises(Invalid, match="inactive"):
        service.create_card(
            session,
            data=CardCreate(title="t", url="https://a.example", verifier_id=gone.id),
            now=NOW,
            actor=admin,
        )
    with pytest.raises(Invalid, match="future"):
        service.create_card(
            session,
            data=CardCreate(
                title="t", url="https://a.example", last_verified_at=NOW + timedelta(days=1)
            ),
            now=NOW,
            actor=admin,
        )
    assert table_state(session) == before


def test_same_source_and_external_id_twice_is_a_conflict(session: Session) -> None:
    admin = make_person(session, is_admin=True)
    make_card(session, source="guru", external_id="g-1")
    with pytest.raises(Conflict, match="already has source guru"):
        service.create_card(
            session,
            data=CardCreate(title="t", url="https://a.example", source="guru", external_id="g-1"),
            now=NOW,
            actor=admin,
        )
    # The same external id under another source is a different card.
    other = service.create_card(
        session,
        data=CardCreate(title="t", url="https://a.example", source="notion", external_id="g-1"),
        now=NOW,
        actor=admin,
    )
    assert other.id


def test_major_change_bumps_version_minor_keeps_it_both_leave_revisions(
    session: Session,
) -> None:
    admin = make_person(session, is_admin=True)
    card = make_card(session, title="Refunds", now=NOW - timedelta(days=10))
    later = NOW + timedelta(hours=1)

    service.update_card(
        session,
        card=card,
        data=CardUpdate(title="Refunds policy", change="minor", summary="typo"),
        now=NOW,
        actor=admin,
    )
    assert (card.title, card.version, card.changed_at) == (
        "Refunds policy",
        1,
        NOW - timedelta(days=10),
    )

    service.update_card(
        session,
        card=card,
        data=CardUpdate(url="https://kb.example.com/refunds-v2"),
        now=later,
        actor=admin,
    )
    assert (card.version, card.changed_at, card.updated_at) == (2, later, later)

    revisions = session.scalars(
        select(CardRevision).where(CardRevision.card_id == card.id).order_by(CardRevision.id)
    ).all()
    assert [(r.version, r.change, r.summary) for r in revisions] == [
        (1, "minor", "typo"),
        (2, "major", ""),
    ]
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.subject_id == str(card.id)).order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["card.update", "card.update"]
    assert events[1].before is not None and events[1].after is not None
    assert (events[1].before["version"], events[1].after["version"]) == (1, 2)


def test_a_bare_major_change_bumps_even_without_field_changes(session: Session) -> None:
    """The linked page changed elsewhere: a major change with no fields asks everyone to re-read."""
    admin = make_person(session, is_admin=True)
    card = make_card(session)
    service.update_card(session, card=card, data=CardUpdate(), now=NOW, actor=admin)
    assert card.version == 2


def test_update_with_a_stale_version_precondition_changes_nothing(session: Session) -> None:
    admin = make_person(session, is_admin=True)
    card = make_card(session, version=3)
    before = table_state(session)
    with pytest.raises(Conflict, match="version 3"):
        service.update_card(
            session, card=card, data=CardUpdate(title="x", version=2), now=NOW, actor=admin
        )
    assert table_state(session) == before
    service.update_card(
        session, card=card, data=CardUpdate(title="x", version=3), now=NOW, actor=admin
    )
    assert card.version == 4


def test_update_refuses_nulls_for_required_fields_and_taken_external_ids(
    session: Session,
) -> None:
    admin = make_person(session, is_admin=True)
    make_card(session, source="guru", external_id="taken")
    card = make_card(session, source="guru", external_id="mine")
    before = table_state(session)
    for data in (
        CardUpdate.model_validate({"title": None}),
        CardUpdate.model_validate({"verify_every_days": None}),
        CardUpdate(verifier_id=424242),
    ):
        with pytest.raises(Invalid):
            service.update_card(session, card=card, data=data, now=NOW, actor=admin)
    with pytest.raises(Conflict):
        service.update_card(
            session, card=card, data=CardUpdate(external_id="taken"), now=NOW, actor=admin
        )
    assert table_state(session) == before


def test_verify_sets_last_verified_and_keeps_version(session: Session) -> None:
    verifier = make_person(session)
    card = make_card(session, last_verified_at=NOW - timedelta(days=200), version=5)
    assert card in service.list_cards(session, now=NOW, stale=True)
    service.verify_card(session, card=card, now=NOW, actor=verifier)
    assert (card.last_verified_at, card.version) == (NOW, 5)
    assert card in service.list_cards(session, now=NOW, stale=False)
    assert audit_actions(session, card.id) == ["card.verify"]


def test_stale_filter_follows_each_cards_own_interval(session: Session) -> None:
    weekly = make_card(session, verify_every_days=7, last_verified_at=NOW - timedelta(days=8))
    quarterly = make_card(session, verify_every_days=90, last_verified_at=NOW - timedelta(days=8))
    never = make_card(session, last_verified_at=None)
    due_now = make_card(session, verify_every_days=1, last_verified_at=NOW - timedelta(days=1))
    stale_ids = {c.id for c in service.list_cards(session, now=NOW, stale=True)}
    trusted_ids = {c.id for c in service.list_cards(session, now=NOW, stale=False)}
    assert {weekly.id, never.id, due_now.id} <= stale_ids
    assert quarterly.id in trusted_ids
    assert not stale_ids & trusted_ids
    # Ninety days on, the quarterly card runs out too.
    later = NOW + timedelta(days=83)
    assert quarterly in service.list_cards(session, now=later, stale=True)


def test_archived_cards_leave_lists_but_stay_readable(session: Session) -> None:
    admin = make_person(session, is_admin=True)
    card = make_card(session)
    service.set_archived(session, card=card, archived=True, now=NOW, actor=admin)
    service.set_archived(session, card=card, archived=True, now=NOW, actor=admin)
    assert card not in service.list_cards(session, now=NOW)
    assert card in service.list_cards(session, now=NOW, include_archived=True)
    assert service.get_card(session, card_id=card.id).archived
    service.set_archived(session, card=card, archived=False, now=NOW, actor=admin)
    assert card in service.list_cards(session, now=NOW)
    assert audit_actions(session, card.id) == ["card.archive", "card.restore"]


def test_unknown_card_is_not_found_and_get_cards_skips_unknown_ids(session: Session) -> None:
    card = make_card(session)
    with pytest.raises(NotFound):
        service.get_card(session, card_id=card.id + 1000)
    assert service.get_cards(session, card_ids=[card.id, card.id + 1000]) == {card.id: card}
    assert service.get_cards(session, card_ids=[]) == {}


def test_a_duplicate_that_slips_past_the_check_is_a_conflict_not_a_crash(
    session: Session,
) -> None:
    """Two writers can both pass the read-side check; the unique index decides, cleanly."""
    existing = make_card(session, source="guru", external_id="g-race")
    fields = {
        "title": "Same card, second writer",
        "url": "https://a.example",
        "source": "guru",
        "external_id": "g-race",
        "verify_every_days": 90,
    }
    with pytest.raises(Conflict, match="external id g-race"):
        service.insert_card(session, fields=fields, now=NOW, actor=None)
    # The session is still usable and holds only the first card.
    assert service.get_card(session, card_id=existing.id).title == existing.title
    assert [c.id for c in service.list_cards(session, now=NOW)] == [existing.id]


def test_an_edit_onto_a_taken_external_id_past_the_check_is_a_conflict(
    session: Session,
) -> None:
    make_card(session, source="guru", external_id="g-a")
    card = make_card(session, source="guru", external_id="g-b", title="Mine")
    with pytest.raises(Conflict):
        service.revise_card(
            session,
            card=card,
            changes={"external_id": "g-a"},
            change="minor",
            now=NOW,
            actor=None,
        )
    assert service.get_card(session, card_id=card.id, for_update=True).external_id == "g-b"
