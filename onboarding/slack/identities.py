"""Who each person is in Slack: looked up by email (``users.lookupByEmail``) and cached.

A found id is kept until a send to it fails (then it is forgotten and looked up again); a
person Slack does not know is looked up again after a day, and meanwhile carries a note
that the readiness page shows. Nobody missing from Slack is ever an error.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core import upserts
from core.models import Person
from onboarding.slack.client import SlackClient
from onboarding.slack.models import SlackIdentity

RECHECK_MISSING_AFTER = timedelta(days=1)


def _upsert(session: Session, rows: list[dict[str, object]]) -> None:
    # Two runs may look the same person up at once; the later answer wins, both are right.
    upserts.upsert(
        session,
        SlackIdentity,
        rows,
        keys=[SlackIdentity.person_id],
        update=("slack_user_id", "checked_at", "note"),
    )


def resolve(
    session: Session, *, client: SlackClient, person_ids: Collection[int], now: datetime
) -> dict[int, str | None]:
    """Slack user ids of these people (None: not in Slack), looking up those not cached."""
    wanted = sorted(set(person_ids))
    if not wanted:
        return {}
    known = {
        row.person_id: row
        for row in session.scalars(select(SlackIdentity).where(SlackIdentity.person_id.in_(wanted)))
    }
    found: dict[int, str | None] = {}
    stale: list[int] = []
    for person_id in wanted:
        row = known.get(person_id)
        fresh = row is not None and (
            row.slack_user_id is not None or row.checked_at > now - RECHECK_MISSING_AFTER
        )
        if row is not None and fresh:
            found[person_id] = row.slack_user_id
        else:
            stale.append(person_id)
    people = session.execute(select(Person.id, Person.email).where(Person.id.in_(stale)))
    rows: list[dict[str, object]] = []
    for person_id, email in people:
        user_id = client.lookup_user(email=email)
        found[person_id] = user_id
        note = "" if user_id else f"No Slack account uses {email}; Slack messages are skipped."
        rows.append(
            {"person_id": person_id, "slack_user_id": user_id, "checked_at": now, "note": note}
        )
    _upsert(session, rows)
    return found


def person_for(
    session: Session, *, client: SlackClient | None, slack_user_id: str, now: datetime
) -> Person | None:
    """The active person behind a Slack user: the cached link, else the email on their Slack
    profile (``users.info``), which is then cached. None when nobody matches."""
    person = session.scalars(
        select(Person)
        .join(SlackIdentity, SlackIdentity.person_id == Person.id)
        .where(SlackIdentity.slack_user_id == slack_user_id)
    ).first()
    if person is None and client is not None:
        email = client.user_email(user_id=slack_user_id)
        if email:
            person = session.scalars(
                select(Person).where(func.lower(Person.email) == email.lower())
            ).first()
        if person is not None:
            _upsert(
                session,
                [
                    {
                        "person_id": person.id,
                        "slack_user_id": slack_user_id,
                        "checked_at": now,
                        "note": "",
                    }
                ],
            )
    return person if person is not None and person.active else None


def forget(session: Session, *, slack_user_id: str) -> None:
    """Drop a cached id Slack refused, so the next run looks the person up again."""
    session.execute(delete(SlackIdentity).where(SlackIdentity.slack_user_id == slack_user_id))


def notes(session: Session, *, person_ids: Collection[int]) -> dict[int, str]:
    """Why Slack messages to these people are skipped, for those that have a note."""
    return {
        person_id: note
        for person_id, note in session.execute(
            select(SlackIdentity.person_id, SlackIdentity.note).where(
                SlackIdentity.person_id.in_(sorted(set(person_ids))), SlackIdentity.note != ""
            )
        )
    }
