"""Who an OpenID Connect sign-in lets in, once the provider's answer has been verified.

A person is found by their email address, which the provider must vouch for; a new person
is created only when the address is in one of the allowed domains. Every refusal is
audited in its own transaction, since the request that carried it changes nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from core import audit, people
from core.models import Person
from core.schemas import PersonCreate

TRUE_VALUES = (True, "true", "True")


@dataclass(frozen=True)
class Outcome:
    person_id: int = 0
    epoch: int = 0
    name: str = ""
    # A REFUSALS key of the sign-in page when nobody is let in.
    refusal: str | None = None


def _refuse(session: Session, *, reason: str, now: datetime, client: str, email: str = "") -> None:
    key, _, detail = reason.partition(":")
    audit.Trail(session, actor=None, at=now).record(
        "auth.oidc_refused",
        ("person", email or "unknown"),
        after={"reason": key},
        note=f"from {client}" + (f": {detail[:400]}" if detail else ""),
    )


def record_refusal(
    sessions: sessionmaker[Session], *, reason: str, now: datetime, client: str
) -> None:
    """Audit a sign-in whose answer from the provider was refused."""
    with sessions() as session, session.begin():
        _refuse(session, reason=reason, now=now, client=client)


def email_is_verified(claims: Mapping[str, Any]) -> bool:
    """Whether the provider vouches for the address: ``email_verified``, or Entra ID's
    ``xms_edov`` (the email domain is verified by the tenant)."""
    return claims.get("email_verified") in TRUE_VALUES or claims.get("xms_edov") in TRUE_VALUES


def _new_person(
    session: Session, *, email: str, claims: Mapping[str, Any], now: datetime
) -> Person | None:
    name = str(claims.get("name") or "").strip() or email.split("@")[0]
    try:
        data = PersonCreate(email=email, name=name[:200])
    except ValidationError:
        return None
    person = people.create_person(session, data=data, now=now, actor=None)
    audit.Trail(session, actor=None, at=now).record(
        "person.created_at_sign_in",
        ("person", person.id),
        note=f"OpenID Connect subject {str(claims.get('sub'))[:200]}",
    )
    return person


def _decide(
    session: Session,
    *,
    claims: Mapping[str, Any],
    allowed_domains: frozenset[str],
    now: datetime,
) -> tuple[Person | None, str | None]:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        return None, "no_email"
    email = email.strip().lower()
    if not email_is_verified(claims):
        return None, "unverified_email"
    person = people.find_by_email(session, email)
    if person is None and email.rsplit("@", 1)[1] in allowed_domains:
        person = _new_person(session, email=email, claims=claims, now=now)
    if person is None:
        return None, "no_account"
    if not person.active:
        return None, "inactive"
    return person, None


def sign_in_with_claims(
    sessions: sessionmaker[Session],
    *,
    claims: Mapping[str, Any],
    allowed_domains: frozenset[str],
    now: datetime,
    client: str,
) -> Outcome:
    """Let in the person the verified ``claims`` name, or say why not (audited)."""
    with sessions() as session, session.begin():
        person, refusal = _decide(session, claims=claims, allowed_domains=allowed_domains, now=now)
        email = str(claims.get("email") or "")[:320]
        if person is None:
            _refuse(session, reason=refusal or "no_account", now=now, client=client, email=email)
            return Outcome(refusal=refusal)
        audit.Trail(session, actor=person, at=now).record(
            "person.sign_in_oidc", ("person", person.id), note=f"from {client}"
        )
        return Outcome(person_id=person.id, epoch=person.session_epoch, name=person.name)
