"""Input and output shapes of onboarding: card sets, requirements, acknowledgements, checklists,
readiness."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.schemas import MultiLine, OneLine, PersonRef, Strict
from rotation.schemas import ShiftOut

MAX_DAYS_BEFORE = 365
MAX_CARDS_PER_SET = 500


class CardSetCreate(Strict):
    name: OneLine = Field(min_length=1, max_length=200)
    description: MultiLine = Field(default="", max_length=5000)
    card_ids: list[int] = Field(default_factory=list, max_length=MAX_CARDS_PER_SET)


class CardSetUpdate(Strict):
    name: OneLine | None = Field(default=None, min_length=1, max_length=200)
    description: MultiLine | None = Field(default=None, max_length=5000)
    card_ids: list[int] | None = Field(default=None, max_length=MAX_CARDS_PER_SET)


class CardSetOut(BaseModel):
    id: int
    name: str
    description: str
    card_ids: list[int]
    archived: bool
    created_at: datetime
    updated_at: datetime


class RequirementIn(Strict):
    card_set_id: int
    assign_days_before: int = Field(default=21, ge=0, le=MAX_DAYS_BEFORE)
    due_days_before: int = Field(default=2, ge=0, le=MAX_DAYS_BEFORE)

    @model_validator(mode="after")
    def _due_inside_assign_window(self) -> Self:
        if self.due_days_before > self.assign_days_before:
            raise ValueError(
                "due_days_before cannot exceed assign_days_before: reading cannot be due "
                "before it is assigned"
            )
        return self


class RequirementsPut(Strict):
    requirements: list[RequirementIn] = Field(max_length=100)


class RequirementOut(BaseModel):
    id: int
    card_set_id: int
    card_set_name: str
    assign_days_before: int
    due_days_before: int


class RequirementsOut(BaseModel):
    rotation: str
    requirements: list[RequirementOut]


class AckCreate(Strict):
    card_id: int
    version: int | None = Field(default=None, ge=1)


class AckOut(BaseModel):
    id: int
    person_id: int
    card_id: int
    card_title: str
    version: int
    acknowledged_at: datetime


class CardRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    url: str
    source: str
    version: int
    archived: bool


class ChecklistCard(BaseModel):
    card: CardRef
    acknowledged: bool
    acknowledged_version: int | None
    acknowledged_at: datetime | None
    # A major change since the person's previous shift (listed first), and its notes.
    changed_since_last_shift: bool = False
    revision_note: str | None = None


class ChecklistShift(BaseModel):
    shift: ShiftOut
    assigned_at: datetime | None
    due_at: datetime | None
    status: str
    required: int
    done: int
    cards: list[ChecklistCard]


class ChecklistOut(BaseModel):
    person: PersonRef
    shifts: list[ChecklistShift]


class ReadinessRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    shift: ShiftOut
    person: PersonRef | None
    due_at: datetime | None
    required: int
    done: int
    missing: list[int]
    status: str
