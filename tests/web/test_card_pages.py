"""The card registry pages, driven through forms as members, verifiers, managers and admins."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import AuditEvent, Person
from kb_links.models import Card, CardRevision
from tests.conftest import DEFAULT_NOW
from tests.factories import make_card, make_manager, make_person
from tests.probes import table_state
from tests.querycount import count_statements
from tests.web.test_auth_pages import csrf_from, login

PASSWORD = "a long password"
STALE_AT = DEFAULT_NOW - timedelta(days=100)  # older than the default 90-day interval


def login_member(client: TestClient, session: Session, **kwargs: object) -> Person:
    person = make_person(session, password=PASSWORD, **kwargs)  # type: ignore[arg-type]
    assert login(client, person.email, PASSWORD)[0] == 303
    return person


def login_manager(client: TestClient, session: Session) -> Person:
    person = make_manager(session, password=PASSWORD, timezone="Europe/Amsterdam")
    assert login(client, person.email, PASSWORD)[0] == 303
    return person


def login_admin(client: TestClient, session: Session) -> Person:
    return login_member(client, session, is_admin=True)


def row_of(page: str, card: Card) -> str:
    match = re.search(rf'<tr id="card-{card.id}"[^>]*>.*?</tr>', page, re.S)
    assert match, f"card {card.id} is not listed"
    return match.group(0)


def listed_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr id="card-(\d+)"', page)]


def post_form(client: TestClient, path: str, data: dict[str, str]) -> httpx.Response:
    return client.post(path, data=data, follow_redirects=False)


# --- the registry ---------------------------------------------------------------------------


def test_everyone_sees_the_registry_with_stale_cards_highlighted(
    client: TestClient, session: Session
) -> None:
    verifier = make_person(session, name="Vera Verifier")
    fresh = make_card(
        session, title="Escalating a ticket", collection="Playbooks", verifier=verifier
    )
    stale = make_card(session, title="Refund policy", last_verified_at=STALE_AT)
    never = make_card(session, title="Unverified notes", last_verified_at=None)
    make_card(session, title="Old archived card", archived=True, last_verified_at=STALE_AT)
    login_member(client, session, timezone="Europe/Amsterdam")

    page = client.get("/cards")

    assert page.status_code == 200
    text = page.text
    assert "2 of 3 cards are stale." in text
    assert sorted(listed_ids(text)) == sorted([fresh.id, stale.id, never.id])
    fresh_row, stale_row, never_row = (row_of(text, c) for c in (fresh, stale, never))
    assert 'class="stale"' in stale_row and "badge-stale" in stale_row
    assert 'class="stale"' in never_row and ">never<" in never_row
    assert 'class="stale"' not in fresh_row and "badge-trusted" in fresh_row
    assert "Vera Verifier" in fresh_row and "Playbooks" in fresh_row
    assert f'href="{fresh.url}" target="_blank" rel="noopener noreferrer"' in fresh_row
    # Last verified 10:00 UTC is 11:00 in Amsterdam; the column names the zone.
    assert "24 Nov 2026, 11:00" in fresh_row
    assert "22 Feb 2027" in fresh_row  # due: 90 days later, as a local date
    assert "Last verified (Europe/Amsterdam)" in text
    # A plain member gets no controls at all.
    for control in ("/verify", "/edit", "/cards/import", "/cards/new", "Import cards"):
        assert control not in text


def test_filters_narrow_the_list_but_not_the_stale_count(
    client: TestClient, session: Session
) -> None:
    billing = make_card(session, collection="Billing", source="guru", last_verified_at=STALE_AT)
    other = make_card(session, collection="Engineering", source="confluence")
    archived = make_card(session, collection="Billing", archived=True)
    login_member(client, session)

    assert listed_ids(client.get("/cards?show=stale").text) == [billing.id]
    assert listed_ids(client.get("/cards?collection=Engineering").text) == [other.id]
    assert listed_ids(client.get("/cards?source=guru").text) == [billing.id]
    assert listed_ids(client.get("/cards?show=archived").text) == [archived.id]
    assert listed_ids(client.get("/cards?show=stale&source=confluence").text) == []
    page = client.get("/cards?collection=Engineering").text
    assert "1 of 2 cards is stale." in page
    assert '<option value="Engineering" selected>' in page


@pytest.mark.parametrize(
    "query", ["show=everything", "source=sharepoint", "show=%3Cscript%3Ealert(1)%3C/script%3E"]
)
def test_unknown_filters_are_a_clear_422_page(
    client: TestClient, session: Session, query: str
) -> None:
    login_member(client, session)
    response = client.get(f"/cards?{query}")
    assert response.status_code == 422
    assert "text/html" in response.headers["content-type"]
    assert "use one of" in response.text
    assert "<script>alert" not in response.text


def test_page_needs_a_login(client: TestClient) -> None:
    response = client.get("/cards", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/cards"


def test_card_titles_and_names_are_escaped(client: TestClient, session: Session) -> None:
    evil = "<script>alert(1)</script>"
    verifier = make_person(session, name=evil)
    card = make_card(session, title=evil, collection=evil, verifier=verifier)
    login_manager(client, session)
    for path in ("/cards", f"/cards/{card.id}/edit"):
        page = client.get(path)
        assert page.status_code == 200
        assert evil not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_a_non_http_url_is_shown_as_text_not_as_a_link(
    client: TestClient, session: Session
) -> None:
    # Written straight to the table, past the validation every entry point does.
    card = make_card(session, title="Sneaky", url="javascript:alert(1)")
    login_member(client, session)
    row = row_of(client.get("/cards").text, card)
    assert "href=" not in row
    assert "Sneaky" in row


def test_the_registry_runs_a_fixed_number_of_queries(client: TestClient, session: Session) -> None:
    login_manager(client, session)

    def statements_for(extra_cards: int) -> int:
        for _ in range(extra_cards):
            make_card(session, verifier=make_person(session), collection="C")
        session.flush()
        with count_statements(session) as log:
            assert client.get("/cards").status_code == 200
        return len(log)

    assert statements_for(2) == statements_for(40)


# --- verifying ------------------------------------------------------------------------------


def test_manager_verifies_a_stale_card(client: TestClient, session: Session) -> None:
    card = make_card(session, title="Refund policy", last_verified_at=STALE_AT, version=3)
    login_manager(client, session)
    page = client.get("/cards?show=stale")
    assert f'aria-label="Verify {card.title}"' in page.text

    response = post_form(
        client,
        f"/cards/{card.id}/verify",
        {"csrf_token": csrf_from(page.text), "back": "/cards?show=stale"},
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/cards?show=stale"
    session.refresh(card)
    assert card.last_verified_at == DEFAULT_NOW
    assert card.version == 3
    assert "card.verify" in session.scalars(select(AuditEvent.action)).all()
    after = client.get("/cards")
    assert "Verified “Refund policy”: trusted until Mon 22 Feb 2027 (Europe/Amsterdam)." in (
        after.text
    )
    assert 'class="stale"' not in row_of(after.text, card)


def test_verify_goes_back_only_to_the_registry(client: TestClient, session: Session) -> None:
    card = make_card(session)
    login_manager(client, session)
    token = csrf_from(client.get("/cards").text)
    response = post_form(
        client, f"/cards/{card.id}/verify", {"csrf_token": token, "back": "//evil.example/"}
    )
    assert response.headers["location"] == "/cards"


def test_a_cards_verifier_may_verify_it_but_not_others(
    client: TestClient, session: Session
) -> None:
    owner = login_member(client, session)
    mine = make_card(session, verifier=owner, last_verified_at=STALE_AT)
    other = make_card(session, last_verified_at=STALE_AT)
    page = client.get("/cards").text
    assert "/verify" in row_of(page, mine)
    assert "/verify" not in row_of(page, other)
    assert "/edit" not in page
    token = csrf_from(page)

    before = table_state(session)
    refused = post_form(client, f"/cards/{other.id}/verify", {"csrf_token": token})
    assert refused.status_code == 403
    assert "text/html" in refused.headers["content-type"]
    assert table_state(session) == before

    assert post_form(client, f"/cards/{mine.id}/verify", {"csrf_token": token}).status_code == 303
    session.refresh(mine)
    assert mine.last_verified_at == DEFAULT_NOW


def test_unknown_card_is_a_404_page(client: TestClient, session: Session) -> None:
    login_manager(client, session)
    token = csrf_from(client.get("/cards").text)
    for response in (
        client.get("/cards/999999/edit"),
        client.post("/cards/999999/verify", data={"csrf_token": token}),
    ):
        assert response.status_code == 404
        assert "text/html" in response.headers["content-type"]
        assert "There is no such card." in response.text


# --- adding ---------------------------------------------------------------------------------


def test_manager_adds_a_card_and_bad_input_keeps_the_form(
    client: TestClient, session: Session
) -> None:
    verifier = make_person(session, email="vera@example.com")
    login_manager(client, session)
    form_page = client.get("/cards/new")
    assert form_page.status_code == 200
    assert 'for="card-title"' in form_page.text
    assert '<option value="vera@example.com">' in form_page.text
    token = csrf_from(form_page.text)
    before = table_state(session)

    bad = post_form(
        client,
        "/cards",
        {
            "csrf_token": token,
            "title": "",
            "url": "javascript:alert(1)",
            "source": "link",
            "collection": "Bill <i>ing",
            "verifier_email": "nobody@example.com",
            "verify_every_days": "soon",
        },
    )
    assert bad.status_code == 422
    body = html.unescape(bad.text)
    assert 'id="card-title-error">This field is required.' in body
    assert "not an http(s) URL" in body
    assert "Nobody with the email nobody@example.com uses allhands." in body
    assert "Enter a whole number of days." in body
    assert 'value="Bill &lt;i&gt;ing"' in bad.text
    assert table_state(session) == before

    ok = post_form(
        client,
        "/cards",
        {
            "csrf_token": token,
            "title": "Refunds",
            "url": "https://kb.example.com/refunds",
            "source": "confluence",
            "external_id": "CONF-1",
            "collection": "Billing",
            "verifier_email": "VERA@example.com",
            "verify_every_days": "30",
        },
    )
    assert ok.status_code == 303
    card = session.scalars(select(Card).where(Card.title == "Refunds")).one()
    assert (card.source, card.external_id, card.collection) == ("confluence", "CONF-1", "Billing")
    assert (card.verifier_id, card.verify_every_days, card.version) == (verifier.id, 30, 1)
    assert card.last_verified_at == DEFAULT_NOW
    assert "Added “Refunds” (version 1, verified now)." in client.get("/cards").text

    clash = post_form(
        client,
        "/cards",
        {"csrf_token": token, "title": "Again", "url": "https://kb.example.com/x",
         "source": "confluence", "external_id": "CONF-1", "verify_every_days": "90"},
    )  # fmt: skip
    assert clash.status_code == 409
    assert "already has source confluence and external id CONF-1" in clash.text


# --- editing --------------------------------------------------------------------------------


def edit_form(card: Card, **changes: str) -> dict[str, str]:
    form = {
        "title": card.title,
        "url": card.url,
        "source": card.source,
        "external_id": card.external_id or "",
        "collection": card.collection or "",
        "verifier_email": "",
        "verify_every_days": str(card.verify_every_days),
        "version": str(card.version),
        "summary": "",
    }
    form.update(changes)
    return form


def test_major_edit_bumps_the_version_and_minor_keeps_it(
    client: TestClient, session: Session
) -> None:
    card = make_card(session, title="Refund policy", version=2)
    login_manager(client, session)
    page = client.get(f"/cards/{card.id}/edit")
    assert page.status_code == 200
    assert "Major change (everyone must re-read)" in page.text
    assert "Minor change (typo, formatting)" in page.text
    assert "goes to version 3" in page.text
    token = csrf_from(page.text)

    major = post_form(
        client,
        f"/cards/{card.id}/edit",
        {"csrf_token": token, **edit_form(card, title="Refund policy 2027", change="major",
                                          summary="new refund window")},
    )  # fmt: skip
    assert major.status_code == 303
    session.refresh(card)
    assert (card.title, card.version, card.changed_at) == ("Refund policy 2027", 3, DEFAULT_NOW)
    listing = client.get("/cards").text
    assert "major change: now version 3" in listing

    minor = post_form(
        client,
        f"/cards/{card.id}/edit",
        {"csrf_token": token, **edit_form(card, title="Refund policy, 2027", change="minor")},
    )
    assert minor.status_code == 303
    session.refresh(card)
    assert (card.title, card.version) == ("Refund policy, 2027", 3)
    assert "minor change: still version 3" in client.get("/cards").text

    revisions = session.execute(
        select(CardRevision.change, CardRevision.version, CardRevision.summary)
        .where(CardRevision.card_id == card.id)
        .order_by(CardRevision.id)
    ).all()
    assert [tuple(r) for r in revisions] == [("major", 3, "new refund window"), ("minor", 3, "")]
    history = client.get(f"/cards/{card.id}/edit").text
    assert "new refund window" in history


def test_a_major_change_without_field_edits_still_bumps(
    client: TestClient, session: Session
) -> None:
    card = make_card(session)
    login_manager(client, session)
    token = csrf_from(client.get(f"/cards/{card.id}/edit").text)
    post_form(
        client, f"/cards/{card.id}/edit", {"csrf_token": token, **edit_form(card, change="major")}
    )
    session.refresh(card)
    assert card.version == 2
    before = table_state(session)
    response = post_form(
        client, f"/cards/{card.id}/edit", {"csrf_token": token, **edit_form(card, change="minor")}
    )
    assert response.status_code == 303
    assert table_state(session) == before  # a minor "change" of nothing writes nothing
    assert "Nothing changed in" in client.get("/cards").text


def test_edit_needs_a_change_kind_and_valid_fields(client: TestClient, session: Session) -> None:
    card = make_card(session, title="Triage")
    login_manager(client, session)
    token = csrf_from(client.get(f"/cards/{card.id}/edit").text)
    before = table_state(session)

    response = post_form(
        client,
        f"/cards/{card.id}/edit",
        {"csrf_token": token, **edit_form(card, title="Triage <b>v2</b>", url="ftp://x",
                                          verify_every_days="0")},
    )  # fmt: skip

    assert response.status_code == 422
    body = response.text
    assert "Choose whether this is a major or a minor change." in body
    assert "not an http(s) URL" in body
    assert "greater than or equal to 1" in body
    assert 'value="Triage &lt;b&gt;v2&lt;/b&gt;"' in body  # kept and escaped
    assert table_state(session) == before


def test_an_edit_of_an_old_version_is_refused(client: TestClient, session: Session) -> None:
    card = make_card(session, title="Triage", version=4)
    login_manager(client, session)
    token = csrf_from(client.get(f"/cards/{card.id}/edit").text)
    before = table_state(session)
    response = post_form(
        client,
        f"/cards/{card.id}/edit",
        {"csrf_token": token, **edit_form(card, title="Mine", change="minor", version="3")},
    )
    assert response.status_code == 409
    assert "it is now at version 4" in response.text
    assert 'name="version" value="4"' in response.text
    assert 'value="Mine"' in response.text
    assert table_state(session) == before


def test_archive_and_restore(client: TestClient, session: Session) -> None:
    card = make_card(session, title="Old page")
    login_manager(client, session)
    token = csrf_from(client.get(f"/cards/{card.id}/edit").text)
    response = post_form(client, f"/cards/{card.id}/archive", {"csrf_token": token})
    assert response.status_code == 303
    session.refresh(card)
    assert card.archived
    page = client.get("/cards").text
    assert "Archived “Old page”" in page
    assert card.id not in listed_ids(page)
    assert "Restore Old page" in client.get("/cards?show=archived").text
    post_form(client, f"/cards/{card.id}/restore", {"csrf_token": token})
    session.refresh(card)
    assert not card.archived
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["card.archive", "card.restore"]


# --- importing ------------------------------------------------------------------------------

GOOD_CSV = "title,url,source,external_id\nRefunds,https://kb.example.com/r,confluence,C-1\n"
BAD_CSV = (
    "title,url,source,external_id\n"
    "Refunds,https://kb.example.com/r,confluence,C-1\n"
    "Broken,ftp://kb.example.com/b,confluence,C-2\n"
    ",https://kb.example.com/t,sharepoint,C-3\n"
)


def test_import_lists_every_bad_line_and_imports_nothing(
    client: TestClient, session: Session
) -> None:
    login_admin(client, session)
    token = csrf_from(client.get("/cards").text)
    before = table_state(session)

    response = post_form(client, "/cards/import", {"csrf_token": token, "text": BAD_CSV})

    assert response.status_code == 422
    body = html.unescape(response.text)
    assert "Nothing was imported. Fix these 2 lines and try again:" in body
    assert "<li>line 3: url: not an http(s) URL" in body
    assert "<li>line 4: title: " in body and 'unknown source "sharepoint"' in body
    assert "Refunds,https://kb.example.com/r" in body  # the pasted text is kept
    assert table_state(session) == before


def test_import_from_pasted_csv_and_again_changes_nothing(
    client: TestClient, session: Session
) -> None:
    login_admin(client, session)
    token = csrf_from(client.get("/cards").text)
    first = post_form(client, "/cards/import", {"csrf_token": token, "text": GOOD_CSV})
    assert first.status_code == 303
    assert "Imported the CSV: 1 created, 0 updated, 0 bumped" in client.get("/cards").text
    post_form(client, "/cards/import", {"csrf_token": token, "text": GOOD_CSV})
    assert "Imported the CSV: 0 created, 0 updated, 0 bumped" in client.get("/cards").text
    assert session.scalars(select(Card.external_id)).all() == ["C-1"]


def guru_card(card_id: str, version: int, **extra: object) -> dict[str, object]:
    return {
        "id": card_id,
        "slug": f"{card_id}/card",
        "preferredPhrase": f"Guru card {card_id}",
        "collection": {"name": "Support Playbooks"},
        "verificationState": "TRUSTED",
        "verificationInterval": 90,
        "lastVerified": "2026-11-01T09:00:00Z",
        "version": version,
        **extra,
    }


def test_import_a_guru_export_file_and_its_newer_version(
    client: TestClient, session: Session
) -> None:
    login_admin(client, session)
    token = csrf_from(client.get("/cards").text)

    def upload(items: list[object]) -> httpx.Response:
        return client.post(
            "/cards/import",
            data={"csrf_token": token, "text": ""},
            files={"file": ("export.json", json.dumps(items).encode(), "application/json")},
            follow_redirects=False,
        )

    assert upload([guru_card("g1", 1), guru_card("g2", 1)]).status_code == 303
    assert "Imported the Guru export: 2 created, 0 updated, 0 bumped" in client.get("/cards").text
    assert upload([guru_card("g1", 2)]).status_code == 303
    assert "0 created, 1 updated, 1 bumped to a new version" in client.get("/cards").text
    card = session.scalars(select(Card).where(Card.external_id == "g1")).one()
    session.refresh(card)
    assert card.version == 2

    before = table_state(session)
    bad = upload([guru_card("g3", 1), {"id": "g4"}, "oops"])
    assert bad.status_code == 422
    body = html.unescape(bad.text)
    assert "<li>item 2: preferredPhrase: This field is required" not in body  # raw message kept
    assert "<li>item 2: preferredPhrase:" in body
    assert "<li>item 3: expected a card object</li>" in body
    assert table_state(session) == before


def test_import_refuses_empty_and_undecodable_uploads(client: TestClient, session: Session) -> None:
    login_admin(client, session)
    token = csrf_from(client.get("/cards").text)
    before = table_state(session)
    empty = post_form(client, "/cards/import", {"csrf_token": token, "text": "  "})
    assert empty.status_code == 422
    assert "Choose a file or paste CSV" in empty.text
    binary = client.post(
        "/cards/import",
        data={"csrf_token": token},
        files={"file": ("cards.csv", b"\xff\xfe\x00bad", "text/csv")},
    )
    assert binary.status_code == 422
    assert "cards.csv is not UTF-8 text" in binary.text
    assert table_state(session) == before


# --- who may do what ------------------------------------------------------------------------


def test_members_get_403_pages_for_every_change(client: TestClient, session: Session) -> None:
    card = make_card(session, last_verified_at=STALE_AT)
    login_member(client, session)
    token = csrf_from(client.get("/cards").text)
    before = table_state(session)
    requests = [
        ("get", "/cards/new", {}),
        ("get", f"/cards/{card.id}/edit", {}),
        ("post", "/cards", {"title": "X", "url": "https://kb.example.com/x"}),
        ("post", f"/cards/{card.id}/edit", edit_form(card, title="X", change="major")),
        ("post", f"/cards/{card.id}/verify", {}),
        ("post", f"/cards/{card.id}/archive", {}),
        ("post", "/cards/import", {"text": GOOD_CSV}),
    ]
    for method, path, data in requests:
        if method == "get":
            response = client.get(path)
        else:
            response = client.post(path, data={"csrf_token": token, **data})
        assert response.status_code == 403, (method, path)
        assert "text/html" in response.headers["content-type"]
        assert "Not allowed" in response.text
    assert table_state(session) == before


def test_only_admins_import(client: TestClient, session: Session) -> None:
    login_manager(client, session)
    page = client.get("/cards").text
    assert "Import cards" not in page
    assert "/cards/new" in page  # managers do add and edit
    before = table_state(session)
    response = client.post("/cards/import", data={"csrf_token": csrf_from(page), "text": GOOD_CSV})
    assert response.status_code == 403
    assert table_state(session) == before


def test_every_form_needs_the_csrf_token(client: TestClient, session: Session) -> None:
    card = make_card(session, last_verified_at=STALE_AT)
    login_admin(client, session)
    client.get("/cards")
    before = table_state(session)
    for path, data in [
        (f"/cards/{card.id}/verify", {}),
        (f"/cards/{card.id}/edit", edit_form(card, title="X", change="major")),
        ("/cards", {"title": "X", "url": "https://kb.example.com/x"}),
        (f"/cards/{card.id}/archive", {}),
        ("/cards/import", {"text": GOOD_CSV}),
    ]:
        for token in (None, "forged"):
            form = {**data, **({"csrf_token": token} if token else {})}
            response = client.post(path, data=form)
            assert response.status_code == 403, (path, token)
            assert "the form expired" in response.text
    assert table_state(session) == before


def test_edit_form_starts_from_the_card_and_a_departed_verifier_does_not_block_it(
    client: TestClient, session: Session
) -> None:
    verifier = make_person(session, email="gone@example.com", active=False)
    card = make_card(session, title="Triage", collection="Support", verifier=verifier)
    login_manager(client, session)
    page = client.get(f"/cards/{card.id}/edit").text
    for value in ("Triage", card.url, "Support", "gone@example.com", "90"):
        assert f'value="{value}"' in page
    assert 'name="version" value="1"' in page
    token = csrf_from(page)
    form = edit_form(card, title="Triage levels", verifier_email="gone@example.com", change="minor")
    assert (
        post_form(client, f"/cards/{card.id}/edit", {"csrf_token": token, **form}).status_code
        == 303
    )
    session.refresh(card)
    assert (card.title, card.verifier_id) == ("Triage levels", verifier.id)
    # Choosing a deactivated person anew is refused.
    other = make_card(session)
    form = edit_form(other, verifier_email="gone@example.com", change="minor")
    refused = post_form(client, f"/cards/{other.id}/edit", {"csrf_token": token, **form})
    assert refused.status_code == 422
    assert "is deactivated; choose someone active." in refused.text


def test_card_form_fields_carry_their_limits_unescaped(
    client: TestClient, session: Session
) -> None:
    login_admin(client, session)
    page = client.get("/cards/new").text
    assert 'list="people-emails"' in page
    assert 'min="1" max="3650" inputmode="numeric"' in page
    assert "&#34;" not in page
