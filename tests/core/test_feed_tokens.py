"""Feed tokens: unguessable, never stored, rotated by bumping a version."""

from __future__ import annotations

import base64

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import feed_tokens
from core.models import AuditEvent, Person
from tests.conftest import DEFAULT_NOW
from tests.factories import make_person

KEY = "a-secret-key"


def test_token_is_person_id_and_a_256_bit_mac() -> None:
    token = feed_tokens.feed_token(secret_key=KEY, person_id=42, version=0)
    person_id, _, mac = token.partition("-")
    assert person_id == "42"
    assert len(base64.urlsafe_b64decode(mac + "=")) * 8 == 256
    assert feed_tokens.parse_feed_token(token) == 42
    largest = feed_tokens.feed_token(secret_key=KEY, person_id=2**31 - 1, version=0)
    assert feed_tokens.parse_feed_token(largest) == 2**31 - 1


def test_mac_depends_on_key_person_and_version() -> None:
    tokens = {
        feed_tokens.feed_token(secret_key=key, person_id=pid, version=version)
        for key in (KEY, "another-key")
        for pid in (1, 2)
        for version in (0, 1)
    }
    assert len(tokens) == 8
    again = feed_tokens.feed_token(secret_key=KEY, person_id=1, version=0)
    assert again in tokens


@given(st.text(max_size=300))
def test_parse_never_raises_and_accepts_only_the_exact_shape(text: str) -> None:
    person_id = feed_tokens.parse_feed_token(text)
    if person_id is not None:
        assert text == f"{person_id}-{text.partition('-')[2]}"
        assert len(text.partition("-")[2]) == 43


def test_garbage_is_refused_before_any_lookup() -> None:
    real = feed_tokens.feed_token(secret_key=KEY, person_id=7, version=0)
    for garbage in [
        "",
        "7",
        "7-",
        real + "x",
        real[:-1],
        "0" + real,
        real.replace("-", "."),
        "../" + real,
        "7-" + "ü" * 43,
        "1" * 11 + real[1:],
        str(2**31) + real[1:],
        real + "\n",
    ]:
        assert feed_tokens.parse_feed_token(garbage) is None, garbage


def test_holder_needs_the_current_version_and_an_active_person(session: Session) -> None:
    person = make_person(session, name="Ana")
    token = feed_tokens.token_for(secret_key=KEY, person=person)

    holder = feed_tokens.holder_for_token(session, secret_key=KEY, token=token)
    assert holder == feed_tokens.FeedHolder(person_id=person.id, name="Ana", token_version=0)
    assert feed_tokens.holder_for_token(session, secret_key="other", token=token) is None
    forged = feed_tokens.feed_token(secret_key=KEY, person_id=person.id + 1000, version=0)
    assert feed_tokens.holder_for_token(session, secret_key=KEY, token=forged) is None

    person.active = False
    session.flush()
    assert feed_tokens.holder_for_token(session, secret_key=KEY, token=token) is None


def test_rotation_bumps_the_version_audits_and_stores_no_token(session: Session) -> None:
    person = make_person(session)
    old = feed_tokens.token_for(secret_key=KEY, person=person)

    feed_tokens.rotate_feed_token(session, person=person, now=DEFAULT_NOW)

    new = feed_tokens.token_for(secret_key=KEY, person=person)
    assert new != old
    assert feed_tokens.holder_for_token(session, secret_key=KEY, token=old) is None
    assert feed_tokens.holder_for_token(session, secret_key=KEY, token=new) is not None
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "person.rotate_feed_token")
    ).one()
    assert (event.subject_id, event.after) == (str(person.id), {"feed_token_version": 1})
    stored = repr(session.execute(select(Person.__table__)).all()) + repr(
        session.execute(select(AuditEvent.__table__)).all()
    )
    for token in (old, new):
        assert token.partition("-")[2] not in stored
