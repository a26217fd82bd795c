"""What a schedule's calendar feed shows: its final on-call line, one event per stretch.

Gaps (nobody on duty in any layer) are left out. The window is the rotation feeds' one: from
30 days back to the longest horizon among the layers' rotations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from core.errors import NotFound
from rotation import coverage, schedule_service
from rotation.feed.content import window_start
from rotation.feed.render import FeedShift
from rotation.models import Schedule

# Feeds are read often; a schedule feed looks at most this far ahead whatever the horizons.
MAX_AHEAD = timedelta(days=365)


@dataclass(frozen=True)
class ScheduleFeed:
    slug: str
    name: str
    shifts: list[FeedShift]


def _horizon(session: Session, schedule: Schedule) -> timedelta:
    layers = schedule_service.layers_of(session, [schedule.id])[schedule.id]
    days = [layer.rotation.horizon_days for layer in layers if layer.rotation is not None]
    return min(timedelta(days=max(days, default=182) + 1), MAX_AHEAD)


def schedule_feed(session: Session, *, slug: str, now: datetime) -> ScheduleFeed | None:
    """The schedule's final line as feed entries; None for an unknown slug."""
    try:
        schedule = schedule_service.get_schedule(session, slug)
    except NotFound:
        return None
    start = window_start(now)
    views = schedule_service.final(
        session, schedule=schedule, start=start, end=now + _horizon(session, schedule)
    )
    shifts = []
    for view in views:
        shift = view.shift
        if shift is None or shift.person is None:
            continue
        shifts.append(
            FeedShift(
                shift_id=shift.id,
                uid=f"{schedule.slug}-{shift.uid}-{coverage.utc_stamp(view.start)}",
                rotation_slug=shift.rotation.slug,
                rotation_name=f"{schedule.name} ({shift.rotation.name})",
                timezone=shift.rotation.timezone,
                slot=0,
                people_per_shift=1,
                start=view.start,
                end=view.end,
                sequence=shift.sequence,
                created_at=shift.created_at,
                modified_at=shift.updated_at,
                assignee=shift.person.name,
                on_shift=(shift.person.name,),
            )
        )
    return ScheduleFeed(slug=schedule.slug, name=schedule.name, shifts=shifts)
