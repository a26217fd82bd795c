"""The demo's newcomers in a real browser: a shadow on the manage page with the buttons to
graduate or hold them back, and the graduation in the audit log; screenshots."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from rotation.models import Rotation
from tests.browser import demo_org
from tests.browser.screenshots import save_screenshot
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

PRODUCT = "/rotations/product-support-fortnight"


def test_a_manager_sees_a_shadow_and_the_graduate(live_server: LiveServer, page: Page) -> None:
    demo_org.load(live_server)
    demo_org.log_in(page, live_server, "grace.kim@example.com")
    page.goto(live_server.url + PRODUCT + "/manage#members")
    shadow = page.locator("#members li", has_text="Noah Wilson")
    expect(shadow.locator(".stage")).to_contain_text("of 2 shadow shifts done")
    expect(shadow.get_by_role("button", name="Graduate Noah Wilson now")).to_be_visible()
    expect(shadow.get_by_role("button", name="Hold back Noah Wilson")).to_be_visible()
    # The graduate takes shifts like everyone else: no stage badge.
    expect(page.locator("#members li", has_text="Kenji Sato").locator(".stage")).to_have_count(0)
    page.locator("#members").scroll_into_view_if_needed()
    save_screenshot(page, "stages")


def test_the_graduation_is_in_the_audit_log(live_server: LiveServer, page: Page) -> None:
    demo_org.load(live_server)
    demo_org.log_in(page, live_server, demo_org.ADMIN)
    with live_server.sessions() as session:
        product = session.scalars(
            select(Rotation.id).where(Rotation.slug == PRODUCT.rsplit("/", 1)[-1])
        ).one()
    page.goto(f"{live_server.url}/audit?rotation={product}&since=2026-01-01")
    expect(page.locator("main")).to_contain_text(
        "allhands graduated Kenji Sato from shadowing in the rotation Product support fortnight."
    )
