"""Invitations and password resets: issue the one-time link and email it through the outbox.

The email is written to the outbox in the request's own transaction (so it exists exactly
when the link does) and sent right after that transaction commits; a send that fails, or a
process that dies first, leaves it queued for ``allhands notify``, which claims it like any
other message, so it goes out once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core import audit, credentials, people
from core.i18n import choose, format_when, gettext
from core.models import Person
from core.settings import Settings
from onboarding import delivery, outbox
from onboarding.models import OutboxMessage

# A second reset request within this time sends nothing new: the first email is on its way.
RESET_REQUEST_PAUSE = timedelta(minutes=2)


@dataclass(frozen=True)
class Invitation:
    url: str
    expires_at: datetime | None
    # Outbox messages to send once the request's transaction has committed.
    message_ids: list[int] = field(default_factory=list)


def _expiry_text(expires_at: datetime, person: Person) -> str:
    lang = choose(person.locale)
    if lang != "en":
        return format_when(expires_at, locale=lang, zone=person.timezone)
    local = expires_at.astimezone(ZoneInfo(person.timezone))
    return local.strftime("%A %d %B %Y, %H:%M ") + person.timezone


def _invitation_text(
    person: Person, *, url: str, expires_at: datetime | None, actor: Person | None
) -> tuple[str, str]:
    lang = choose(person.locale)
    intro = (
        gettext(
            lang,
            "%(inviter)s invited you to allhands, where your support rotations, shifts and "
            "required reading live.",
            inviter=actor.name,
        )
        if actor is not None
        else gettext(
            lang,
            "You are invited to allhands, where your support rotations, shifts and required "
            "reading live.",
        )
    )
    lines = [gettext(lang, "Hello %(name)s,", name=person.name), "", intro, ""]
    if expires_at is None:
        lines += [gettext(lang, "Sign in with your company account here:"), url]
    else:
        lines += [
            gettext(lang, "Choose your password here (the link works once):"),
            url,
            "",
            gettext(
                lang, "The link is valid until %(until)s.", until=_expiry_text(expires_at, person)
            ),
        ]
    return gettext(lang, "Your allhands invitation"), "\n".join(lines) + "\n"


def _reset_text(person: Person, *, url: str, expires_at: datetime) -> tuple[str, str]:
    lang = choose(person.locale)
    body = "\n\n".join(
        [
            gettext(lang, "Hello %(name)s,", name=person.name),
            gettext(
                lang,
                "Someone (hopefully you) asked to reset your allhands password. Choose a new "
                "one here (the link works once):",
            )
            + f"\n{url}",
            gettext(
                lang,
                "The link is valid until %(until)s. If you did not ask, ignore this email: "
                "your password stays as it is.",
                until=_expiry_text(expires_at, person),
            ),
        ]
    )
    return gettext(lang, "Reset your allhands password"), body + "\n"


def _queue_email(
    session: Session, *, person: Person, kind: str, key: str, subject: str, body: str, now: datetime
) -> list[int]:
    message = outbox.NewMessage(
        kind=kind,
        channel="email",
        recipient=person.email,
        dedupe_key=key,
        subject=subject,
        body=body,
        payload={
            "recipient_id": person.id,
            "recipient_name": person.name,
            "locale": choose(person.locale),
        },
    )
    outbox.enqueue(session, messages=[message], now=now)
    return list(session.scalars(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)))


def _issue_link(
    session: Session,
    *,
    person: Person,
    purpose: str,
    settings: Settings,
    now: datetime,
    actor: Person | None,
) -> credentials.IssuedLink:
    """A one-use link of ``purpose`` for ``person``, valid as long as the settings say."""
    hours = (
        settings.invite_valid_hours if purpose == credentials.INVITE else settings.reset_valid_hours
    )
    return credentials.issue_link(
        session,
        person=person,
        purpose=purpose,
        valid_for=timedelta(hours=hours),
        secret_key=settings.resolved_secret_key(),
        now=now,
        actor=actor,
    )


def invite_person(
    session: Session, *, person: Person, settings: Settings, now: datetime, actor: Person | None
) -> Invitation:
    """Issue an invitation link for ``person`` and queue its email when SMTP is set up.

    With password login turned off there is no password to choose: the invitation points
    at the login page and its single sign-on button.
    """
    if settings.password_login:
        issued = _issue_link(
            session,
            person=person,
            purpose=credentials.INVITE,
            settings=settings,
            now=now,
            actor=actor,
        )
        url, expires_at = f"{settings.base_url}/invite/{issued.token}", issued.expires_at
        key = f"invite/{issued.link_id}/email"
    else:
        url, expires_at = f"{settings.base_url}/login", None
        key = f"invite/sso/{person.id}/{now.isoformat()}/email"
        audit.Trail(session, actor=actor, at=now).record(
            "person.invite_link", ("person", person.id), after={"single_sign_on": True}
        )
    if not settings.smtp_url:
        return Invitation(url=url, expires_at=expires_at)
    subject, body = _invitation_text(person, url=url, expires_at=expires_at, actor=actor)
    ids = _queue_email(
        session, person=person, kind="invitation", key=key, subject=subject, body=body, now=now
    )
    return Invitation(url=url, expires_at=expires_at, message_ids=ids)


def request_password_reset(
    session: Session, *, email: str, settings: Settings, now: datetime
) -> list[int]:
    """Queue a reset email if ``email`` belongs to an active person; ids of queued messages.

    The caller answers the same whatever happens here, so the form tells nobody which
    addresses have an account.
    """
    person = people.find_by_email(session, email) if email else None
    if person is None or not person.active or not settings.smtp_url:
        audit.Trail(session, actor=None, at=now).record(
            "person.reset_request_ignored",
            ("person", person.id if person is not None else "unknown"),
            note="no active account" if settings.smtp_url else "email is not set up",
        )
        return []
    pause_start = now - RESET_REQUEST_PAUSE
    if credentials.recent_link(
        session, person=person, purpose=credentials.RESET, since=pause_start
    ):
        return []
    issued = _issue_link(
        session, person=person, purpose=credentials.RESET, settings=settings, now=now, actor=None
    )
    subject, body = _reset_text(
        person, url=f"{settings.base_url}/reset/{issued.token}", expires_at=issued.expires_at
    )
    key = f"reset/{issued.link_id}/email"
    return _queue_email(
        session, person=person, kind="password_reset", key=key, subject=subject, body=body, now=now
    )


def send_now(
    sessions: sessionmaker[Session], *, message_ids: list[int], settings: Settings, now: datetime
) -> int:
    """Send these queued emails now (after the request committed); returns how many went out.

    Each message is claimed first, so one that ``allhands notify`` took meanwhile is left
    to it; a failed send is released for the next ``allhands notify`` run.
    """
    if not message_ids or not settings.smtp_url:
        return 0
    transport = delivery.EmailTransport(
        delivery.parse_smtp_url(settings.smtp_url), sender=settings.smtp_from
    )
    with sessions() as session, session.begin():
        claimed = outbox.claim_messages(session, message_ids=message_ids, now=now)
    sent = 0
    for message in claimed:
        name = str(message.payload.get("recipient_name") or message.recipient)
        error: str | None = None
        try:
            transport.send(
                delivery.Outgoing(message.recipient, name, message.subject, message.body)
            )
        except Exception as exc:  # any failure of the mail server: retried by `allhands notify`
            error = f"{type(exc).__name__}: {exc}"
        with sessions() as session, session.begin():
            if error is None:
                outbox.mark_sent(session, message_ids=[message.id], now=now)
                sent += 1
            else:
                outbox.mark_failed(session, message_ids=[message.id], error=error, now=now)
    return sent
