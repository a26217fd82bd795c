"""Feed fingerprints: they move with every change behind a feed, and only then."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from core.models import Person
from rotation.feed import fingerprint as feed_fingerprints
from rotation.models import Rotation
from tests.conftest import DEFAULT_NOW
from tests.factories import cancel, make_person, make_rotation, make_shift, reassign

LATER = DEFAULT_NOW + timedelta(hours=2)


def test_unknown_rotation_has_no_fingerprint(session: Session) -> None:
    assert feed_fingerprints.rotation_fingerprint(session, slug="nope") is None


def fingerprints(session: Session, person: Person, rotation: Rotation) -> tuple[str, str | None]:
    return (
        feed_fingerprints.person_fingerprint(session, person_id=person.id),
        feed_fingerprints.rotation_fingerprint(session, slug=rotation.slug),
    )


def test_fingerprints_move_with_every_change_behind_a_feed(session: Session) -> None:
    ana = make_person(session)
    bo = make_person(session)
    rotation = make_rotation(session, people_per_shift=2)
    elsewhere = make_rotation(session)
    make_shift(session, rotation=elsewhere, index=13, person=bo)
    first = make_shift(session, rotation=rotation, index=13, slot=0, person=ana)
    colleague = make_shift(session, rotation=rotation, index=13, slot=1, person=bo)

    seen = [fingerprints(session, ana, rotation)]
    assert seen[0] == fingerprints(session, ana, rotation)  # stable while nothing changes

    def changed() -> bool:
        now = fingerprints(session, ana, rotation)
        moved = now[0] != seen[-1][0] and now[1] != seen[-1][1]
        seen.append(now)
        return moved

    make_shift(session, rotation=rotation, index=14, person=bo)
    assert changed(), "a new shift"
    reassign(session, shift=colleague, person=None, now=LATER)
    assert changed(), "a colleague's slot changed (it is named in Ana's event)"
    reassign(session, shift=first, person=bo, now=LATER)
    assert changed(), "Ana lost her shift"
    cancel(session, shift=colleague, now=LATER)
    assert changed(), "a shift removed"
    rotation.name = "Renamed"
    rotation.updated_at = LATER
    session.flush()
    assert changed(), "the rotation renamed"

    before = fingerprints(session, ana, rotation)
    make_shift(session, rotation=elsewhere, index=14, person=bo)
    assert fingerprints(session, ana, rotation) == before, "other rotations do not matter"


def test_released_shift_keeps_person_fingerprint_tied_to_its_rotation(session: Session) -> None:
    ana = make_person(session)
    bo = make_person(session)
    rotation = make_rotation(session)
    shift = make_shift(session, rotation=rotation, index=13, person=ana)
    reassign(session, shift=shift, person=bo, now=LATER)
    before = feed_fingerprints.person_fingerprint(session, person_id=ana.id)
    cancel(session, shift=shift, now=LATER + timedelta(hours=1))
    assert feed_fingerprints.person_fingerprint(session, person_id=ana.id) != before
    assert isinstance(before, str) and len(before) == 24
