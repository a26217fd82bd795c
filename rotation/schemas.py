"""Input and output shapes of rotations, members, shifts, time off, overrides and swaps."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    AliasPath,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

from core.db import MAX_ID

# The documented date range lives in core (query instants everywhere use it); re-exported.
from core.schemas import EARLIEST_DATE as EARLIEST_DATE
from core.schemas import LATEST_DATE as LATEST_DATE
from core.schemas import (
    CalendarDate,
    MultiLine,
    OneLine,
    PersonRef,
    Strict,
)
from core.schemas import check_date_range as check_date_range
from core.timezones import check_timezone
from rotation import duty_schemas, duty_settings, fairness_settings
from rotation.models import Rotation

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# "HH:MM", or "HH:MM:SS" as the OpenAPI schema's ``format: time`` lets clients send.
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")
# A Slack channel by id (C…/G…) or by name (#support); a user group by id (S…); "" = none.
SLACK_CHANNEL_PATTERN = r"^(?:[CG][A-Z0-9]{8,20}|#?[a-z0-9][a-z0-9_-]{0,78})?$"
SLACK_USERGROUP_PATTERN = r"^(?:S[A-Z0-9]{8,20})?$"
SlackChannel = Annotated[str, Field(max_length=80, pattern=SLACK_CHANNEL_PATTERN)]
SlackUsergroup = Annotated[str, Field(max_length=21, pattern=SLACK_USERGROUP_PATTERN)]
SlackDmDays = Annotated[int, Field(ge=0, le=28)]
ScimGroupName = Annotated[OneLine, Field(max_length=255)]
AtRiskDays = Annotated[int, Field(ge=0, le=28)]
SwapStatus = Literal["pending", "accepted", "approved", "declined", "cancelled"]
ShiftKind = Literal["scheduled", "override", "swap"]
# Stages (rotation.shadowing): how many shifts a newcomer shadows; 0 = none.
ShadowShifts = Annotated[int, Field(ge=0, le=52)]
Stage = Literal["shadow", "reverse_shadow", "primary"]
ShiftRole = Literal["primary", "shadow"]


def parse_handoff_time(value: object) -> time:
    """A handoff time given as "HH:MM" or "HH:MM:00" (24-hour clock, two digits each)."""
    if isinstance(value, time):
        if value.second or value.microsecond or value.tzinfo is not None:
            raise ValueError("handoff_time must be a whole minute without a timezone")
        return value
    match = _HHMM.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError('handoff_time must be "HH:MM" on a 24-hour clock, e.g. "09:00"')
    hours, minutes, seconds = match.groups()
    if seconds not in (None, "00"):
        raise ValueError('handoff_time must be a whole minute, e.g. "09:00" or "09:00:00"')
    return time(int(hours), int(minutes))


def format_handoff_time(value: time) -> str:
    return value.strftime("%H:%M")


Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class _RotationFields(Strict):
    @field_validator("timezone", check_fields=False)
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)

    @field_validator("handoff_time", mode="before", check_fields=False)
    @classmethod
    def _hhmm(cls, value: object) -> time | None:
        return None if value is None else parse_handoff_time(value)


class RotationCreate(_RotationFields):
    name: OneLine = Field(min_length=1, max_length=200)
    slug: str | None = Field(default=None, max_length=100, pattern=SLUG_PATTERN)
    description: MultiLine = Field(default="", max_length=10_000)
    timezone: str
    start_date: CalendarDate
    handoff_time: time = time(9, 0)
    shift_days: int = Field(default=7, ge=1, le=28)
    people_per_shift: int = Field(default=1, ge=1, le=100)
    horizon_days: int = Field(default=182, ge=7, le=730)
    manager_ids: list[Id] = Field(default_factory=list, max_length=1000)
    swap_requires_approval: bool = False
    coverage: duty_schemas.Coverage = Field(default_factory=list)
    holidays: duty_schemas.HolidaysIn | None = None
    treat_own_holidays_as_time_off: bool = False
    fairness: fairness_settings.Fairness = "count"
    burden_weights: fairness_settings.BurdenWeightsIn | None = None
    slack_channel: SlackChannel = ""
    slack_usergroup: SlackUsergroup = ""
    slack_dm_days_ahead: SlackDmDays = 3
    scim_group: ScimGroupName = ""
    shadow_shifts_required: ShadowShifts = 0
    at_risk_days: AtRiskDays = 0


class RotationUpdate(_RotationFields):
    """A partial update; ``version``, when given, must be the one the editor last saw."""

    name: OneLine | None = Field(default=None, min_length=1, max_length=200)
    slug: str | None = Field(default=None, max_length=100, pattern=SLUG_PATTERN)
    description: MultiLine | None = Field(default=None, max_length=10_000)
    timezone: str | None = None
    start_date: CalendarDate | None = None
    handoff_time: time | None = None
    shift_days: int | None = Field(default=None, ge=1, le=28)
    people_per_shift: int | None = Field(default=None, ge=1, le=100)
    horizon_days: int | None = Field(default=None, ge=7, le=730)
    manager_ids: list[Id] | None = Field(default=None, max_length=1000)
    swap_requires_approval: bool | None = None
    coverage: duty_schemas.Coverage | None = None
    holidays: duty_schemas.HolidaysIn | None = Field(default=None, description="null: none")
    treat_own_holidays_as_time_off: bool | None = None
    fairness: fairness_settings.Fairness | None = None
    burden_weights: fairness_settings.BurdenWeightsIn | None = None
    slack_channel: SlackChannel | None = None
    slack_usergroup: SlackUsergroup | None = None
    slack_dm_days_ahead: SlackDmDays | None = None
    scim_group: ScimGroupName | None = None
    shadow_shifts_required: ShadowShifts | None = None
    at_risk_days: AtRiskDays | None = None
    version: int | None = None


class MembersSet(Strict):
    person_ids: list[Id] = Field(max_length=1000)


class MemberUpdate(Strict):
    """A manager moves a member between stages, or holds back their graduation."""

    stage: Stage | None = None
    graduation_held: bool | None = None

    @model_validator(mode="after")
    def _something(self) -> MemberUpdate:
        if self.stage is None and self.graduation_held is None:
            raise ValueError("give stage and/or graduation_held")
        return self


class RebalanceRequest(Strict):
    model_config = ConfigDict(populate_by_name=True)

    from_date: CalendarDate = Field(alias="from")


class TimeOffCreate(Strict):
    start: CalendarDate
    end: CalendarDate
    reason: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _ordered(self) -> TimeOffCreate:
        if self.end < self.start:
            raise ValueError("time off cannot end before it starts")
        return self


class OverrideCreate(Strict):
    person_id: Id
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None


class SwapCreate(Strict):
    shift_id: Id
    counterpart_shift_id: Id | None = None
    counterpart_person_id: Id | None = None

    @model_validator(mode="after")
    def _one_counterpart(self) -> SwapCreate:
        if (self.counterpart_shift_id is None) == (self.counterpart_person_id is None):
            raise ValueError(
                "give either counterpart_shift_id (a trade) or counterpart_person_id (a cover)"
            )
        return self


# --- outputs ------------------------------------------------------------------------------


# Outputs read ORM rows by attribute; these turn a relationship or a timestamp into the
# plain value the API shows, and leave a value that already is one alone.


def _sorted_ids(people: Iterable[Any]) -> list[int]:
    return sorted(p if isinstance(p, int) else p.id for p in people)


def _is_set(value: object) -> bool:
    return value if isinstance(value, bool) else value is not None


class RotationOut(BaseModel):
    # From a Rotation with ``managers`` loaded.
    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str
    name: str
    description: str
    timezone: str
    start_date: date
    handoff_time: Annotated[time, PlainSerializer(format_handoff_time, return_type=str)]
    shift_days: int
    people_per_shift: int
    horizon_days: int
    manager_ids: Annotated[list[int], BeforeValidator(_sorted_ids)] = Field(
        validation_alias=AliasChoices("manager_ids", "managers")
    )
    swap_requires_approval: bool
    archived: bool
    version: int
    coverage: list[duty_schemas.CoverageWindowOut] = []
    holidays: duty_schemas.HolidaysOut | None = None
    treat_own_holidays_as_time_off: bool = False
    fairness: fairness_settings.Fairness = "count"
    burden_weights: fairness_settings.BurdenWeightsOut = fairness_settings.BurdenWeightsOut(
        weekday=1.0, weekend=1.5, holiday=2.0
    )
    slack_channel: str = ""
    slack_usergroup: str = ""
    slack_dm_days_ahead: int = 3
    scim_group: str = ""
    shadow_shifts_required: int = 0
    at_risk_days: int = 0

    @classmethod
    def of(cls, rotation: Rotation) -> RotationOut:
        """Needs ``rotation.managers`` loaded; duty and fairness settings as the API shows them."""
        settings = fairness_settings.snapshot(rotation)
        return cls.model_validate(rotation).model_copy(
            update={
                **duty_settings.published(rotation),
                "fairness": settings["fairness"],
                "burden_weights": fairness_settings.BurdenWeightsOut(**settings["burden_weights"]),
            }
        )


class MemberOut(BaseModel):
    # From a RotationMember with ``person`` loaded.
    model_config = ConfigDict(from_attributes=True)

    person: PersonRef
    position: int
    joined_at: datetime
    stage: Stage = "primary"
    graduation_held: bool = False


class ShiftOut(BaseModel):
    """A shift as the API shows it everywhere; ``rotation`` is the rotation's slug."""

    # From a Shift with ``rotation`` and ``person`` loaded.
    model_config = ConfigDict(from_attributes=True)

    id: int
    uid: str
    rotation: str = Field(validation_alias=AliasChoices(AliasPath("rotation", "slug"), "rotation"))
    rotation_name: str = Field(
        validation_alias=AliasChoices("rotation_name", AliasPath("rotation", "name"))
    )
    index: int
    slot: int
    start: datetime
    end: datetime
    person: PersonRef | None
    kind: ShiftKind
    sequence: int
    cancelled: Annotated[bool, BeforeValidator(_is_set)] = Field(
        validation_alias=AliasChoices("cancelled", "cancelled_at")
    )
    role: ShiftRole = "primary"


class OnCallOut(BaseModel):
    at: datetime
    shifts: list[ShiftOut]


class RebalanceOut(BaseModel):
    changed_shift_ids: list[int]


class TimeOffOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    person_id: int
    start: date
    end: date
    reason: str


class TimeOffCreated(TimeOffOut):
    reassigned_shift_ids: list[int]


class SwapOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    shift_id: int
    counterpart_shift_id: int | None
    counterpart_person_id: int
    requester_id: int
    status: SwapStatus
    created_at: datetime
    updated_at: datetime


class ShiftStateOut(BaseModel):
    """A shift in a preview: its id, rotation slug, times and holder (null: uncovered)."""

    model_config = ConfigDict(from_attributes=True)

    shift_id: int
    rotation: str
    start: datetime
    end: datetime
    person_id: int | None
    cancelled: bool


class ShiftChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    before: ShiftStateOut | None
    after: ShiftStateOut | None


class PersonChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    person: PersonRef
    before: list[ShiftStateOut]
    after: list[ShiftStateOut]


class PreviewOut(BaseModel):
    """What a change would do (``?dry_run=true``); nothing was saved."""

    model_config = ConfigDict(from_attributes=True)

    dry_run: bool = True
    changes: list[PersonChangeOut]
    shifts: list[ShiftChangeOut]
    conflicts: list[ShiftStateOut]
