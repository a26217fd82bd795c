"""Small things a new user notices: API docs offline, a favicon, the current page marked in
the navigation, and a calendar-link reset that asks first."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.rotation_demo import PASSWORD, add_people, email
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


def _log_in(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill(email("ana.devries"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello,")


def test_api_docs_load_without_the_internet(live_server: LiveServer, page: Page) -> None:
    outside: list[str] = []

    def only_loopback(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_loopback)
    page.goto(live_server.url + "/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("allhands")
    expect(page.locator(".opblock").first).to_be_visible()
    assert outside == []


@pytest.mark.parametrize("width", [1280, 390])
def test_favicon_and_the_current_page_in_the_navigation(
    live_server: LiveServer, page: Page, width: int
) -> None:
    add_people(live_server)
    page.set_viewport_size({"width": width, "height": 900})
    _log_in(page, live_server)
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon
    answer = page.request.get(urljoin(page.url, icon))
    assert answer.ok and answer.headers["content-type"].startswith("image/svg+xml")

    page.get_by_role("link", name="Time off", exact=True).click()
    current = page.locator('header nav a[aria-current="page"]')
    expect(current).to_have_text("Time off")
    other = page.get_by_role("link", name="Cards", exact=True)
    style = "e => [getComputedStyle(e).fontWeight, getComputedStyle(e).textDecorationLine]"
    assert current.evaluate(style) == ["700", "underline"]
    assert other.evaluate(style) == ["400", "none"]


def test_resetting_the_calendar_link_asks_first(live_server: LiveServer, page: Page) -> None:
    add_people(live_server)
    _log_in(page, live_server)
    feed = page.locator("#feed-url")
    before = feed.input_value()
    confirm = page.get_by_role("button", name="Yes, reset my calendar link")
    expect(confirm).to_be_hidden()
    page.get_by_text("Reset link…").click()
    expect(page.get_by_text("The old one stops working at once")).to_be_visible()
    confirm.click()
    expect(page.get_by_role("status")).to_contain_text("Your calendar link was reset")
    assert feed.input_value() != before
