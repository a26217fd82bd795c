"""One-time links that let a person set a password (invitations and resets), and the
password rules every way of setting one shares.

A link is ``{signed payload}`` where the payload names the link row and carries a random
secret; the signature (``itsdangerous``, salted per purpose) rejects a tampered link before
any query, the row holds only the secret's SHA-256, an expiry and when it was used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core import audit, people
from core.errors import Invalid
from core.models import CredentialLink, Person
from core.security import constant_time_equal, new_secret, secret_digest, verify_password

INVITE = "invite"
RESET = "reset"
PURPOSES = frozenset({INVITE, RESET})
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
# zxcvbn's score: 3 is "safely unguessable: moderate protection from offline attacks".
MIN_PASSWORD_SCORE = 3
# zxcvbn's run time grows with the length; the first characters decide the score anyway.
_SCORED_PREFIX = 100
_MAX_TOKEN_LENGTH = 300


class LinkRefused(Exception):
    """The link cannot be used; ``reason`` is one of tampered, unknown, used, expired, inactive."""

    def __init__(self, reason: str, *, link: CredentialLink | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.link = link


MESSAGES = {
    "tampered": "This link is not valid. Check that you copied the whole link from the email.",
    "unknown": "This link is not valid. Ask for a new one.",
    "used": "This link was already used. Each link works once; ask for a new one.",
    "expired": "This link has expired. Ask for a new one.",
    "inactive": "This account is not active.",
}


@dataclass(frozen=True)
class IssuedLink:
    link_id: int
    token: str
    expires_at: datetime


def _serializer(secret_key: str, purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=f"allhands-credential-link:{purpose}")


def password_problem(password: str, *, user_inputs: list[str]) -> str | None:
    """Why ``password`` is not acceptable, or None; judged by length and by zxcvbn."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    # Imported when a password is first judged: zxcvbn's frequency lists take about 10 MB,
    # which a worker that never sees a password set would carry for nothing.
    from zxcvbn import zxcvbn

    result: dict[str, Any] = zxcvbn(password[:_SCORED_PREFIX], user_inputs=user_inputs)
    if int(result["score"]) >= MIN_PASSWORD_SCORE:
        return None
    feedback = result.get("feedback") or {}
    hints = [str(feedback.get("warning") or ""), *[str(s) for s in feedback.get("suggestions", [])]]
    advice = " ".join(h for h in hints if h)
    return "This password is too easy to guess." + (f" {advice}" if advice else "")


def _user_inputs(person: Person) -> list[str]:
    # zxcvbn marks a password built from the person's own name or address as weak.
    return [person.email, person.email.split("@")[0], *person.name.split()]


def check_new_password(person: Person, password: str, confirm: str | None = None) -> None:
    """Raise Invalid unless ``password`` is acceptable for ``person`` (and matches ``confirm``)."""
    if confirm is not None and password != confirm:
        raise Invalid("the two passwords differ")
    problem = password_problem(password, user_inputs=_user_inputs(person))
    if problem is not None:
        raise Invalid(problem)


def issue_link(
    session: Session,
    *,
    person: Person,
    purpose: str,
    valid_for: timedelta,
    secret_key: str,
    now: datetime,
    actor: Person | None,
) -> IssuedLink:
    """A new link for ``person``; earlier unused links of the same purpose stop working."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown link purpose {purpose!r}")
    session.execute(
        update(CredentialLink)
        .where(
            CredentialLink.person_id == person.id,
            CredentialLink.purpose == purpose,
            CredentialLink.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    secret = new_secret()
    link = CredentialLink(
        person_id=person.id,
        purpose=purpose,
        secret_hash=secret_digest(secret),
        created_by_id=actor.id if actor is not None else None,
        created_at=now,
        expires_at=now + valid_for,
    )
    session.add(link)
    session.flush()
    audit.Trail(session, actor=actor, at=now).record(
        f"person.{purpose}_link",
        ("person", person.id),
        after={"link_id": link.id, "expires_at": link.expires_at.isoformat()},
    )
    token = _serializer(secret_key, purpose).dumps({"l": link.id, "s": secret})
    return IssuedLink(link_id=link.id, token=token, expires_at=link.expires_at)


def _decode(token: str, *, purpose: str, secret_key: str) -> tuple[int, str]:
    if len(token) > _MAX_TOKEN_LENGTH:
        raise LinkRefused("tampered")
    try:
        payload = _serializer(secret_key, purpose).loads(token)
    except BadSignature as exc:
        raise LinkRefused("tampered") from exc
    if not isinstance(payload, dict):
        raise LinkRefused("tampered")
    link_id, secret = payload.get("l"), payload.get("s")
    if not isinstance(link_id, int) or not isinstance(secret, str) or not 0 < link_id < 2**31:
        raise LinkRefused("tampered")
    return link_id, secret


def check_link(
    session: Session, *, token: str, purpose: str, secret_key: str, now: datetime
) -> tuple[CredentialLink, Person]:
    """The link and its person if ``token`` may be used now; LinkRefused says why not."""
    link_id, secret = _decode(token, purpose=purpose, secret_key=secret_key)
    link = session.get(CredentialLink, link_id)
    if (
        link is None
        or link.purpose != purpose
        or not constant_time_equal(link.secret_hash, secret_digest(secret))
    ):
        raise LinkRefused("unknown")
    if link.used_at is not None:
        raise LinkRefused("used", link=link)
    if link.expires_at <= now:
        raise LinkRefused("expired", link=link)
    person = people.get_person(session, link.person_id)
    if not person.active:
        raise LinkRefused("inactive", link=link)
    return link, person


def record_refusal(
    session: Session, *, refusal: LinkRefused, purpose: str, now: datetime, note: str = ""
) -> None:
    """Audit a refused link; the caller commits it although the request failed."""
    link = refusal.link
    subject = ("person", link.person_id) if link is not None else ("credential_link", "unknown")
    audit.Trail(session, actor=None, at=now).record(
        f"person.{purpose}_link_refused",
        subject,
        after={"reason": refusal.reason},
        note=note or None,
    )


def use_link(
    session: Session,
    *,
    token: str,
    purpose: str,
    password: str,
    confirm: str,
    secret_key: str,
    now: datetime,
) -> Person:
    """Set the person's password through the link and use the link up.

    Raises LinkRefused for a bad link and Invalid for an unacceptable password; either way
    nothing changes (the link stays usable after a weak password).
    """
    link, person = check_link(session, token=token, purpose=purpose, secret_key=secret_key, now=now)
    check_new_password(person, password, confirm)
    # Claim the link with a guarded UPDATE: two submissions at once cannot both use it.
    claimed = session.execute(
        update(CredentialLink)
        .where(CredentialLink.id == link.id, CredentialLink.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        raise LinkRefused("used", link=link)
    people.set_password(session, person=person, password=password)
    audit.Trail(session, actor=person, at=now).record(
        f"person.password_set_by_{purpose}", ("person", person.id), after={"link_id": link.id}
    )
    return person


def change_password(
    session: Session, *, person: Person, current: str, new: str, confirm: str, now: datetime
) -> Person:
    """Change one's own password; the current one is required when there is one."""
    if person.password_hash and not verify_password(person.password_hash, current):
        raise Invalid("the current password is wrong")
    check_new_password(person, new, confirm)
    people.set_password(session, person=person, password=new)
    audit.Trail(session, actor=person, at=now).record(
        "person.password_change", ("person", person.id)
    )
    return person


def recent_link(
    session: Session, *, person: Person, purpose: str, since: datetime
) -> CredentialLink | None:
    """An unused link of ``purpose`` issued to ``person`` at or after ``since``."""
    return session.scalars(
        select(CredentialLink)
        .where(
            CredentialLink.person_id == person.id,
            CredentialLink.purpose == purpose,
            CredentialLink.used_at.is_(None),
            CredentialLink.created_at >= since,
        )
        .limit(1)
    ).first()
