"""What every page shares: the logged-in viewer and CSRF checks on form posts."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, status

from core.models import Person
from core.security import constant_time_equal
from rotation import access
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
