"""The words of a feed's events, in the language of its reader: summary and description.

UIDs, times and links do not depend on the language; only these texts do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.i18n import N_, gettext
from rotation import why_line

if TYPE_CHECKING:
    from rotation.feed.render import FeedShift, Perspective

# Who the shift's person takes over from and hands over to: (in their own feed, in others').
TAKE_OVER = (N_("You take over from: %(names)s"), N_("Takes over from: %(names)s"))
HAND_OVER = (N_("You hand over to: %(names)s"), N_("Hands over to: %(names)s"))


def _person(perspective: Perspective) -> bool:
    return perspective.value == "person"


def _slot_label(shift: FeedShift, lang: str) -> str:
    if shift.people_per_shift <= 1:
        return ""
    label = gettext(
        lang, "slot %(slot)s of %(slots)s", slot=shift.slot + 1, slots=shift.people_per_shift
    )
    return f" ({label})"


def description(
    shift: FeedShift, *, perspective: Perspective, base_url: str, lang: str = "en"
) -> str:
    rotation_url = f"{base_url}/rotations/{shift.rotation_slug}"
    if shift.released:
        return "\n".join(
            [
                gettext(
                    lang, "This shift is no longer yours: it was swapped, overridden or reassigned."
                ),
                gettext(lang, "Your current shifts: %(url)s", url=rotation_url),
            ]
        )
    if shift.cancelled:
        return "\n".join(
            [
                gettext(
                    lang,
                    "This shift was removed from the %(rotation)s schedule.",
                    rotation=shift.rotation_name,
                ),
                gettext(lang, "Current schedule: %(url)s", url=rotation_url),
            ]
        )
    people = (
        ", ".join(shift.on_shift) if shift.on_shift else gettext(lang, "nobody yet (uncovered)")
    )
    lines = [
        gettext(lang, "On shift: %(people)s", people=people),
        *_handover_lines(shift, perspective=perspective, lang=lang),
    ]
    if shift.shadowing:
        lines[:0] = [
            gettext(
                lang,
                "Shadowing %(primaries)s: a learning shift beside them; "
                "they answer for the shift, not the shadow.",
                primaries=shift.shadowing,
            )
        ]
    checklist = f"{base_url}/me/checklist"
    lines += ["", gettext(lang, "Get ready (required reading): %(url)s", url=checklist)]
    if _person(perspective):
        lines.append(
            gettext(
                lang,
                "Need to swap? Ask a teammate to trade or cover it at %(url)s",
                url=rotation_url,
            )
        )
    else:
        lines.append(gettext(lang, "Swap or cover a shift: %(url)s", url=rotation_url))
    return "\n".join(lines)


def _names(people: tuple[str, ...], lang: str) -> str:
    return ", ".join(people) if people else gettext(lang, "nobody (uncovered)")


def _handover_lines(shift: FeedShift, *, perspective: Perspective, lang: str = "en") -> list[str]:
    """Who else is on, whom the shift covers for, and who hands over to whom."""
    lines: list[str] = []
    mine = _person(perspective)
    others = [name for name in shift.on_shift if name != shift.assignee]
    if mine and others:
        lines.append(gettext(lang, "Also on this shift: %(people)s", people=", ".join(others)))
    if shift.covering_for:
        values = {"name": shift.assignee or gettext(lang, "Nobody"), "other": shift.covering_for}
        if mine:
            lines.append(gettext(lang, "You are covering for %(other)s", **values))
        else:
            lines.append(gettext(lang, "%(name)s is covering for %(other)s", **values))
    for people, (yours, theirs) in (
        (shift.handover_from, TAKE_OVER),
        (shift.handover_to, HAND_OVER),
    ):
        if people is not None:
            lines.append(gettext(lang, yours if mine else theirs, names=_names(people, lang)))
    why = why_line.sentence(dict(shift.why), lang) if shift.why else None
    if why and shift.assignee:
        if mine:
            lines.append(gettext(lang, "Why you: %(why)s", why=why))
        else:
            lines.append(gettext(lang, "Why %(name)s: %(why)s", name=shift.assignee, why=why))
    return lines


def summary(shift: FeedShift, *, perspective: Perspective, lang: str) -> str:
    summary = shift.rotation_name + ("" if shift.shadowing else _slot_label(shift, lang))
    if not _person(perspective) and not shift.cancelled:
        assignee = shift.assignee or gettext(lang, "uncovered")
        summary += f": {assignee}"
    if shift.shadowing and not shift.cancelled:
        mark = gettext(lang, "Shadowing %(primaries)s", primaries=shift.shadowing)
        summary += f" ({mark})" if not _person(perspective) else f": {mark}"
    if shift.cancelled or shift.released:
        # Clients that ignore STATUS (Outlook) show a cancelled event as a real shift.
        summary = gettext(lang, "Cancelled: %(summary)s", summary=summary)
    return summary
