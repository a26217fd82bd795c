"""Input and output shapes of the card registry."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
)

from core.schemas import OneLine, Strict
from kb_links import freshness
from kb_links.fields import DEFAULT_VERIFY_EVERY_DAYS, check_source, check_url
from kb_links.models import Card

Change = Literal["major", "minor"]


def blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


class CardCreate(Strict):
    title: OneLine = Field(min_length=1, max_length=300)
    url: str
    source: str = "link"
    external_id: str | None = Field(default=None, max_length=200)
    collection: str | None = Field(default=None, max_length=200)
    verifier_id: int | None = None
    verify_every_days: int = Field(default=DEFAULT_VERIFY_EVERY_DAYS, ge=1, le=3650)
    # Omitted: the creator vouches for the card now. An explicit null: never verified yet.
    last_verified_at: AwareDatetime | None = None

    _url = field_validator("url")(check_url)
    _source = field_validator("source")(check_source)
    _blank = field_validator("external_id", "collection")(blank_to_none)


class CardUpdate(Strict):
    title: OneLine | None = Field(default=None, min_length=1, max_length=300)
    url: str | None = None
    source: str | None = None
    external_id: str | None = Field(default=None, max_length=200)
    collection: str | None = Field(default=None, max_length=200)
    verifier_id: int | None = None
    verify_every_days: int | None = Field(default=None, ge=1, le=3650)
    change: Change = "major"
    summary: str = Field(default="", max_length=1000)
    # Optional precondition: the version the editor saw; a newer one is a 409, not a lost update.
    version: int | None = Field(default=None, ge=1)

    _blank = field_validator("external_id", "collection")(blank_to_none)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else check_url(value)

    @field_validator("source")
    @classmethod
    def _source(cls, value: str | None) -> str | None:
        return None if value is None else check_source(value)


class CardOut(BaseModel):
    id: int
    title: str
    url: str
    source: str
    external_id: str | None
    collection: str | None
    verifier_id: int | None
    version: int
    verify_every_days: int
    last_verified_at: datetime | None
    verification: Literal["trusted", "stale"]
    verification_due_at: datetime | None
    archived: bool
    source_version: int | None
    changed_at: datetime
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_card(cls, card: Card, *, now: datetime) -> CardOut:
        """The card as callers see it; ``verification`` is derived from ``now``, never stored."""
        stale = freshness.is_stale(
            last_verified_at=card.last_verified_at,
            verify_every_days=card.verify_every_days,
            now=now,
        )
        return cls(
            id=card.id,
            title=card.title,
            url=card.url,
            source=card.source,
            external_id=card.external_id,
            collection=card.collection,
            verifier_id=card.verifier_id,
            version=card.version,
            verify_every_days=card.verify_every_days,
            last_verified_at=card.last_verified_at,
            verification="stale" if stale else "trusted",
            verification_due_at=freshness.verification_due_at(
                last_verified_at=card.last_verified_at,
                verify_every_days=card.verify_every_days,
            ),
            archived=card.archived,
            source_version=card.source_version,
            changed_at=card.changed_at,
            created_at=card.created_at,
            updated_at=card.updated_at,
        )


class CardRevisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    card_id: int
    version: int
    change: str
    summary: str
    actor_id: int | None
    at: datetime
