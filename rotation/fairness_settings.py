"""A rotation's fairness settings: by shift count or by burden, and what an hour weighs.

The rotation use cases hand the settings of a create or edit here, as they do the duty
settings (``rotation.duty_settings``), so what is stored and shown lives in one place.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from core.errors import Invalid
from core.schemas import Strict
from rotation import ledger
from rotation.models import Rotation

Fairness = Literal["count", "burden"]
FIELDS = ("fairness", "burden_weights")
KINDS = ("weekday", "weekend", "holiday")
Weight = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


class BurdenWeightsIn(Strict):
    """What one hour of duty weighs on each kind of day; a weight left out stays as it is."""

    weekday: Weight | None = None
    weekend: Weight | None = None
    holiday: Weight | None = None

    @model_validator(mode="after")
    def _not_all_zero(self) -> BurdenWeightsIn:
        if all(getattr(self, kind) == 0 for kind in KINDS):
            raise ValueError("at least one weight must be above 0")
        return self


class BurdenWeightsOut(BaseModel):
    weekday: float
    weekend: float
    holiday: float


def take(changes: dict[str, Any]) -> dict[str, Any]:
    """Remove the fairness settings from ``changes`` (a dumped create or edit); return them."""
    return {name: changes.pop(name) for name in FIELDS if name in changes}


def weights_of(rotation: Rotation) -> ledger.Weights:
    return ledger.Weights(
        weekday=rotation.burden_weekday,
        weekend=rotation.burden_weekend,
        holiday=rotation.burden_holiday,
    )


def apply(rotation: Rotation, settings: dict[str, Any]) -> None:
    """Set the settings on ``rotation``; a weight not given keeps its value (or the default).

    Invalid when the weights would all be 0 (nothing would weigh anything).
    """
    if settings.get("fairness") is not None:
        rotation.fairness = settings["fairness"]
    weights = settings.get("burden_weights") or {}
    for kind in KINDS:
        current = getattr(rotation, f"burden_{kind}")
        default = getattr(ledger.DEFAULT_WEIGHTS, kind)
        given = weights.get(kind)
        chosen = given if given is not None else current if current is not None else default
        setattr(rotation, f"burden_{kind}", float(chosen))
    if all(getattr(rotation, f"burden_{kind}") == 0 for kind in KINDS):
        raise Invalid("burden_weights: at least one weight must be above 0")


def by_burden(rotation: Rotation) -> bool:
    return rotation.fairness == "burden"


def snapshot(rotation: Rotation) -> dict[str, Any]:
    """The settings for the audit trail and the API (``RotationOut`` fields)."""
    weights = weights_of(rotation)
    return {
        "fairness": rotation.fairness or "count",
        "burden_weights": {kind: getattr(weights, kind) for kind in KINDS},
    }
