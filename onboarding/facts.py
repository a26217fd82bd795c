"""Load what readiness is derived from, for any selection of shifts, in a fixed number of queries.

The shift filter is reused as a subquery for the requirements, cards and acknowledgements,
so the query count does not grow with the number of shifts, people or cards, and no
parameter list grows with the data either.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, Row, Select, select
from sqlalchemy.orm import Session, contains_eager

from core.models import Person
from kb_links.models import Card
from onboarding import ack_reads, readiness, report_records, summary
from onboarding.ack_reads import AckDetail
from onboarding.models import CardSetItem, RotationRequirement
from onboarding.report_records import ReportShift
from rotation.models import Rotation, Shift

T = TypeVar("T")


class Rule(Protocol[T]):
    """A readiness rule over shifts and their reading (``readiness.readiness``, ``checklist``,
    ``outlook``)."""

    def __call__(
        self,
        shifts: Iterable[readiness.ShiftFacts],
        *,
        requirements: Iterable[readiness.RequirementFacts],
        card_sets: Mapping[int, Sequence[int]],
        cards: Mapping[int, readiness.CardFacts],
        acks: readiness.AckIndex,
        now: datetime,
    ) -> list[T]: ...


@dataclass
class Facts:
    """Plain shift facts and everything their reading needs."""

    shift_facts: list[readiness.ShiftFacts]
    requirements: list[readiness.RequirementFacts]
    card_sets: dict[int, list[int]]
    cards: dict[int, Card]
    card_facts: dict[int, readiness.CardFacts]
    acks: readiness.AckIndex

    def as_fields(self) -> dict[str, Any]:
        """These facts as keyword arguments, for a subclass holding them and more."""
        return {f.name: getattr(self, f.name) for f in fields(Facts)}

    def statuses(self, *, now: datetime) -> list[readiness.ShiftReadiness]:
        """``readiness.readiness`` of these shifts against everything loaded with them."""
        return self.judge(readiness.readiness, now=now)

    def checklists(self, *, now: datetime) -> list[readiness.ShiftReadiness]:
        """``readiness.checklist`` of these shifts: only the reading assigned by ``now``."""
        return self.judge(readiness.checklist, now=now)

    def judge(
        self,
        rule: Rule[T],
        *,
        now: datetime,
        shifts: Iterable[readiness.ShiftFacts] | None = None,
    ) -> list[T]:
        """``rule`` applied to these shifts (or to ``shifts``, some of them) and their reading."""
        return rule(
            self.shift_facts if shifts is None else shifts,
            requirements=self.requirements,
            card_sets=self.card_sets,
            cards=self.card_facts,
            acks=self.acks,
            now=now,
        )


@dataclass
class Reading(Facts):
    """The facts with the shifts as rows, their rotation and person loaded."""

    shifts: list[Shift] = field(default_factory=list)
    shifts_by_id: dict[int, Shift] = field(init=False)

    def __post_init__(self) -> None:
        self.shifts_by_id = {shift.id: shift for shift in self.shifts}

    @classmethod
    def of(cls, facts: Facts, *, shifts: list[Shift]) -> Reading:
        """``facts`` with ``shifts``, the rows behind its shift facts."""
        return cls(**facts.as_fields(), shifts=shifts)


@dataclass
class Report(Facts):
    """The facts with the shifts as ``ReportShift`` records, in the same order."""

    shifts: list[ReportShift] = field(default_factory=list)

    @classmethod
    def of(cls, facts: Facts, *, shifts: list[ReportShift]) -> Report:
        """``facts`` with ``shifts``, the records of its shift facts."""
        return cls(**facts.as_fields(), shifts=shifts)


def live_shift_conditions(*extra: ColumnElement[bool]) -> list[ColumnElement[bool]]:
    """Conditions for shifts that count: not cancelled, of a rotation that is not archived."""
    active_rotations = select(Rotation.id).where(Rotation.archived.is_(False))
    return [Shift.cancelled_at.is_(None), Shift.rotation_id.in_(active_rotations), *extra]


def held_shifts_ahead(*, now: datetime, days: int, under_way: bool) -> list[ColumnElement[bool]]:
    """Conditions for live shifts someone holds that start within ``days`` of ``now``; those
    already under way too when ``under_way``, else only those still to start."""
    # A day of slack: "days before" are local calendar days and DST moves them an hour.
    horizon = now + timedelta(days=days + 1)
    begun = Shift.end > now if under_way else Shift.start > now
    return live_shift_conditions(Shift.person_id.is_not(None), begun, Shift.start < horizon)


def _shift_facts(shift: Shift) -> readiness.ShiftFacts:
    return readiness.ShiftFacts(
        id=shift.id,
        rotation_id=shift.rotation_id,
        start=shift.start,
        end=shift.end,
        person_id=shift.person_id,
        timezone=shift.rotation.timezone,
        at_risk_days=shift.rotation.at_risk_days,
        reading_due_at=shift.reading_due_at,
    )


SHIFT_ORDER = (Shift.start, Rotation.slug, Shift.slot, Shift.id)


def load_reading(
    session: Session,
    *,
    where: Sequence[ColumnElement[bool]],
    ack_detail: AckDetail = AckDetail.CURRENT,
) -> Reading:
    """Shifts matching ``where`` (Shift columns only) and everything their reading needs.

    Four queries whatever the data size: shifts (with rotation and person), requirements,
    card-set items with their cards, acknowledgements.
    """
    statement = (
        select(Shift)
        .join(Shift.rotation)
        .outerjoin(Shift.person)
        .where(*where)
        .options(contains_eager(Shift.rotation), contains_eager(Shift.person))
        .order_by(*SHIFT_ORDER)
    )
    shifts = list(session.scalars(statement))
    rest = _load_rest(session, where=where, ack_detail=ack_detail)
    rest.shift_facts = [_shift_facts(shift) for shift in shifts]
    return Reading.of(rest, shifts=shifts)


# A plain tuple per shift, in ``ShiftFacts`` order.
_FACT_COLUMNS = (
    Shift.id,
    Shift.rotation_id,
    Shift.start,
    Shift.end,
    Shift.person_id,
    Rotation.timezone,
    Rotation.at_risk_days,
    Shift.reading_due_at,
)


def load_facts(
    session: Session,
    *,
    where: Sequence[ColumnElement[bool]],
    ack_detail: AckDetail = AckDetail.CURRENT,
    summarized: bool = False,
    required: Requirements | None = None,
) -> Facts:
    """Like ``load_reading`` with the shifts as plain facts, in the same order.

    For reports over thousands of shifts that show only some of them: building a row
    object per shift would cost more than everything else. The same four queries, two
    fewer when ``required`` already holds the requirements of (at least) these shifts' rotations.
    ``summarized`` (``CURRENT`` only) reads the reading summaries with the shifts, then
    acknowledgements only of the people they do not hold for: the same queries, far fewer rows.
    """
    loaded, _rows = _load(
        session, where=where, ack_detail=ack_detail, summarized=summarized, required=required
    )
    return loaded


def load_report(
    session: Session,
    *,
    where: Sequence[ColumnElement[bool]],
    summarized: bool = False,
    required: Requirements | None = None,
) -> Report:
    """``load_facts`` with each shift also as the ``ReportShift`` a report shows (read by the
    same query, joined to its person): no row objects, the same queries."""
    loaded, rows = _load(
        session,
        where=where,
        ack_detail=AckDetail.CURRENT,
        summarized=summarized,
        required=required,
        shown=True,
    )
    return Report.of(loaded, shifts=report_records.records(rows))


def report_shifts(session: Session, shift_ids: Collection[int]) -> dict[int, ReportShift]:
    """The ``ReportShift`` records of ``shift_ids``, by id (one query)."""
    rows = session.execute(
        select(*_FACT_COLUMNS, *report_records.SHOWN_COLUMNS)
        .join(Shift.rotation)
        .outerjoin(Shift.person)
        .where(Shift.id.in_(sorted(shift_ids)))
    ).all()
    return {shift.id: shift for shift in report_records.records(rows)}


def _load(
    session: Session,
    *,
    where: Sequence[ColumnElement[bool]],
    ack_detail: AckDetail,
    summarized: bool,
    required: Requirements | None,
    shown: bool = False,
) -> tuple[Facts, Sequence[Row[Any]]]:
    """The facts of the shifts matching ``where``, and their rows as read (with the
    ``report_records.SHOWN_COLUMNS`` after the facts' when ``shown``)."""
    columns = (*_FACT_COLUMNS, *report_records.SHOWN_COLUMNS) if shown else _FACT_COLUMNS
    statement = select(*columns).join(Shift.rotation)
    if shown:
        statement = statement.outerjoin(Shift.person)
    statement = statement.where(*where).order_by(*SHIFT_ORDER)
    chosen: summary.AnySelect = summary.alongside(statement) if summarized else statement
    rows = session.execute(chosen).all()
    shift_facts = [readiness.ShiftFacts(*row[:8]) for row in rows]
    after = len(columns)
    found: list[summary.Found] | None = (
        [(row[4], row[1], *row[after:]) for row in rows] if summarized else None
    )
    if required is not None:
        # Only these shifts' rotations: the rules group what they are given per rotation.
        required = required.of_rotations({row[1] for row in rows})
    rest = _load_rest(
        session, where=where, ack_detail=ack_detail, summaries=found, required=required
    )
    rest.shift_facts = shift_facts
    return rest, rows


@dataclass
class Requirements:
    """The requirements of some rotations and the cards they ask for."""

    requirements: list[readiness.RequirementFacts]
    card_sets: dict[int, list[int]]
    cards: dict[int, Card]
    card_facts: dict[int, readiness.CardFacts]

    def of_rotations(self, rotation_ids: Collection[int]) -> Requirements:
        """These requirements of ``rotation_ids`` only, with the same cards."""
        chosen = [r for r in self.requirements if r.rotation_id in rotation_ids]
        return Requirements(chosen, self.card_sets, self.cards, self.card_facts)


def load_requirements(session: Session, *, rotation_ids: Select[Any]) -> Requirements:
    """The requirements of the rotations ``rotation_ids`` selects (in id order), with their
    card sets and cards (two queries)."""
    requirements = [
        readiness.RequirementFacts(*row)
        for row in session.execute(
            select(  # in ``RequirementFacts`` order
                RotationRequirement.id,
                RotationRequirement.rotation_id,
                RotationRequirement.card_set_id,
                RotationRequirement.assign_days_before,
                RotationRequirement.due_days_before,
            )
            .where(RotationRequirement.rotation_id.in_(rotation_ids))
            .order_by(RotationRequirement.id)
        )
    ]
    required_sets = select(RotationRequirement.card_set_id).where(
        RotationRequirement.rotation_id.in_(rotation_ids)
    )
    card_sets: dict[int, list[int]] = {}
    cards: dict[int, Card] = {}
    for card_set_id, card in session.execute(
        select(CardSetItem.card_set_id, Card)
        .join(Card, Card.id == CardSetItem.card_id)
        .where(CardSetItem.card_set_id.in_(required_sets))
        .order_by(CardSetItem.card_set_id, CardSetItem.position, CardSetItem.id)
    ):
        card_sets.setdefault(card_set_id, []).append(card.id)
        cards[card.id] = card
    facts = {
        card.id: readiness.CardFacts(card.id, card.version, card.archived)
        for card in cards.values()
    }
    return Requirements(requirements, card_sets, cards, facts)


def _load_rest(
    session: Session,
    *,
    where: Sequence[ColumnElement[bool]],
    ack_detail: AckDetail,
    summaries: list[summary.Found] | None = None,
    required: Requirements | None = None,
) -> Facts:
    """Requirements, cards and acknowledgements for the shifts matching ``where``."""
    rotation_ids = select(Shift.rotation_id).where(*where)
    loaded = required or load_requirements(session, rotation_ids=rotation_ids)
    if summaries is not None and ack_detail is AckDetail.CURRENT:
        known = summary.known(
            summaries,
            requirements=loaded.requirements,
            card_sets=loaded.card_sets,
            cards=loaded.card_facts,
        )
        acks = ack_reads.summarized_acks(session, where=where, known=known, cards=loaded.card_facts)
    else:
        sets = select(RotationRequirement.card_set_id).where(
            RotationRequirement.rotation_id.in_(rotation_ids)
        )
        acks = ack_reads.load_acks(
            session,
            person_ids=select(Shift.person_id).where(*where, Shift.person_id.is_not(None)),
            card_ids=select(CardSetItem.card_id).where(CardSetItem.card_set_id.in_(sets)),
            detail=ack_detail,
        )
    return Facts([], loaded.requirements, loaded.card_sets, loaded.cards, loaded.card_facts, acks)


def holders_by_id(shifts: Sequence[Shift]) -> dict[int, Person]:
    """The people holding ``shifts``, by id, from the shifts' loaded ``person`` (no query)."""
    return {shift.person.id: shift.person for shift in shifts if shift.person is not None}
