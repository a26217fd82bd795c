"""Rotations in a real browser: create one and see its calendar, trade a shift, screenshots."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from flows import demo_data
from tests.browser.rotation_demo import PASSWORD, SLUG, add_people, email, load_tier_two
from tests.browser.screenshots import save_screenshot
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


def log_in(page: Page, live_server: LiveServer, address: str, path: str = "/rotations") -> None:
    page.goto(live_server.url + path)
    page.get_by_label("Email").fill(address)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(live_server.url + path)


def test_a_manager_creates_a_rotation_adds_members_and_sees_the_calendar(
    live_server: LiveServer, page: Page
) -> None:
    add_people(live_server)
    admin = email(demo_data.ADMIN[0])
    log_in(page, live_server, admin)
    expect(page.get_by_role("heading", level=1)).to_have_text("Rotations")

    form = page.locator("form", has=page.get_by_role("button", name="Create rotation"))
    form.get_by_label("Rotation name").fill("Tier-2 engineering")
    form.get_by_label("Timezone").fill("Europe/Nowhere")
    form.get_by_role("button", name="Create rotation").click()
    # Refused: the form comes back with the typed name kept and the bad field marked.
    expect(page.get_by_text('unknown timezone "Europe/Nowhere"')).to_be_visible()
    expect(form.get_by_label("Rotation name")).to_have_value("Tier-2 engineering")
    form.get_by_label("Timezone").fill("Europe/Amsterdam")
    form.get_by_label("First shift starts on").fill("2026-11-23")
    form.get_by_label("Managers").fill(admin)
    form.get_by_role("button", name="Create rotation").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Manage Tier-2 engineering")
    expect(page.get_by_role("status").first).to_contain_text("Created “Tier-2 engineering”")
    # Everyone at once, so the new rotation's shifts are shared out among all three.
    page.get_by_label("Add members by email").fill(
        ", ".join(email(local) for local, _name, _zone, _team in demo_data.ENGINEERS[:3])
    )
    page.get_by_role("button", name="Add members").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Added Ana de Vries, Sam Okafor, Priya Nair"
    )
    roster = page.locator("ol.roster li")
    expect(roster).to_have_count(3)
    page.get_by_role("button", name="Move up Sam Okafor").click()
    expect(roster.first).to_contain_text("Sam Okafor")

    page.get_by_role("link", name="Tier-2 engineering: calendar and swaps").click()
    expect(page.get_by_role("heading", name="Schedule for November 2026")).to_be_visible()
    calendar = page.locator("table.calendar")
    # Ana was first when the shifts were filled and holds this week; everyone has a turn.
    expect(page.locator("ul.on-call")).to_contain_text("Ana de Vries")
    expect(calendar.get_by_text("Sam Okafor").first).to_be_visible()  # the second week
    page.get_by_role("link", name="December 2026 →").click()
    expect(page.get_by_role("heading", name="Schedule for December 2026")).to_be_visible()
    for _local, name, _zone, _team in demo_data.ENGINEERS[:3]:
        expect(calendar.get_by_text(name).first).to_be_visible()
    expect(page.locator("svg.bar-chart .bar")).to_have_count(3)


def test_an_engineer_requests_a_swap_and_the_counterpart_accepts(
    live_server: LiveServer, browser: Browser
) -> None:
    demo = load_tier_two(live_server, with_swap=False)
    ana, sam = demo.engineer_emails[0], demo.engineer_emails[1]
    ana_context = browser.new_context(viewport={"width": 1280, "height": 900})
    sam_context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = ana_context.new_page()
        log_in(page, live_server, ana, f"/rotations/{SLUG}")
        trade = page.locator("form", has=page.get_by_role("heading", name="Trade shifts"))
        mine = trade.get_by_label("Your shift (Europe/Amsterdam)").input_value()
        theirs = trade.locator("#trade-with option", has_text="Sam Okafor").first
        trade.get_by_label("Their shift, which you take instead").select_option(
            theirs.get_attribute("value")
        )
        trade.get_by_role("button", name="Ask to trade").click()
        expect(page.get_by_role("status").first).to_contain_text("Asked Sam Okafor to trade")
        expect(page.locator("table.swaps")).to_contain_text("pending")

        other = sam_context.new_page()
        log_in(other, live_server, sam, f"/rotations/{SLUG}")
        other.get_by_role("button", name="Accept the swap from Ana de Vries").click()
        expect(other.get_by_role("status").first).to_contain_text("Swap accepted: the ")
        # A feed link to the shift lands on it, in whatever month it falls.
        other.goto(f"{live_server.url}/rotations/{SLUG}#shift-{mine}")
        entry = other.locator(f"#shift-{mine}")
        expect(entry).to_contain_text("Sam Okafor")
        expect(entry).to_contain_text("(swap)")

        page.reload()
        expect(page.locator("table.swaps")).to_contain_text("accepted")
    finally:
        ana_context.close()
        sam_context.close()


def test_screenshots_of_the_rotation_pages(live_server: LiveServer, page: Page) -> None:
    demo = load_tier_two(live_server)
    log_in(page, live_server, demo.manager_email, f"/rotations/{SLUG}")
    expect(page.locator("li.entry.status-ready").first).to_be_visible()
    expect(page.locator("li.entry.status-pending, li.entry.status-overdue").first).to_be_visible()
    expect(page.locator("table.swaps")).to_contain_text("pending")
    shot = save_screenshot(page, "rotation")
    assert shot.stat().st_size < 300_000

    page.get_by_role("link", name="Manage this rotation").click()
    page.get_by_label("Shift length (days)").fill("14")
    page.get_by_role("button", name="Preview the next shifts").click()
    expect(page.get_by_role("heading", name="Preview: the next 8 shifts")).to_be_visible()
    expect(page.get_by_label("Shift length (days)")).to_have_value("14")
    shot = save_screenshot(page, "manage-rotation")
    assert shot.stat().st_size < 300_000


def test_the_rotation_page_fits_a_phone(live_server: LiveServer, browser: Browser) -> None:
    demo = load_tier_two(live_server)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        for path in (f"/rotations/{SLUG}", f"/rotations/{SLUG}/manage", "/rotations", "/time-off"):
            if path == f"/rotations/{SLUG}":
                log_in(page, live_server, demo.manager_email, path)
            else:
                page.goto(live_server.url + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} is {width}px wide on a 390px phone"
        page.goto(f"{live_server.url}/rotations/{SLUG}")
        # On a phone the month is a list of the days with shifts, each day named.
        expect(page.locator("td.day:not(.empty) .weekday").first).to_be_visible()
    finally:
        context.close()
