"""The demo organisation (``allhands demo``) loaded into a live server, as people first see it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from flows import demo, demo_data
from tests.conftest import DEFAULT_NOW, LiveServer

ENGINEER = "ana.devries@example.com"
MANAGER = "hana.novak@example.com"
ADMIN = "admin@example.com"
TIER_TWO = "/rotations/tier-2-engineering"


def load(live_server: LiveServer) -> None:
    with live_server.sessions.begin() as session:
        demo.load_demo(session, now=DEFAULT_NOW)


def log_in(page: Page, live_server: LiveServer, email: str) -> None:
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(demo_data.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # Ana de Vries reads Dutch (her profile's language); everyone else English.
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("Hello,|Hallo "))
