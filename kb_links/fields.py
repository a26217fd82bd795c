"""Field rules of a card that every entry point shares: known sources and safe links (pure)."""

from __future__ import annotations

import re

from pydantic import HttpUrl, TypeAdapter, ValidationError

SOURCES: tuple[str, ...] = (
    "guru",
    "confluence",
    "notion",
    "link",
    "zendesk",
    "google-docs",
    "other",
)
DEFAULT_VERIFY_EVERY_DAYS = 90  # Guru's default verification interval
MAX_URL_LENGTH = 2000

_http_url = TypeAdapter(HttpUrl)


# What str.isspace() calls space, plus the C0 controls and DEL: one regex scan instead of a
# Python loop over every character (an import checks a URL per row).
_SPACE_OR_CONTROL = re.compile(
    "[\\x00-\\x20\\x7f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
)


def check_url(value: str) -> str:
    """Accept only absolute http(s) URLs with a host; return them exactly as given.

    Card links end up as ``href`` on pages, so ``javascript:`` or ``data:`` URLs would be a
    stored XSS. Pydantic's ``HttpUrl`` does the parsing; the text is kept as given (not
    normalised) so that a link reads back the way its owner wrote it.
    """
    if len(value) > MAX_URL_LENGTH:
        raise ValueError(f"URL longer than {MAX_URL_LENGTH} characters")
    if _SPACE_OR_CONTROL.search(value):
        raise ValueError("URL must not contain spaces or control characters")
    try:
        _http_url.validate_python(value)
    except ValidationError as exc:
        reason = str(exc.errors()[0]["msg"])
        raise ValueError(f"not an http(s) URL ({reason})") from None
    return value


def check_source(value: str) -> str:
    """Lower-case a source name and insist it is one we know."""
    source = value.strip().lower()
    if source not in SOURCES:
        raise ValueError(f'unknown source "{value}"; use one of: {", ".join(SOURCES)}')
    return source
