"""The pages in Dutch, in a real browser: the demo's Ana de Vries chose Nederlands on her
profile, and walks from home to her checklist to her rotation; a visitor switches language
in the footer before signing in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser import demo_org
from tests.browser.screenshots import save_screenshot
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

# Text wider than its box on these pages (see test_no_clipping), or a page wider than the phone.
OVERFLOW = """() => [
  ...[...document.querySelectorAll('td, th, .badge, time, h1, h2, button, .button, label')]
    .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'auto')
    .map(e => `${e.tagName.toLowerCase()} "${e.textContent.trim().slice(0, 40)}"`),
  ...(document.documentElement.scrollWidth > window.innerWidth + 1 ? ['page too wide'] : [])
]"""


def test_a_dutch_person_reads_home_checklist_and_rotation_in_dutch(
    live_server: LiveServer, page: Page
) -> None:
    demo_org.load(live_server)
    demo_org.log_in(page, live_server, demo_org.ENGINEER)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hallo Ana de Vries")
    expect(page.get_by_role("heading", name="Je volgende diensten")).to_be_visible()
    expect(page.locator("table.shifts th").first).to_have_text("Rooster")
    # Dates in Dutch: "ma 30 nov. 2026, 10:00" style, with the machine value in UTC.
    first = page.locator("table.shifts time").first
    expect(first).to_have_text(
        re.compile(r"^(ma|di|wo|do|vr|za|zo) \d\d [a-z]+\.? 20\d\d, \d\d:\d\d$")
    )
    expect(first).to_have_attribute("datetime", re.compile(r"Z$"))
    save_screenshot(page, "home-nl")

    menu = page.get_by_role("navigation", name="Hoofdmenu")
    menu.get_by_role("link", name="Mijn checklist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn checklist")
    expect(page.locator(".checklist-summary label").first).to_contain_text("kaarten gelezen")
    expect(
        page.get_by_role("button", name=re.compile("^Markeren als gelezen")).first
    ).to_be_visible()
    save_screenshot(page, "checklist-nl")

    menu.get_by_role("link", name="Roosters").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Roosters")
    page.get_by_role("link", name="Tier-2 engineering").click()
    expect(page.get_by_role("heading", name="Nu dienst")).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile("^Rooster voor [a-z]+ 20\\d\\d$"))
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Ruil of overname vragen")).to_be_visible()
    expect(page.locator("table.calendar thead th").first).to_have_text("ma")
    save_screenshot(page, "rotation-nl")


@pytest.mark.parametrize("width", [1280, 390])
def test_dutch_pages_fit_desktop_and_phone(live_server: LiveServer, page: Page, width: int) -> None:
    """Dutch words run longer than English ones; nothing is cut off or pushes the page wider."""
    demo_org.load(live_server)
    page.set_viewport_size({"width": width, "height": 900})
    demo_org.log_in(page, live_server, demo_org.ENGINEER)
    overflowing = {}
    for path in ["/", "/me/checklist", "/rotations", demo_org.TIER_TWO, "/time-off", "/me"]:
        page.goto(live_server.url + path)
        expect(page.locator("html")).to_have_attribute("lang", "nl")
        if found := page.evaluate(OVERFLOW):
            overflowing[path] = found[:5]
    assert not overflowing


def test_a_visitor_switches_to_dutch_in_the_footer(live_server: LiveServer, page: Page) -> None:
    page.goto(live_server.url + "/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to allhands")
    page.get_by_role("button", name="Nederlands").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen bij allhands")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_label("Wachtwoord")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to allhands")
