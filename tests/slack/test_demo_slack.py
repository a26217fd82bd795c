"""The demo organisation is ready for Slack: each rotation posts handoffs to its channel."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from core.clock import FixedClock
from flows import demo
from flows.slack import describe, preview
from rotation import service as rotation_service


def test_each_demo_rotation_has_a_channel_and_the_dry_run_shows_its_notices(
    session: Session, session_factory: sessionmaker[Session], clock: FixedClock
) -> None:
    demo.load_demo(session, now=clock.now())
    session.commit()
    channels = {r.name: r.slack_channel for r in rotation_service.list_rotations(session)}
    assert channels == {
        "Tier-2 engineering": "#support-tier-2",
        "Product support fortnight": "#product-support",
        "Founders' customer days": "#founders-customer-days",
        "APAC": "#support-apac",
        "EMEA": "#support-emea",
        "AMER": "#support-amer",
    }
    # Saturday: the people taking over on Monday hear from the bot three days ahead.
    saturday = clock.now() + timedelta(days=4)
    lines = [describe(m) for m in preview(session_factory, now=saturday, base_url="").would_send]
    assert lines and all(line.startswith("would DM") for line in lines)
    assert any("Tier-2 engineering, Mon 30 Nov 09:00" in line for line in lines)
