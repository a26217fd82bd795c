"""One-time password links and the password rules, against the real database."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import credentials
from core.errors import Invalid
from core.models import AuditEvent, CredentialLink, Person
from core.security import verify_password
from tests.conftest import DEFAULT_NOW
from tests.factories import make_person

KEY = "unit-test-key"
GOOD = "tidy walrus orbits marmalade"


def _issue(
    session: Session, person: Person, purpose: str = credentials.INVITE, hours: int = 72
) -> credentials.IssuedLink:
    return credentials.issue_link(
        session,
        person=person,
        purpose=purpose,
        valid_for=timedelta(hours=hours),
        secret_key=KEY,
        now=DEFAULT_NOW,
        actor=None,
    )


def _use(
    session: Session,
    token: str,
    *,
    password: str = GOOD,
    at: datetime = DEFAULT_NOW,
    purpose: str = credentials.INVITE,
) -> Person:
    return credentials.use_link(
        session,
        token=token,
        purpose=purpose,
        password=password,
        confirm=password,
        secret_key=KEY,
        now=at,
    )


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short", "at least 10"),
        ("password123", "too easy"),
        ("ana.devries1", "too easy"),
        ("x" * 201, "at most 200"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, fragment: str) -> None:
    problem = credentials.password_problem(
        password, user_inputs=["ana.devries@example.com", "ana.devries"]
    )
    assert problem is not None and fragment in problem


def test_a_long_passphrase_is_accepted() -> None:
    assert credentials.password_problem(GOOD, user_inputs=[]) is None


def test_a_link_sets_the_password_once(session: Session) -> None:
    person = make_person(session, email="ana@example.com")
    epoch = person.session_epoch
    issued = _issue(session, person)
    stored = session.get(CredentialLink, issued.link_id)
    assert stored is not None and issued.token not in stored.secret_hash
    assert _use(session, issued.token) is person
    assert verify_password(person.password_hash, GOOD)
    assert person.session_epoch == epoch + 1
    with pytest.raises(credentials.LinkRefused) as refused:
        _use(session, issued.token, password="another quiet lighthouse")
    assert refused.value.reason == "used"
    assert verify_password(person.password_hash, GOOD)


def test_expired_tampered_and_wrong_purpose_links_are_refused(session: Session) -> None:
    person = make_person(session)
    issued = _issue(session, person, hours=1)
    with pytest.raises(credentials.LinkRefused) as expired:
        _use(session, issued.token, at=DEFAULT_NOW + timedelta(hours=1))
    assert expired.value.reason == "expired"
    tampered = issued.token[:-2] + ("AA" if not issued.token.endswith("AA") else "BB")
    with pytest.raises(credentials.LinkRefused) as bad:
        _use(session, tampered)
    assert bad.value.reason == "tampered"
    # An invitation is no reset link: the signature is salted per purpose.
    with pytest.raises(credentials.LinkRefused) as other:
        _use(session, issued.token, purpose=credentials.RESET)
    assert other.value.reason == "tampered"
    with pytest.raises(credentials.LinkRefused) as foreign:
        credentials.check_link(
            session,
            token=issued.token,
            purpose=credentials.INVITE,
            secret_key="other",
            now=DEFAULT_NOW,
        )
    assert foreign.value.reason == "tampered"
    assert person.password_hash is None


def test_a_new_link_replaces_the_old_one(session: Session) -> None:
    person = make_person(session)
    first = _issue(session, person)
    second = _issue(session, person)
    with pytest.raises(credentials.LinkRefused) as refused:
        _use(session, first.token)
    assert refused.value.reason == "used"
    _use(session, second.token)


def test_a_weak_password_leaves_the_link_usable(session: Session) -> None:
    person = make_person(session, name="Ana de Vries")
    issued = _issue(session, person)
    with pytest.raises(Invalid):
        _use(session, issued.token, password="anadevries")
    assert person.password_hash is None
    _use(session, issued.token)


def test_deactivated_people_cannot_use_their_link(session: Session) -> None:
    person = make_person(session)
    issued = _issue(session, person)
    person.active = False
    with pytest.raises(credentials.LinkRefused) as refused:
        _use(session, issued.token)
    assert refused.value.reason == "inactive"


def test_changing_a_password_needs_the_current_one(session: Session) -> None:
    person = make_person(session, password="old passphrase here")
    with pytest.raises(Invalid, match="current password"):
        credentials.change_password(
            session, person=person, current="wrong", new=GOOD, confirm=GOOD, now=DEFAULT_NOW
        )
    with pytest.raises(Invalid, match="differ"):
        credentials.change_password(
            session,
            person=person,
            current="old passphrase here",
            new=GOOD,
            confirm=GOOD + "x",
            now=DEFAULT_NOW,
        )
    credentials.change_password(
        session,
        person=person,
        current="old passphrase here",
        new=GOOD,
        confirm=GOOD,
        now=DEFAULT_NOW,
    )
    assert verify_password(person.password_hash, GOOD)
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_id == str(person.id))
    ).all()
    assert "person.password_change" in actions
