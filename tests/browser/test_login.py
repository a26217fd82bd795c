"""Logging in and out in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from core.models import Person
from core.security import hash_password
from tests.conftest import DEFAULT_NOW, LiveServer

pytestmark = pytest.mark.browser


def test_login_flow_in_a_real_browser(live_server: LiveServer, page: Page) -> None:
    with live_server.sessions.begin() as session:
        session.add(
            Person(
                email="ana@example.com",
                name="Ana de Vries",
                timezone="Europe/Amsterdam",
                password_hash=hash_password("correct horse battery"),
                created_at=DEFAULT_NOW,
            )
        )
    page.goto(live_server.url + "/")
    expect(page).to_have_url(live_server.url + "/login?next=/")
    page.get_by_label("Email").fill("ana@example.com")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password.")
    expect(page.get_by_label("Email")).to_have_value("ana@example.com")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ana de Vries")
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(live_server.url + "/login")
