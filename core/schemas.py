"""Input and output shapes for people."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from core.holiday_codes import check_country
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


def _holiday_country(value: str | None) -> str | None:
    """A person's own holiday country: a known code, or None (empty clears it)."""
    return check_country(value) if value is not None and value.strip() else None


class PersonCreate(Strict):
    email: EmailStr
    name: str = Field(min_length=1, max_length=200)
    timezone: str = "UTC"
    team: str | None = Field(default=None, max_length=200)
    is_admin: bool = False
    holiday_country: str | None = Field(default=None, max_length=8)

    _tz = field_validator("timezone")(check_timezone)
    _holidays = field_validator("holiday_country")(_holiday_country)


class PersonUpdate(Strict):
    email: EmailStr | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    timezone: str | None = None
    team: str | None = Field(default=None, max_length=200)
    is_admin: bool | None = None
    active: bool | None = None
    holiday_country: str | None = Field(default=None, max_length=8, description="null: none")

    _holidays = field_validator("holiday_country")(_holiday_country)

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
    holiday_country: str | None = None


class PersonRef(BaseModel):
    """The short form of a person embedded in other objects."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str
