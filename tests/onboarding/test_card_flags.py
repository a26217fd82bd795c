"""Flags on cards: reported by a reader, emailed to the verifier, resolved with or without a
change; a major change asks only the people on upcoming shifts that require the card to
read it again."""

from __future__ import annotations

import html
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb_links.models import Card, CardFlag
from onboarding.models import OutboxMessage
from tests.conftest import DEFAULT_NOW
from tests.factories import (
    headers_for,
    make_card,
    make_card_set,
    make_person,
    make_requirement,
    make_rotation,
    make_shift,
)
from tests.web.rotation_page_helpers import PASSWORD, log_in, post


def outbox(session: Session, kind: str) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def test_a_reader_flags_a_card_and_the_verifier_hears(client: TestClient, session: Session) -> None:
    vic = make_person(session, name="Vic", email="vic@example.com")
    ana = make_person(session, name="Ana")
    card = make_card(session, title="Refunds", verifier=vic)
    url = f"/api/v1/cards/{card.id}/flags"
    made = client.post(
        url, json={"comment": "The limit is 500, not 300"}, headers=headers_for(session, ana)
    )
    assert made.status_code == 201
    body = made.json()
    assert (body["card_id"], body["author_id"], body["status"]) == (card.id, ana.id, "open")
    [email] = outbox(session, "card-flag")
    assert email.recipient == "vic@example.com"
    assert (
        "The limit is 500, not 300" in email.body and f"/cards/{card.id}/edit#flags" in email.body
    )
    listed = client.get(url, headers=headers_for(session, ana)).json()
    assert [f["comment"] for f in listed] == ["The limit is 500, not 300"]


def test_a_blank_comment_is_refused_and_nothing_is_written(
    client: TestClient, session: Session
) -> None:
    card = make_card(session, verifier=make_person(session))
    ana = make_person(session)
    for comment in ("", "   ", "x" * 5001):
        answer = client.post(
            f"/api/v1/cards/{card.id}/flags",
            json={"comment": comment},
            headers=headers_for(session, ana),
        )
        assert answer.status_code == 422
    assert session.scalar(select(func.count()).select_from(CardFlag)) == 0
    assert (
        client.post(
            "/api/v1/cards/999999/flags", json={"comment": "x"}, headers=headers_for(session, ana)
        ).status_code
        == 404
    )


def _flagged(session: Session) -> tuple[Card, CardFlag, dict[str, object]]:
    vic = make_person(session, name="Vic")
    ana, bo, cy, di = (make_person(session, name=n) for n in ("Ana", "Bo", "Cy", "Di"))
    card = make_card(session, title="Refunds", verifier=vic)
    needs = make_rotation(session, timezone="UTC", members=[ana, bo, di])
    other = make_rotation(session, timezone="UTC", members=[cy])
    make_requirement(session, rotation=needs, card_set=make_card_set(session, cards=[card]))
    make_requirement(
        session, rotation=other, card_set=make_card_set(session, cards=[make_card(session)])
    )
    make_shift(session, rotation=needs, person=ana, start=DEFAULT_NOW + timedelta(days=5))
    # Ended yesterday: nothing to read again.
    make_shift(session, rotation=needs, person=bo, start=DEFAULT_NOW - timedelta(days=8), days=7)
    # Too far ahead: its reading is not assigned yet; it will be, at the new version.
    make_shift(session, rotation=needs, person=di, start=DEFAULT_NOW + timedelta(days=60))
    make_shift(session, rotation=other, person=cy, start=DEFAULT_NOW + timedelta(days=5))
    flag = CardFlag(
        card_id=card.id, author_id=ana.id, comment="Wrong limit", created_at=DEFAULT_NOW
    )
    session.add(flag)
    session.flush()
    return card, flag, {"vic": vic, "ana": ana, "cy": cy}


def test_a_major_resolution_is_read_again_only_where_required(
    client: TestClient, session: Session
) -> None:
    card, flag, people = _flagged(session)
    url = f"/api/v1/cards/{card.id}/flags/{flag.id}/resolve"
    refused = client.post(
        url, json={"change": "major"}, headers=headers_for(session, people["ana"])
    )  # type: ignore[arg-type]
    assert refused.status_code == 403
    done = client.post(
        url, json={"change": "major", "note": "Limit raised to 500"},
        headers=headers_for(session, people["vic"]),  # type: ignore[arg-type]
    )  # fmt: skip
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["change"]) == ("resolved", "major")
    session.refresh(card)
    assert card.version == 2
    [reread] = outbox(session, "reread")
    assert reread.recipient == people["ana"].email  # type: ignore[attr-defined]
    assert "Limit raised to 500" in reread.body
    again = client.post(url, json={"change": "none"}, headers=headers_for(session, people["vic"]))  # type: ignore[arg-type]
    assert again.status_code == 409


def test_a_minor_resolution_keeps_the_version(client: TestClient, session: Session) -> None:
    card, flag, people = _flagged(session)
    url = f"/api/v1/cards/{card.id}/flags/{flag.id}/resolve"
    done = client.post(url, json={"change": "minor"}, headers=headers_for(session, people["vic"]))  # type: ignore[arg-type]
    assert done.status_code == 200
    session.refresh(card)
    assert card.version == 1 and outbox(session, "reread") == []
    bad = client.post(url, json={"change": "huge"}, headers=headers_for(session, people["vic"]))  # type: ignore[arg-type]
    assert bad.status_code == 422


def test_flags_from_the_checklist_and_resolved_on_the_card_page(
    client: TestClient, session: Session
) -> None:
    manager = make_person(session, name="Mia", password=PASSWORD)
    ana = make_person(session, name="Ana", password=PASSWORD)
    card = make_card(session, title="Refunds", verifier=manager)
    rotation = make_rotation(session, timezone="UTC", members=[ana], managers=[manager])
    make_requirement(session, rotation=rotation, card_set=make_card_set(session, cards=[card]))
    make_shift(session, rotation=rotation, person=ana, start=DEFAULT_NOW + timedelta(days=5))
    log_in(client, ana)
    checklist = client.get("/me/checklist").text
    assert f'action="/cards/{card.id}/flags"' in checklist
    sent = post(
        client, f"/cards/{card.id}/flags", {"comment": "Missing the EU rule"}, page="/me/checklist"
    )
    assert sent.status_code == 303
    assert "is flagged" in html.unescape(client.get("/me/checklist").text)
    log_in(client, manager)
    page = html.unescape(client.get(f"/cards/{card.id}/edit").text)
    assert "Missing the EU rule" in page and "Resolve this flag" in page
    flag = session.scalars(select(CardFlag)).one()
    resolved = post(
        client,
        f"/cards/{card.id}/flags/{flag.id}/resolve",
        {"change": "major", "note": "EU rule added"},
    )
    assert resolved.status_code == 303
    session.refresh(card)
    assert card.version == 2
    assert "EU rule added" in client.get(f"/cards/{card.id}/edit").text
