"""Jinja2 environment for the HTML pages, with the helpers every template needs."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

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


def local_time(value: datetime | None, timezone: str, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(timezone)).strftime(fmt)


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
    ("/me/checklist", "My checklist", False),
    ("/readiness", "Readiness", MANAGERS),
    ("/rotations", "Rotations", False),
    ("/schedules", "Schedules", False),
    ("/time-off", "Time off", False),
    ("/cards", "Cards", False),
    ("/card-sets", "Card sets", MANAGERS),
    ("/reports/hours", "Hours", MANAGERS),
    ("/people", "People", True),
    ("/imports/schedule", "Import", True),
    ("/audit", "Audit", True),
]


def visible_nav(request: Request, viewer: Any) -> list[tuple[str, str]]:
    """The navigation entries this viewer can use; members never see pages they cannot open.

    Whether the viewer manages a rotation is worked out once per request by the page's
    viewer dependency; pages rendered without one (errors) show the everyone entries only.
    """
    manages = bool(getattr(request.state, "viewer_manages", False))
    return [
        (href, label)
        for href, label, audience in NAV_ITEMS
        if audience is False
        or (audience is True and viewer.is_admin)
        or (audience == MANAGERS and (manages or viewer.is_admin))
    ]


def build_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.globals["visible_nav"] = visible_nav
    templates.env.globals["csrf_token"] = csrf_token
    templates.env.globals["timezone_choices"] = timezone_choices
    templates.env.filters["local_time"] = local_time
    templates.env.filters["machine_time"] = machine_time
    return templates


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    data = {"flashes": pop_flashes(request), **(context or {})}
    return templates.TemplateResponse(request, name, data, status_code=status_code)
