"""Input and output shapes for people."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from core.timezones import check_timezone


class Strict(BaseModel):
    """Inputs refuse unknown fields so a typo is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold NUL; refusing it here makes it a 422 on every backend.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value


class PersonCreate(Strict):
    email: EmailStr
    name: str = Field(min_length=1, max_length=200)
    timezone: str = "UTC"
    team: str | None = Field(default=None, max_length=200)
    is_admin: bool = False

    _tz = field_validator("timezone")(check_timezone)


class PersonUpdate(Strict):
    email: EmailStr | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    timezone: str | None = None
    team: str | None = Field(default=None, max_length=200)
    is_admin: bool | None = None
    active: bool | None = None

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)


class PersonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    timezone: str
    team: str | None
    is_admin: bool
    active: bool


class PersonRef(BaseModel):
    """The short form of a person embedded in other objects."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str
