"""What every page shares: the logged-in viewer, manager-only access, page visits and form
posts with their CSRF check, ids from paths and forms checked before they reach the database,
domain errors as HTML error pages, and form problems per field."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from core import people
from core.db import MAX_ID, reading
from core.errors import Conflict, DomainError, NotFound
from core.i18n import N_
from core.models import Person
from core.security import constant_time_equal
from rotation import access
from web import errors
from web.deps import (
    NowDep,
    SessionDep,
    SettingsDep,
    forbidden,
    person_from_cookie,
    person_from_proxy_header,
)

Model = TypeVar("Model", bound=BaseModel)
CSRF_REFUSED = N_("the form expired or came from another site; reload the page and try again")


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
    # The page speaks the person's language (None: the browser's).
    request.state.preferred_locale = person.locale
    # Error pages render after the session is gone: they get the header from a plain copy.
    request.state.nav_viewer = NavViewer(name=person.name, is_admin=person.is_admin)
    return person


@dataclass(frozen=True)
class NavViewer:
    """What the page header needs of the viewer, detached from any database session."""

    name: str
    is_admin: bool


def error_page_viewer(request: Request) -> NavViewer | None:
    """The viewer for an error page's header: the one the page found, or (for a request no
    page answered, such as an unknown path) whoever the cookie or proxy header names."""
    known: NavViewer | None = getattr(request.state, "nav_viewer", None)
    if known is not None or "session" not in request.scope:
        return known
    try:
        with reading(request.app.state.sessionmaker) as session:
            settings = request.app.state.settings
            person = person_from_proxy_header(request, session, settings) or person_from_cookie(
                request, session
            )
            if person is None:
                return None
            request.state.viewer_manages = access.manages_any(session, person=person)
            request.state.preferred_locale = person.locale
            return NavViewer(name=person.name, is_admin=person.is_admin)
    except SQLAlchemyError:
        # The database may be why the request failed; the page still answers, without a name.
        return None


Viewer = Annotated[Person, Depends(page_viewer)]


async def require_page_admin(viewer: Viewer) -> Person:
    if not viewer.is_admin:
        raise forbidden(N_("admins only"))
    return viewer


AdminViewer = Annotated[Person, Depends(require_page_admin)]


async def verify_csrf(request: Request) -> None:
    """Every form POST carries the session's token in ``csrf_token``."""
    form = await request.form()
    given = form.get("csrf_token")
    expected = request.session.get("csrf")
    if not isinstance(given, str) or not expected or not constant_time_equal(expected, given):
        raise forbidden(CSRF_REFUSED)


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
        raise forbidden(N_("Only admins and rotation managers can open this page."))
    return viewer


ManagerViewer = Annotated[Person, Depends(require_manager)]


@dataclass(frozen=True)
class PageVisit:
    """A page asked for: the request with its unit of work and clock, and who asks.

    What a page's renderer takes, whether a GET shows it or a refused form post shows it
    again (a ``FormPost`` is a visit with a form).
    """

    request: Request
    session: Session
    viewer: Person
    now: datetime


def page_visit(who: Callable[..., Person]) -> Any:
    """The visit of a viewer ``who`` admits, for a GET route's signature."""

    def read(
        request: Request, session: SessionDep, now: NowDep, viewer: Person = Depends(who)
    ) -> PageVisit:
        return PageVisit(request=request, session=session, viewer=viewer, now=now)

    return Depends(read)


ViewerVisit = Annotated[PageVisit, page_visit(page_viewer)]
AdminVisit = Annotated[PageVisit, page_visit(require_page_admin)]
ManagerVisit = Annotated[PageVisit, page_visit(require_manager)]


@dataclass(frozen=True)
class FormPost(PageVisit):
    """A form posted to a page, its CSRF token checked: the visit, and the fields as typed."""

    form: FormData

    def text(self, name: str, default: str = "", *, max_length: int | None = None) -> str:
        """The field as typed; ``default`` when it is missing, empty or not text. Longer
        than ``max_length`` is the 422 page."""
        value = self.form.get(name)
        text = value if isinstance(value, str) and value else default
        if max_length is not None and len(text) > max_length:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                detail=f"The {name} field takes at most {max_length} characters.",
            )
        return text

    def texts(self, *names: str) -> dict[str, str]:
        """``{name: text}`` for each of ``names``."""
        return {name: self.text(name) for name in names}

    def every(self, name: str) -> list[str]:
        """Each value of a field the form repeats (one per table row), in form order."""
        return [value for value in self.form.getlist(name) if isinstance(value, str)]

    def ticked(self, name: str) -> bool:
        """Whether a checkbox was ticked (browsers leave an unticked one out)."""
        return self.text(name).lower() in ("true", "on", "1", "yes")


def form_post(who: Callable[..., Person]) -> Any:
    """The form post of a viewer ``who`` admits, for a route's signature.

    The CSRF token is checked first: a forged post is refused before anything about the
    viewer or the rows it names is looked up.
    """

    # ``who`` as a default, not in the annotation: postponed annotations are read from the
    # module's names, where this function's argument is not.
    async def read(
        _csrf: Annotated[None, Depends(verify_csrf)],
        request: Request,
        session: SessionDep,
        now: NowDep,
        viewer: Person = Depends(who),
    ) -> FormPost:
        fields = await request.form()
        return FormPost(request=request, session=session, viewer=viewer, now=now, form=fields)

    return Depends(read)


ViewerPost = Annotated[FormPost, form_post(page_viewer)]
AdminPost = Annotated[FormPost, form_post(require_page_admin)]
ManagerPost = Annotated[FormPost, form_post(require_manager)]


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


def no_such(what: str) -> HTTPException:
    """The 404 page for a row nobody has, or for an id that cannot name one."""
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"There is no such {what}.")


@contextmanager
def not_found_as(what: str) -> Iterator[None]:
    """Inside the block, the domain's NotFound is the page saying there is no such ``what``."""
    try:
        yield
    except NotFound:
        raise no_such(what) from None


def person_or_404(session: Session, person_id: int) -> Person:
    """The person with that id, or the page saying there is no such person."""
    with not_found_as("person"):
        return people.get_person(session, person_id)


def path_id(name: str, *, what: str) -> Any:
    """The path parameter ``name`` as a row id, for a route's signature.

    Anything that cannot be an id ("²", "0", a 5,000-digit number, a NUL byte) is the same
    404 page as an id nobody has, decided before a query is sent: ids past the database's
    integer range would otherwise fail inside the database.
    """

    async def read(request: Request) -> int:
        text = str(request.path_params.get(name, ""))
        value = parse_id(text) if text == text.strip() else None
        if value is None:
            raise no_such(what)
        return value

    return Depends(read)


PersonId = Annotated[int, path_id("person_id", what="person")]
CardId = Annotated[int, path_id("card_id", what="card")]
CardSetId = Annotated[int, path_id("card_set_id", what="card set")]
SwapId = Annotated[int, path_id("swap_id", what="swap request")]
TimeOffId = Annotated[int, path_id("time_off_id", what="time off")]
TokenId = Annotated[int, path_id("token_id", what="API token")]


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


# Says one of pydantic's error items in a form's own words, or None for pydantic's message.
Wording = Callable[[Mapping[str, Any]], str | None]


def error_field(item: Mapping[str, Any]) -> str:
    """The form field one of pydantic's error items is about ("form": the form as a whole)."""
    return str(item["loc"][0]) if item["loc"] else "form"


def required_wording(item: Mapping[str, Any]) -> str | None:
    """The words for a field left empty or out, or None for any other problem."""
    if item["type"] in ("string_too_short", "too_short", "missing"):
        return "This field is required."
    return None


def field_errors(error: ValidationError, *, wording: Wording | None = None) -> dict[str, str]:
    """``{"email": "value is not a valid email address: …"}``, first message per field.

    ``wording`` may say a problem in the form's own words; None keeps pydantic's message.
    """
    messages: dict[str, str] = {}
    for item in error.errors():
        field = error_field(item)
        message = (wording(item) if wording else None) or str(item["msg"])
        messages.setdefault(field, message.removeprefix("Value error, "))
    return messages


def checked(
    model: type[Model],
    fields: Mapping[str, Any],
    *,
    errors: dict[str, str] | None = None,
    wording: Wording | None = None,
) -> Model:
    """``model`` built from a form's fields, or ``FormInvalid`` naming every bad field.

    The model's complaints come with those the form found before building it (``errors``),
    so the form comes back once with every problem marked.
    """
    errors = errors or {}
    try:
        data = model(**fields)
    except ValidationError as exc:
        raise FormInvalid({**field_errors(exc, wording=wording), **errors}) from None
    if errors:
        raise FormInvalid(errors)
    return data


def form_errors(exc: FormInvalid | DomainError, *, conflict_field: str) -> dict[str, str]:
    """What a form says about a refused save: its own problems per field, a conflict next
    to the field it is about (a name or slug already taken), anything else above the form."""
    if isinstance(exc, FormInvalid):
        return exc.errors
    field = conflict_field if isinstance(exc, Conflict) else "form"
    return {field: sentence(exc.detail)}


def roll_back_refused(session: Session, exc: DomainError | FormInvalid) -> int:
    """Undo a refused change and give the status of the page that says why.

    Nothing of a refused change may be committed with the page explaining it; that page
    answers 422 for bad input and 409 when the data changed underneath (the domain's status
    for every other refusal).
    """
    session.rollback()
    if isinstance(exc, FormInvalid):
        return status.HTTP_422_UNPROCESSABLE_CONTENT
    return errors.status_for(exc)


def form_refused(
    session: Session,
    exc: FormInvalid | DomainError,
    *,
    conflict_field: str,
    page: Callable[..., HTMLResponse],
) -> HTMLResponse:
    """The form's page again after a refused save, with every problem marked.

    Nothing of the save is kept. ``page`` renders the form with what was typed, given
    ``errors`` and ``status_code``; it runs after the rollback, so it shows the data as it is.
    """
    status_code = roll_back_refused(session, exc)
    return page(errors=form_errors(exc, conflict_field=conflict_field), status_code=status_code)
