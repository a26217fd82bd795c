"""The new-card and edit-card forms: what a person typed, checked into the registry's inputs.

Every problem is collected per field in one pass, so the form comes back once with all of
them marked, not one at a time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from core import people
from kb_links import service
from kb_links.fields import DEFAULT_VERIFY_EVERY_DAYS
from kb_links.models import Card
from kb_links.schemas import CardCreate, CardUpdate
from web.pages.helpers import checked, error_field, required_wording

CHANGE_CHOICES = ("major", "minor")
# Card fields an edit may change: what the API may set, but for the time of verifying
# (which the verify button sets).
EDIT_FIELDS = tuple(name for name in service.EDITABLE_FIELDS if name != "last_verified_at")


class CardForm(BaseModel):
    """The new-card form as typed: every field is text, checked by ``check_new_card``."""

    # The CSRF field and anything else a browser sends along is not ours to check here.
    model_config = ConfigDict(extra="ignore")

    title: str = ""
    url: str = ""
    source: str = "link"
    external_id: str = ""
    collection: str = ""
    verifier_email: str = ""
    verify_every_days: str = str(DEFAULT_VERIFY_EVERY_DAYS)


class CardEditForm(CardForm):
    """The edit form: the card's fields plus the kind of change and the version it edits."""

    change: str = ""
    summary: str = ""
    version: str = ""


def values_of(card: Card, *, verifier_email: str) -> dict[str, str]:
    """The edit form's starting values: the card as it is now."""
    return CardEditForm(
        title=card.title,
        url=card.url,
        source=card.source,
        external_id=card.external_id or "",
        collection=card.collection or "",
        verifier_email=verifier_email,
        verify_every_days=str(card.verify_every_days),
        version=str(card.version),
    ).model_dump()


def _wording(item: Mapping[str, Any]) -> str | None:
    if error_field(item) == "verify_every_days" and item["type"] == "int_parsing":
        return "Enter a whole number of days."
    return required_wording(item)


def _verifier_id(
    session: Session, email: str, errors: dict[str, str], *, current: int | None = None
) -> int | None:
    email = email.strip()
    if not email:
        return None
    person = people.find_by_email(session, email)
    if person is None:
        errors["verifier_email"] = f"Nobody with the email {email} uses allhands."
        return None
    # A verifier who has since left may stay until someone picks another: an unrelated edit
    # (a typo in the title) must not be blocked by it.
    if not person.active and person.id != current:
        errors["verifier_email"] = f"{person.name} is deactivated; choose someone active."
        return None
    return person.id


def _fields(
    session: Session, form: CardForm, errors: dict[str, str], *, card: Card | None = None
) -> dict[str, Any]:
    current = card.verifier_id if card is not None else None
    return {
        "title": form.title,
        "url": form.url.strip(),
        "source": form.source,
        "external_id": form.external_id,
        "collection": form.collection,
        "verifier_id": _verifier_id(session, form.verifier_email, errors, current=current),
        "verify_every_days": form.verify_every_days.strip(),
    }


def check_new_card(session: Session, *, form: CardForm) -> CardCreate:
    """The new card's validated input, or ``FormInvalid`` naming every bad field."""
    errors: dict[str, str] = {}
    fields = _fields(session, form, errors)
    if not fields["verify_every_days"]:
        fields["verify_every_days"] = DEFAULT_VERIFY_EVERY_DAYS
    return checked(CardCreate, fields, errors=errors, wording=_wording)


def check_edit(session: Session, *, form: CardEditForm, card: Card) -> CardUpdate:
    """The edit as a ``CardUpdate`` holding only the fields that differ from the card.

    Unchanged fields are left out so that the revision and audit event show what changed.
    """
    errors: dict[str, str] = {}
    if form.change not in CHANGE_CHOICES:
        errors["change"] = "Choose whether this is a major or a minor change."
    fields = _fields(session, form, errors, card=card)
    if not fields["verify_every_days"]:
        errors["verify_every_days"] = "Enter a whole number of days."
        fields["verify_every_days"] = card.verify_every_days
    change = form.change if form.change in CHANGE_CHOICES else "major"
    fields |= {"change": change, "summary": form.summary}
    full = checked(CardUpdate, fields, errors=errors, wording=_wording)
    wanted = full.model_dump(include=set(EDIT_FIELDS))
    changed = {k: v for k, v in wanted.items() if getattr(card, k) != v}
    return CardUpdate.model_validate({**changed, "change": full.change, "summary": full.summary})


def changes_anything(data: CardUpdate) -> bool:
    """True when the edit sets a field; a major change with none still makes everyone re-read."""
    return bool(data.model_fields_set & set(EDIT_FIELDS))


def edited_version(form: CardEditForm) -> int | None:
    """The card version the form was opened on; None when the field is missing or mangled."""
    try:
        return int(form.version)
    except ValueError:
        return None
