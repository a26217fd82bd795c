"""Input and output shapes of duty rules: coverage windows, holiday rules, company days off."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, field_validator, model_validator

from core.holiday_codes import check_country, check_subdivision
from core.schemas import Strict
from rotation import coverage
from rotation.holidays import HolidayRule

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class CoverageWindow(Strict):
    """Local hours on some weekdays; ``overnight`` windows end on the next day."""

    days: list[Weekday] = Field(min_length=1, max_length=7)
    start: str = Field(description='"HH:MM", 24-hour clock')
    end: str = Field(description='"HH:MM"; "24:00" ends at midnight; before start if overnight')
    overnight: bool = False

    @model_validator(mode="after")
    def _valid(self) -> CoverageWindow:
        window = coverage.parse_window(self.model_dump())
        self.days = [coverage.WEEKDAYS[day] for day in window.days]  # type: ignore[misc]
        return self

    def window(self) -> coverage.Window:
        return coverage.parse_window(self.model_dump())


def _no_overlap(windows: list[CoverageWindow]) -> list[CoverageWindow]:
    clash = coverage.overlaps([w.window() for w in windows])
    if clash is not None:
        raise ValueError(f"coverage[{clash[0]}] and coverage[{clash[1]}] overlap")
    return windows


Coverage = Annotated[list[CoverageWindow], Field(max_length=50), AfterValidator(_no_overlap)]


class HolidaysIn(Strict):
    """A holiday calendar (``holidays`` package codes) and what happens on its days."""

    country: str = Field(max_length=8, description="ISO 3166-1 alpha-2, e.g. NL")
    subdivision: str | None = Field(default=None, max_length=16)
    policy: Literal["skip", "staff"]

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        return check_country(value)

    @model_validator(mode="after")
    def _subdivision(self) -> HolidaysIn:
        if self.subdivision is not None and self.subdivision.strip():
            self.subdivision = check_subdivision(self.country, self.subdivision)
        else:
            self.subdivision = None
        return self


class HolidaysOut(BaseModel):
    country: str
    subdivision: str | None
    policy: Literal["skip", "staff"]

    @classmethod
    def of(cls, rule: HolidayRule | None) -> HolidaysOut | None:
        if rule is None:
            return None
        return cls(country=rule.country, subdivision=rule.subdivision, policy=rule.policy)


class CoverageWindowOut(BaseModel):
    days: list[Weekday]
    start: str
    end: str
    overnight: bool

    @classmethod
    def listed(cls, stored: list[dict[str, Any]]) -> list[CoverageWindowOut]:
        return [cls.model_validate(item) for item in stored]


def check_holiday_country(value: str | None) -> str | None:
    """A person's own holiday country: a known code, or None (empty clears it)."""
    if value is None or not value.strip():
        return None
    return check_country(value)


class CompanyDayIn(Strict):
    day: date
    name: str = Field(default="Company day off", min_length=1, max_length=200)


def _distinct_days(days: list[CompanyDayIn]) -> list[CompanyDayIn]:
    seen: set[date] = set()
    for position, item in enumerate(days):
        if item.day in seen:
            raise ValueError(f"days[{position}]: {item.day} is listed twice")
        seen.add(item.day)
    return days


class CompanyDaysPut(Strict):
    """The whole list: it replaces the days off there were."""

    days: Annotated[list[CompanyDayIn], Field(max_length=400), AfterValidator(_distinct_days)]


class CompanyDayOut(BaseModel):
    day: date
    name: str
    source: Literal["manual", "calendar"] = "manual"
