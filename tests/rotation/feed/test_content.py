"""What feeds contain, read from the database with a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from core.models import Person
from rotation.feed import content as feeds
from rotation.feed import fingerprint as feed_fingerprints
from rotation.feed.render import FeedShift
from rotation.models import Rotation
from tests.conftest import DEFAULT_NOW
from tests.factories import cancel, make_person, make_rotation, make_shift, make_shifts, reassign
from tests.ics import utc
from tests.querycount import count_statements

NOW = DEFAULT_NOW  # Tuesday 2026-11-24 10:00Z; the window starts 2026-10-25 00:00Z
LATER = NOW + timedelta(hours=2)


def by_uid(shifts: list[FeedShift]) -> dict[str, FeedShift]:
    return {s.uid: s for s in shifts}


def test_window_starts_at_midnight_thirty_days_back() -> None:
    assert feeds.window_start(NOW) == utc("2026-10-25T00:00")
    assert feeds.window_start(utc("2026-11-24T23:59")) == utc("2026-10-25T00:00")
    assert feeds.window_start(utc("2026-11-25T00:00")) == utc("2026-10-26T00:00")


def test_person_feed_holds_their_shifts_from_thirty_days_back_to_the_horizon(
    session: Session,
) -> None:
    ana = make_person(session, name="Ana")
    bo = make_person(session, name="Bo")
    rotation = make_rotation(session, horizon_days=28)
    # Weekly from Monday 2026-09-07; Ana has even weeks, Bo odd ones.
    shifts = make_shifts(session, rotation=rotation, people=[ana, bo], indexes=range(0, 16))

    mine = by_uid(feeds.person_feed(session, person_id=ana.id, now=NOW))

    # Week 6 (from 19 Oct) ends on 26 Oct, after the window's start; week 4 ended before it.
    # The horizon (28 days) ends on 23 Dec: week 15 (from 21 Dec) still starts before it.
    expected = [s for s in shifts if s.person_id == ana.id and 6 <= s.index <= 15]
    assert set(mine) == {s.uid for s in expected}
    week6 = mine[shifts[6].uid]
    assert (week6.start, week6.end) == (utc("2026-10-19T07:00"), utc("2026-10-26T08:00"))
    assert week6.timezone == "Europe/Amsterdam"
    assert week6.on_shift == ("Ana",)
    assert not week6.cancelled
    assert all(s.uid not in mine for s in shifts if s.person_id == bo.id)


def test_horizon_cuts_shifts_beyond_it(session: Session) -> None:
    ana = make_person(session)
    rotation = make_rotation(session, horizon_days=14)
    shifts = make_shifts(session, rotation=rotation, people=[ana], indexes=range(10, 20))
    mine = by_uid(feeds.person_feed(session, person_id=ana.id, now=NOW))
    # Now + 14 days (rounded up to a whole day) is 9 Dec: week 13 starts 7 Dec, week 14 on 14 Dec.
    assert set(mine) == {s.uid for s in shifts if s.index <= 13}


def test_multi_slot_shift_names_everyone_on_it(session: Session) -> None:
    ana = make_person(session, name="Ana")
    bo = make_person(session, name="Bo")
    cy = make_person(session, name="Cy")
    rotation = make_rotation(session, people_per_shift=2)
    first = [
        make_shift(session, rotation=rotation, index=12, slot=0, person=ana),
        make_shift(session, rotation=rotation, index=12, slot=1, person=bo),
    ]
    second = [
        make_shift(session, rotation=rotation, index=13, slot=0, person=cy),
        make_shift(session, rotation=rotation, index=13, slot=1, person=None),
    ]

    (shift,) = feeds.person_feed(session, person_id=bo.id, now=NOW)
    assert shift.uid == first[1].uid
    assert shift.on_shift == ("Ana", "Bo")
    assert shift.slot == 1 and shift.people_per_shift == 2

    rotation_feed = feeds.rotation_feed(session, slug=rotation.slug, now=NOW)
    assert rotation_feed is not None
    assert [(s.uid, s.assignee, s.on_shift) for s in rotation_feed.shifts] == [
        (first[0].uid, "Ana", ("Ana", "Bo")),
        (first[1].uid, "Bo", ("Ana", "Bo")),
        (second[0].uid, "Cy", ("Cy",)),
        (second[1].uid, None, ("Cy",)),
    ]


def test_a_lost_shift_stays_cancelled_for_thirty_days(session: Session) -> None:
    ana = make_person(session)
    bo = make_person(session)
    rotation = make_rotation(session)
    shift = make_shift(session, rotation=rotation, index=13, person=ana)
    reassign(session, shift=shift, person=bo, now=LATER)

    (lost,) = feeds.person_feed(session, person_id=ana.id, now=LATER)
    assert lost.uid == shift.uid
    assert lost.cancelled and lost.released
    assert lost.sequence == 1
    assert lost.modified_at == LATER
    assert lost.on_shift == () and lost.assignee is None  # nothing about who has it now
    (taken,) = feeds.person_feed(session, person_id=bo.id, now=LATER)
    assert (taken.uid, taken.cancelled, taken.sequence) == (shift.uid, False, 1)

    assert feeds.person_feed(session, person_id=ana.id, now=LATER + timedelta(days=31)) == []


def test_a_shift_swapped_back_shows_live_once(session: Session) -> None:
    ana = make_person(session)
    bo = make_person(session)
    rotation = make_rotation(session)
    shift = make_shift(session, rotation=rotation, index=13, person=ana)
    reassign(session, shift=shift, person=bo, now=LATER)
    reassign(session, shift=shift, person=ana, now=LATER + timedelta(hours=1))

    (back,) = feeds.person_feed(session, person_id=ana.id, now=LATER + timedelta(hours=1))
    assert (back.cancelled, back.sequence) == (False, 2)
    (gone,) = feeds.person_feed(session, person_id=bo.id, now=LATER + timedelta(hours=1))
    assert (gone.cancelled, gone.released, gone.sequence) == (True, True, 2)


def test_removed_shifts_and_archived_rotations_show_cancelled_for_thirty_days(
    session: Session,
) -> None:
    ana = make_person(session)
    removed_from = make_rotation(session)
    removed = make_shift(session, rotation=removed_from, index=13, person=ana)
    cancel(session, shift=removed, now=LATER)
    archived = make_rotation(session)
    kept = make_shift(session, rotation=archived, index=14, person=ana)
    archived.archived = True
    archived.updated_at = LATER
    session.flush()

    entries = by_uid(feeds.person_feed(session, person_id=ana.id, now=LATER))
    assert (entries[removed.uid].cancelled, entries[removed.uid].sequence) == (True, 1)
    assert entries[removed.uid].released is False
    # The archived rotation's shift is cancelled one sequence up even before its row says so.
    assert (entries[kept.uid].cancelled, entries[kept.uid].sequence) == (True, 1)

    rotation_feed = feeds.rotation_feed(session, slug=archived.slug, now=LATER)
    assert rotation_feed is not None and rotation_feed.archived
    assert [s.cancelled for s in rotation_feed.shifts] == [True]

    a_month_later = LATER + timedelta(days=31)
    assert feeds.person_feed(session, person_id=ana.id, now=a_month_later) == []
    gone = feeds.rotation_feed(session, slug=archived.slug, now=a_month_later)
    assert gone is not None and gone.shifts == []


def test_rotation_feed_unknown_slug(session: Session) -> None:
    assert feeds.rotation_feed(session, slug="nope", now=NOW) is None


def test_feed_rotations_lists_active_rotations_by_name(session: Session) -> None:
    make_rotation(session, name="Zulu", slug="zulu")
    make_rotation(session, name="Alpha", slug="alpha")
    make_rotation(session, name="Old", slug="old", archived=True)
    assert [r.slug for r in feeds.feed_rotations(session)] == ["alpha", "zulu"]


def build_org(session: Session, *, rotations: int, weeks: int) -> tuple[Person, Rotation]:
    """``rotations`` two-slot rotations of ``weeks`` shifts, some lost to a colleague."""
    ana = make_person(session, name="Ana")
    others = [make_person(session) for _ in range(3)]
    rotation = None
    for _ in range(rotations):
        rotation = make_rotation(session, people_per_shift=2, horizon_days=730)
        shifts = make_shifts(
            session, rotation=rotation, people=[ana, *others], indexes=range(8, 8 + weeks)
        )
        for shift in shifts[::5]:
            if shift.person_id == ana.id:
                reassign(session, shift=shift, person=others[0], now=NOW)
            else:
                cancel(session, shift=shift, now=NOW)
    assert rotation is not None
    return ana, rotation


def test_feeds_run_a_fixed_number_of_queries_whatever_the_size(
    session: Session, connection: Connection
) -> None:
    counts = []
    for rotations, weeks in [(1, 3), (4, 60)]:
        ana, rotation = build_org(session, rotations=rotations, weeks=weeks)
        with count_statements(connection) as person_statements:
            entries = feeds.person_feed(session, person_id=ana.id, now=NOW)
        with count_statements(connection) as rotation_statements:
            rotation_feed = feeds.rotation_feed(session, slug=rotation.slug, now=NOW)
        with count_statements(connection) as fingerprint_statements:
            feed_fingerprints.person_fingerprint(session, person_id=ana.id)
            feed_fingerprints.rotation_fingerprint(session, slug=rotation.slug)
        assert entries and rotation_feed is not None and rotation_feed.shifts
        counts.append(
            (
                len(person_statements.selects),
                len(rotation_statements.selects),
                len(fingerprint_statements.selects),
            )
        )
    # The rotation has overrides: one more query names whom they cover for.
    assert counts[0] == counts[1] == (3, 3, 2)


def test_a_feed_holds_at_most_its_cap_of_shifts_earliest_first(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feeds, "MAX_FEED_SHIFTS", 3)
    ana = make_person(session)
    rotation = make_rotation(session, horizon_days=56)
    shifts = make_shifts(session, rotation=rotation, people=[ana], indexes=range(12, 20))
    earliest = {s.uid for s in sorted(shifts, key=lambda s: s.start)[:3]}
    feed = feeds.rotation_feed(session, slug=rotation.slug, now=NOW)
    assert feed is not None and {s.uid for s in feed.shifts} == earliest
    assert {s.uid for s in feeds.person_feed(session, person_id=ana.id, now=NOW)} == earliest
