"""Getting in, in a real browser: an emailed invitation, and the OpenID provider's button."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine

from core.models import Person
from core.security import hash_password
from core.settings import Settings
from tests.conftest import DEFAULT_NOW, free_port
from tests.onboarding.servers import Mailbox, smtp_server
from tests.web.oidc_world import oidc_world, running_app

pytestmark = pytest.mark.browser

PASSWORD = "tidy walrus orbits marmalade"


def _wait_for_mail(mailbox: Mailbox, address: str) -> str:
    deadline = time.monotonic() + 10
    while not mailbox.to(address):
        assert time.monotonic() < deadline, "the invitation email did not arrive"
        time.sleep(0.05)
    [message] = mailbox.to(address)
    body = message.get_content()
    assert isinstance(body, str)
    return body


def test_admin_invites_the_email_arrives_the_link_sets_a_password_and_they_log_in(
    engine: Engine, tmp_path: Path, page: Page
) -> None:
    port = free_port()
    with smtp_server() as mailbox:
        settings = Settings(
            secret_key="browser-invite-secret",
            base_url=f"http://127.0.0.1:{port}",
            data_dir=tmp_path,
            smtp_url=mailbox.url(),
        )
        with running_app(engine, settings, port) as app:
            with app.sessions.begin() as session:
                session.add(
                    Person(
                        email="admin@example.com",
                        name="Ada Admin",
                        is_admin=True,
                        password_hash=hash_password("admin password here"),
                        created_at=DEFAULT_NOW,
                    )
                )
            page.goto(app.url + "/login")
            page.get_by_label("Email").fill("admin@example.com")
            page.get_by_label("Password").fill("admin password here")
            page.get_by_role("button", name="Log in").click()
            page.goto(app.url + "/people")
            page.locator("#p-email").fill("ana.devries@example.com")
            page.locator("#p-name").fill("Ana de Vries")
            page.locator("#p-timezone").fill("Europe/Amsterdam")
            expect(page.get_by_label(re.compile(r"Send an invitation \(a one"))).to_be_checked()
            page.get_by_role("button", name="Add person").click()
            expect(
                page.get_by_role("status").filter(
                    has_text="Invitation emailed to ana.devries@example.com"
                )
            ).to_be_visible()
            page.get_by_role("button", name="Log out").click()

            body = _wait_for_mail(mailbox, "ana.devries@example.com")
            assert "Ada Admin invited you" in body
            link = re.search(r"http://\S+/invite/\S+", body)
            assert link, body
            page.goto(link.group(0))
            expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to allhands")
            page.get_by_label("New password").fill("ana12345678")
            page.get_by_label("Repeat the password").fill("ana12345678")
            page.get_by_role("button", name="Set password").click()
            expect(page.get_by_role("alert")).to_contain_text("too easy to guess")
            page.get_by_label("New password").fill(PASSWORD)
            page.get_by_label("Repeat the password").fill(PASSWORD)
            page.get_by_role("button", name="Set password").click()
            expect(page).to_have_url(app.url + "/login")
            expect(
                page.get_by_role("status").filter(has_text="Your password is set")
            ).to_be_visible()
            page.get_by_label("Email").fill("ana.devries@example.com")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("Ana de Vries")
            # The link worked once.
            page.goto(link.group(0))
            expect(page.get_by_role("heading", level=1)).to_have_text("This link cannot be used")


def test_sign_in_through_the_real_openid_provider(
    engine: Engine, tmp_path: Path, page: Page
) -> None:
    with oidc_world(engine, tmp_path) as world:
        with world.app.sessions.begin() as session:
            session.add(Person(email="bo.li@example.com", name="Bo Li", created_at=DEFAULT_NOW))
        page.goto(world.app.url + "/rotations")
        expect(page).to_have_url(re.compile(r"/login\?next=/rotations$"))
        page.get_by_role("link", name="Sign in with Test provider").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Test provider")
        page.get_by_label("Email").fill("bo.li@example.com")
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(world.app.url + "/rotations")
        expect(page.get_by_role("status").filter(has_text="Welcome, Bo Li.")).to_be_visible()
        page.goto(world.app.url + "/me")
        expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
        expect(page.get_by_text("bo.li@example.com")).to_be_visible()
