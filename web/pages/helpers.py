"""What every page shares: the logged-in viewer, manager-only access, CSRF checks on form
posts, ids from paths and forms checked before they reach the database, domain errors as
HTML error pages, and form problems per field."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, status
from pydantic import ValidationError

from core.db import MAX_ID
from core.errors import DomainError
from core.models import Person
from core.security import constant_time_equal
from rotation import access
from web import errors
from web.deps import SessionDep, SettingsDep, person_from_cookie, person_from_proxy_header


class LoginRequired(Exception):
    """Raised by page dependencies; answered with a redirect to /login."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def page_viewer(request: Request, session: SessionDep, settings: SettingsDep) -> Person:
    person = person_from_proxy_header(request, session, settings) or person_from_cookie(
        request, session
    )
    if person is None:
        raise LoginRequired(request.url.path)
    # The navigation shows manager pages only to those who can use them.
    request.state.viewer_manages = access.manages_any(session, person=person)
    return person


Viewer = Annotated[Person, Depends(page_viewer)]


def require_page_admin(viewer: Viewer) -> Person:
    if not viewer.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="admins only")
    return viewer


AdminViewer = Annotated[Person, Depends(require_page_admin)]


async def verify_csrf(request: Request) -> None:
    """Every form POST carries the session's token in ``csrf_token``."""
    form = await request.form()
    given = form.get("csrf_token")
    expected = request.session.get("csrf")
    if not isinstance(given, str) or not expected or not constant_time_equal(expected, given):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="the form expired or came from another site; reload the page and try again",
        )


CsrfChecked = Depends(verify_csrf)


def login_url(next_path: str) -> str:
    return "/login?next=" + quote(next_path, safe="/")


def require_manager(request: Request, viewer: Viewer, session: SessionDep) -> Person:
    """Admins and anyone who manages a rotation."""
    # The viewer dependency has asked already, for the navigation.
    manages = getattr(request.state, "viewer_manages", None)
    if manages is None:
        manages = access.manages_any(session, person=viewer)
    if not manages:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="Only admins and rotation managers can open this page.",
        )
    return viewer


ManagerViewer = Annotated[Person, Depends(require_manager)]


def sentence(detail: str) -> str:
    """A domain message as a sentence: capital first letter, full stop at the end."""
    text = detail.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def page_error(exc: DomainError) -> HTTPException:
    """The domain error as an HTTP error, which pages answer with an HTML error page."""
    return HTTPException(errors.status_for(exc), detail=sentence(exc.detail))


def parse_id(text: str) -> int | None:
    """A database id typed into a form, or None when it is not one."""
    text = text.strip()
    # ASCII digits only: int() refuses other digits such as "²".
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def existing_id(value: int, *, what: str) -> int:
    """A path id that could exist; anything else is the same 404 as an unknown one.

    Ids past the database's integer range would otherwise fail inside PostgreSQL.
    """
    if not 1 <= value <= MAX_ID:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"There is no such {what}.")
    return value


def required_id(text: str, *, name: str) -> int:
    """A row id from a query string or form field; a clear 422 page for anything else."""
    value = parse_id(text)
    if value is None:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=f"{name} must be an id (a positive whole number).",
        )
    return value


class FormInvalid(Exception):
    """The form has problems; ``errors`` maps each form field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def field_errors(error: ValidationError) -> dict[str, str]:
    """``{"email": "value is not a valid email address: …"}``, first message per field."""
    messages: dict[str, str] = {}
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else "form"
        message = str(item["msg"]).removeprefix("Value error, ")
        messages.setdefault(field, message)
    return messages
