"""The Guru card export format: the JSON list of cards Guru's API returns, as card records.

Pure: no database. ``preferredPhrase`` is the title, the card's page is built from its
``slug``, ``version`` (growing on every publish) is kept as our ``source_version``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import quote

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from kb_links import freshness
from kb_links.fields import DEFAULT_VERIFY_EVERY_DAYS, check_url
from kb_links.records import CardRecord, ImportRejected, LineError, check_duplicates, describe

CARD_URL = "https://app.getguru.com/card/"
TRUSTED = "TRUSTED"


class _GuruModel(BaseModel):
    # Real exports carry many more fields (content, boards, tags …); ignore what we don't use.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, populate_by_name=True)


class _GuruNamed(_GuruModel):
    name: str | None = Field(default=None, max_length=200)


class _GuruUser(_GuruModel):
    email: str | None = None


class _GuruVerifier(_GuruModel):
    type: str | None = None
    user: _GuruUser | None = None


class GuruCard(_GuruModel):
    """The fields of a Guru card (as ``GET /cards/{id}`` or search returns it) that we keep."""

    id: str = Field(min_length=1, max_length=200)
    slug: str | None = Field(default=None, max_length=1000)
    title: str = Field(alias="preferredPhrase", min_length=1, max_length=300)
    collection: _GuruNamed | None = None
    owner: _GuruUser | None = None
    verifiers: list[_GuruVerifier] = Field(default_factory=list)
    verification_state: str | None = Field(default=None, alias="verificationState")
    verification_interval: int | None = Field(
        default=None, alias="verificationInterval", ge=1, le=3650
    )
    last_verified: AwareDatetime | None = Field(default=None, alias="lastVerified")
    version: int | None = Field(default=None, ge=1)


def card_url(card: GuruCard) -> str:
    """The card's page in Guru's web app, ``https://app.getguru.com/card/<slug>``."""
    path = card.slug or card.id
    return check_url(CARD_URL + quote(path, safe="/-_.~"))


def _last_verified(card: GuruCard, *, now: datetime) -> datetime | None:
    """When the card counts as last verified here, so that Guru's own verdict is kept.

    Guru can mark a card NEEDS_VERIFICATION before its interval runs out (a flag, a verifier
    who left); its interval-based date would then look trusted here, so such a card is
    stored as not verified, which our freshness rule treats as stale.
    """
    interval = card.verification_interval or DEFAULT_VERIFY_EVERY_DAYS
    state = (card.verification_state or TRUSTED).upper()
    if state != TRUSTED and not freshness.is_stale(
        last_verified_at=card.last_verified, verify_every_days=interval, now=now
    ):
        return None
    return card.last_verified.astimezone(UTC) if card.last_verified else None


def _record(index: int, card: GuruCard, *, now: datetime) -> CardRecord:
    emails = [v.user.email for v in card.verifiers if v.user is not None and v.user.email]
    if card.owner is not None and card.owner.email:
        emails.append(card.owner.email)
    return CardRecord(
        line=index,
        title=card.title,
        url=card_url(card),
        source="guru",
        external_id=card.id,
        collection=card.collection.name if card.collection else None,
        verify_every_days=card.verification_interval,
        carries_verification=True,
        last_verified_at=_last_verified(card, now=now),
        verifier_emails=tuple(dict.fromkeys(e.strip().lower() for e in emails)),
        source_version=card.version,
    )


def parse_export(text: str, *, now: datetime) -> list[CardRecord]:
    """Records from a Guru card export: the JSON list of cards Guru's API returns.

    Errors name the 1-based index of the bad item in the list as ``line`` (and ``item``).
    """
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            [
                LineError(
                    exc.lineno, f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
                )
            ]
        ) from None
    if not isinstance(payload, list):
        raise ImportRejected(
            [LineError(1, "a Guru card export must be a JSON list of card objects")]
        )
    records: list[CardRecord] = []
    errors: list[LineError] = []
    for index, item in enumerate(payload, start=1):
        if not isinstance(item, dict):
            errors.append(LineError(index, f"item {index}: expected a card object", index))
            continue
        try:
            record = _record(index, GuruCard.model_validate(item), now=now)
        except ValidationError as exc:
            errors.append(LineError(index, f"item {index}: {describe(exc)}", index))
            continue
        except ValueError as exc:
            errors.append(LineError(index, f"item {index}: slug: {exc}", index))
            continue
        records.append(record)
    check_duplicates(records, errors, json=True)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.line))
    return records
