"""The new-rotation and settings forms: what a manager typed, checked into the domain's inputs.

Every problem is collected per field in one pass, so the form comes back once with all of
them marked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ConfigDict
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Person
from rotation import generation
from rotation.models import Rotation
from rotation.schemas import RotationCreate, RotationUpdate, format_handoff_time
from rotation.timeline import Cadence
from web.pages.helpers import checked, error_field, required_wording
from web.pages.rotations import coverage_form

NUMBER_FIELDS = (
    "shift_days",
    "people_per_shift",
    "horizon_days",
    "slack_dm_days_ahead",
    "shadow_shifts_required",
    "at_risk_days",
)
_EMAIL_SEPARATORS = re.compile(r"[\s,;]+")


class RotationForm(coverage_form.CoverageFields):
    """The rotation form as typed: every field is text (a checkbox sends "true" or nothing)."""

    # The CSRF field, the submit button's name and the like are not ours to check here.
    model_config = ConfigDict(extra="ignore")

    name: str = ""
    slug: str = ""
    description: str = ""
    timezone: str = "UTC"
    start_date: str = ""
    handoff_time: str = "09:00"
    shift_days: str = "7"
    people_per_shift: str = "1"
    horizon_days: str = "182"
    swap_requires_approval: str = ""
    managers: str = ""
    version: str = ""
    slack_channel: str = ""
    slack_usergroup: str = ""
    slack_dm_days_ahead: str = "3"
    scim_group: str = ""
    shadow_shifts_required: str = "0"
    at_risk_days: str = "0"
    fairness: str = "count"
    burden_weekday: str = "1"
    burden_weekend: str = "1.5"
    burden_holiday: str = "2"


def _number(value: float) -> str:
    return f"{value:g}"


def values_of(rotation: Rotation) -> dict[str, str]:
    """The settings form's starting values: the rotation as it is now (managers loaded)."""
    return RotationForm(
        name=rotation.name,
        slug=rotation.slug,
        description=rotation.description,
        timezone=rotation.timezone,
        start_date=rotation.start_date.isoformat(),
        handoff_time=format_handoff_time(rotation.handoff_time),
        shift_days=str(rotation.shift_days),
        people_per_shift=str(rotation.people_per_shift),
        horizon_days=str(rotation.horizon_days),
        swap_requires_approval="true" if rotation.swap_requires_approval else "",
        managers="\n".join(p.email for p in sorted(rotation.managers, key=lambda p: p.email)),
        version=str(rotation.version),
        slack_channel=rotation.slack_channel,
        slack_usergroup=rotation.slack_usergroup,
        slack_dm_days_ahead=str(rotation.slack_dm_days_ahead),
        scim_group=rotation.scim_group,
        shadow_shifts_required=str(rotation.shadow_shifts_required),
        at_risk_days=str(rotation.at_risk_days),
        fairness=rotation.fairness,
        burden_weekday=_number(rotation.burden_weekday),
        burden_weekend=_number(rotation.burden_weekend),
        burden_holiday=_number(rotation.burden_holiday),
        **coverage_form.values(rotation),
    ).model_dump()


def _wording(item: Mapping[str, Any]) -> str | None:
    required = required_wording(item)
    if required is not None:
        return required
    field, kind = error_field(item), item["type"]
    if kind == "int_parsing":
        return "Enter a whole number."
    if field == "burden_weights" and kind == "float_parsing":
        return "Enter each weight as a number, e.g. 1.5."
    if field == "fairness":
        return "Choose by shift count or by burden."
    if kind.startswith("date"):
        return "Enter a date as YYYY-MM-DD."
    if field == "slug" and kind == "string_pattern_mismatch":
        return "Use lowercase letters, digits and single dashes, e.g. tier-2-support."
    if field == "slack_channel" and kind == "string_pattern_mismatch":
        return "Give a channel id such as C0123ABCD or a name such as #support."
    if field == "slack_usergroup" and kind == "string_pattern_mismatch":
        return "Give a user group id such as S0123ABCD."
    return None


def people_ids(session: Session, text: str) -> tuple[list[int], str]:
    """The people named by the emails in ``text`` (commas, spaces or lines between them).

    One query whatever the number of emails. Returns their ids in the order given and what
    is wrong, if anyone is unknown or deactivated ("" when all is well).
    """
    emails = list(dict.fromkeys(e.lower() for e in _EMAIL_SEPARATORS.split(text) if e))
    if not emails:
        return [], ""
    found = {
        person.email.lower(): person
        for person in session.scalars(select(Person).where(func.lower(Person.email).in_(emails)))
    }
    unknown = [e for e in emails if e not in found]
    inactive = [found[e].name for e in emails if e in found and not found[e].active]
    problem = ""
    if unknown:
        problem = f"Nobody with the email {', '.join(unknown)} uses allhands."
    elif inactive:
        problem = f"{', '.join(inactive)} is deactivated; choose someone active."
    return [found[e].id for e in emails if e in found], problem


def manager_ids(session: Session, text: str, errors: dict[str, str]) -> list[int]:
    """The managers' ids from the managers field; problems go to ``errors["managers"]``."""
    ids, problem = people_ids(session, text)
    if problem:
        errors["managers"] = problem
    return ids


def _fields(form: RotationForm) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": form.name.strip(),
        "description": form.description,
        "timezone": form.timezone.strip(),
        "start_date": form.start_date.strip(),
        "handoff_time": form.handoff_time.strip(),
        "swap_requires_approval": form.swap_requires_approval == "true",
        "slack_channel": form.slack_channel.strip(),
        "slack_usergroup": form.slack_usergroup.strip(),
        "scim_group": form.scim_group.strip(),
        "fairness": form.fairness.strip(),
        "burden_weights": {
            kind: getattr(form, f"burden_{kind}").strip() or None
            for kind in ("weekday", "weekend", "holiday")
        },
    }
    for name in NUMBER_FIELDS:
        fields[name] = getattr(form, name).strip()
    return fields


def check_new(session: Session, *, form: RotationForm) -> RotationCreate:
    """The new rotation's validated input, or ``FormInvalid`` naming every bad field."""
    errors: dict[str, str] = {}
    ids = manager_ids(session, form.managers, errors)
    fields = {**_fields(form), "slug": form.slug.strip() or None, "manager_ids": ids}
    fields.update(coverage_form.fields(form, errors))
    return checked(RotationCreate, fields, errors=errors, wording=_wording)


def check_settings(session: Session, *, form: RotationForm) -> RotationUpdate:
    """The settings as a full ``RotationUpdate`` carrying the version the form was opened on."""
    errors: dict[str, str] = {}
    ids = manager_ids(session, form.managers, errors)
    try:
        version = int(form.version)
    except ValueError:
        errors["form"] = "The form is missing the rotation's version; reload the page."
        version = None
    fields = {
        **_fields(form),
        **coverage_form.fields(form, errors),
        "manager_ids": ids,
        "version": version,
    }
    return checked(RotationUpdate, fields, errors=errors, wording=_wording)


def cadence_of(data: RotationUpdate, *, rotation: Rotation) -> Cadence:
    """The cadence the settings describe (fields left out keep the rotation's)."""
    return Cadence(
        timezone=data.timezone or rotation.timezone,
        start_date=data.start_date or rotation.start_date,
        handoff_time=data.handoff_time or rotation.handoff_time,
        shift_days=data.shift_days or rotation.shift_days,
    )


def changes_cadence(data: RotationUpdate, *, rotation: Rotation) -> bool:
    """True when saving would regenerate the shifts ahead."""
    return cadence_of(data, rotation=rotation) != generation.cadence_of(rotation) or (
        data.people_per_shift not in (None, rotation.people_per_shift)
    )
