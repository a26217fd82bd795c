"""Jinja2 environment for the HTML pages, with the helpers every template needs."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from functools import cache, partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from babel import dates
from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from core import i18n
from core.i18n import N_

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def flash(request: Request, message: str, category: str = "success") -> None:
    # Assign a new list: the session notices assignments, not changes inside its values, so
    # appending to a list already there would drop a second message before the next page.
    request.session["flash"] = [*request.session.get("flash", []), [category, message]]


def pop_flashes(request: Request) -> list[list[str]]:
    messages: list[list[str]] = request.session.pop("flash", [])
    return messages


# The cookie an anonymous visitor's language switch sets; a signed-in person's own choice
# (Person.locale) wins over it, and it wins over the browser's Accept-Language.
LANGUAGE_COOKIE = "allhands_lang"

# Babel (CLDR) patterns for the strftime formats the templates used before they spoke Dutch.
_PATTERNS = {
    "%a %d %b %Y, %H:%M": "EEE dd MMM y, HH:mm",
    "%a %d %b %Y": "EEE dd MMM y",
    "%a %d %b": "EEE dd MMM",
    "%a %d %b, %H:%M": "EEE dd MMM, HH:mm",
    "%d %b %Y, %H:%M": "dd MMM y, HH:mm",
    "%d %b %Y": "dd MMM y",
    "%H:%M": "HH:mm",
}


def request_locale(request: Request) -> i18n.Locale:
    """The language a page speaks: the viewer's choice, else the switch's cookie, else the
    browser's ``Accept-Language``, else English. Page dependencies store the viewer's choice
    in ``request.state.preferred_locale``."""
    preferred = getattr(request.state, "preferred_locale", None)
    if preferred not in i18n.LOCALES:
        preferred = request.cookies.get(LANGUAGE_COOKIE)
    return i18n.choose(preferred, request.headers.get("accept-language"))


def gettext(request: Request, message: str, **values: object) -> str:
    """``message`` in the request's language, for flash messages and form errors."""
    return i18n.gettext(request_locale(request), message, **values)


def ngettext(request: Request, singular: str, plural: str, count: int, **values: object) -> str:
    return i18n.ngettext(request_locale(request), singular, plural, count, **values)


def _local_time(
    locale: str, value: datetime | None, timezone: str, fmt: str = "%a %d %b %Y, %H:%M"
) -> str:
    if value is None:
        return ""
    pattern = _PATTERNS.get(fmt)
    if pattern is None:
        return value.astimezone(ZoneInfo(timezone)).strftime(fmt)
    return dates.format_datetime(value, pattern, tzinfo=ZoneInfo(timezone), locale=locale)


def local_time(
    value: datetime | None,
    timezone: str,
    fmt: str = "%a %d %b %Y, %H:%M",
    *,
    locale: str = i18n.DEFAULT,
) -> str:
    return _local_time(locale, value, timezone, fmt)


def machine_time(value: datetime | date) -> str:
    """The ``datetime`` attribute of a ``<time>``: a UTC instant to the second (HTML allows
    at most milliseconds, and nobody reads a shift's microseconds), or a plain date."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


# Old aliases of the same zones; the picker offers each place once, under its current name.
_LEGACY_ZONE_PREFIXES = ("Etc/", "SystemV/", "US/", "Canada/", "Brazil/", "Chile/", "Mexico/")


@cache
def _zone_names() -> tuple[str, ...]:
    names = {
        name
        for name in available_timezones()
        if "/" in name and not name.startswith(_LEGACY_ZONE_PREFIXES)
    }
    return tuple(sorted(names | {"UTC"}))


def timezone_choices(request: Request) -> list[tuple[str, str]]:
    """Every IANA zone with its offset from UTC now (on the app's clock), for a picker."""
    now: datetime = request.app.state.clock.now()
    choices = []
    for name in _zone_names():
        offset = now.astimezone(ZoneInfo(name)).utcoffset() or timedelta(0)
        minutes = int(offset.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "-"
        choices.append((name, f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"))
    return choices


# Audience of a navigation entry meant for admins and rotation managers.
MANAGERS = "managers"

# (path, label, audience) for the main navigation; pages add themselves here. The audience is
# False for everyone, True for admins only, or MANAGERS for admins and rotation managers.
NAV_ITEMS: list[tuple[str, str, bool | str]] = [
    ("/me/checklist", N_("My checklist"), False),
    ("/readiness", N_("Readiness"), MANAGERS),
    ("/rotations", N_("Rotations"), False),
    ("/schedules", N_("Schedules"), False),
    ("/time-off", N_("Time off"), False),
    ("/cards", N_("Cards"), False),
    ("/card-sets", N_("Card sets"), MANAGERS),
    ("/reports/hours", N_("Hours"), MANAGERS),
    ("/people", N_("People"), True),
    ("/imports/schedule", N_("Import"), True),
    ("/audit", N_("Audit"), True),
]


def visible_nav(request: Request, viewer: Any) -> list[tuple[str, str]]:
    """The navigation entries this viewer can use; members never see pages they cannot open.

    Whether the viewer manages a rotation is worked out once per request by the page's
    viewer dependency; pages rendered without one (errors) show the everyone entries only.
    """
    manages = bool(getattr(request.state, "viewer_manages", False))
    translate = i18n.translations(request_locale(request)).gettext
    return [
        (href, translate(label))
        for href, label, audience in NAV_ITEMS
        if audience is False
        or (audience is True and viewer.is_admin)
        or (audience == MANAGERS and (manages or viewer.is_admin))
    ]


def _environment(locale: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(),
        extensions=["jinja2.ext.i18n"],
    )
    # {% trans %} blocks join their lines, so the templates may wrap long sentences.
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(i18n.translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.globals["visible_nav"] = visible_nav
    env.globals["csrf_token"] = csrf_token
    env.globals["timezone_choices"] = timezone_choices
    env.globals["locale"] = locale
    env.globals["languages"] = i18n.NATIVE_NAMES
    # Monday first: "Mon"… in English, "ma"… in Dutch.
    env.globals["weekday_names"] = dict(dates.get_day_names("abbreviated", locale=locale))
    env.filters["local_time"] = partial(_local_time, locale)
    env.filters["machine_time"] = machine_time
    # A message that comes as a value (a label marked with N_, an error sentence): translated
    # as plain text, so it is escaped like any other value.
    env.filters["translate"] = i18n.translations(locale).gettext
    env.filters["day"] = partial(_day, locale)
    env.filters["cldr"] = partial(_cldr, locale)
    env.filters["number"] = partial(_number, locale)
    env.filters["duration"] = partial(_duration, locale)
    return env


def _day(locale: str, value: date | None) -> str:
    return "" if value is None else i18n.format_day(value, locale=locale)


def _cldr(locale: str, value: date, pattern: str) -> str:
    """A date in a CLDR pattern in the page's language ("LLLL y": "december 2026")."""
    return dates.format_date(value, pattern, locale=locale)


def _number(locale: str, value: float) -> str:
    return i18n.format_number(value, locale=locale)


def _duration(locale: str, value: timedelta) -> str:
    return i18n.format_duration(value, locale=locale)


class LocalizedTemplates:
    """One Jinja environment per language, each with its translations installed: simpler and
    safer than swapping the translations of one environment per request."""

    def __init__(self) -> None:
        self.by_locale = {
            locale: Jinja2Templates(env=_environment(locale)) for locale in i18n.LOCALES
        }

    def __getitem__(self, locale: str) -> Jinja2Templates:
        return self.by_locale[locale]

    @property
    def env(self) -> Environment:
        return self.by_locale[i18n.DEFAULT].env


@cache
def build_templates() -> LocalizedTemplates:
    """The templates, built once per process: every app built in it (tests build one each)
    shares the environments and so compiles each template once."""
    return LocalizedTemplates()


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    templates: LocalizedTemplates = request.app.state.templates
    data = {"flashes": pop_flashes(request), **(context or {})}
    locale = request_locale(request)
    return templates[locale].TemplateResponse(request, name, data, status_code=status_code)
