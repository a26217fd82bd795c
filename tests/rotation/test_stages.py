"""Stages: a newcomer shadows ready primaries, then graduates into the roster at the minimum
count, with nobody else's published shifts moving."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import AuditEvent, Person
from onboarding import graduation
from onboarding.models import OutboxMessage
from rotation import duty, generation, members, schedule_inputs, stages, time_off
from rotation import service as rotation_service
from rotation.models import Rotation, Shift
from rotation.schemas import RotationUpdate
from tests.conftest import DEFAULT_NOW
from tests.factories import (
    make_ack,
    make_card,
    make_card_set,
    make_people,
    make_person,
    make_requirement,
    make_scheduled_rotation,
)
from tests.probes import live_shifts

WEEK = timedelta(days=7)
BASE_URL = "https://allhands.example"


def _with_newcomer(session: Session, *, required: int = 2) -> tuple[Rotation, list[Person], Person]:
    team = make_people(session, 3)
    rotation = make_scheduled_rotation(
        session, members=team, horizon_days=56, shadow_shifts_required=required
    )
    newcomer = make_person(session, name="Nia Newcomer")
    members.set_members(
        session,
        rotation=rotation,
        person_ids=[*(p.id for p in team), newcomer.id],
        now=DEFAULT_NOW,
        actor=None,
    )
    return rotation, team, newcomer


def _primary_picture(session: Session, rotation: Rotation) -> dict[int, tuple[int | None, int]]:
    return {
        s.id: (s.person_id, s.sequence)
        for s in live_shifts(session, rotation)
        if s.role == "primary"
    }


def test_a_newcomer_shadows_the_next_two_shifts_beside_ready_primaries(session: Session) -> None:
    rotation, team, newcomer = _with_newcomer(session)
    member = stages.get_member(session, rotation=rotation, person_id=newcomer.id)
    assert member.stage == "shadow"
    shifts = live_shifts(session, rotation)
    shadows = [s for s in shifts if s.role == "shadow"]
    assert [s.person_id for s in shadows] == [newcomer.id, newcomer.id]
    primaries = {s.index: s for s in shifts if s.role == "primary"}
    # The first two shifts that have not started, each beside the primary of that shift.
    upcoming = sorted(s.index for s in primaries.values() if s.start > DEFAULT_NOW)[:2]
    assert [s.index for s in shadows] == upcoming
    for shadow in shadows:
        primary = primaries[shadow.index]
        assert (shadow.start, shadow.end, shadow.slot) == (primary.start, primary.end, 100)
        assert primary.person_id in {p.id for p in team}
    # Not coverage: the newcomer holds no primary shift and is never the one on call.
    assert all(s.person_id != newcomer.id for s in primaries.values())
    on_call = duty.on_call(session, rotation=rotation, at=shadows[0].start + timedelta(hours=1))
    assert [s.person_id for s in on_call] == [primaries[shadows[0].index].person_id]


def test_shadow_shifts_do_not_count_for_fairness(session: Session) -> None:
    rotation, _team, newcomer = _with_newcomer(session)
    counts, _last, _near = schedule_inputs.history(
        session,
        rotation_id=rotation.id,
        window_start=DEFAULT_NOW,
        window_end=DEFAULT_NOW + WEEK,
        count_since=None,
    )
    assert newcomer.id not in counts


def test_zero_required_keeps_joiners_primary_and_adds_no_shadow_shift(session: Session) -> None:
    rotation, _team, newcomer = _with_newcomer(session, required=0)
    assert stages.get_member(session, rotation=rotation, person_id=newcomer.id).stage == "primary"
    assert all(s.role == "primary" for s in live_shifts(session, rotation))
    generation.extend(session, rotation_id=rotation.id, now=DEFAULT_NOW + WEEK)
    assert live_shifts(session, rotation)[-1].person_id == newcomer.id


def test_graduation_waits_for_reading_then_joins_at_the_minimum_count(session: Session) -> None:
    rotation, team, newcomer = _with_newcomer(session)
    cards = [make_card(session), make_card(session)]
    make_requirement(session, rotation=rotation, card_set=make_card_set(session, cards=cards))
    published = _primary_picture(session, rotation)
    shadows = [s for s in live_shifts(session, rotation) if s.role == "shadow"]
    after_shadowing = shadows[-1].end + timedelta(hours=1)

    make_ack(session, person=newcomer, card=cards[0])
    assert graduation.run(session, now=after_shadowing, base_url=BASE_URL) == []
    make_ack(session, person=newcomer, card=cards[1])
    assert graduation.run(session, now=shadows[0].end, base_url=BASE_URL) == []  # one shift done

    done = graduation.run(session, now=after_shadowing, base_url=BASE_URL)
    assert done == [graduation.Graduation(rotation.slug, newcomer.id)]
    assert graduation.run(session, now=after_shadowing, base_url=BASE_URL) == []
    member = stages.get_member(session, rotation=rotation, person_id=newcomer.id)
    assert member.stage == "primary"
    # Nothing published moved; the newcomer's count is the others' minimum.
    now_picture = _primary_picture(session, rotation)
    assert {shift_id: now_picture[shift_id] for shift_id in published} == published
    held_before = Counter(person_id for person_id, _sequence in published.values())
    assert member.count_offset == min(held_before[p.id] for p in team)
    # The first shift the horizon brought in since is theirs.
    newest = [
        s for s in live_shifts(session, rotation) if s.role == "primary" and s.id not in published
    ]
    assert newest and newest[0].person_id == newcomer.id

    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "rotation.member_stage")
    ).one()
    assert event.after == {"person_id": newcomer.id, "stage": "primary", "graduation_held": False}
    message = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "graduation")).one()
    assert message.recipient == newcomer.email and message.channel == "email"
    assert rotation.name in message.subject


def test_a_held_shadow_does_not_graduate_until_released(session: Session) -> None:
    rotation, _team, newcomer = _with_newcomer(session)
    member = stages.get_member(session, rotation=rotation, person_id=newcomer.id)
    later = DEFAULT_NOW + 5 * WEEK
    graduation.set_stage(
        session, rotation=rotation, member=member, stage=None, held=True,
        now=DEFAULT_NOW, actor=None, base_url=BASE_URL,
    )  # fmt: skip
    assert graduation.run(session, now=later, base_url=BASE_URL) == []
    graduation.set_stage(
        session, rotation=rotation, member=member, stage=None, held=False,
        now=DEFAULT_NOW, actor=None, base_url=BASE_URL,
    )  # fmt: skip
    assert graduation.run(session, now=later, base_url=BASE_URL) != []


def test_graduating_by_hand_withdraws_the_seats_ahead(session: Session) -> None:
    rotation, _team, newcomer = _with_newcomer(session)
    member = stages.get_member(session, rotation=rotation, person_id=newcomer.id)
    graduation.set_stage(
        session, rotation=rotation, member=member, stage="primary", held=None,
        now=DEFAULT_NOW, actor=None, base_url=BASE_URL,
    )  # fmt: skip
    assert [s for s in live_shifts(session, rotation) if s.role == "shadow"] == []
    cancelled = session.scalars(
        select(Shift).where(Shift.role == "shadow", Shift.cancelled_at.is_not(None))
    ).all()
    assert len(cancelled) == 2


def test_time_off_moves_a_shadow_seat_instead_of_handing_it_to_a_primary(
    session: Session,
) -> None:
    rotation, team, newcomer = _with_newcomer(session)
    first = next(s for s in live_shifts(session, rotation) if s.role == "shadow")
    day = first.start.date()
    time_off.add_time_off(
        session, person=newcomer, start=day, end=day + timedelta(days=6),
        reason="", now=DEFAULT_NOW, actor=None,
    )  # fmt: skip
    shadows = [s for s in live_shifts(session, rotation) if s.role == "shadow"]
    assert [s.person_id for s in shadows] == [newcomer.id, newcomer.id]
    assert first.id not in {s.id for s in shadows}
    assert all(s.start > first.start for s in shadows)
    assert all(
        s.person_id in {p.id for p in team}
        for s in live_shifts(session, rotation)
        if s.role == "primary" and s.start > DEFAULT_NOW
    )


def test_back_to_shadow_hands_the_primary_shifts_ahead_to_others(session: Session) -> None:
    team = make_people(session, 3)
    rotation = make_scheduled_rotation(
        session, members=team, horizon_days=56, shadow_shifts_required=1
    )
    member = stages.get_member(session, rotation=rotation, person_id=team[0].id)
    graduation.set_stage(
        session, rotation=rotation, member=member, stage="shadow", held=None,
        now=DEFAULT_NOW, actor=None, base_url=BASE_URL,
    )  # fmt: skip
    ahead = [s for s in live_shifts(session, rotation) if s.start > DEFAULT_NOW]
    assert all(s.person_id != team[0].id for s in ahead if s.role == "primary")
    assert [s.person_id for s in ahead if s.role == "shadow"] == [team[0].id]


def test_asking_for_more_shadow_shifts_seats_the_shadows_again(session: Session) -> None:
    rotation, _team, newcomer = _with_newcomer(session, required=1)
    assert [s.person_id for s in live_shifts(session, rotation) if s.role == "shadow"] == [
        newcomer.id
    ]
    rotation_service.update_rotation(
        session,
        rotation=rotation,
        data=RotationUpdate(shadow_shifts_required=3),
        now=DEFAULT_NOW,
        actor=None,
    )
    seats = [s for s in live_shifts(session, rotation) if s.role == "shadow"]
    assert [s.person_id for s in seats] == [newcomer.id] * 3
