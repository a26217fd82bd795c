"""Which language a person reads, and how catalogs translate and format in it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core import i18n


@pytest.mark.parametrize(
    ("preferred", "header", "chosen"),
    [
        ("nl", "en-GB,en;q=0.9", "nl"),
        ("en", "nl-NL,nl;q=0.9", "en"),
        (None, "nl-BE,nl;q=0.9,en;q=0.8", "nl"),
        (None, "de-DE,de;q=0.9,nl;q=0.5,en;q=0.7", "en"),
        (None, "en;q=0.2,nl;q=0.3", "nl"),
        (None, "fr-FR", "en"),
        (None, "nl;q=0", "en"),
        (None, "nl;q=banana,en", "en"),
        (None, "", "en"),
        (None, None, "en"),
        ("xx", "nl", "nl"),
    ],
)
def test_choice_follows_person_then_browser_then_english(
    preferred: str | None, header: str | None, chosen: str
) -> None:
    assert i18n.choose(preferred, header) == chosen


def test_english_is_the_source_and_unknown_messages_stay_as_written() -> None:
    assert i18n.gettext("en", "Hello %(name)s", name="Sam") == "Hello Sam"
    assert i18n.gettext("nl", "a message no catalog has") == "a message no catalog has"


def test_plural_forms_follow_the_count() -> None:
    assert i18n.ngettext("en", "%(count)s card", "%(count)s cards", 1) == "1 card"
    assert i18n.ngettext("en", "%(count)s card", "%(count)s cards", 1200) == "1,200 cards"


def test_dates_are_written_in_the_language_and_the_persons_zone() -> None:
    instant = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    assert i18n.format_when(instant, locale="nl", zone="Europe/Amsterdam").startswith("ma 7 dec")
    assert i18n.format_when(instant, locale="nl", zone="Europe/Amsterdam").endswith(
        "2026, 09:00 (Europe/Amsterdam)"
    )
    assert i18n.format_when(instant, locale="en", zone="America/New_York") == (
        "Mon 7 Dec 2026, 03:00 (America/New_York)"
    )
    assert i18n.format_day(date(2026, 3, 1), locale="nl").startswith("zo 1 mrt")
    assert i18n.format_duration(timedelta(days=3), locale="nl") == "3 dagen"
    assert i18n.format_number(1234.5, locale="nl") == "1.234,5"


def test_every_language_has_catalogs_that_compile() -> None:
    for locale in i18n.LOCALES:
        for domain in i18n.DOMAINS:
            catalog = i18n.catalog(locale, domain)
            if locale != i18n.DEFAULT:
                assert catalog.num_plurals == 2
        assert i18n.translations(locale).gettext("x") == "x"
