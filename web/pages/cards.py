"""The card registry pages: stale cards highlighted, verify, add, major/minor edit, import."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from core import people
from core.errors import Conflict, Invalid, NotFound
from core.models import Person
from kb_links import freshness, importers, service
from kb_links.models import Card
from kb_links.records import ImportRejected, LineError
from kb_links.schemas import SOURCES
from rotation import access
from web.bodies import MAX_UPLOAD_BYTES
from web.deps import NowDep, SessionDep
from web.pages import card_forms, card_view
from web.pages.card_forms import CardEditForm, CardForm, FormInvalid
from web.pages.card_view import SHOW_CHOICES, Filters
from web.pages.common import AdminViewer, Viewer, verify_csrf
from web.templating import flash, local_time, render

router = APIRouter(include_in_schema=False)


def require_card_editor(viewer: Viewer, session: SessionDep) -> Person:
    """Admins and anyone who manages a rotation look after the registry."""
    if not access.manages_any(session, person=viewer):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail="Only admins and rotation managers can change cards."
        )
    return viewer


CardEditor = Annotated[Person, Depends(require_card_editor)]


def registry_filters(show: str = "all", collection: str = "", source: str = "") -> Filters:
    """The registry's GET filters; an unknown choice is a clear 422, not an empty page."""
    if show not in SHOW_CHOICES:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=f'Unknown filter show="{show}"; use one of: {", ".join(SHOW_CHOICES)}.',
        )
    if source and source not in SOURCES:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=f'Unknown source "{source}"; use one of: {", ".join(SOURCES)}.',
        )
    return Filters(show=show, collection=collection.strip(), source=source)


FiltersDep = Annotated[Filters, Depends(registry_filters)]


def _card_or_404(session: Session, card_id: int, *, for_update: bool = False) -> Card:
    try:
        return service.get_card(session, card_id=card_id, for_update=for_update)
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="There is no such card.") from None


def _back_to_registry(back: str) -> str:
    # Only the registry itself (with its filters): anything else would be an open redirect.
    return back if back == "/cards" or back.startswith("/cards?") else "/cards"


def _registry_page(
    request: Request,
    session: Session,
    viewer: Person,
    *,
    now: datetime,
    filters: Filters | None = None,
    import_errors: list[str] | None = None,
    import_text: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    filters = filters or Filters()
    is_editor = access.manages_any(session, person=viewer)
    cards = service.list_cards(session, now=now, include_archived=True)
    verifiers = people.people_by_id(
        session, person_ids={c.verifier_id for c in cards if c.verifier_id is not None}
    )
    registry = card_view.build_registry(
        cards,
        now=now,
        filters=filters,
        verifier_names={person_id: person.name for person_id, person in verifiers.items()},
        viewer_id=viewer.id,
        is_editor=is_editor,
    )
    return render(
        request,
        "cards.html",
        {
            "viewer": viewer,
            "registry": registry,
            "filters": filters,
            "show_choices": SHOW_CHOICES,
            "is_editor": is_editor,
            "back": "/cards" + filters.query_string(),
            "import_errors": import_errors or [],
            "import_text": import_text,
        },
        status_code=status_code,
    )


@router.get("/cards", response_class=HTMLResponse)
def cards_page(
    request: Request, session: SessionDep, viewer: Viewer, now: NowDep, filters: FiltersDep
) -> HTMLResponse:
    return _registry_page(request, session, viewer, now=now, filters=filters)


@router.post("/cards/{card_id}/verify", response_model=None, dependencies=[Depends(verify_csrf)])
def verify_card(
    request: Request,
    card_id: int,
    session: SessionDep,
    viewer: Viewer,
    now: NowDep,
    back: Annotated[str, Form()] = "/cards",
) -> Response:
    card = _card_or_404(session, card_id, for_update=True)
    if card.verifier_id != viewer.id and not access.manages_any(session, person=viewer):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="Only the card's verifier, rotation managers and admins can verify it.",
        )
    card = service.verify_card(session, card=card, now=now, actor=viewer)
    due_at = freshness.verification_due_at(
        last_verified_at=card.last_verified_at, verify_every_days=card.verify_every_days
    )
    until = local_time(due_at, viewer.timezone, "%a %d %b %Y")
    flash(request, f"Verified “{card.title}”: trusted until {until} ({viewer.timezone}).")
    return RedirectResponse(_back_to_registry(back), status_code=303)


# --- adding and editing ---------------------------------------------------------------------


def _people_choices(session: Session) -> list[Person]:
    return people.list_people(session, include_inactive=False)


@router.get("/cards/new", response_class=HTMLResponse)
def new_card_page(request: Request, session: SessionDep, viewer: CardEditor) -> HTMLResponse:
    return render(
        request,
        "card_new.html",
        {
            "viewer": viewer,
            "values": CardForm().model_dump(),
            "errors": {},
            "sources": SOURCES,
            "people": _people_choices(session),
        },
    )


@router.post("/cards", response_model=None, dependencies=[Depends(verify_csrf)])
def create_card(
    request: Request,
    session: SessionDep,
    viewer: CardEditor,
    now: NowDep,
    form: Annotated[CardForm, Form()],
) -> Response:
    try:
        data = card_forms.check_new_card(session, form=form)
        card = service.create_card(session, data=data, now=now, actor=viewer)
    except (FormInvalid, Conflict, Invalid) as exc:
        session.rollback()
        errors = _errors_of(exc, conflict_field="external_id")
        return render(
            request,
            "card_new.html",
            {
                "viewer": viewer,
                "values": form.model_dump(),
                "errors": errors,
                "sources": SOURCES,
                "people": _people_choices(session),
            },
            status_code=409 if isinstance(exc, Conflict) else 422,
        )
    flash(request, f"Added “{card.title}” (version 1, verified now).")
    return RedirectResponse(f"/cards#card-{card.id}", status_code=303)


def _errors_of(exc: Exception, *, conflict_field: str) -> dict[str, str]:
    if isinstance(exc, FormInvalid):
        return exc.errors
    assert isinstance(exc, Conflict | Invalid)
    if isinstance(exc, Conflict):
        return {conflict_field: exc.detail}
    return {"form": exc.detail}


def _edit_page(
    request: Request,
    session: Session,
    viewer: Person,
    *,
    card: Card,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    revisions = service.list_revisions(session, card=card)
    actors = people.people_by_id(
        session, person_ids={r.actor_id for r in revisions if r.actor_id is not None}
    )
    return render(
        request,
        "card_edit.html",
        {
            "viewer": viewer,
            "card": card,
            "href": card_view.safe_href(card.url),
            "values": values,
            "errors": errors or {},
            "sources": SOURCES,
            "people": _people_choices(session),
            "revisions": list(reversed(revisions)),
            "actor_names": {person_id: person.name for person_id, person in actors.items()},
        },
        status_code=status_code,
    )


@router.get("/cards/{card_id}/edit", response_class=HTMLResponse)
def edit_card_page(
    request: Request, card_id: int, session: SessionDep, viewer: CardEditor
) -> HTMLResponse:
    card = _card_or_404(session, card_id)
    verifier = session.get(Person, card.verifier_id) if card.verifier_id is not None else None
    values = card_forms.values_of(card, verifier_email=verifier.email if verifier else "")
    return _edit_page(request, session, viewer, card=card, values=values)


@router.post("/cards/{card_id}/edit", response_model=None, dependencies=[Depends(verify_csrf)])
def edit_card(
    request: Request,
    card_id: int,
    session: SessionDep,
    viewer: CardEditor,
    now: NowDep,
    form: Annotated[CardEditForm, Form()],
) -> Response:
    card = _card_or_404(session, card_id, for_update=True)
    if card_forms.edited_version(form) != card.version:
        # Saving would silently undo the other edit; show the newer version and ask again.
        values = {**form.model_dump(), "version": str(card.version)}
        message = (
            f"Someone else changed this card while you were editing: it is now at version "
            f"{card.version}. Your input is kept below; check it against the card and save again."
        )
        return _edit_page(
            request, session, viewer, card=card, values=values, errors={"form": message},
            status_code=409,
        )  # fmt: skip
    try:
        data = card_forms.check_edit(session, form=form, card=card)
        if data.change == "minor" and not card_forms.changes_anything(data):
            flash(request, f"Nothing changed in “{card.title}”.")
            return RedirectResponse("/cards", status_code=303)
        card = service.update_card(session, card=card, data=data, now=now, actor=viewer)
    except (FormInvalid, Conflict, Invalid) as exc:
        session.rollback()
        card = _card_or_404(session, card_id)
        return _edit_page(
            request,
            session,
            viewer,
            card=card,
            values=form.model_dump(),
            errors=_errors_of(exc, conflict_field="external_id"),
            status_code=409 if isinstance(exc, Conflict) else 422,
        )
    if data.change == "major":
        message = (
            f"Saved “{card.title}” as a major change: now version {card.version}; "
            "everyone whose shift needs it must read it again."
        )
    else:
        message = (
            f"Saved “{card.title}” as a minor change: still version {card.version}; "
            "earlier acknowledgements stay valid."
        )
    flash(request, message)
    return RedirectResponse(f"/cards#card-{card.id}", status_code=303)


def _set_archived(
    request: Request,
    session: Session,
    viewer: Person,
    *,
    card_id: int,
    archived: bool,
    now: datetime,
) -> RedirectResponse:
    card = _card_or_404(session, card_id, for_update=True)
    service.set_archived(session, card=card, archived=archived, now=now, actor=viewer)
    if archived:
        flash(request, f"Archived “{card.title}”: it is no longer listed or required.")
        return RedirectResponse("/cards", status_code=303)
    flash(request, f"Restored “{card.title}”.")
    return RedirectResponse(f"/cards#card-{card.id}", status_code=303)


@router.post("/cards/{card_id}/archive", response_model=None, dependencies=[Depends(verify_csrf)])
def archive_card(
    request: Request, card_id: int, session: SessionDep, viewer: CardEditor, now: NowDep
) -> Response:
    return _set_archived(request, session, viewer, card_id=card_id, archived=True, now=now)


@router.post("/cards/{card_id}/restore", response_model=None, dependencies=[Depends(verify_csrf)])
def restore_card(
    request: Request, card_id: int, session: SessionDep, viewer: CardEditor, now: NowDep
) -> Response:
    return _set_archived(request, session, viewer, card_id=card_id, archived=False, now=now)


# --- import ---------------------------------------------------------------------------------


def _line_message(error: LineError) -> str:
    # Guru items already say "item N: …"; CSV rows (and JSON syntax errors) name their line.
    return error.message if error.item is not None else f"line {error.line}: {error.message}"


def _read_upload(upload: UploadFile) -> str:
    content = upload.file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise Invalid(f"{upload.filename} is larger than 5 MiB; split it into smaller files.")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(
            f"{upload.filename} is not UTF-8 text; save it as UTF-8 CSV or JSON."
        ) from None


def _is_json(upload: UploadFile | None, text: str) -> bool:
    if upload is not None and upload.filename:
        name = upload.filename.lower()
        if name.endswith(".json") or (upload.content_type or "").endswith("json"):
            return True
        if name.endswith(".csv"):
            return False
    return importers.looks_like_json(text)


@router.post("/cards/import", response_model=None, dependencies=[Depends(verify_csrf)])
def import_cards(
    request: Request,
    session: SessionDep,
    viewer: AdminViewer,
    now: NowDep,
    text: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    upload = file if file is not None and file.filename else None
    try:
        content = _read_upload(upload) if upload is not None else text
        if not content.strip():
            raise Invalid("Choose a file or paste CSV or a Guru export to import.")
        if _is_json(upload, content):
            kind = "Guru export"
            result = importers.import_guru_export(session, text=content, now=now, actor=viewer)
        else:
            kind = "CSV"
            result = importers.import_csv(session, text=content, now=now, actor=viewer)
    except (Invalid, Conflict) as exc:
        session.rollback()
        if isinstance(exc, ImportRejected):
            messages = [_line_message(error) for error in exc.errors]
        else:
            messages = [exc.detail]
        return _registry_page(
            request,
            session,
            viewer,
            now=now,
            import_errors=messages,
            import_text=text,
            status_code=409 if isinstance(exc, Conflict) else 422,
        )
    flash(
        request,
        f"Imported the {kind}: {result.created} created, {result.updated} updated, "
        f"{result.bumped} bumped to a new version.",
    )
    return RedirectResponse("/cards", status_code=303)
