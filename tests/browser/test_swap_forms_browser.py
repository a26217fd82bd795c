"""The swap forms in a browser: only swaps that would be accepted are offered, and a refusal
is shown beside the form that was sent, naming shifts by person and date."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.models import Person
from rotation import time_off
from rotation.models import Shift
from tests.browser import demo_org
from tests.conftest import DEFAULT_NOW, LiveServer

pytestmark = pytest.mark.browser


def test_swap_choices_fit_and_a_refusal_shows_beside_its_form(
    live_server: LiveServer, page: Page
) -> None:
    demo_org.load(live_server)
    # This test reads the English texts; the demo's Ana reads Dutch, so she follows the browser.
    with live_server.sessions.begin() as session:
        ana = session.scalars(select(Person).where(Person.email == demo_org.ENGINEER)).one()
        ana.locale = None
    demo_org.log_in(page, live_server, demo_org.ENGINEER)
    page.goto(live_server.url + demo_org.TIER_TWO)
    form = page.locator("#trade-form")
    mine = form.get_by_label("Your shift").input_value()
    offered = form.locator("#trade-with option:not([disabled])")
    expect(offered.first).to_be_attached()
    for fits in offered.evaluate_all("options => options.map(o => o.dataset.for.split(' '))"):
        assert mine in fits
    counterpart_id = int(form.get_by_label("Their shift").input_value())

    # Their calendar changes after the page was opened: the trade no longer fits.
    with live_server.sessions.begin() as session:
        theirs = session.get(Shift, counterpart_id)
        ours = session.get(Shift, int(mine))
        assert theirs is not None and ours is not None
        them = session.get(Person, theirs.person_id)
        assert them is not None
        day = (ours.start + timedelta(hours=12)).date()
        time_off.add_time_off(
            session, person=them, start=day, end=day, reason="Moving house",
            now=DEFAULT_NOW, actor=them,
        )  # fmt: skip
        name = them.name
    form.get_by_role("button", name="Ask to trade").click()

    error = page.locator("#trade-form [role=alert]")
    expect(error).to_be_in_viewport()
    expect(error).to_contain_text(f"{name} has time off then during Ana de Vries's shift of")
    assert not re.search(r"shift \d", error.inner_text())  # never an internal id
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
