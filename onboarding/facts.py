"""Load what readiness is derived from, for any selection of shifts, in a fixed number of queries.

The shift filter is reused as a subquery for the requirements, cards and acknowledgements,
so the query count does not grow with the number of shifts, people or cards, and no
parameter list grows with the data either.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from enum import Enum
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, Row, Select, and_, func, select
from sqlalchemy.orm import Session, contains_eager

from core.models import Person
from kb_links.models import Card
from onboarding import readiness, summary
from onboarding.models import Acknowledgement, CardSetItem, RotationRequirement
from rotation.models import Rotation, Shift


class AckDetail(Enum):
    """How much acknowledgement history to load.

    ``CURRENT`` loads only acknowledgements of each card's current version (enough for a
    status and cheap for thousands of people); ``LATEST`` also finds outdated ones, so a
    checklist can say "you read version 2, this is version 3".
    """

    CURRENT = "current"
    LATEST = "latest"


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


@dataclass(frozen=True, slots=True)
class ReportRotation:
    id: int
    slug: str
    name: str
    timezone: str


@dataclass(frozen=True, slots=True)
class ReportPerson:
    id: int
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class ReportShift:
    """A shift as readiness reports show it (pages, the API, CSV): plain values read with
    its facts, its rotation and person shared by their shifts."""

    id: int
    uid: str
    rotation: ReportRotation
    index: int
    slot: int
    start: datetime
    end: datetime
    person: ReportPerson | None
    kind: str
    role: str
    sequence: int
    cancelled_at: datetime | None

    @property
    def person_id(self) -> int | None:
        return None if self.person is None else self.person.id


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
# Then, for a report's rows, what ``ReportShift`` shows besides.
_SHOWN_COLUMNS = (
    Shift.uid,
    Shift.index,
    Shift.slot,
    Shift.kind,
    Shift.role,
    Shift.sequence,
    Shift.cancelled_at,
    Rotation.slug,
    Rotation.name,
    Person.name,
    Person.email,
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
    return Report.of(loaded, shifts=_records(rows))


def report_shifts(session: Session, shift_ids: Collection[int]) -> dict[int, ReportShift]:
    """The ``ReportShift`` records of ``shift_ids``, by id (one query)."""
    rows = session.execute(
        select(*_FACT_COLUMNS, *_SHOWN_COLUMNS)
        .join(Shift.rotation)
        .outerjoin(Shift.person)
        .where(Shift.id.in_(sorted(shift_ids)))
    ).all()
    return {shift.id: shift for shift in _records(rows)}


def _records(rows: Iterable[Sequence[Any]]) -> list[ReportShift]:
    """Rows of the ``_FACT_COLUMNS`` then the ``_SHOWN_COLUMNS`` as records, each rotation
    and person built once."""
    rotations: dict[int, ReportRotation] = {}
    people: dict[int, ReportPerson] = {}
    shifts = []
    for row in rows:
        shift_id, rotation_id, start, end, person_id, timezone = row[:6]
        uid, index, slot, kind, role, sequence, cancelled_at = row[8:15]
        rotation = rotations.get(rotation_id)
        if rotation is None:
            rotation = rotations[rotation_id] = ReportRotation(
                rotation_id, row[15], row[16], timezone
            )
        person = None
        if person_id is not None:
            person = people.get(person_id)
            if person is None:
                person = people[person_id] = ReportPerson(person_id, row[17], row[18])
        shifts.append(
            ReportShift(
                shift_id,
                uid,
                rotation,
                index,
                slot,
                start,
                end,
                person,
                kind,
                role,
                sequence,
                cancelled_at,
            )
        )
    return shifts


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
    ``_SHOWN_COLUMNS`` after the facts' when ``shown``)."""
    columns = (*_FACT_COLUMNS, *_SHOWN_COLUMNS) if shown else _FACT_COLUMNS
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
        acks = _summarized_acks(session, where=where, known=known, cards=loaded.card_facts)
    else:
        sets = select(RotationRequirement.card_set_id).where(
            RotationRequirement.rotation_id.in_(rotation_ids)
        )
        acks = _load_acks(
            session,
            person_ids=select(Shift.person_id).where(*where, Shift.person_id.is_not(None)),
            card_ids=select(CardSetItem.card_id).where(CardSetItem.card_set_id.in_(sets)),
            detail=ack_detail,
        )
    return Facts([], loaded.requirements, loaded.card_sets, loaded.cards, loaded.card_facts, acks)


# Past this many people without a valid summary, load everyone's acknowledgements through
# the shift filter rather than naming them all in the query.
MOST_NAMED = 500


def _summarized_acks(
    session: Session,
    *,
    where: Sequence[ColumnElement[bool]],
    known: summary.Known,
    cards: dict[int, readiness.CardFacts],
) -> readiness.AckIndex:
    """Acknowledgements as the reading summaries tell them, and from the table for the people
    whose summaries do not hold."""
    if len(known.stale) > MOST_NAMED:
        everyone = select(Shift.person_id).where(*summary.with_person(where))
        return _load_acks(
            session, person_ids=everyone, card_ids=_NO_CARDS, detail=AckDetail.CURRENT
        )
    index = dict(summary.as_acks(known, cards))
    if known.stale:
        named = select(Person.id).where(Person.id.in_(sorted(known.stale)))
        index.update(
            _load_acks(session, person_ids=named, card_ids=_NO_CARDS, detail=AckDetail.CURRENT)
        )
    return index


def _load_acks(
    session: Session,
    *,
    person_ids: Select[int | None],
    card_ids: Select[int],
    detail: AckDetail,
) -> readiness.AckIndex:
    """Acknowledged versions per person and card, with the first time for ``LATEST``.

    ``CURRENT`` reads neither times nor outdated versions: on a large organisation that is
    most of the report's rows, served from the covering index alone.
    """
    if detail is AckDetail.CURRENT:
        # Filtering on the people alone lets the database walk each person's slice of the
        # covering index once; also filtering on cards would probe every (person, card)
        # pair. Current versions of cards nobody requires cost a few extra rows, no more.
        current = (
            select(Acknowledgement.person_id, Acknowledgement.card_id, Acknowledgement.card_version)
            .join(
                Card,
                and_(
                    Card.id == Acknowledgement.card_id,
                    Card.version == Acknowledgement.card_version,
                ),
            )
            .where(Acknowledgement.person_id.in_(person_ids))
        )
        # ~10^5 rows on a large report: streamed plain rows through the session's connection
        # (the ORM adds nothing to three integers), one shared read-only mapping per version
        # rather than a new dict per row.
        only: dict[int, readiness.Versions] = {}
        index: dict[int, dict[int, readiness.Versions]] = {}
        for person_id, card_id, version in session.connection().execute(current):
            versions = only.get(version)
            if versions is None:
                versions = only[version] = MappingProxyType({version: None})
            by_card = index.get(person_id)
            if by_card is None:
                by_card = index[person_id] = {}
            by_card[card_id] = versions
        return index
    every = (
        select(
            Acknowledgement.person_id,
            Acknowledgement.card_id,
            Acknowledgement.card_version,
            func.min(Acknowledgement.acknowledged_at),
        )
        .where(Acknowledgement.person_id.in_(person_ids), Acknowledgement.card_id.in_(card_ids))
        .group_by(Acknowledgement.person_id, Acknowledgement.card_id, Acknowledgement.card_version)
    )
    history: dict[int, dict[int, dict[int, datetime | None]]] = {}
    for person_id, card_id, version, first in session.execute(every):
        history.setdefault(person_id, {}).setdefault(card_id, {})[version] = first
    return history


def holders_by_id(shifts: Sequence[Shift]) -> dict[int, Person]:
    """The people holding ``shifts``, by id, from the shifts' loaded ``person`` (no query)."""
    return {shift.person.id: shift.person for shift in shifts if shift.person is not None}


def acks_of(session: Session, *, person_ids: Sequence[int]) -> readiness.AckIndex:
    """Acknowledgements of current card versions by ``person_ids`` (one query)."""
    people = select(Person.id).where(Person.id.in_(list(person_ids)))
    return _load_acks(session, person_ids=people, card_ids=_NO_CARDS, detail=AckDetail.CURRENT)


_NO_CARDS = select(Card.id).where(Card.id.is_(None))  # unused by CURRENT
