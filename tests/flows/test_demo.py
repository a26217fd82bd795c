"""The demo organisation loads through the services and shows every state a user should see."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import people
from core.clock import FixedClock
from flows import demo, demo_readiness
from kb_links import service as card_service
from kb_links.models import Card, CardFlag
from onboarding import at_risk, progress
from onboarding.candidates import Standing
from onboarding.models import OutboxMessage
from rotation import members
from rotation import service as rotation_service
from rotation.models import SwapRequest, TimeOff
from tests.factories import make_person


def test_demo_loads_a_realistic_organisation(session: Session, clock: FixedClock) -> None:
    now = clock.now()
    summary = demo.load_demo(session, now=now)
    assert summary.people == 21
    assert summary.cards == 30

    rotations = {r.name: r for r in rotation_service.list_rotations(session)}
    assert set(rotations) == set(summary.rotations)
    tier2 = rotations["Tier-2 engineering"]
    assert tier2.shift_days == 7
    assert len(members.list_members(session, rotation=tier2)) == 10
    assert rotations["Product support fortnight"].shift_days == 14

    # Ten engineers, weekly: the next ten weeks give each of them exactly one shift (the
    # day a manager handed to someone else aside).
    weeks: dict[int, int | None] = {}
    for s in rotation_service.list_shifts(session, rotation=tier2, start=now):
        if s.start > now and s.kind != "override":
            weeks.setdefault(s.index, s.person_id)
    assert len(set(list(weeks.values())[:10])) == 10

    stale = card_service.list_cards(session, now=now, stale=True)
    assert 0 < len(stale) < 30

    start, end = progress.resolve_window(start=None, end=None, now=now)
    entries = progress.report(session, start=start, end=end, rotation_ids=None, now=now)
    statuses = Counter(e.readiness.status for e in entries)
    assert statuses["ready"] >= 1
    assert statuses["pending"] >= 1

    assert session.scalar(select(func.count()).select_from(TimeOff)) == 2
    pending = session.scalars(select(SwapRequest).where(SwapRequest.status == "pending")).all()
    assert len(pending) == 1


def test_demo_refuses_a_database_with_people(session: Session, clock: FixedClock) -> None:
    make_person(session)
    with pytest.raises(demo.NotEmpty):
        demo.load_demo(session, now=clock.now())


@pytest.mark.parametrize("days", [0, 3, 6])  # whatever the weekday the demo is loaded on
def test_the_readme_engineer_login_has_a_checklist(
    session: Session, clock: FixedClock, days: int
) -> None:
    """The README promises ana.devries an engineer's home, checklist and calendar link."""
    now = clock.now() + timedelta(days=days)
    demo.load_demo(session, now=now)
    ana = people.find_by_email(session, "ana.devries@example.com")
    assert ana is not None
    entries = progress.checklist(session, person=ana, now=now)
    assert any(entry.readiness.required for entry in entries)


def test_demo_shows_a_shadow_and_a_graduate(session: Session, clock: FixedClock) -> None:
    now = clock.now()
    demo.load_demo(session, now=now)
    product = next(
        r for r in rotation_service.list_rotations(session) if r.name == "Product support fortnight"
    )
    assert product.shadow_shifts_required == 2
    stage = {m.person.email: m.stage for m in members.list_members(session, rotation=product)}
    assert stage["kenji.sato@example.com"] == "primary"
    assert stage["noah.wilson@example.com"] == "shadow"
    shifts = rotation_service.list_shifts(session, rotation=product)
    graduate_seats = [
        s for s in shifts if s.role == "shadow" and s.person and s.person.name == "Kenji Sato"
    ]
    assert len(graduate_seats) == 2 and all(s.end <= now for s in graduate_seats)
    upcoming = [s for s in shifts if s.role == "shadow" and s.start > now]
    assert [s.person.name for s in upcoming if s.person] == ["Noah Wilson", "Noah Wilson"]
    told = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "graduation")).one()
    assert told.recipient == "kenji.sato@example.com"


@pytest.mark.parametrize("days_later", [0, 2, 5])
def test_the_demo_shows_an_at_risk_shift_with_candidates_and_a_flagged_card(
    session: Session, clock: FixedClock, days_later: int
) -> None:
    now = clock.now() + timedelta(days=days_later)
    demo.load_demo(session, now=now)
    found = at_risk.at_risk_shifts(session, now=now)
    [item] = [i for i in found if i.shift.kind == "override"]
    assert item.stage == "overdue"
    assert item.candidates and item.candidates[0].standing is Standing.READY
    flag = session.scalars(select(CardFlag)).one()
    card = session.get(Card, flag.card_id)
    assert card is not None and card.title == demo_readiness.FLAGGED_CARD
    assert flag.resolved_at is None
