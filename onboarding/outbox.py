"""The outbox: reminders written once under a unique dedupe key, claimed, then marked sent.

Writing uses INSERT … ON CONFLICT DO NOTHING, so any number of concurrent runs write each
key once. Sending claims rows in a short transaction (SKIP LOCKED on PostgreSQL; SQLite
serialises writers), sends after that commits, and marks ``sent_at`` afterwards; a failed
send releases the claim and is retried by the next run.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from core import audit, upserts
from onboarding.models import OutboxMessage

# A run that claimed messages and then died leaves them claimed; after this long another
# run may take them over (one late duplicate beats a reminder that never arrives).
CLAIM_LEASE = timedelta(minutes=15)
MAX_ATTEMPTS = 10
INSERT_BATCH = 500


@dataclass(frozen=True)
class NewMessage:
    kind: str
    channel: str
    recipient: str
    dedupe_key: str
    subject: str
    body: str
    payload: dict[str, Any]

    def as_pending(self) -> PendingMessage:
        """The message as a run would claim it, before it is written (a dry run's preview)."""
        return PendingMessage(**vars(self), id=0, attempts=0)


def email(
    *,
    kind: str,
    to: tuple[int, str, str],
    dedupe_key: str,
    subject: str,
    body: str,
    **payload: Any,
) -> NewMessage:
    """An email to ``to`` = (person id, name, address), keyed ``{dedupe_key}/email``."""
    person_id, name, address = to
    return NewMessage(
        kind=kind, channel="email", recipient=address, dedupe_key=f"{dedupe_key}/email",
        subject=subject, body=body,
        payload={"recipient_id": person_id, "recipient_name": name, **payload},
    )  # fmt: skip


@dataclass(frozen=True)
class PendingMessage(NewMessage):
    id: int
    attempts: int


def enqueue(session: Session, *, messages: Sequence[NewMessage], now: datetime) -> list[str]:
    """Write the messages whose keys are new; returns the keys this call wrote."""
    written: list[str] = []
    for offset in range(0, len(messages), INSERT_BATCH):
        batch = messages[offset : offset + INSERT_BATCH]
        statement = (
            upserts.insert(session, OutboxMessage)
            .values(
                [
                    {
                        "kind": m.kind,
                        "channel": m.channel,
                        "recipient": m.recipient,
                        "dedupe_key": m.dedupe_key,
                        "subject": m.subject,
                        "body": m.body,
                        "payload": m.payload,
                        "created_at": now,
                        "attempts": 0,
                    }
                    for m in batch
                ]
            )
            .on_conflict_do_nothing(index_elements=[OutboxMessage.dedupe_key])
            .returning(OutboxMessage.id, OutboxMessage.dedupe_key)
        )
        for message_id, key in session.execute(statement):
            written.append(key)
            audit.Trail(session, actor=None, at=now).record(
                "reminder.queue", ("outbox_message", message_id), after={"dedupe_key": key}
            )
    session.flush()
    return written


def existing_keys(session: Session, *, keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` the outbox already holds (sent or not)."""
    wanted = list(keys)
    found: set[str] = set()
    for offset in range(0, len(wanted), INSERT_BATCH):
        found.update(
            session.scalars(
                select(OutboxMessage.dedupe_key).where(
                    OutboxMessage.dedupe_key.in_(wanted[offset : offset + INSERT_BATCH])
                )
            )
        )
    return found


def _claimable(now: datetime, channels: Collection[str] | None = None) -> list[Any]:
    conditions = [
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.attempts < MAX_ATTEMPTS,
        or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < now - CLAIM_LEASE),
        or_(OutboxMessage.not_before.is_(None), OutboxMessage.not_before <= now),
    ]
    if channels is not None:
        conditions.append(OutboxMessage.channel.in_(sorted(channels)))
    return conditions


# In the order of PendingMessage's fields.
_COLUMNS = (
    OutboxMessage.kind,
    OutboxMessage.channel,
    OutboxMessage.recipient,
    OutboxMessage.dedupe_key,
    OutboxMessage.subject,
    OutboxMessage.body,
    OutboxMessage.payload,
    OutboxMessage.id,
    OutboxMessage.attempts,
)


def pending(
    session: Session, *, now: datetime, channels: Collection[str] | None = None
) -> list[PendingMessage]:
    """Unsent messages a run could claim now, without claiming them (for --dry-run)."""
    rows = session.execute(
        select(*_COLUMNS).where(*_claimable(now, channels)).order_by(OutboxMessage.id)
    )
    return [PendingMessage(*row) for row in rows]


# An arbitrary constant naming the outbox claim lock among PostgreSQL advisory locks.
CLAIM_LOCK_KEY = 0x616C6C68  # "allh"


def claim(
    session: Session, *, now: datetime, channels: Collection[str] | None = None
) -> list[PendingMessage]:
    """Mark every claimable message as claimed by this run and return them, by id.

    Rows another run has locked are skipped, and a row claimed since this statement
    started fails the re-checked condition, so no message is claimed twice. On PostgreSQL
    claims also queue on one transaction-scoped advisory lock: without it two runs could
    each take part of one person's messages and send that person two digests instead of
    one. The claim transaction is a single short UPDATE, so queueing on it costs nothing.
    (SQLite serialises writers already.) ``channels`` limits the claim to those channels.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(CLAIM_LOCK_KEY)))
    candidates = (
        select(OutboxMessage.id)
        .where(*_claimable(now, channels))
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return _claim_where(session, OutboxMessage.id.in_(candidates), now=now, channels=channels)


def claim_messages(
    session: Session, *, message_ids: Sequence[int], now: datetime
) -> list[PendingMessage]:
    """Claim these messages, if still claimable, for a send right now (an invitation).

    The same guarded UPDATE as ``claim``: a concurrent ``allhands notify`` run gets each
    message or this call does, never both.
    """
    if not message_ids:
        return []
    return _claim_where(session, OutboxMessage.id.in_(list(message_ids)), now=now)


def _claim_where(
    session: Session,
    which: ColumnElement[bool],
    *,
    now: datetime,
    channels: Collection[str] | None = None,
) -> list[PendingMessage]:
    """Claim the messages ``which`` picks that are still claimable (re-checked), by id."""
    statement = (
        update(OutboxMessage)
        .where(which, *_claimable(now, channels))
        .values(claimed_at=now)
        .returning(*_COLUMNS)
        .execution_options(synchronize_session=False)
    )
    rows = sorted(session.execute(statement), key=lambda row: row.id)
    return [PendingMessage(*row) for row in rows]


def queue_then_claim(
    sessions: sessionmaker[Session],
    *,
    plan: Callable[[Session], Sequence[NewMessage]],
    channels: Collection[str],
    now: datetime,
) -> tuple[int, list[PendingMessage]]:
    """Write what ``plan`` gives, then claim the channels' due messages, each step its own
    short unit of work; (how many were newly queued, the claimed messages)."""
    with sessions() as session, session.begin():
        queued = len(enqueue(session, messages=plan(session), now=now))
    with sessions() as session, session.begin():
        return queued, claim(session, now=now, channels=channels)


def mark_sent(session: Session, *, message_ids: Sequence[int], now: datetime) -> None:
    """Record a successful send of these messages."""
    _settle(
        session,
        message_ids=message_ids,
        values={"sent_at": now, "last_error": None},
        action="reminder.send",
        now=now,
    )


def mark_failed(
    session: Session,
    *,
    message_ids: Sequence[int],
    error: str,
    now: datetime,
    retry_at: datetime | None = None,
) -> None:
    """Record a failed send and release the claim so a later run retries (not before
    ``retry_at`` when given)."""
    _settle(
        session,
        message_ids=message_ids,
        values={"claimed_at": None, "last_error": error[:2000], "not_before": retry_at},
        action="reminder.fail",
        now=now,
        note=error[:500],
    )


def _settle(
    session: Session,
    *,
    message_ids: Sequence[int],
    values: dict[str, Any],
    action: str,
    now: datetime,
    note: str | None = None,
) -> None:
    """Count a send attempt of the unsent messages among ``message_ids``, set ``values`` on
    them, and audit each."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.sent_at.is_(None))
        .values(attempts=OutboxMessage.attempts + 1, **values)
        .execution_options(synchronize_session=False)
    )
    for message_id in message_ids:
        audit.Trail(session, actor=None, at=now).record(
            action, ("outbox_message", message_id), note=note
        )
    session.flush()
