"""The coverage and holiday part of the rotation forms: a weekly grid of windows, plain HTML.

Each grid row is one window: a checkbox per weekday (``coverage_days`` = "row-day"), start and
end times (``coverage_start`` / ``coverage_end``, one per row in order) and an "ends the next
day" box (``coverage_overnight`` = row). Rows left empty are ignored; problems are reported
per row under the grid.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from core.holiday_codes import check_country, check_subdivision
from rotation import coverage, duty_settings
from rotation.models import Rotation

BLANK_ROWS = 2


class CoverageFields(BaseModel):
    """The grid and holiday fields as typed (checkboxes send a value or nothing)."""

    coverage_days: list[str] = []
    coverage_start: list[str] = []
    coverage_end: list[str] = []
    coverage_overnight: list[str] = []
    holiday_country: str = ""
    holiday_subdivision: str = ""
    holiday_policy: str = ""
    treat_own_holidays_as_time_off: str = ""


def values(rotation: Rotation) -> dict[str, Any]:
    """The form's starting values: the rotation's windows as grid rows, its holiday rule."""
    windows = duty_settings.windows_of(rotation)
    rule = duty_settings.rule_of(rotation)
    return {
        "coverage_days": [
            f"{row}-{coverage.WEEKDAYS[day]}"
            for row, window in enumerate(windows)
            for day in window.days
        ],
        "coverage_start": [coverage.hhmm(w.start) for w in windows],
        "coverage_end": [coverage.hhmm(w.end) for w in windows],
        "coverage_overnight": [str(row) for row, w in enumerate(windows) if w.overnight],
        "holiday_country": rule.country if rule else "",
        "holiday_subdivision": (rule.subdivision or "") if rule else "",
        "holiday_policy": rule.policy if rule else "",
        "treat_own_holidays_as_time_off": "true" if rotation.treat_own_holidays_as_time_off else "",
    }


def rows(form_values: dict[str, Any]) -> list[dict[str, Any]]:
    """The grid rows to show: the ones typed or stored, then blank ones to add windows."""
    starts = list(form_values.get("coverage_start") or [])
    ends = list(form_values.get("coverage_end") or [])
    days = set(form_values.get("coverage_days") or [])
    overnight = set(form_values.get("coverage_overnight") or [])
    count = max(len(starts), len(ends)) + BLANK_ROWS
    return [
        {
            "row": row,
            "days": {day for day in coverage.WEEKDAYS if f"{row}-{day}" in days},
            "start": starts[row] if row < len(starts) else "",
            "end": ends[row] if row < len(ends) else "",
            "overnight": str(row) in overnight,
        }
        for row in range(count)
    ]


def _windows(form: CoverageFields, errors: dict[str, str]) -> list[dict[str, Any]] | None:
    windows: list[dict[str, Any]] = []
    for row in rows(form.model_dump())[:-BLANK_ROWS]:
        if not row["days"] and not row["start"].strip() and not row["end"].strip():
            continue
        raw = {
            "days": [day for day in coverage.WEEKDAYS if day in row["days"]],
            "start": row["start"].strip(),
            "end": row["end"].strip(),
            "overnight": row["overnight"],
        }
        try:
            coverage.parse_window(raw)
        except ValueError as exc:
            errors["coverage"] = f"Row {row['row'] + 1}: {exc}."
            return None
        windows.append(raw)
    try:
        coverage.parse_windows(windows)
    except ValueError as exc:
        errors["coverage"] = f"{exc}: windows may touch but not share an hour.".replace(
            "coverage[", "row "
        ).replace("]", "")
        return None
    return windows


def _holidays(form: CoverageFields, errors: dict[str, str]) -> dict[str, Any] | None:
    if not form.holiday_policy:
        return None
    if form.holiday_policy not in ("skip", "staff"):
        errors["holiday_policy"] = "Choose what happens on public holidays."
        return None
    try:
        country = check_country(form.holiday_country)
    except ValueError as exc:
        errors["holiday_country"] = f"{exc}."
        return None
    subdivision = None
    if form.holiday_subdivision.strip():
        try:
            subdivision = check_subdivision(country, form.holiday_subdivision)
        except ValueError as exc:
            errors["holiday_subdivision"] = f"{exc}."
            return None
    return {"country": country, "subdivision": subdivision, "policy": form.holiday_policy}


def fields(form: CoverageFields, errors: dict[str, str]) -> dict[str, Any]:
    """The rotation fields the grid and holiday inputs give; problems go to ``errors``."""
    found: dict[str, Any] = {
        "holidays": _holidays(form, errors),
        "treat_own_holidays_as_time_off": form.treat_own_holidays_as_time_off == "true",
    }
    windows = _windows(form, errors)
    if windows is not None:
        found["coverage"] = windows
    return found
