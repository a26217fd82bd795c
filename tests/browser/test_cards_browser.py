"""The card registry in a real browser: verify, a major edit, an import with a bad line."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import insert
from sqlalchemy.orm import Session

from core.models import Person
from core.security import hash_password
from flows import demo_data
from kb_links.models import Card
from rotation.models import Rotation, rotation_manager
from tests.browser.screenshots import save_screenshot
from tests.conftest import DEFAULT_NOW, LiveServer

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


def add_person(session: Session, email: str, name: str, *, is_admin: bool = False) -> Person:
    person = Person(
        email=email,
        name=name,
        timezone="Europe/Amsterdam",
        is_admin=is_admin,
        password_hash=hash_password(PASSWORD),
        created_at=DEFAULT_NOW,
    )
    session.add(person)
    session.flush()
    return person


def load_registry(live_server: LiveServer) -> None:
    """The demo organisation's cards, a manager of one rotation and an admin."""
    with live_server.sessions.begin() as session:
        manager = add_person(session, "grace.kim@example.com", "Grace Kim")
        add_person(session, "admin@example.com", "Alex Admin", is_admin=True)
        verifier = add_person(session, "hana.novak@example.com", "Hana Novak")
        rotation = Rotation(
            slug="tier-2",
            name="Tier-2 engineering",
            timezone="Europe/Amsterdam",
            start_date=date(2026, 11, 2),
            handoff_time=time(9, 0),
            created_at=DEFAULT_NOW,
            updated_at=DEFAULT_NOW,
        )
        session.add(rotation)
        session.flush()
        session.execute(
            insert(rotation_manager).values(rotation_id=rotation.id, person_id=manager.id)
        )
        for n, (title, source, collection, every, days_ago, changes) in enumerate(
            demo_data.CARDS, start=1
        ):
            verified = None if days_ago is None else DEFAULT_NOW - timedelta(days=days_ago)
            session.add(
                Card(
                    title=title,
                    url=f"https://kb.example.com/{source}/{n}",
                    source=source,
                    external_id=f"{source}-{n}" if source != "link" else None,
                    collection=collection,
                    verifier_id=verifier.id if n % 3 else None,
                    verify_every_days=every,
                    last_verified_at=verified,
                    version=1 + changes,
                    created_at=DEFAULT_NOW - timedelta(days=400),
                    updated_at=DEFAULT_NOW,
                    changed_at=DEFAULT_NOW,
                )
            )


def log_in(page: Page, live_server: LiveServer, email: str) -> None:
    page.goto(live_server.url + "/cards")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cards")


def test_manager_verifies_and_makes_a_major_change(live_server: LiveServer, page: Page) -> None:
    load_registry(live_server)
    log_in(page, live_server, "grace.kim@example.com")
    expect(page.get_by_text("of 30 cards are stale.")).to_be_visible()

    stale_row = page.locator("tr.stale", has_text="Refunds and credits policy")
    expect(stale_row.locator(".badge-stale")).to_have_text("Stale")
    stale_row.get_by_role("button", name="Verify Refunds and credits policy").click()
    expect(page.get_by_role("status")).to_contain_text("Verified “Refunds and credits policy”")
    row = page.locator("tr", has_text="Refunds and credits policy")
    expect(row).not_to_have_class("stale")
    expect(row.locator(".badge-trusted")).to_have_text("Trusted")

    page.get_by_role("link", name="Edit Known issues this quarter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Known issues this quarter")
    page.get_by_label("Title").fill("Known issues this quarter (Q4)")
    page.get_by_role("button", name="Save changes").click()
    # No kind of change chosen: the form comes back with the typed title kept.
    expect(page.get_by_text("Choose whether this is a major or a minor change.")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Known issues this quarter (Q4)")
    page.get_by_label("Major change (everyone must re-read)").check()
    page.get_by_label("What changed").fill("New workaround for the export timeout")
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_role("status")).to_contain_text("major change: now version 6")
    row = page.locator("tr", has_text="Known issues this quarter (Q4)")
    expect(row.locator("td[data-label='Version']")).to_have_text("6")
    row.get_by_role("link", name="Edit Known issues this quarter (Q4)").click()
    expect(page.get_by_role("table").last).to_contain_text("New workaround for the export timeout")


def test_admin_import_lists_the_bad_line_then_imports(
    live_server: LiveServer, page: Page, tmp_path: Path
) -> None:
    load_registry(live_server)
    log_in(page, live_server, "admin@example.com")
    page.get_by_label("Or paste CSV or Guru JSON").fill(
        "title,url,source,collection\n"
        "Status page basics,https://kb.example.com/status,link,Communications\n"
        "Broken link,kb.example.com/nowhere,link,Communications\n"
    )
    page.get_by_role("button", name="Import", exact=True).click()
    errors = page.locator(".import-errors li")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("line 3: url: not an http(s) URL")
    expect(page.get_by_role("alert").first).to_contain_text("nothing was imported")
    expect(page.locator("tr", has_text="Status page basics")).to_have_count(0)

    csv_file = tmp_path / "cards.csv"
    csv_file.write_text(
        "title,url,source,collection\n"
        "Status page basics,https://kb.example.com/status,link,Communications\n"
    )
    page.get_by_label("Or paste CSV or Guru JSON").fill("")
    page.get_by_label("File (.csv or Guru .json)").set_input_files(csv_file)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Imported the CSV: 1 created, 0 updated")
    expect(page.locator("tr", has_text="Status page basics")).to_have_count(1)

    page.goto(live_server.url + "/cards")
    wrap = page.locator(".registry-wrap")
    # On a laptop screen the whole registry, actions included, shows without scrolling.
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth")
    shot = save_screenshot(page, "cards")
    assert shot.stat().st_size < 300_000


def test_the_registry_fits_a_phone(live_server: LiveServer, browser: Browser) -> None:
    load_registry(live_server)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        log_in(page, live_server, "grace.kim@example.com")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width}px wide on a 390px phone"
        row = page.locator("tr", has_text="Refunds and credits policy")
        expect(row.get_by_role("button", name="Verify Refunds and credits policy")).to_be_visible()
        # Each value is labelled on a phone, where the column headers are hidden.
        expect(row.locator("td[data-label='Version']")).to_be_visible()
    finally:
        context.close()
