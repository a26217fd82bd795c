"""The card registry page: stale cards highlighted, filters, verify buttons and the import form.

Adding and editing cards live in ``card_edit``; its routes are part of this router.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, HTTPException, UploadFile, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import people
from core.errors import Conflict, Invalid
from core.i18n import N_
from kb_links import freshness, importers, registry_queries, service
from kb_links.fields import SOURCES
from kb_links.models import Card
from kb_links.records import ImportRejected, LineError
from kb_links.registry_queries import CardFilter
from onboarding import needed_by
from onboarding.models import CardSetItem
from onboarding.needed_by import NeededBy
from rotation import access
from web.bodies import MAX_UPLOAD_BYTES
from web.card_import import run_card_import
from web.deps import forbidden
from web.pages.cards import view as card_view
from web.pages.cards.common import card_or_404
from web.pages.cards.view import SHOW_CHOICES, Filters
from web.pages.helpers import AdminPost, CardId, PageVisit, ViewerPost, ViewerVisit
from web.pages.pager import PageNumber, Pager, pager_for
from web.templating import flash, gettext, local_time, render

router = APIRouter(include_in_schema=False)


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


def _back_to_registry(back: str) -> str:
    # Only the registry itself (with its filters): anything else would be an open redirect.
    return back if back == "/cards" or back.startswith("/cards?") else "/cards"


def _registry_page(
    visit: PageVisit,
    *,
    filters: Filters | None = None,
    import_errors: list[str] | None = None,
    import_text: str = "",
    status_code: int = 200,
    page: int = 1,
) -> HTMLResponse:
    request, session, viewer, now = visit.request, visit.session, visit.viewer, visit.now
    filters = filters or Filters()
    is_editor = access.manages_any(session, person=viewer)
    where = CardFilter(show=filters.show, collection=filters.collection, source=filters.source)
    pager = pager_for(
        request, page=page, total=registry_queries.count(session, where=where, now=now)
    )
    if filters.show == "stale":
        cards, needed = _stale_page(session, where=where, now=now, pager=pager)
    else:
        cards, needed = _title_page(session, where=where, now=now, pager=pager)
    verifiers = people.find_by_ids(
        session, person_ids={c.verifier_id for c in cards if c.verifier_id is not None}
    )
    registry = card_view.build_registry(
        cards,
        now=now,
        filters=filters,
        verifier_names={person_id: person.name for person_id, person in verifiers.items()},
        viewer_id=viewer.id,
        is_editor=is_editor,
        needed=needed,
    )
    return render(
        request,
        "cards.html",
        {
            "viewer": viewer,
            "registry": card_view.with_summary(
                registry, registry_queries.summary(session, now=now), filters=filters
            ),
            "pager": pager,
            "filters": filters,
            "show_choices": SHOW_CHOICES,
            "is_editor": is_editor,
            "back": "/cards" + filters.query_string(),
            "import_errors": import_errors or [],
            "import_text": import_text,
        },
        status_code=status_code,
    )


def _title_page(
    session: Session, *, where: CardFilter, now: datetime, pager: Pager
) -> tuple[list[Card], dict[int, NeededBy]]:
    """One page of cards by title, and the next shift needing each stale one."""
    cards = registry_queries.page(
        session, where=where, now=now, limit=pager.size, offset=pager.offset
    )
    stale_ids = [
        card.id
        for card in cards
        if not card.archived
        and freshness.is_stale(
            last_verified_at=card.last_verified_at,
            verify_every_days=card.verify_every_days,
            now=now,
        )
    ]
    return cards, needed_by.next_needed(session, card_ids=stale_ids, now=now)


def _stale_page(
    session: Session, *, where: CardFilter, now: datetime, pager: Pager
) -> tuple[list[Card], dict[int, NeededBy]]:
    """One page of the stale list: the cards shifts need first, soonest first, then the
    rest by title. Only cards some card set holds can be needed, so only those are ranked."""
    held = registry_queries.ids(
        session, where=where, now=now, also=[Card.id.in_(select(CardSetItem.card_id))]
    )
    needed = needed_by.next_needed(session, card_ids=held, now=now)
    first = sorted(
        (card_id for card_id in held if card_id in needed), key=lambda i: needed[i].start
    )
    ranked = first[pager.offset : pager.offset + pager.size]
    cards = registry_queries.by_ids(session, ranked)
    if len(ranked) < pager.size:
        cards += registry_queries.page(
            session,
            where=where,
            now=now,
            limit=pager.size - len(ranked),
            offset=max(0, pager.offset - len(first)),
            leaving_out=first,
        )
    return cards, needed


@router.get("/cards", response_class=HTMLResponse)
def cards_page(visit: ViewerVisit, filters: FiltersDep, page: PageNumber = 1) -> HTMLResponse:
    return _registry_page(visit, filters=filters, page=page)


@router.post("/cards/{card_id}/verify", response_model=None)
def verify_card(post: ViewerPost, card_id: CardId) -> Response:
    back = post.text("back", "/cards")
    card = card_or_404(post.session, card_id, for_update=True)
    if card.verifier_id != post.viewer.id and not access.manages_any(
        post.session, person=post.viewer
    ):
        raise forbidden(N_("Only the card's verifier, rotation managers and admins can verify it."))
    card = service.verify_card(post.session, card=card, now=post.now, actor=post.viewer)
    due_at = freshness.verification_due_at(
        last_verified_at=card.last_verified_at, verify_every_days=card.verify_every_days
    )
    until = local_time(due_at, post.viewer.timezone, "%a %d %b %Y")
    flash(
        post.request,
        gettext(
            post.request,
            "Verified “%(title)s”: trusted until %(until)s (%(timezone)s).",
            title=card.title,
            until=until,
            timezone=post.viewer.timezone,
        ),
    )
    return RedirectResponse(_back_to_registry(back), status_code=303)


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


@router.post("/cards/import", response_model=None)
def import_cards(post: AdminPost, file: Annotated[UploadFile | None, File()] = None) -> Response:
    text = post.text("text")
    upload = file if file is not None and file.filename else None
    try:
        content = _read_upload(upload) if upload is not None else text
        if not content.strip():
            raise Invalid("Choose a file or paste CSV or a Guru export to import.")
        is_json = _is_json(upload, content)
        result = run_card_import(
            post.session, text=content, is_json=is_json, now=post.now, actor=post.viewer
        )
    except (Invalid, Conflict) as exc:
        post.session.rollback()
        if isinstance(exc, ImportRejected):
            messages = [_line_message(error) for error in exc.errors]
        else:
            messages = [exc.detail]
        return _registry_page(
            post,
            import_errors=messages,
            import_text=text,
            status_code=409 if isinstance(exc, Conflict) else 422,
        )
    imported = (
        N_(
            "Imported the Guru export: %(created)s created, %(updated)s updated, "
            "%(bumped)s bumped to a new version."
        )
        if is_json
        else N_(
            "Imported the CSV: %(created)s created, %(updated)s updated, "
            "%(bumped)s bumped to a new version."
        )
    )
    flash(
        post.request,
        gettext(
            post.request,
            imported,
            created=result.created,
            updated=result.updated,
            bumped=result.bumped,
        ),
    )
    return RedirectResponse("/cards", status_code=303)
