"""At-risk shifts and the notices about them: the person and the rotation's managers are told
once per shift and stage, with the best prepared colleagues and a link to offer them cover.

A shift is at risk when its rotation's ``at_risk_days`` reach it and its person is overdue or
cannot read what is left in time (``readiness.at_risk``). The stage is ``behind`` (the
reading no longer fits before it is due) or ``overdue`` (the due time has passed): a person
who falls behind is told, and told again when it turns overdue, never more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.i18n import choose, gettext, ngettext
from core.models import Person
from onboarding import candidates, facts, messages, readiness, reminders
from rotation import access
from rotation.models import Rotation, Shift

# Colleagues named in a notice: the best prepared few, not the whole roster.
CANDIDATES_SHOWN = 3
HOPEFUL = (candidates.Standing.READY, candidates.Standing.CAN_BE_READY)


@dataclass(frozen=True)
class AtRiskShift:
    shift: Shift
    readiness: readiness.ShiftReadiness
    stage: str
    # The best prepared available colleagues, best first.
    candidates: list[candidates.Candidate]


@dataclass(frozen=True)
class Notice:
    reminder: reminders.Reminder
    recipient: messages.Recipient
    text: messages.Text


def stage_of(entry: readiness.ShiftReadiness, *, now: datetime) -> str:
    """``overdue`` once the due time has passed, ``behind`` before."""
    return "overdue" if entry.due_at is not None and now >= entry.due_at else "behind"


def cover_url(base_url: str, *, shift_id: int, person_id: int) -> str:
    """The page that offers the shift to ``person_id`` in one click."""
    return f"{base_url}/shifts/{shift_id}/cover?to={person_id}"


def at_risk_shifts(session: Session, *, now: datetime) -> list[AtRiskShift]:
    """Upcoming shifts at risk at ``now``, by start, each with its best candidates.

    Four queries to find them, then the candidates' queries per shift found (a handful).
    """
    longest = session.scalar(
        select(func.max(Rotation.at_risk_days)).where(Rotation.archived.is_(False))
    )
    if not longest:
        return []
    reading = facts.load_reading(
        session, where=facts.held_shifts_ahead(now=now, days=longest, under_way=False)
    )
    results = reading.statuses(now=now)
    found = []
    for result in results:
        shift = reading.shifts_by_id[result.shift.id]
        if result.status is not readiness.Status.AT_RISK or not (
            shift.person and shift.person.active
        ):
            continue
        ranked = candidates.candidates(session, shift=shift, now=now)
        best = [c for c in ranked if c.standing in HOPEFUL][:CANDIDATES_SHOWN]
        found.append(AtRiskShift(shift, result, stage_of(result, now=now), best))
    return found


def managers_of(session: Session, *, rotation_ids: Sequence[int]) -> dict[int, list[Person]]:
    """The active managers of each rotation, by rotation id."""
    by_rotation: dict[int, list[Person]] = {}
    for rotation_id, person in access.active_managers(session, rotation_ids=rotation_ids):
        by_rotation.setdefault(rotation_id, []).append(person)
    return by_rotation


def _recipient(person: Person) -> messages.Recipient:
    return messages.Recipient(
        person.id, person.name, person.email, person.timezone, choose(person.locale)
    )


def notices(session: Session, *, now: datetime, base_url: str) -> list[Notice]:
    """A notice per at-risk shift for its person and each manager of its rotation, keyed by
    shift, person, stage and recipient so that the outbox writes each once."""
    found = at_risk_shifts(session, now=now)
    if not found:
        return []
    managers = managers_of(session, rotation_ids=sorted({a.shift.rotation_id for a in found}))
    result: list[Notice] = []
    for item in found:
        holder = item.shift.person
        assert holder is not None
        recipients = [holder, *(m for m in managers.get(item.shift.rotation_id, []) if m != holder)]
        for person in recipients:
            reminder = reminders.Reminder(
                key=f"at-risk:{item.shift.id}:{holder.id}:{item.stage}:{person.id}",
                kind=reminders.Kind.AT_RISK,
                recipient_id=person.id,
                shift_id=item.shift.id,
                person_id=holder.id,
                card_ids=item.readiness.missing,
                due_at=item.readiness.due_at,
            )
            recipient = _recipient(person)
            text = render(item, recipient=recipient, holder=holder, base_url=base_url)
            result.append(Notice(reminder, recipient, text))
    return result


def _why(item: AtRiskShift, *, due: str, lang: str) -> str:
    left = len(item.readiness.missing)
    if item.stage == "overdue":
        return ngettext(
            lang,
            "the reading was due %(due)s and %(count)s card is still unread",
            "the reading was due %(due)s and %(count)s cards are still unread",
            left,
            due=due,
        )
    return ngettext(
        lang,
        "the %(count)s card left cannot all be read before the reading is due (%(due)s)",
        "the %(count)s cards left cannot all be read before the reading is due (%(due)s)",
        left,
        due=due,
    )


def _candidate_lines(item: AtRiskShift, *, base_url: str, lang: str) -> list[str]:
    if not item.candidates:
        return ["", gettext(lang, "Nobody else in the rotation is ready or can be ready in time.")]
    lines = ["", gettext(lang, "Best prepared to cover it:")]
    for candidate in item.candidates:
        left = candidate.cards_left
        state = (
            gettext(lang, "ready now")
            if left == 0
            else ngettext(lang, "%(count)s left", "%(count)s left", left)
        )
        url = cover_url(base_url, shift_id=item.shift.id, person_id=candidate.person.id)
        line = gettext(
            lang,
            "%(name)s (%(state)s): offer cover to them: %(url)s",
            name=candidate.person.name,
            state=state,
            url=url,
        )
        lines.append(f"  - {line}")
    return lines


def render(
    item: AtRiskShift, *, recipient: messages.Recipient, holder: Person, base_url: str
) -> messages.Text:
    """The words of an at-risk notice, in the recipient's language and zone."""
    tz, lang = recipient.timezone, recipient.locale
    shift = item.shift
    own = recipient.id == holder.id
    due_at = item.readiness.due_at
    due = messages.when(due_at, tz, lang) if due_at else gettext(lang, "before it")
    values = {
        "rotation": shift.rotation.name,
        "starts": messages.when(shift.start, tz, lang),
        "holder": holder.name,
        "why": _why(item, due=due, lang=lang),
    }
    if own:
        opening = gettext(
            lang, "Your %(rotation)s shift on %(starts)s is at risk: %(why)s.", **values
        )
        subject = gettext(lang, "At risk: your %(rotation)s shift on %(starts)s", **values)
    else:
        opening = gettext(
            lang, "%(holder)s's %(rotation)s shift on %(starts)s is at risk: %(why)s.", **values
        )
        subject = gettext(lang, "At risk: %(holder)s's %(rotation)s shift on %(starts)s", **values)
    lines = [messages.hello(recipient.name, lang), "", opening]
    lines += _candidate_lines(item, base_url=base_url, lang=lang)
    if own:
        lines += ["", messages.checklist_line(base_url, lang)]
    return messages.Text(subject=subject, body="\n".join(lines))
