"""Pages in English and Dutch: every marked message translated, no template text left
unmarked, pages rendered in the viewer's language, and the switch for visitors."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_from_file
from babel.messages.frontend import parse_keywords
from fastapi.testclient import TestClient
from jinja2 import Environment, nodes
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import i18n
from core.clock import FixedClock
from core.models import Person
from flows import demo, demo_data
from kb_links.models import Card
from onboarding.models import CardSet
from rotation.models import Shift
from tests.conftest import DEFAULT_NOW
from tests.web.onboarding_world import World, log_in, post
from tests.web.test_auth_pages import login

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "web" / "templates"


def _pages_keywords() -> dict[str, Any]:
    """The keywords ``make translations`` extracts the pages with, read from the Makefile."""
    makefile = (ROOT / "Makefile").read_text()
    match = re.search(r"^PAGES_KEYWORDS = ((?:.*\\\n)*.*)$", makefile, re.MULTILINE)
    assert match, "the Makefile defines PAGES_KEYWORDS"
    words = shlex.split(match.group(1).replace("\\\n", " "))
    # pybabel adds -k keywords to its defaults (pgettext among them).
    keywords: dict[str, Any] = {
        **DEFAULT_KEYWORDS,
        **parse_keywords([word for word in words if word != "-k"]),
    }
    return keywords


def _extracted() -> set[Any]:
    keywords = _pages_keywords()
    method_map = [("**.html", "jinja2"), ("**.py", "python")]
    options = {"**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    found: set[Any] = set()
    for folder in ("web/templates", "web/pages"):
        for _file, _line, message, _comments, context in extract_from_dir(
            ROOT / folder, method_map, options_map=options, keywords=keywords
        ):
            found.add((message, context))
    # The navigation's labels and the error pages' titles.
    for module in ("templating.py", "app.py"):
        for _line, message, _comments, context in extract_from_file(
            "python", ROOT / "web" / module, keywords=keywords
        ):
            found.add((message, context))
    return found


def test_every_page_message_has_a_dutch_translation() -> None:
    catalog = i18n.catalog("nl", "pages")
    messages = _extracted()
    assert len(messages) > 150
    untranslated = []
    for message, context in messages:
        key = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(key, context=context)
        strings = entry.string if entry else None
        done = (
            entry is not None
            and not entry.fuzzy
            and (all(strings) if isinstance(strings, tuple) else bool(strings))
        )
        if not done:
            untranslated.append(key)
    assert not untranslated, "run `make translations` and translate: " + repr(untranslated)


def _bare_text(template: nodes.Node) -> list[str]:
    """Template text with letters outside {% trans %} (which compiles to gettext calls)."""
    # The template's text in document order, each expression or tag block a placeholder, so
    # markup split over several pieces ('<a href="', url, '">') is removed whole.
    pieces = []
    for output in template.find_all(nodes.Output):
        for node in output.nodes:
            pieces.append(node.data if isinstance(node, nodes.TemplateData) else "\x00")
    text = re.sub(r"<[^>]*>|&[a-z]+;|&#\d+;", "\x00", "".join(pieces))
    return [part.strip() for part in text.split("\x00") if re.search(r"[A-Za-z]", part)]


def test_no_template_text_outside_translation_tags() -> None:
    env = Environment(extensions=["jinja2.ext.i18n"])
    bare = {}
    for path in sorted(TEMPLATES.glob("*.html")):
        # Names (the product's own, Slack's) are the same in every language.
        text = [
            part
            for part in _bare_text(env.parse(path.read_text()))
            if re.search(r"[A-Za-z]", re.sub(r"\b(allhands|Slack)\b", "", part))
        ]
        if text:
            bare[path.name] = text
    assert not bare, bare


@pytest.fixture
def world(session: Session, clock: FixedClock) -> World:
    return World(session, clock.now())


PAGES = {
    "/": ("Je volgende diensten", "Your next shifts"),
    "/me/checklist": ("Mijn checklist", "My checklist"),
    "/rotations/tier2": ("Komende ruilen", "Upcoming swaps"),
    "/me": ("Je profiel", "Your profile"),
}


@pytest.mark.parametrize("path", sorted(PAGES))
def test_pages_speak_the_viewers_language(
    client: TestClient, session: Session, world: World, path: str
) -> None:
    dutch_words, english_words = PAGES[path]
    log_in(client, world.ana)
    english = client.get(path)
    assert english.status_code == 200
    assert english_words in english.text and '<html lang="en">' in english.text
    world.ana.locale = "nl"
    session.flush()
    dutch = client.get(path, headers={"Accept-Language": "en"})
    assert dutch.status_code == 200
    assert dutch_words in dutch.text and '<html lang="nl">' in dutch.text
    assert english_words not in dutch.text


def test_dutch_dates_and_plurals(client: TestClient, session: Session, world: World) -> None:
    world.ana.locale = "nl"
    session.flush()
    log_in(client, world.ana)
    page = client.get("/me/checklist").text
    assert "0 van 3 kaarten gelezen" in page
    # Machine values stay in UTC; what people read is Dutch.
    assert re.search(
        r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">(ma|di|wo|do|vr|za|zo) ', page
    )


def test_browser_language_for_visitors_and_the_footer_switch(client: TestClient) -> None:
    page = client.get("/login", headers={"Accept-Language": "nl-NL,nl;q=0.9,en;q=0.5"})
    assert "Inloggen bij allhands" in page.text and '<html lang="nl">' in page.text
    assert "Log in to allhands" in client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    switched = client.post(
        "/language",
        data={"csrf_token": token.group(1), "locale": "nl", "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert switched.status_code == 303 and switched.headers["location"] == "/"
    # The switch wins over the browser's language.
    again = client.get("/login", headers={"Accept-Language": "en"})
    assert "Inloggen bij allhands" in again.text
    refused = client.post(
        "/language", data={"csrf_token": "wrong", "locale": "en"}, follow_redirects=False
    )
    assert refused.status_code == 403
    unknown = client.post(
        "/language", data={"csrf_token": token.group(1), "locale": "fr"}, follow_redirects=False
    )
    assert unknown.status_code == 422


def _locale(session: Session, world: World) -> str | None:
    session.refresh(world.ana)
    return world.ana.locale


def test_error_pages_speak_the_visitors_language(client: TestClient) -> None:
    dutch = client.get("/no-such-page", headers={"Accept-Language": "nl"})
    assert dutch.status_code == 404
    assert "Niet gevonden" in dutch.text and "Op dit adres staat geen pagina." in dutch.text
    english = client.get("/no-such-page", headers={"Accept-Language": "en"})
    assert english.status_code == 404
    assert "Not found" in english.text and "There is no page at this address." in english.text


def test_refusals_on_pages_speak_the_viewers_language(
    client: TestClient, session: Session, world: World
) -> None:
    world.ana.locale = "nl"
    session.flush()
    log_in(client, world.ana)
    bad_month = client.get("/rotations/tier2?month=soon")
    assert bad_month.status_code == 422
    assert "Geef de maand als JJJJ-MM, bijvoorbeeld 2026-11." in bad_month.text
    managers_only = client.get("/readiness")
    assert managers_only.status_code == 403
    assert "Alleen beheerders en roosterbeheerders kunnen deze pagina openen." in (
        managers_only.text
    )


def test_profile_language_setting_persists(
    client: TestClient, session: Session, world: World
) -> None:
    log_in(client, world.ana)
    form = {"name": world.ana.name, "timezone": world.ana.timezone, "notify_email": "true"}
    saved = post(client, "/me", {**form, "locale": "nl"})
    assert saved.status_code == 303
    assert _locale(session, world) == "nl"
    profile = client.get("/me").text
    assert "Je profiel is opgeslagen." in profile
    assert '<option value="nl" lang="nl" selected>Nederlands</option>' in profile
    post(client, "/me", {**form, "locale": ""})
    assert _locale(session, world) is None
    assert "Your profile is saved." in client.get("/me").text
    bad = post(client, "/me", {**form, "locale": "xx"})
    assert bad.status_code == 422
    assert _locale(session, world) is None


DEMO_PAGES = {
    "ana.devries": ["/", "/me/checklist", "/me", "/rotations", "/time-off", "/cards", "/schedules"],
    "hana.novak": [
        "/rotations/tier-2-engineering", "/rotations/tier-2-engineering/manage", "/readiness",
        "/card-sets", "/reports/hours", "/shifts/{shift}/cover",
    ],
    "admin": [
        "/people", "/audit", "/cards/new", "/cards/{card}/edit", "/card-sets/{card_set}",
        "/schedules/follow-the-sun", "/imports/schedule", "/nowhere",
    ],
}  # fmt: skip


def test_every_demo_page_in_dutch_and_english(client: TestClient, session: Session) -> None:
    """Each page the demo's people open, once in each language: both answer, and the Dutch
    one is Dutch (its own words, its lang) where the English one is English."""
    demo.load_demo(session, now=DEFAULT_NOW)
    session.flush()
    ids = {
        "shift": session.scalars(select(Shift.id).where(Shift.person_id.is_not(None))).first(),
        "card": session.scalars(select(Card.id)).first(),
        "card_set": session.scalars(select(CardSet.id)).first(),
    }
    for who, paths in DEMO_PAGES.items():
        person = session.scalars(
            select(Person).where(Person.email == f"{who}@{demo_data.DOMAIN}")
        ).one()
        client.cookies.clear()
        assert login(client, person.email, demo_data.DEMO_PASSWORD)[0] == 303
        for path in (p.format(**ids) for p in paths):
            pages = {}
            for locale in ("en", "nl"):
                person.locale = locale
                session.flush()
                pages[locale] = client.get(path)
            assert pages["en"].status_code == pages["nl"].status_code, path
            assert pages["nl"].status_code in (200, 404), path
            assert '<html lang="nl">' in pages["nl"].text, path
            assert pages["en"].text != pages["nl"].text, path
            assert "Uitloggen" in pages["nl"].text and "Log out" in pages["en"].text, path
