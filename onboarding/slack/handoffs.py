"""Plan the Slack notices of handoffs: a channel post and the on-shift user group at each
handoff, and a DM to the incoming person days ahead and on the day.

Each notice is an outbox message under a key naming its handoff (rotation and instant) or
its shift and person, so however many runs plan it, it is written, and sent, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.i18n import choose
from onboarding import facts, outbox, readiness
from onboarding.slack import blocks
from rotation.models import Rotation, Shift

CHANNEL = "slack_app"
# A handoff is announced while its shift is under way and at most this old: a job that was
# down for days does not post a string of stale handoffs when it comes back.
LOOKBACK = timedelta(hours=12)
# "On the day": the DM sent in the hours before the handoff.
DAY_OF = timedelta(hours=12)


def _slack_rotations(session: Session) -> list[Rotation]:
    return list(
        session.scalars(
            select(Rotation)
            .where(
                Rotation.archived.is_(False),
                or_(Rotation.slack_channel != "", Rotation.slack_usergroup != ""),
            )
            .order_by(Rotation.id)
        )
    )


def _reading_of(result: readiness.ShiftReadiness | None) -> blocks.Reading:
    if result is None:
        return blocks.Reading(0, 0, None)
    return blocks.Reading(result.done, result.required, result.due_at)


def plan(session: Session, *, now: datetime, base_url: str) -> list[outbox.NewMessage]:
    """Every Slack notice due at ``now``, whether or not it was written before."""
    rotations = {r.id: r for r in _slack_rotations(session)}
    if not rotations:
        return []
    ahead = max(r.slack_dm_days_ahead for r in rotations.values())
    loaded = facts.load_reading(
        session,
        where=facts.live_shift_conditions(
            Shift.rotation_id.in_(sorted(rotations)),
            Shift.end >= now - LOOKBACK,
            Shift.start <= now + timedelta(days=ahead) + DAY_OF,
        ),
    )
    results = loaded.judge(readiness.readiness, now=now)
    reading = {result.shift.id: _reading_of(result) for result in results}
    messages: list[outbox.NewMessage] = []
    for rotation in rotations.values():
        shifts = [s for s in loaded.shifts if s.rotation_id == rotation.id]
        around = _Around(rotation, shifts, reading, now=now, base_url=base_url)
        messages += _handoff_messages(around) + _dm_messages(around)
    return messages


@dataclass(frozen=True)
class _Around:
    """One rotation's shifts around ``now`` with their reading: what its notices come from."""

    rotation: Rotation
    shifts: Sequence[Shift]
    reading: dict[int, blocks.Reading]
    now: datetime
    base_url: str


def _handoff_messages(around: _Around) -> list[outbox.NewMessage]:
    rotation, now = around.rotation, around.now
    on_now = [s for s in around.shifts if s.start <= now < s.end]
    starts = sorted({s.start for s in on_now if s.start > now - LOOKBACK})
    messages: list[outbox.NewMessage] = []
    for start in starts:
        key = f"slack/{rotation.id}/{start.isoformat()}"
        incoming = [s for s in on_now if s.start == start]
        if rotation.slack_channel:
            handoff = blocks.Handoff(
                rotation_name=rotation.name,
                rotation_url=f"{around.base_url}/rotations/{rotation.slug}",
                timezone=rotation.timezone,
                start=start,
                end=max(s.end for s in incoming),
                incoming=[
                    (s.person.name, around.reading.get(s.id, blocks.Reading(0, 0, None)))
                    for s in incoming
                    if s.person is not None
                ],
                outgoing=[s.person.name for s in around.shifts if s.end == start and s.person],
            )
            post = blocks.handoff_post(handoff)
            messages.append(
                _message(
                    kind="slack.handoff",
                    recipient=rotation.slack_channel,
                    key=f"{key}/post",
                    payload={"action": "post", "channel": rotation.slack_channel}
                    | post.as_payload(),
                )
            )
        on_shift = sorted({s.person_id for s in on_now if s.person_id is not None})
        if rotation.slack_usergroup and on_shift:
            messages.append(
                _message(
                    kind="slack.usergroup",
                    recipient=rotation.slack_usergroup,
                    key=f"{key}/usergroup",
                    payload={
                        "action": "usergroup",
                        "usergroup": rotation.slack_usergroup,
                        "person_ids": on_shift,
                        "text": f"{rotation.name}: user group set to the people on shift",
                    },
                )
            )
    return messages


def _dm_messages(around: _Around) -> list[outbox.NewMessage]:
    rotation, now = around.rotation, around.now
    messages: list[outbox.NewMessage] = []
    ahead = timedelta(days=rotation.slack_dm_days_ahead)
    for shift in around.shifts:
        if shift.person is None or not shift.person.active:
            continue
        until = shift.start - now
        if -LOOKBACK < until <= DAY_OF:
            moment = "today"
        elif DAY_OF < until <= ahead:
            moment = "ahead"
        else:
            continue
        notice = blocks.ShiftNotice(
            person_name=shift.person.name,
            rotation_name=rotation.name,
            timezone=rotation.timezone,
            start=shift.start,
            end=shift.end,
            reading=around.reading.get(shift.id, blocks.Reading(0, 0, None)),
            checklist_url=f"{around.base_url}/me/checklist",
            today=moment == "today",
            locale=choose(shift.person.locale),
        )
        dm = blocks.shift_dm(notice)
        messages.append(
            _message(
                kind=f"slack.dm.{moment}",
                recipient=shift.person.email,
                key=f"slack/dm/{moment}/{shift.id}/{shift.person.id}",
                payload={"action": "dm", "person_id": shift.person.id} | dm.as_payload(),
            )
        )
    return messages


def _message(
    *, kind: str, recipient: str, key: str, payload: dict[str, object]
) -> outbox.NewMessage:
    return outbox.NewMessage(
        kind=kind,
        channel=CHANNEL,
        recipient=recipient,
        dedupe_key=key,
        subject=kind,
        body=str(payload.get("text", "")),
        payload=payload,
    )
