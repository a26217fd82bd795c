"""Invitations and password resets over HTTP, with mail delivered to a real SMTP server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core.clock import FixedClock
from core.models import AuditEvent, CredentialLink
from core.security import verify_password
from core.settings import Settings
from onboarding.models import OutboxMessage
from tests.conftest import DEFAULT_NOW
from tests.factories import auth, make_person, make_token
from tests.onboarding.servers import Mailbox, smtp_server
from tests.web.cookies import COOKIE_NAME, sign_session
from tests.web.test_auth_pages import csrf_from, login
from web.app import create_app

PASSWORD = "tidy walrus orbits marmalade"


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture
def mail_client(
    mailbox: Mailbox,
    tmp_path: Path,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    session: Session,
) -> Iterator[TestClient]:
    settings = Settings(
        secret_key="invite-test-key",
        base_url="http://testserver",
        data_dir=tmp_path,
        smtp_url=mailbox.url(),
    )
    app = create_app(settings, clock=clock, session_factory=session_factory)
    with TestClient(app) as client:
        yield client


def _link(message: EmailMessage, kind: str) -> str:
    body = message.get_content()
    match = re.search(rf"http://testserver(/{kind}/\S+)", body)
    assert match, body
    return match.group(1)


def _audit(session: Session, action: str) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        )
        or 0
    )


def _set_password(client: TestClient, path: str, password: str) -> httpx.Response:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return client.post(
        path,
        data={"password": password, "confirm": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )


def test_api_invite_emails_a_link_that_sets_the_password_once(
    mail_client: TestClient, mailbox: Mailbox, session: Session
) -> None:
    admin = make_person(session, is_admin=True, name="Hana Novak")
    person = make_person(session, email="ana@example.com", name="Ana de Vries")
    session.flush()
    answer = mail_client.post(
        f"/api/v1/people/{person.id}/invite", headers=auth(make_token(session, admin))
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["invite_url"].startswith("http://testserver/invite/")
    assert body["expires_at"] == (DEFAULT_NOW + timedelta(hours=72)).isoformat().replace(
        "+00:00", "Z"
    )
    [message] = mailbox.to("ana@example.com")
    assert message["Subject"] == "Your allhands invitation"
    assert "Hana Novak invited you" in message.get_content()
    path = _link(message, "invite")
    assert "http://testserver" + path == body["invite_url"]
    # Sent in the request, marked sent in the outbox: `allhands notify` will not send it again.
    sent = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "invitation")).one()
    assert sent.sent_at is not None

    weak = _set_password(mail_client, path, "password1234")
    assert weak.status_code == 422 and "too easy to guess" in weak.text
    assert person.password_hash is None
    done = _set_password(mail_client, path, PASSWORD)
    assert done.status_code == 303 and done.headers["location"] == "/login"
    status, _ = login(mail_client, "ana@example.com", PASSWORD)
    assert status == 303

    again = mail_client.get(path)
    assert again.status_code == 410 and "already used" in again.text
    assert _audit(session, "person.invite_link_refused") == 1


def test_people_page_adds_and_invites(
    mail_client: TestClient, mailbox: Mailbox, session: Session
) -> None:
    make_person(session, email="admin@example.com", is_admin=True, password="admin password 1")
    session.flush()
    login(mail_client, "admin@example.com", "admin password 1")
    page = mail_client.get("/people")
    answer = mail_client.post(
        "/people",
        data={
            "email": "Bo@Example.com",
            "name": "Bo",
            "timezone": "Europe/Oslo",
            "invite": "true",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert answer.status_code == 200
    assert "Invitation emailed to bo@example.com" in answer.text
    [message] = mailbox.to("bo@example.com")
    assert "Europe/Oslo" in message.get_content()


def test_csv_import_can_invite_everyone_it_creates(
    mail_client: TestClient, mailbox: Mailbox, session: Session
) -> None:
    admin = make_person(session, is_admin=True)
    make_person(session, email="old@example.com")
    session.flush()
    answer = mail_client.post(
        "/api/v1/people/import?invite=true",
        content="email,name\nold@example.com,Old Hand\nnew@example.com,New Hand\n",
        headers={**auth(make_token(session, admin)), "Content-Type": "text/csv"},
    )
    assert answer.json() == {"created": 1, "updated": 1}
    assert [m["To"] for m in mailbox.messages] == ["new@example.com"]


def test_page_csv_import_invites_new_people(
    mail_client: TestClient, mailbox: Mailbox, session: Session
) -> None:
    make_person(session, email="admin@example.com", is_admin=True, password="admin password 1")
    session.flush()
    login(mail_client, "admin@example.com", "admin password 1")
    page = mail_client.get("/people")
    answer = mail_client.post(
        "/people/import",
        data={
            "csv_text": "email,name\ncy@example.com,Cy\n",
            "invite": "true",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert (
        "Imported: 1 created" in answer.text
        and "Invitation emailed to cy@example.com" in answer.text
    )
    assert [m["To"] for m in mailbox.messages] == ["cy@example.com"]


def test_invite_needs_an_admin_and_an_active_person(
    mail_client: TestClient, mailbox: Mailbox, session: Session
) -> None:
    member = make_person(session)
    admin = make_person(session, is_admin=True)
    gone = make_person(session, active=False)
    session.flush()
    refused = mail_client.post(
        f"/api/v1/people/{gone.id}/invite", headers=auth(make_token(session, member))
    )
    assert refused.status_code == 403
    inactive = mail_client.post(
        f"/api/v1/people/{gone.id}/invite", headers=auth(make_token(session, admin))
    )
    assert inactive.status_code == 422 and "deactivated" in inactive.json()["detail"]
    assert mailbox.messages == []
    assert session.scalar(select(func.count()).select_from(CredentialLink)) == 0


def test_without_smtp_the_admin_gets_the_link(client: TestClient, session: Session) -> None:
    admin = make_person(session, is_admin=True)
    person = make_person(session)
    session.flush()
    answer = client.post(
        f"/api/v1/people/{person.id}/invite", headers=auth(make_token(session, admin))
    )
    assert answer.status_code == 200
    assert answer.json()["email_queued"] is False
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


@pytest.mark.parametrize("mangle", ["tamper", "garbage", "expire"])
def test_bad_links_get_a_clear_page_and_an_audit_event(
    client: TestClient, session: Session, clock: FixedClock, mangle: str
) -> None:
    admin = make_person(session, is_admin=True)
    person = make_person(session)
    session.flush()
    url = client.post(
        f"/api/v1/people/{person.id}/invite", headers=auth(make_token(session, admin))
    ).json()["invite_url"]
    path = url.removeprefix("http://testserver")
    if mangle == "tamper":
        head, _, tail = path.rpartition(".")
        path = f"{head}.{'A' * len(tail)}"
        expected, words = 400, "not valid"
    elif mangle == "garbage":
        path, expected, words = "/invite/" + "x" * 5000, 400, "not valid"
    else:
        clock.set(DEFAULT_NOW + timedelta(hours=73))
        expected, words = 410, "expired"
    page = client.get(path)
    assert page.status_code == expected and words in page.text
    posted = client.post(
        path,
        data={
            "password": PASSWORD,
            "confirm": PASSWORD,
            "csrf_token": csrf_from(client.get("/login").text),
        },
    )
    assert posted.status_code == expected
    session.expire_all()
    assert person.password_hash is None
    assert _audit(session, "person.invite_link_refused") == 2


def test_forgot_password_sends_a_reset_link_and_tells_nobody_who_exists(
    mail_client: TestClient, mailbox: Mailbox, session: Session
) -> None:
    person = make_person(session, email="cy@example.com", password="old password here")
    session.flush()
    form = mail_client.get("/forgot-password")
    for email in ("cy@example.com", "nobody@example.com"):
        answer = mail_client.post(
            "/forgot-password", data={"email": email, "csrf_token": csrf_from(form.text)}
        )
        assert answer.status_code == 200
        assert "If an account with that address exists" in answer.text
    # A second request straight away sends nothing more.
    mail_client.post(
        "/forgot-password", data={"email": "CY@example.com", "csrf_token": csrf_from(form.text)}
    )
    [message] = mailbox.messages
    assert message["To"] == "cy@example.com"
    path = _link(message, "reset")
    assert _set_password(mail_client, path, PASSWORD).status_code == 303
    session.expire_all()
    assert verify_password(person.password_hash, PASSWORD)
    assert mail_client.get(path).status_code == 410


def test_password_login_off_hides_the_form_and_refuses_posts(
    session: Session, session_factory: sessionmaker[Session], clock: FixedClock, tmp_path: Path
) -> None:
    make_person(session, email="dee@example.com", password="a good password 1")
    session.flush()
    settings = Settings(
        secret_key="k", base_url="http://testserver", data_dir=tmp_path, password_login=False
    )
    with TestClient(create_app(settings, clock=clock, session_factory=session_factory)) as client:
        page = client.get("/login")
        assert 'name="password"' not in page.text
        # The page's language switch started a session of its own; this test brings its own.
        client.cookies.clear()
        client.cookies.set(COOKIE_NAME, sign_session("k", {"csrf": "form-token"}))
        posted = client.post(
            "/login",
            data={
                "email": "dee@example.com",
                "password": "a good password 1",
                "csrf_token": "form-token",
            },
            follow_redirects=False,
        )
        assert posted.status_code == 404 and "single sign-on" in posted.text
        assert client.get("/forgot-password").status_code == 404
