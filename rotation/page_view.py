"""What a rotation's page shows, loaded in a fixed number of queries.

The shifts of the month on view, who is on now and the next handoff, the roster with each
member's shift count, the swaps ahead, and the viewer's own shifts to offer with the ones
they could take in trade. The count of queries is the same for a rotation of three people
as for one of three hundred; readiness, which belongs to onboarding, is loaded beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core.models import Person
from rotation import access, duty, members, overview, shadowing, swap_choices, swap_views
from rotation import service as rotation_service
from rotation import shifts as shift_rows
from rotation.models import Rotation, RotationMember, Shift

# Shifts a member can offer, and others' shifts they can ask for in trade, on one page.
MY_SHIFTS_SHOWN = 20
TRADE_OPTIONS_SHOWN = 40


@dataclass(frozen=True)
class RotationPageView:
    """Everything the rotation page shows but the readiness of its shifts."""

    # Live shifts overlapping the window on view, by start; people loaded.
    shifts: list[Shift]
    on_call: list[Shift]
    next_handoff: datetime | None
    roster: list[RotationMember]
    # Live shifts per person over the rotation's whole generated range.
    shift_counts: dict[int, int]
    swaps: list[swap_views.SwapView]
    # The viewer's shifts ahead, and, if they have any, others' shifts to trade for.
    my_shifts: list[Shift]
    trade_options: list[Shift]
    viewer_manages: bool
    # Which of those trades and covers would be accepted, per shift of the viewer's.
    choices: swap_choices.SwapChoices

    @property
    def tradable(self) -> list[Shift]:
        """The shifts on offer that at least one of the viewer's shifts can be traded for."""
        ids = self.choices.tradable_shift_ids()
        return [shift for shift in self.trade_options if shift.id in ids]

    @property
    def fairness(self) -> list[tuple[str, int]]:
        """Each member's name and shift count, in roster order."""
        return [(m.person.name, self.shift_counts.get(m.person_id, 0)) for m in self.roster]

    @property
    def shadowing(self) -> dict[int, str]:
        """Each shadow shift's id and whom its person sits beside."""
        primaries = [
            (s.index, s.slot, s.start, s.end, s.person.name if s.person else None)
            for s in self.shifts
            if s.role != shift_rows.SHADOW_ROLE
        ]
        found = {
            s.id: shadowing.shadowed_names((s.index, s.slot, s.start, s.end), primaries)
            for s in self.shifts
            if s.role == shift_rows.SHADOW_ROLE
        }
        return {shift_id: names for shift_id, names in found.items() if names}

    def cover_people(self, *, viewer: Person) -> list[Person]:
        """The members the viewer can ask to cover one of their shifts and be accepted."""
        ids = self.choices.cover_person_ids()
        return [m.person for m in self.roster if m.person_id != viewer.id and m.person_id in ids]


def month_of_shift(
    session: Session, *, rotation: Rotation, shift_id: int, timezone: str
) -> date | None:
    """The first day of the month, on ``timezone``'s clock, in which the shift starts.

    None when there is no such shift in this rotation (a feed link to a shift since removed).
    """
    shift = session.get(Shift, shift_id)
    if shift is None or shift.rotation_id != rotation.id:
        return None
    return shift.start.astimezone(ZoneInfo(timezone)).date().replace(day=1)


def load(
    session: Session,
    *,
    rotation: Rotation,
    viewer: Person,
    start: datetime,
    end: datetime,
    now: datetime,
) -> RotationPageView:
    """The page's rotation data for the window [start, end) as seen by ``viewer`` at ``now``."""
    mine = overview.upcoming_shifts(
        session, rotation=rotation, after=now, person_id=viewer.id, limit=MY_SHIFTS_SHOWN
    )
    trade_options = (
        overview.upcoming_shifts(
            session, rotation=rotation, after=now, other_than=viewer.id, limit=TRADE_OPTIONS_SHOWN
        )
        if mine
        else []
    )
    handoffs = overview.next_handoffs(session, rotation_ids=[rotation.id], after=now)
    roster = members.list_members(session, rotation=rotation)
    choices = swap_choices.swap_choices(
        session, viewer=viewer, mine=mine, theirs=trade_options,
        colleagues=[member.person for member in roster],
    )  # fmt: skip
    return RotationPageView(
        shifts=rotation_service.list_shifts(session, rotation=rotation, start=start, end=end),
        on_call=duty.on_call(session, rotation=rotation, at=now),
        next_handoff=handoffs.get(rotation.id),
        roster=roster,
        shift_counts=overview.shift_counts(session, rotation=rotation),
        swaps=overview.rotation_swaps(session, rotation=rotation, now=now),
        my_shifts=mine,
        trade_options=trade_options,
        viewer_manages=access.is_manager(session, person=viewer, rotation=rotation),
        choices=choices,
    )
