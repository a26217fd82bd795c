"""The rolling schedule on the rotation page: weeks from this one, bars per shift."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from rotation import overrides
from tests.conftest import DEFAULT_NOW
from tests.factories import make_scheduled_rotation
from tests.probes import live_shifts
from tests.web.rotation_page_helpers import log_in, person
from web.pages.rotations import timeline_view


def _shift(
    shift_id: int,
    start: datetime,
    days: int,
    who: str | None,
    person_id: int | None,
    kind: str = "scheduled",
) -> Any:
    holder = SimpleNamespace(name=who) if who else None
    return SimpleNamespace(
        id=shift_id, start=start, end=start + timedelta(days=days), person=holder,
        person_id=person_id, kind=kind, slot=0, role="primary",
    )  # fmt: skip


def test_weeks_start_this_monday_and_place_bars_by_the_hour() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
    monday_nine = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    shifts = [
        _shift(1, monday_nine, 7, "Ana", 10),
        _shift(2, monday_nine + timedelta(days=7), 7, "Sam", 11, kind="swap"),
        _shift(3, monday_nine + timedelta(days=14), 7, None, None),
    ]
    weeks = timeline_view.weeks(
        shifts, now=now, timezone="UTC", colours={10: 0, 11: 1}, viewer_id=11, count=3
    )
    assert [w.monday.isoformat() for w in weeks] == ["2026-11-23", "2026-11-30", "2026-12-07"]
    first = weeks[0]
    assert first.today_index == 2 and first.now_x == round(700 * (2 * 24 + 12) / 168, 1)
    (ana,) = first.bars
    assert (ana.x, ana.width, ana.colour, ana.mine) == (
        round(700 * 9 / 168, 1),
        round(700 * 159 / 168, 1),
        0,
        False,
    )
    # Week two: the end of Ana's shift, then Sam's (a swap, the viewer's own).
    assert [(b.label[:3], b.kind, b.mine) for b in weeks[1].bars] == [
        ("Ana", "scheduled", False),
        ("Sam", "swap", True),
    ]
    assert "(swap)" in weeks[1].bars[1].title
    assert weeks[2].bars[-1].colour is None and "uncovered" in weeks[2].bars[-1].title
    assert weeks[1].now_x is None and weeks[1].today_index is None


def test_a_dst_week_keeps_handoffs_at_their_local_hour() -> None:
    # Europe/Amsterdam leaves summer time on Sunday 25 October 2026: that week has 169 hours.
    zone_monday_nine = datetime(2026, 10, 19, 7, 0, tzinfo=UTC)  # 09:00 local
    next_handoff = datetime(2026, 10, 26, 8, 0, tzinfo=UTC)  # 09:00 local, a week later
    shift = _shift(1, zone_monday_nine, 0, "Ana", 10)
    shift.end = next_handoff
    (week,) = timeline_view.weeks(
        [shift], now=zone_monday_nine, timezone="Europe/Amsterdam", colours={}, viewer_id=0, count=1
    )
    (bar,) = week.bars
    assert bar.x == round(700 * 9 / 169, 1)
    assert bar.x + bar.width == 700  # runs to the end of the week


def test_the_rotation_page_shows_the_rolling_schedule(client: TestClient, session: Session) -> None:
    ana, sam = person(session, name="Ana"), person(session, name="Sam")
    rotation = make_scheduled_rotation(session, members=[ana, sam])
    ahead = [s for s in live_shifts(session, rotation) if s.start > DEFAULT_NOW]
    other = sam if ahead[0].person_id == ana.id else ana
    overrides.override(
        session, shift=ahead[0], person=other, start=None, end=None, now=DEFAULT_NOW, actor=None
    )
    log_in(client, ana)
    page = client.get("/rotations/tier-two").text
    assert "The next 8 weeks" in page
    assert page.count('<svg class="timeline-week"') == 8
    assert 'class="tl-day tl-today"' in page and 'class="tl-now"' in page
    assert "tl-changed" in page and "(override)" in page
    assert 'href="#schedule-heading">Month calendar</a>' in page


def test_the_rotation_page_links_its_own_calendar(client: TestClient, session: Session) -> None:
    ana = person(session, name="Ana")
    make_scheduled_rotation(session, members=[ana])
    log_in(client, ana)
    page = client.get("/rotations/tier-two").text
    link = re.search(r'<a class="button secondary" href="(webcal://[^"]+)">Subscribe to this', page)
    assert link and link.group(1).endswith("/tier-two.ics")
    feed = client.get(link.group(1).replace("webcal://testserver", ""))
    assert feed.status_code == 200 and "BEGIN:VCALENDAR" in feed.text
