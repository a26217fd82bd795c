"""No text is cut off: every table cell, badge and time on the main pages fits its box, on a
desktop and on a phone, with the demo organisation's data."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser import demo_org
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

# Elements whose content is wider than their box; a box that scrolls on purpose is not clipped.
CLIPPED = """() => [...document.querySelectorAll('td, th, .badge, time')]
  .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'auto')
  .map(e => `${e.tagName.toLowerCase()} "${e.textContent.trim().slice(0, 40)}"`
    + ` ${e.scrollWidth}>${e.clientWidth}`)"""
PAGES = {
    demo_org.ENGINEER: ["/", "/me/checklist"],
    demo_org.MANAGER: ["/", demo_org.TIER_TWO, "/readiness", demo_org.TIER_TWO + "/manage"],
}


@pytest.mark.parametrize("width", [1280, 390])
def test_no_cell_or_badge_is_clipped(live_server: LiveServer, page: Page, width: int) -> None:
    demo_org.load(live_server)
    page.set_viewport_size({"width": width, "height": 900})
    clipped = {}
    for email, paths in PAGES.items():
        page.context.clear_cookies()
        demo_org.log_in(page, live_server, email)
        for path in paths:
            page.goto(live_server.url + path)
            assert page.locator("h1").count() == 1, path
            if found := page.evaluate(CLIPPED):
                clipped[f"{email} {path}"] = found[:5]
    assert not clipped


def test_phone_shows_whole_shift_times_on_home(live_server: LiveServer, page: Page) -> None:
    demo_org.load(live_server)
    page.set_viewport_size({"width": 390, "height": 900})
    demo_org.log_in(page, live_server, demo_org.ENGINEER)
    # The first cell after the rotation is when the shift starts (its label is in Ana's Dutch).
    first_start = page.locator("table.shifts tbody td:first-of-type time").first
    box = first_start.bounding_box()
    cell = page.locator("table.shifts tbody td:first-of-type").first.bounding_box()
    assert box is not None and cell is not None
    assert box["x"] + box["width"] <= cell["x"] + cell["width"] + 1
