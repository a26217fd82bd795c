"""Input and output shapes for people, and the text and time types every domain's inputs use."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, field_validator

from core.holiday_codes import check_country
from core.i18n import Locale
from core.timezones import check_timezone

# The documented range of dates and instants: wide enough for any schedule, narrow enough
# that no arithmetic on them (offsets, horizons, windows) leaves Python's datetime range.
EARLIEST_DATE = date(1970, 1, 1)
LATEST_DATE = date(2199, 12, 31)

# Unicode's control characters (C0, DEL, C1) but the newline, and the surrogate code points.
_NOT_TEXT = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# What ends a line somewhere (iCalendar, CSV, a browser) once control characters are gone.
_LINE_BREAK = re.compile("[\n\u2028\u2029]")


def check_text(value: str) -> str:
    """Valid Unicode without control characters; ``\n`` (and CRLF, made ``\n``) allowed.

    A lone surrogate cannot be encoded as UTF-8 (PostgreSQL refuses it, every response that
    shows it fails); a control character reaches feeds, CSV and logs raw.
    """
    if value.isascii() and value.isprintable():
        # Printable ASCII (nearly every value, and every row of a large import) has no
        # control character, line break or surrogate: nothing to look for.
        return value
    text = value.replace("\r\n", "\n")
    found = _NOT_TEXT.search(text)
    if found is None:
        return text
    char = found.group()
    if "\ud800" <= char <= "\udfff":
        raise ValueError("must be valid Unicode (no lone surrogates)")
    shown = "NUL" if char == "\x00" else f"U+{ord(char):04X}"
    raise ValueError(f"must not contain control characters (found {shown})")


def check_one_line(value: str) -> str:
    """``check_text`` and no line break at all: names and titles are one line."""
    text = check_text(value)
    if _LINE_BREAK.search(text):
        raise ValueError("must be a single line")
    return text


def check_date_range(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"date must be between {EARLIEST_DATE} and {LATEST_DATE}")
    return value


def check_instant_range(value: datetime) -> datetime:
    """An instant whose date (on its own clock) is in the documented range.

    Checked before any conversion: ``0001-01-01T00:00+14:00`` overflows when made UTC.
    """
    check_date_range(value.date())
    return value


OneLine = Annotated[str, AfterValidator(check_one_line)]
MultiLine = Annotated[str, AfterValidator(check_text)]
CalendarDate = Annotated[date, AfterValidator(check_date_range)]
Instant = Annotated[datetime, AfterValidator(check_instant_range)]


class Strict(BaseModel):
    """Inputs refuse unknown fields so a typo is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        # Every string field, whatever its own type says: PostgreSQL text cannot hold NUL or
        # a lone surrogate, and no field has a use for control characters. Refusing them
        # here makes them a 422 on every backend. One-line fields refuse newlines as well.
        if isinstance(value, str):
            return check_text(value)
        return value


def _holiday_country(value: str | None) -> str | None:
    """A person's own holiday country: a known code, or None (empty clears it)."""
    return check_country(value) if value is not None and value.strip() else None


class PersonCreate(Strict):
    email: EmailStr
    name: OneLine = Field(min_length=1, max_length=200)
    timezone: str = "UTC"
    team: OneLine | None = Field(default=None, max_length=200)
    is_admin: bool = False
    holiday_country: str | None = Field(default=None, max_length=8)
    locale: Locale | None = None

    _tz = field_validator("timezone")(check_timezone)
    _holidays = field_validator("holiday_country")(_holiday_country)


class PersonUpdate(Strict):
    email: EmailStr | None = None
    name: OneLine | None = Field(default=None, min_length=1, max_length=200)
    timezone: str | None = None
    team: OneLine | None = Field(default=None, max_length=200)
    is_admin: bool | None = None
    active: bool | None = None
    holiday_country: str | None = Field(default=None, max_length=8, description="null: none")
    locale: Locale | None = Field(default=None, description="null: the browser's language")

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
    locale: Locale | None = None


class PersonRef(BaseModel):
    """The short form of a person embedded in other objects."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str


def _aware(value: datetime | None) -> datetime | None:
    """An instant without an offset is taken as UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


class TokenCreate(Strict):
    name: OneLine = Field(min_length=1, max_length=200)
    expires_at: Instant | None = Field(default=None, description="null: until revoked")

    _expiry = field_validator("expires_at")(_aware)


class TokenOut(BaseModel):
    # From a personal_tokens.TokenInfo.
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(description="the bearer token; shown this once only")
