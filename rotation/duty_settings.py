"""A rotation's duty settings (coverage windows, holiday rule, own holidays as time off).

The rotation use cases hand the settings in a create or edit here, so the rules of what is
stored (normalised windows, a holiday rule as three columns) live in one place.
"""

from __future__ import annotations

from typing import Any

from rotation import coverage
from rotation.duty_schemas import CoverageWindowOut, HolidaysOut
from rotation.holidays import HolidayRule
from rotation.models import Rotation

FIELDS = ("coverage", "holidays", "treat_own_holidays_as_time_off")


def take(changes: dict[str, Any]) -> dict[str, Any]:
    """Remove the duty settings from ``changes`` (a dumped create or edit) and return them.

    ``holidays`` may be None in an edit: it removes the rotation's holiday calendar.
    """
    return {name: changes.pop(name) for name in FIELDS if name in changes}


def apply(rotation: Rotation, settings: dict[str, Any]) -> bool:
    """Set the settings on ``rotation``; True if people's own holidays newly count as time off."""
    if "coverage" in settings and settings["coverage"] is not None:
        windows = coverage.parse_windows(settings["coverage"])
        rotation.coverage = [coverage.window_dict(window) for window in windows]
    if "holidays" in settings:
        rule = settings["holidays"]
        rotation.holiday_country = rule["country"] if rule else None
        rotation.holiday_subdivision = rule.get("subdivision") if rule else None
        rotation.holiday_policy = rule["policy"] if rule else None
    newly = False
    treat = settings.get("treat_own_holidays_as_time_off")
    if treat is not None:
        newly = bool(treat) and not rotation.treat_own_holidays_as_time_off
        rotation.treat_own_holidays_as_time_off = bool(treat)
    return newly


def windows_of(rotation: Rotation) -> tuple[coverage.Window, ...]:
    return coverage.parse_windows(rotation.coverage or [])


def rule_of(rotation: Rotation) -> HolidayRule | None:
    if rotation.holiday_country is None or rotation.holiday_policy is None:
        return None
    return HolidayRule(
        country=rotation.holiday_country,
        subdivision=rotation.holiday_subdivision,
        policy="skip" if rotation.holiday_policy == "skip" else "staff",
    )


def snapshot(rotation: Rotation) -> dict[str, Any]:
    """The settings for the audit trail."""
    rule = rule_of(rotation)
    return {
        "coverage": list(rotation.coverage or []),
        "holidays": None
        if rule is None
        else {"country": rule.country, "subdivision": rule.subdivision, "policy": rule.policy},
        "treat_own_holidays_as_time_off": rotation.treat_own_holidays_as_time_off,
    }


def published(rotation: Rotation) -> dict[str, Any]:
    """The settings as the API shows them (``RotationOut`` fields)."""
    return {
        "coverage": CoverageWindowOut.listed(list(rotation.coverage or [])),
        "holidays": HolidaysOut.of(rule_of(rotation)),
        "treat_own_holidays_as_time_off": bool(rotation.treat_own_holidays_as_time_off),
    }
