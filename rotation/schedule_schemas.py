"""Input and output shapes of layered schedules."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from core.schemas import PersonRef, Strict
from rotation.schemas import SLUG_PATTERN, ShiftOut

SCHEDULE_PREFIX = "schedule:"
LAYER_PATTERN = r"^(schedule:)?[a-z0-9]+(?:-[a-z0-9]+)*$"
LayerName = Annotated[
    str,
    Field(
        max_length=110,
        pattern=LAYER_PATTERN,
        description='a rotation slug, or "schedule:<slug>" for another schedule\'s final line',
    ),
]


def _distinct(layers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    for position, layer in enumerate(layers):
        if layer in seen:
            raise ValueError(f"layers[{position}]: {layer} is already layer {seen[layer]}")
        seen[layer] = position
    return layers


Layers = Annotated[list[LayerName], Field(min_length=1, max_length=20), AfterValidator(_distinct)]


class ScheduleCreate(Strict):
    name: str = Field(min_length=1, max_length=200)
    slug: str | None = Field(default=None, max_length=100, pattern=SLUG_PATTERN)
    description: str = Field(default="", max_length=10_000)
    layers: Layers


class ScheduleUpdate(Strict):
    """A partial update; ``version``, when given, must be the one the editor last saw."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    layers: Layers | None = None
    version: int | None = None


class LayerOut(BaseModel):
    layer: str
    kind: str  # "rotation" | "schedule"
    slug: str
    name: str


class ScheduleOut(BaseModel):
    id: int
    slug: str
    name: str
    description: str
    layers: list[str]
    layer_details: list[LayerOut]
    version: int


class ScheduleOnCallOut(BaseModel):
    """Who answers at ``at``: the highest layer with someone on duty (null: nobody)."""

    at: datetime
    layer: str | None
    shifts: list[ShiftOut]


class FinalEntryOut(BaseModel):
    """A stretch of the final line; a gap has ``person``, ``layer`` and ``shift_id`` null."""

    start: datetime
    end: datetime
    person: PersonRef | None
    layer: str | None
    shift_id: int | None
