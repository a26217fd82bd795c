"""The demo's follow-the-sun schedule: APAC, EMEA and AMER office hours in one final line."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core.clock import FixedClock
from flows import demo
from rotation import company_days, schedule_service
from tests.ics import utc


def test_follow_the_sun_hands_over_from_tokyo_to_amsterdam_to_new_york(
    session: Session, clock: FixedClock
) -> None:
    demo.load_demo(session, now=clock.now())
    schedule = schedule_service.get_schedule(session, "follow-the-sun")
    layers = schedule_service.layers_of(session, [schedule.id])[schedule.id]
    assert [(layer.name, layer.rotation.timezone) for layer in layers if layer.rotation] == [
        ("apac", "Asia/Tokyo"),
        ("emea", "Europe/Amsterdam"),
        ("amer", "America/New_York"),
    ]
    for layer in layers:
        assert layer.rotation is not None
        assert layer.rotation.coverage == [
            {
                "days": ["mon", "tue", "wed", "thu", "fri"],
                "start": "09:00",
                "end": "17:00",
                "overnight": False,
            }
        ]
    # Wednesday 2 December 2026, an ordinary working day in all three countries.
    views = schedule_service.final(
        session, schedule=schedule, start=utc("2026-12-02T00:00"), end=utc("2026-12-03T00:00")
    )
    answered = [(v.start.hour, v.end.hour, v.layer) for v in views if v.shift is not None]
    assert answered == [(0, 8, "apac"), (8, 16, "emea"), (16, 22, "amer")]
    assert all(v.shift and v.shift.person for v in views if v.layer)
    offsite = company_days.list_days(session)
    assert [d.name for d in offsite] == ["Company offsite"]
    # Nobody from the skipping regions answers on the offsite day.
    day = offsite[0].day
    start = utc(f"{day.isoformat()}T00:00")
    on_offsite = schedule_service.final(
        session, schedule=schedule, start=start, end=start + timedelta(days=1)
    )
    local_days = {
        v.start.astimezone(ZoneInfo(v.shift.rotation.timezone)).date()
        for v in on_offsite
        if v.shift is not None and v.layer in ("emea", "amer")
    }
    assert day not in local_days
