"""Input and output shapes of the card registry."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, cast, get_args

from pydantic import (
    AliasChoices,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from core.schemas import MultiLine, OneLine, Strict
from kb_links import freshness
from kb_links.fields import DEFAULT_VERIFY_EVERY_DAYS, check_source, check_url

Change = Literal["major", "minor"]
Verification = Literal["trusted", "stale"]


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
    # From a Card: CardOut.model_validate(card, context={"now": now}). ``verification`` is
    # derived from when the card's verification runs out and that instant, never stored.
    model_config = ConfigDict(from_attributes=True)

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
    verification: Verification = Field(
        validation_alias=AliasChoices("verification", "verification_due_at")
    )
    verification_due_at: datetime | None
    archived: bool
    source_version: int | None
    changed_at: datetime
    created_at: datetime
    updated_at: datetime

    @field_validator("verification", mode="before")
    @classmethod
    def _as_of_now(cls, value: object, info: ValidationInfo) -> object:
        if value in get_args(Verification):
            return value
        if not isinstance(info.context, dict) or "now" not in info.context:
            raise ValueError('verification is derived: validate with context={"now": …}')
        due_at = cast("datetime | None", value)
        return "stale" if freshness.is_due(due_at, now=info.context["now"]) else "trusted"


class CardRevisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    card_id: int
    version: int
    change: str
    summary: str
    actor_id: int | None
    at: datetime


class FlagCreate(Strict):
    comment: MultiLine = Field(max_length=5000)

    @field_validator("comment")
    @classmethod
    def _said_something(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("say what is wrong or missing")
        return value.strip()


class FlagResolve(Strict):
    # "none": nothing to change; "minor": an edit nobody has to re-read; "major": re-read.
    change: Literal["none", "minor", "major"] = "none"
    note: MultiLine = Field(default="", max_length=2000)


class FlagOut(BaseModel):
    id: int
    card_id: int
    author_id: int | None
    comment: str
    created_at: datetime
    status: Literal["open", "resolved"]
    resolved_at: datetime | None
    resolved_by_id: int | None
    resolution: str
    change: str | None

    @classmethod
    def of(cls, flag: Any) -> FlagOut:
        return cls.model_validate(
            {
                **{name: getattr(flag, name) for name in cls.model_fields if name != "status"},
                "status": "open" if flag.resolved_at is None else "resolved",
            }
        )
