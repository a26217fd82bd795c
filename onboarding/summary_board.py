"""A page of the readiness report from the reading summaries, doing the rules' work only for
the shifts the summaries cannot settle and for the page shown.

One pass over the window's shifts reads, per shift, only its id, rotation, person and its
summary row (in report order). A shift whose status follows from that alone is counted
without being built:

- no person: ``uncovered``;
- a summary row that holds with nothing unread: ``ready``;
- a summary row that holds with cards unread, for a shift starting so far ahead that its
  reading can be neither due nor at risk yet: ``pending``.

Every other shift (no row, a stale row, or cards unread close to the start) goes through
``readiness.readiness`` as the full report does, and so do the page's shifts, so the page's
rows are the full report's. Should a summary's fingerprint not match its rotation's
requirements any more, the whole board is derived as ``progress.board`` does.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, aliased

from core import paging
from onboarding import facts, progress, readiness, summary
from onboarding.models import Acknowledgement, ReadingSummary
from onboarding.readiness import Status
from rotation.models import Rotation, Shift

# How much further than the most days before any due time or at-risk window a shift must
# start to be settled as pending unseen: "days before" are local calendar days, which DST
# stretches or shrinks by an hour or so.
SLACK = timedelta(days=2)

# Up to this many shifts left to the rules are loaded by id; more by asking the database
# about every shift's summary again (no parameter list grows with the data).
MOST_LISTED = 1000


def _latest_ack(person_id: Any) -> Any:
    ack = aliased(Acknowledgement)
    return (
        select(ack.id)
        .where(ack.person_id == person_id)
        .order_by(ack.id.desc())
        .limit(1)
        .correlate_except(ack)  # to the shift two levels up
        .scalar_subquery()
    )


def _unsettled(
    horizon: datetime, where: Sequence[ColumnElement[bool]]
) -> list[ColumnElement[bool]]:
    """Shift-only conditions for the shifts of ``where`` that ``_pass`` leaves to the rules
    (fingerprints aside: a board with a mismatched one is derived in full)."""
    row = aliased(ReadingSummary)
    settled = (
        select(row.person_id)
        .where(
            row.person_id == Shift.person_id,
            row.rotation_id == Shift.rotation_id,
            row.through == func.coalesce(_latest_ack(Shift.person_id), 0),
            or_(row.missing == "", Shift.start >= horizon),
        )
        .exists()
    )
    return [*where, Shift.person_id.is_not(None), ~settled]


def _horizon(session: Session, loaded: facts.Requirements, *, now: datetime) -> datetime:
    """From when on a shift's unread cards can be neither due nor at risk at ``now``."""
    most_at_risk = session.scalar(select(func.max(Rotation.at_risk_days))) or 0
    most_due = max((r.due_days_before for r in loaded.requirements), default=0)
    return now + timedelta(days=max(most_at_risk, most_due, 0)) + SLACK


def _pass(
    session: Session,
    where: Sequence[ColumnElement[bool]],
    *,
    current: dict[int, str],
    horizon: datetime,
) -> tuple[list[int], list[Status | None]] | None:
    """Every shift's id in report order, and beside it its status where the summaries settle
    it (None elsewhere); None when a summary row that would settle a shift no longer matches
    its rotation's fingerprint."""
    statement = summary.alongside(
        select(Shift.id, Shift.person_id, Shift.rotation_id, Shift.start >= horizon)
        .join(Shift.rotation)
        .where(*where)
        .order_by(*facts.SHIFT_ORDER)
    )
    # Tens of thousands of shifts: two flat lists, no object per shift kept beyond its row.
    ids: list[int] = []
    statuses: list[Status | None] = []
    uncovered, ready, pending = Status.UNCOVERED, Status.READY, Status.PENDING
    for (
        shift_id,
        person_id,
        rotation_id,
        far,
        digest,
        missing,
        through,
        last,
    ) in session.connection().execute(statement):
        status: Status | None = None
        if person_id is None:
            status = uncovered
        elif digest is not None and through == (last or 0) and (missing == "" or far):
            if digest != current.get(rotation_id, summary.NO_CARDS):
                return None
            status = ready if missing == "" else pending
        ids.append(shift_id)
        statuses.append(status)
    return ids, statuses


def _statuses(
    session: Session,
    where: Sequence[ColumnElement[bool]],
    *,
    loaded: facts.Requirements,
    now: datetime,
) -> tuple[list[int], list[Status]] | None:
    """Every shift's id and status in report order; None when the summaries cannot be
    trusted to settle any (a fingerprint that no longer matches)."""
    current = summary.fingerprints(
        loaded.requirements, card_sets=loaded.card_sets, cards=loaded.card_facts
    )
    horizon = _horizon(session, loaded, now=now)
    found = _pass(session, where, current=current, horizon=horizon)
    if found is None:
        return None
    ids, settled = found
    listed = [i for i, status in zip(ids, settled, strict=True) if status is None]
    if not listed:
        return ids, [s for s in settled if s is not None]
    # Naming a few hundred shifts is cheaper than asking about every shift's summary again.
    chosen = [Shift.id.in_(listed)] if len(listed) <= MOST_LISTED else _unsettled(horizon, where)
    unsettled = facts.load_facts(session, where=chosen, summarized=True, required=loaded)
    derived = {r.shift.id: r.status for r in unsettled.judge(readiness.readiness, now=now)}
    statuses = [
        derived.get(i) if status is None else status for i, status in zip(ids, settled, strict=True)
    ]
    if None in statuses:  # cannot happen: both tell the unsettled apart alike
        return None
    return ids, [s for s in statuses if s is not None]


def board(
    session: Session,
    span: tuple[datetime, datetime],
    *,
    rotation_ids: Collection[int] | None,
    now: datetime,
    status: Status | None = None,
    page: int = 1,
    page_size: int = 100,
) -> progress.Board:
    """``progress.board`` over ``span`` (start, end), the same answers, with the rules applied
    only where needed."""
    start, end = span
    window: list[ColumnElement[bool]] = [Shift.start < end, Shift.end > start]
    if rotation_ids is not None:
        window.append(Shift.rotation_id.in_(sorted(rotation_ids)))
    where = facts.live_shift_conditions(*window)
    # Of every rotation in scope, not only those with shifts in the window: the same answers,
    # without reading the window's shifts once more.
    rotations = select(Rotation.id).where(Rotation.archived.is_(False))
    if rotation_ids is not None:
        rotations = rotations.where(Rotation.id.in_(sorted(rotation_ids)))
    loaded = facts.load_requirements(session, rotation_ids=rotations)
    found = _statuses(session, where, loaded=loaded, now=now)
    if found is None:
        return progress.board(
            session,
            start=start,
            end=end,
            rotation_ids=rotation_ids,
            now=now,
            status=status,
            page=page,
            page_size=page_size,
        )
    ids, statuses = found
    counts = dict.fromkeys(Status, 0)
    for each in statuses:
        counts[each] += 1
    chosen = [i for i, each in zip(ids, statuses, strict=True) if status in (None, each)]
    shown = paging.page_of(len(chosen), number=page, size=page_size)
    on_page = chosen[shown.start : shown.stop]
    entries = progress.page_entries(session, on_page, required=loaded, now=now)
    return progress.Board(
        entries=entries, counts=counts, total=len(chosen), page=shown, cards=loaded.cards
    )
