"""Jinja2 environment for the HTML pages, with the helpers every template needs."""

from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

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


# (path, label, admins only) for the main navigation; pages add themselves here.
NAV_ITEMS: list[tuple[str, str, bool]] = [
    ("/rotations", "Rotations", False),
    ("/time-off", "Time off", False),
    ("/cards", "Cards", False),
    ("/people", "People", True),
    ("/audit", "Audit", True),
]


def build_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.globals["nav_items"] = NAV_ITEMS
    templates.env.globals["csrf_token"] = csrf_token
    templates.env.filters["local_time"] = local_time
    return templates


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    data = {"flashes": pop_flashes(request), **(context or {})}
    return templates.TemplateResponse(request, name, data, status_code=status_code)
