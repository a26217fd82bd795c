"""Reading before a shift, in a real browser: the checklist, the dashboard, a major change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import people
from core.models import Person
from core.schemas import PersonCreate
from flows import demo_data
from kb_links import service as card_service
from kb_links.models import Card
from kb_links.schemas import CardCreate, CardUpdate
from onboarding import acks, card_sets, requirements
from onboarding.schemas import CardSetCreate, RequirementIn, RequirementsPut
from rotation import members, swaps
from rotation import service as rotation_service
from rotation.models import Shift
from rotation.schemas import RotationCreate
from tests.browser.screenshots import save_screenshot
from tests.conftest import DEFAULT_NOW, LiveServer

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
TIER2_SET = "Tier-2 essentials"
CHANGED_CARD = "Known issues this quarter"


@dataclass(frozen=True)
class Org:
    manager_email: str
    engineer_email: str
    engineer_name: str
    shift_id: int
    titles: list[str]


def _person(session: Session, local: str, name: str, timezone: str, **extra: bool) -> Person:
    return people.create_person(
        session,
        data=PersonCreate(
            email=f"{local}@{demo_data.DOMAIN}", name=name, timezone=timezone, **extra
        ),
        now=DEFAULT_NOW,
        actor=None,
        password=PASSWORD,
    )


def build_org(live_server: LiveServer) -> Org:
    """Tier-2 engineering from the demo organisation, made through the services.

    The engineer on next week's shift has read two of the seven cards, and read the known
    issues before their last major change; a colleague asks them to cover a later week.
    """
    now = DEFAULT_NOW
    cards_by_title = {row[0]: row for row in demo_data.CARDS}
    description, titles = demo_data.CARD_SETS[TIER2_SET]
    with live_server.sessions.begin() as session:
        admin = _person(session, "admin", "Alex Admin", "Europe/Amsterdam", is_admin=True)
        manager = _person(session, "grace.kim", "Grace Kim", "America/New_York")
        engineers = [
            _person(session, local, name, timezone)
            for local, name, timezone, _team in demo_data.ENGINEERS[:4]
        ]
        rotation = rotation_service.create_rotation(
            session,
            data=RotationCreate(
                name="Tier-2 engineering",
                slug="tier-2",
                timezone="Europe/Amsterdam",
                start_date=date(2026, 11, 23),
                manager_ids=[manager.id],
            ),
            now=now,
            actor=admin,
        )
        members.set_members(
            session, rotation=rotation, person_ids=[p.id for p in engineers], now=now, actor=admin
        )
        cards = []
        for title in titles:
            _title, source, collection, every, _days_ago, _changes = cards_by_title[title]
            cards.append(
                card_service.create_card(
                    session,
                    data=CardCreate(
                        title=title,
                        url=f"https://kb.example.com/{source}/{len(cards) + 1}",
                        source=source,
                        collection=collection,
                        verify_every_days=every,
                    ),
                    now=now - timedelta(days=30),
                    actor=admin,
                )
            )
        card_set = card_sets.create_card_set(
            session,
            data=CardSetCreate(
                name=TIER2_SET, description=description, card_ids=[c.id for c in cards]
            ),
            now=now,
            actor=admin,
        )
        requirements.set_requirements(
            session,
            rotation=rotation,
            data=RequirementsPut(requirements=[RequirementIn(card_set_id=card_set.card_set.id)]),
            now=now,
            actor=manager,
        )
        ahead = list(
            session.scalars(
                select(Shift)
                .where(Shift.rotation_id == rotation.id, Shift.start > now)
                .order_by(Shift.start)
            )
        )
        next_shift = ahead[0]
        engineer = next(p for p in engineers if p.id == next_shift.person_id)
        earlier = now - timedelta(days=10)
        for count, colleague in enumerate(p for p in engineers if p.id != engineer.id):
            for card in cards[: 2 * count + 1]:
                acks.acknowledge(session, person=colleague, card_id=card.id, version=1, now=earlier)
        for card in cards[:2]:
            acks.acknowledge(session, person=engineer, card_id=card.id, version=1, now=earlier)
        changed = next(card for card in cards if card.title == CHANGED_CARD)
        acks.acknowledge(session, person=engineer, card_id=changed.id, version=1, now=earlier)
        card_service.update_card(
            session,
            card=changed,
            data=CardUpdate(summary="New workaround for the export timeout"),
            now=now - timedelta(days=1),
            actor=manager,
        )
        colleague_shift = next(s for s in ahead[1:] if s.person_id not in (None, engineer.id))
        colleague = session.get(Person, colleague_shift.person_id)
        assert colleague is not None
        swaps.request_swap(
            session,
            requester=colleague,
            shift_id=colleague_shift.id,
            counterpart_shift_id=None,
            counterpart_person_id=engineer.id,
            now=now,
        )
        return Org(
            manager_email=manager.email,
            engineer_email=engineer.email,
            engineer_name=engineer.name,
            shift_id=next_shift.id,
            titles=list(titles),
        )


def log_in(page: Page, live_server: LiveServer, email: str) -> None:
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello,")


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to allhands")


def dashboard_row(page: Page, org: Org) -> object:
    return page.locator(f"#shift-{org.shift_id}")


def test_an_engineer_reads_every_card_and_the_shift_turns_ready(
    live_server: LiveServer, page: Page
) -> None:
    org = build_org(live_server)
    log_in(page, live_server, org.engineer_email)
    shift_row = page.locator(f"#shift-{org.shift_id}")
    expect(shift_row.locator("label")).to_have_text("2 of 7 cards read")
    expect(
        page.get_by_role("heading", name="Swap requests waiting for your answer")
    ).to_be_visible()
    assert save_screenshot(page, "home").stat().st_size < 300_000

    page.get_by_role("link", name="My checklist", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My checklist")
    block = page.locator(f"#shift-{org.shift_id}")
    expect(block.get_by_text("Changed since you read v1")).to_be_visible()
    expect(block.get_by_text("1 card changed since you last read it.")).to_be_visible()
    link = block.get_by_role("link", name=org.titles[0])
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    assert save_screenshot(page, "checklist").stat().st_size < 300_000

    # The first unread card by keyboard, the rest by mouse.
    buttons = block.get_by_role("button", name="Mark as read")
    expect(buttons).to_have_count(5)
    buttons.first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("as read.")
    while block.get_by_role("button", name="Mark as read").count():
        block.get_by_role("button", name="Mark as read").first.click()
        expect(page.get_by_role("status")).to_contain_text("as read.")
    expect(block.locator(".checklist-summary label")).to_have_text("7 of 7 cards read")
    expect(block.locator(".checklist-summary .badge")).to_have_text("Ready")
    log_out(page)

    log_in(page, live_server, org.manager_email)
    page.get_by_role("link", name="Readiness", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Readiness")
    row = page.locator(f"#shift-{org.shift_id}")
    expect(row.locator(".badge")).to_have_text("Ready")
    expect(row.get_by_role("link", name=org.engineer_name)).to_be_visible()
    expect(row.locator("label")).to_have_text("7 of 7 cards read")
    assert save_screenshot(page, "readiness").stat().st_size < 300_000


def test_a_major_change_turns_a_ready_shift_back_to_pending(
    live_server: LiveServer, page: Page
) -> None:
    org = build_org(live_server)
    with live_server.sessions.begin() as session:
        engineer = people.find_by_email(session, org.engineer_email)
        assert engineer is not None
        for card in session.scalars(select(Card)):
            acks.acknowledge(
                session, person=engineer, card_id=card.id, version=None, now=DEFAULT_NOW
            )
    log_in(page, live_server, org.manager_email)
    page.goto(live_server.url + "/readiness")
    row = page.locator(f"#shift-{org.shift_id}")
    expect(row.locator(".badge")).to_have_text("Ready")

    title = org.titles[1]
    page.get_by_role("link", name="Cards", exact=True).click()
    page.get_by_role("link", name=f"Edit {title}").click()
    page.get_by_label("Major change (everyone must re-read)").check()
    page.get_by_label("What changed").fill("Refunds over 500 euros need a second approver")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("major change: now version 2")

    page.get_by_role("link", name="Readiness", exact=True).click()
    row = page.locator(f"#shift-{org.shift_id}")
    expect(row.locator(".badge")).to_have_text("Pending")
    expect(row.locator("td.missing")).to_contain_text(title)
    row.get_by_role("link", name=org.engineer_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Checklist of {org.engineer_name}")
    expect(page.get_by_text("Changed since they read v1")).to_be_visible()
    log_out(page)

    log_in(page, live_server, org.engineer_email)
    page.get_by_role("link", name="My checklist", exact=True).click()
    item = page.locator(".checklist-item", has_text=title)
    expect(item.get_by_text("Changed since you read v1")).to_be_visible()
    expect(item.get_by_role("button", name=f"Mark as read “{title}”, version 2")).to_be_visible()


def test_the_onboarding_pages_fit_a_phone(live_server: LiveServer, browser: Browser) -> None:
    org = build_org(live_server)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        log_in(page, live_server, org.engineer_email)
        for path in ("/", "/me/checklist"):
            page.goto(live_server.url + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} is {width}px wide on a 390px phone"
        expect(page.get_by_role("button", name="Mark as read").first).to_be_visible()
        log_out(page)
        log_in(page, live_server, org.manager_email)
        for path in ("/readiness", "/card-sets", f"/card-sets/{_first_set(live_server)}"):
            page.goto(live_server.url + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} is {width}px wide on a 390px phone"
    finally:
        context.close()


def _first_set(live_server: LiveServer) -> int:
    with live_server.sessions() as session:
        (view,) = card_sets.list_card_sets(session)
        return view.card_set.id


def _mark_a_card_read(page: Page, live_server: LiveServer, org: Org) -> tuple[str, float]:
    """Scroll to the first unread card of the next shift and mark it as read; its id
    and its distance from the top of the window when marked."""
    page.goto(live_server.url + "/me/checklist")
    item = page.locator(f"#shift-{org.shift_id} .checklist-item.is-unread").first
    item_id = item.get_attribute("id")
    assert item_id
    # Where a reader would be: the card part way down the window, the page scrolled.
    top = f"document.getElementById('{item_id}').getBoundingClientRect().top"
    page.evaluate(f"window.scrollBy(0, {top} - 100)")
    assert page.evaluate("window.scrollY") > 0
    before = page.evaluate(top)
    item.get_by_role("button").click()
    expect(page.locator(f"#{item_id} .badge")).to_have_text("Read")
    return item_id, before


def test_mark_as_read_keeps_the_scroll_position(live_server: LiveServer, browser: Browser) -> None:
    org = build_org(live_server)
    context = browser.new_context(viewport={"width": 1280, "height": 400})
    try:
        page = context.new_page()
        log_in(page, live_server, org.engineer_email)
        item_id, before = _mark_a_card_read(page, live_server, org)
        page.wait_for_load_state("load")
        page.evaluate("new Promise(requestAnimationFrame)")
        after = page.evaluate(f"document.getElementById('{item_id}').getBoundingClientRect().top")
        assert abs(after - before) <= 2, f"the card moved from {before} to {after} px"
        expect(page.locator(f"#{item_id}")).to_be_in_viewport()
    finally:
        context.close()


def test_mark_as_read_without_javascript_returns_to_the_card(
    live_server: LiveServer, browser: Browser
) -> None:
    org = build_org(live_server)
    context = browser.new_context(
        viewport={"width": 1280, "height": 400}, java_script_enabled=False
    )
    try:
        page = context.new_page()
        log_in(page, live_server, org.engineer_email)
        item_id, _before = _mark_a_card_read(page, live_server, org)
        assert page.url.endswith(f"/me/checklist#{item_id}")
        assert page.evaluate("window.scrollY") > 0
        expect(page.locator(f"#{item_id}")).to_be_in_viewport()
    finally:
        context.close()
