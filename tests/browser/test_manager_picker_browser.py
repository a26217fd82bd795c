"""The managers field's person picker: choosing someone adds their email to the list."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.rotation_demo import PASSWORD, add_people, email
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_picking_a_manager_adds_their_email(live_server: LiveServer, page: Page) -> None:
    add_people(live_server)
    page.goto(live_server.url + "/rotations")
    page.get_by_label("Email").fill(email("admin"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    form = page.locator("form", has=page.get_by_role("button", name="Create rotation"))
    managers = form.get_by_label("Managers", exact=True)
    expect(managers).to_have_value(email("admin"))
    form.get_by_label("Add a manager").fill(email("ana.devries"))
    form.get_by_role("button", name="Add", exact=True).click()
    expect(managers).to_have_value(f"{email('admin')}\n{email('ana.devries')}")
    options = page.locator("#new-managers-people option")
    expect(options.filter(has_text="Ana de Vries")).to_have_count(1)
