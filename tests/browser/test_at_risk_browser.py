"""The demo's at-risk day in a real browser: the readiness page's "at risk" filter, the cover
page ranking colleagues ready first, and the flagged card on its page; screenshots."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from flows import demo_readiness
from tests.browser import demo_org
from tests.browser.screenshots import save_screenshot
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_a_manager_finds_cover_for_an_at_risk_day(live_server: LiveServer, page: Page) -> None:
    demo_org.load(live_server)
    demo_org.log_in(page, live_server, demo_org.MANAGER)
    page.goto(live_server.url + "/readiness?status=at_risk")
    row = page.locator("tr.row-at_risk").first
    expect(row.locator(".badge")).to_have_text("At risk")
    save_screenshot(page, "readiness-at-risk")
    row.get_by_role("link", name="Find cover").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cover for a")
    first = page.locator("table.candidates tbody tr").first
    expect(first.locator(".badge")).to_have_text("Ready")
    expect(first.get_by_role("button")).to_contain_text("Give the shift to")
    save_screenshot(page, "cover")


def test_the_flagged_card_shows_on_its_page(live_server: LiveServer, page: Page) -> None:
    demo_org.load(live_server)
    demo_org.log_in(page, live_server, demo_org.MANAGER)
    page.goto(live_server.url + "/cards")
    page.get_by_role("link", name=f"Edit {demo_readiness.FLAGGED_CARD}").click()
    flags = page.locator("#flags")
    expect(flags).to_contain_text("8 business hours")
    expect(flags.get_by_role("button", name="Resolve this flag")).to_be_visible()
    save_screenshot(page, "card-flags")
