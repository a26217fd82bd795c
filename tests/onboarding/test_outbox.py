"""The outbox: unique keys written once, claims that exclude each other, retries after failure."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import FixedClock
from core.models import AuditEvent
from onboarding import outbox
from onboarding.models import OutboxMessage


def message(key: str, recipient: str = "ana@example.com") -> outbox.NewMessage:
    return outbox.NewMessage(
        kind="assign",
        channel="email",
        recipient=recipient,
        dedupe_key=key,
        subject=f"About {key}",
        body="Read it.",
        payload={"reminder": key},
    )


def rows(session: Session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_each_key_is_written_once(session: Session, clock: FixedClock) -> None:
    now = clock.now()
    assert outbox.enqueue(session, messages=[message("a"), message("b")], now=now) == ["a", "b"]
    assert outbox.enqueue(session, messages=[message("b"), message("c")], now=now) == ["c"]
    assert [r.dedupe_key for r in rows(session)] == ["a", "b", "c"]
    queued = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "reminder.queue")
    ).all()
    assert len(queued) == 3
    assert outbox.existing_keys(session, keys=["a", "c", "zzz"]) == {"a", "c"}


def test_large_batches_are_written_in_chunks(session: Session, clock: FixedClock) -> None:
    keys = [f"k{i}" for i in range(outbox.INSERT_BATCH * 2 + 7)]
    written = outbox.enqueue(session, messages=[message(k) for k in keys], now=clock.now())
    assert sorted(written) == sorted(keys)


def test_a_claim_takes_everything_unsent_once(session: Session, clock: FixedClock) -> None:
    now = clock.now()
    outbox.enqueue(session, messages=[message("a"), message("b")], now=now)
    claimed = outbox.claim(session, now=now)
    assert [m.dedupe_key for m in claimed] == ["a", "b"]
    assert outbox.claim(session, now=now) == []
    assert outbox.pending(session, now=now) == []
    assert all(r.claimed_at == now for r in rows(session))


def test_sent_messages_are_never_claimed_again(session: Session, clock: FixedClock) -> None:
    now = clock.now()
    outbox.enqueue(session, messages=[message("a")], now=now)
    (claimed,) = outbox.claim(session, now=now)
    outbox.mark_sent(session, message_ids=[claimed.id], now=now)
    (row,) = rows(session)
    assert (row.sent_at, row.attempts, row.last_error) == (now, 1, None)
    later = now + timedelta(days=1)
    assert outbox.claim(session, now=later) == []


def test_a_failed_send_is_retried_by_the_next_run(session: Session, clock: FixedClock) -> None:
    now = clock.now()
    outbox.enqueue(session, messages=[message("a")], now=now)
    (claimed,) = outbox.claim(session, now=now)
    outbox.mark_failed(session, message_ids=[claimed.id], error="ConnectionRefused", now=now)
    (row,) = rows(session)
    assert (row.sent_at, row.claimed_at, row.attempts) == (None, None, 1)
    assert row.last_error == "ConnectionRefused"
    (again,) = outbox.claim(session, now=now)
    assert again.id == claimed.id and again.attempts == 1


def test_a_claim_abandoned_by_a_crashed_run_expires(session: Session, clock: FixedClock) -> None:
    now = clock.now()
    outbox.enqueue(session, messages=[message("a")], now=now)
    assert len(outbox.claim(session, now=now)) == 1
    assert outbox.claim(session, now=now + outbox.CLAIM_LEASE) == []
    retaken = outbox.claim(session, now=now + outbox.CLAIM_LEASE + timedelta(seconds=1))
    assert [m.dedupe_key for m in retaken] == ["a"]


def test_a_message_that_keeps_failing_is_given_up(session: Session, clock: FixedClock) -> None:
    now = clock.now()
    outbox.enqueue(session, messages=[message("a")], now=now)
    for _ in range(outbox.MAX_ATTEMPTS):
        (claimed,) = outbox.claim(session, now=now)
        outbox.mark_failed(session, message_ids=[claimed.id], error="down", now=now)
    assert outbox.claim(session, now=now) == []
    assert rows(session)[0].attempts == outbox.MAX_ATTEMPTS
