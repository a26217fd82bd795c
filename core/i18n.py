"""Languages: which one a person reads, the catalogs that translate, locale-aware formatting.

English is the source language: every message is written in English in the code and the
templates and marked for translation; ``core/locales/<lang>/LC_MESSAGES/<domain>.po`` holds
the translations. Two domains keep the catalogs readable: ``pages`` (templates and the
page handlers in ``web/pages``) and ``messages`` (everything else: emails, Slack messages,
feed texts and API texts meant for people). Catalogs are compiled in memory on first use,
so there are no generated files to keep in step; ``make translations`` extracts the marked
strings and updates every catalog.

Placeholders are named, ``%(name)s``, the form both Jinja's i18n extension and gettext
tools understand; translators may reorder them.
"""

from __future__ import annotations

import gettext as gnu_gettext
from datetime import date, datetime, timedelta
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from babel import dates, numbers
from babel.core import negotiate_locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

Locale = Literal["en", "nl"]
LOCALES: tuple[str, ...] = get_args(Locale)
DEFAULT: Locale = "en"
CATALOGS = Path(__file__).with_name("locales")
DOMAINS = ("pages", "messages")
# How each language is named in its own language, for the language switch.
NATIVE_NAMES = {"en": "English", "nl": "Nederlands"}


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined; translate it where it is shown."""
    return message


def catalog(locale: str, domain: str) -> Catalog:
    """The catalog of one language and domain as stored (empty when there is none)."""
    path = CATALOGS / locale / "LC_MESSAGES" / f"{domain}.po"
    if not path.exists():
        return Catalog(locale=locale, domain=domain)
    with path.open("rb") as handle:
        return read_po(handle, locale=locale, domain=domain)


@cache
def translations(locale: str) -> gnu_gettext.NullTranslations:
    """Every domain's translations into ``locale``; English (and anything unknown) is as written.

    Fuzzy and empty entries are left out, so an unfinished translation shows the English
    rather than a guess.
    """
    if locale not in LOCALES or locale == DEFAULT:
        return gnu_gettext.NullTranslations()
    merged = Catalog(locale=locale, domain="allhands")
    for domain in DOMAINS:
        for message in catalog(locale, domain):
            if message.id and message.string and not message.fuzzy:
                merged[message.id] = message
    compiled = BytesIO()
    write_mo(compiled, merged)
    compiled.seek(0)
    return gnu_gettext.GNUTranslations(compiled)


def gettext(locale: str, message: str, **values: object) -> str:
    """``message`` in ``locale``, with its ``%(name)s`` placeholders filled from ``values``."""
    text = translations(locale).gettext(message)
    return text % values if values else text


def ngettext(locale: str, singular: str, plural: str, count: int, **values: object) -> str:
    """The form for ``count`` ("1 card", "3 cards"); ``%(count)s`` is ``count`` formatted."""
    text = translations(locale).ngettext(singular, plural, count)
    return text % {"count": format_number(count, locale=locale), **values}


def parse_accept_language(header: str) -> list[str]:
    """Language tags of an ``Accept-Language`` header, most wanted first (RFC 9110 §12.5.4)."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip() == "q":
            try:
                quality = float(value)
            except ValueError:
                continue
        if tag and tag != "*" and 0 < quality <= 1:
            weighted.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def choose(preferred: str | None, accept_language: str | None = None) -> Locale:
    """The person's own choice if they made one, else the browser's, else English."""
    if preferred in LOCALES:
        return preferred  # type: ignore[return-value]
    if accept_language:
        wanted = [tag.replace("_", "-") for tag in parse_accept_language(accept_language)]
        found = negotiate_locale(wanted, list(LOCALES), sep="-")
        if found in LOCALES:
            return found  # type: ignore[return-value]
    return DEFAULT


def format_number(value: float, *, locale: str) -> str:
    return numbers.format_decimal(value, locale=locale)


def format_when(instant: datetime, *, locale: str, zone: str) -> str:
    """A moment as a person reads it: "ma 7 dec. 2026, 09:00 (Europe/Amsterdam)"."""
    shown = dates.format_datetime(
        instant, "EEE d MMM y, HH:mm", tzinfo=ZoneInfo(zone), locale=locale
    )
    return f"{shown} ({zone})"


def format_day(day: date, *, locale: str) -> str:
    """A date with its weekday: "ma 7 dec. 2026" / "Mon 7 Dec 2026"."""
    return dates.format_date(day, "EEE d MMM y", locale=locale)


def format_duration(length: timedelta, *, locale: str) -> str:
    """A length of time in words: "3 dagen", "2 hours"."""
    return dates.format_timedelta(length, threshold=1, locale=locale)
