"""What the onboarding pages share: manager-only access, domain errors as HTML error pages,
and ids from paths and forms checked before they reach the database."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from core.errors import DomainError
from core.models import Person
from rotation import access
from rotation.schemas import MAX_ID
from web import errors
from web.deps import SessionDep
from web.pages.common import Viewer


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
