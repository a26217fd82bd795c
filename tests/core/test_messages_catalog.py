"""The ``messages`` catalog is complete: every string marked for translation in emails, Slack
messages, feeds and API texts has a Dutch translation that is not fuzzy.

Extracts in-process with Babel, from the same directories and with the same keywords as
``make translations``.
"""

from __future__ import annotations

from configparser import RawConfigParser
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

from core import i18n

ROOT = Path(__file__).resolve().parents[2]
SOURCES = (
    "core",
    "rotation",
    "onboarding",
    "kb_links",
    "flows",
    "web/api",
    "web/slack",
    "web/feeds",
)
KEYWORDS = {"N_": None, "gettext": (2,), "ngettext": (2, 3)}


def _method_map() -> list[tuple[str, str]]:
    config = RawConfigParser()
    config.read(ROOT / "babel.cfg")
    return [
        (section.split(":", 1)[1].strip(), section.split(":", 1)[0].strip())
        for section in config.sections()
    ]


def extracted() -> dict[str | tuple[str, str], str]:
    """Every msgid (a (singular, plural) pair for plurals) with where it was found."""
    found: dict[str | tuple[str, str], str] = {}
    keywords = {**DEFAULT_KEYWORDS, **KEYWORDS}
    for directory in SOURCES:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / directory, method_map=_method_map(), keywords=keywords
        ):
            key = message if isinstance(message, str) else (message[0], message[1])
            found.setdefault(key, f"{directory}/{filename}:{lineno}")
    return found


def test_every_message_has_a_dutch_translation() -> None:
    messages = extracted()
    assert len(messages) > 100  # the extraction found the marked strings at all
    catalog = i18n.catalog("nl", "messages")
    missing = []
    for key, where in sorted(messages.items(), key=lambda item: item[1]):
        singular = key if isinstance(key, str) else key[0]
        entry = catalog.get(singular)
        strings = entry.string if entry is not None else ""
        complete = all(strings) if isinstance(strings, tuple) else bool(strings)
        if entry is None or entry.fuzzy or not complete:
            missing.append(f"{where}: {key!r}")
    assert missing == [], "untranslated or fuzzy in messages.po:\n" + "\n".join(missing)


def test_plural_entries_have_both_dutch_forms() -> None:
    catalog = i18n.catalog("nl", "messages")
    plurals = [m for m in catalog if m.id and m.pluralizable]
    assert plurals
    for message in plurals:
        assert isinstance(message.string, tuple) and len(message.string) == 2, message.id
        assert all("%(count)s" in form for form in message.string), message.id


def test_a_text_in_both_catalogs_has_one_translation() -> None:
    """Both domains are merged into one set of translations per language, so a message the
    pages and the messages share ("Decline") must read the same in both."""
    pages = i18n.catalog("nl", "pages")
    differing = []
    for message in i18n.catalog("nl", "messages"):
        if not message.id:
            continue
        other = pages.get(message.id, context=message.context)
        if other is not None and other.string != message.string:
            differing.append((message.id, other.string, message.string))
    assert differing == []
