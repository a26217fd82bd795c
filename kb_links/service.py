"""Use cases of the card registry: create, edit (major or minor), verify, list, archive."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import not_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import audit
from core.errors import Conflict, Invalid, NotFound
from core.models import Person
from kb_links.models import Card, CardRevision
from kb_links.registry_queries import stale_at
from kb_links.schemas import CardCreate, CardUpdate, Change

# Fields a PATCH or an import may set; everything else is managed by the registry itself.
EDITABLE_FIELDS = (
    "title",
    "url",
    "source",
    "external_id",
    "collection",
    "verifier_id",
    "verify_every_days",
    "last_verified_at",
)
NOT_NULL_FIELDS = frozenset({"title", "url", "source", "verify_every_days"})


# What an audit event pictures of a card.
AUDITED_FIELDS = (*EDITABLE_FIELDS, "version", "source_version", "archived")


def get_card(session: Session, *, card_id: int, for_update: bool = False) -> Card:
    """The card with this id, archived or not; ``for_update`` locks its row until commit.

    Edits read the version and write it back plus one; without the lock two concurrent
    major changes on PostgreSQL would both write the same new version.
    """
    query = select(Card).where(Card.id == card_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    card = session.scalars(query).one_or_none()
    if card is None:
        raise NotFound(f"card {card_id} not found")
    return card


def get_cards(session: Session, *, card_ids: Iterable[int]) -> dict[int, Card]:
    """The cards with these ids, by id, in one query; unknown ids are simply absent."""
    ids = set(card_ids)
    if not ids:
        return {}
    return {card.id: card for card in session.scalars(select(Card).where(Card.id.in_(ids)))}


def list_cards(
    session: Session,
    *,
    now: datetime,
    stale: bool | None = None,
    include_archived: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[Card]:
    """Cards by title, optionally only the stale (or only the trusted) ones as of ``now``;
    ``limit`` and ``offset`` read one page."""
    query = select(Card).order_by(Card.title, Card.id)
    if not include_archived:
        query = query.where(Card.archived.is_(False))
    if stale is not None:
        condition = stale_at(session, now)
        query = query.where(condition if stale else not_(condition))
    return list(session.scalars(query.limit(limit).offset(offset)))


def list_revisions(
    session: Session, *, card: Card, limit: int | None = None, offset: int = 0
) -> list[CardRevision]:
    """Every recorded edit of the card, oldest first; ``limit`` and ``offset`` read one page."""
    return list(
        session.scalars(
            select(CardRevision)
            .where(CardRevision.card_id == card.id)
            .order_by(CardRevision.at, CardRevision.id)
            .limit(limit)
            .offset(offset)
        )
    )


def _check_verifier(session: Session, verifier_id: int | None) -> None:
    if verifier_id is None:
        return
    person = session.get(Person, verifier_id)
    if person is None:
        raise Invalid(f"verifier_id: person {verifier_id} not found")
    if not person.active:
        raise Invalid(f"verifier_id: person {verifier_id} is inactive")


def _check_unique(
    session: Session, *, source: str, external_id: str | None, card_id: int | None
) -> None:
    if external_id is None:
        return
    other = session.scalars(
        select(Card).where(Card.source == source, Card.external_id == external_id)
    ).first()
    if other is not None and other.id != card_id:
        raise Conflict(f"card {other.id} already has source {source} and external id {external_id}")


@contextmanager
def _unique_guard(session: Session, *, source: str, external_id: str | None) -> Iterator[None]:
    """Run the writes of the block in a savepoint; a unique-index clash becomes a Conflict.

    The uniqueness check reads before writing, so a concurrent writer can still take the
    same (source, external id) in between; the index has the last word, and the savepoint
    keeps the clash from poisoning the rest of the unit of work.
    """
    try:
        with session.begin_nested():
            yield
            session.flush()
    except IntegrityError:
        raise Conflict(
            f"another card already has source {source} and external id {external_id}"
        ) from None


def _check_not_future(value: datetime | None, *, now: datetime) -> None:
    if value is not None and value > now:
        raise Invalid("last_verified_at: cannot be in the future")


def insert_card(
    session: Session,
    *,
    fields: Mapping[str, Any],
    now: datetime,
    actor: Person | None,
    source_version: int | None = None,
    note: str | None = None,
) -> Card:
    """Add a card from already validated fields, with its first revision and audit event."""
    card = Card(
        title=fields["title"],
        url=fields["url"],
        source=fields.get("source", "link"),
        external_id=fields.get("external_id"),
        collection=fields.get("collection"),
        verifier_id=fields.get("verifier_id"),
        verify_every_days=fields["verify_every_days"],
        last_verified_at=fields.get("last_verified_at"),
        version=1,
        source_version=source_version,
        archived=False,
        created_at=now,
        updated_at=now,
        changed_at=now,
    )
    with _unique_guard(session, source=card.source, external_id=card.external_id):
        session.add(card)
    session.add(_revision(card, change="major", summary="created", actor=actor, now=now))
    audit.Trail(session, actor=actor, at=now).record(
        "card.create", ("card", card.id), after=audit.snapshot(card, AUDITED_FIELDS), note=note
    )
    return card


def revise_card(
    session: Session,
    *,
    card: Card,
    changes: Mapping[str, Any],
    change: Change,
    now: datetime,
    actor: Person | None,
    summary: str = "",
    source_version: int | None = None,
) -> Card:
    """Apply validated field changes; a major change bumps ``version`` so everyone re-reads.

    A minor change (a typo, formatting) keeps the version, so acknowledgements stay valid;
    either kind leaves a revision behind for the card's history.
    """
    before = audit.snapshot(card, AUDITED_FIELDS)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable card field(s): {', '.join(sorted(unknown))}")
    source = changes.get("source", card.source)
    external_id = changes.get("external_id", card.external_id)
    with _unique_guard(session, source=source, external_id=external_id):
        for field, value in changes.items():
            setattr(card, field, value)
        if source_version is not None:
            card.source_version = source_version
        if change == "major":
            card.version += 1
            card.changed_at = now
        card.updated_at = now
        session.add(_revision(card, change=change, summary=summary, actor=actor, now=now))
    audit.Trail(session, actor=actor, at=now).record_change(
        "card.update",
        ("card", card.id),
        before=before,
        after=audit.snapshot(card, AUDITED_FIELDS),
        note=f"{change}: {summary}" if summary else change,
    )
    return card


def _revision(
    card: Card, *, change: Change, summary: str, actor: Person | None, now: datetime
) -> CardRevision:
    """The history entry of an edit that brought the card to its current version."""
    return CardRevision(
        card_id=card.id,
        version=card.version,
        change=change,
        summary=summary,
        actor_id=actor.id if actor else None,
        at=now,
    )


def create_card(session: Session, *, data: CardCreate, now: datetime, actor: Person) -> Card:
    """Add a card; a taken (source, external id) is a Conflict, an unknown verifier Invalid."""
    _check_verifier(session, data.verifier_id)
    _check_unique(session, source=data.source, external_id=data.external_id, card_id=None)
    fields = data.model_dump()
    if "last_verified_at" not in data.model_fields_set:
        fields["last_verified_at"] = now
    _check_not_future(fields["last_verified_at"], now=now)
    return insert_card(session, fields=fields, now=now, actor=actor)


def update_card(
    session: Session, *, card: Card, data: CardUpdate, now: datetime, actor: Person
) -> Card:
    """Apply a PATCH: the fields present, as a major (default) or minor change."""
    if data.version is not None and data.version != card.version:
        raise Conflict(
            f"card {card.id} is at version {card.version}, not {data.version}; reload and retry"
        )
    changes = data.model_dump(exclude_unset=True, exclude={"change", "summary", "version"})
    for field in NOT_NULL_FIELDS & changes.keys():
        if changes[field] is None:
            raise Invalid(f"{field}: cannot be null")
    if "verifier_id" in changes:
        _check_verifier(session, changes["verifier_id"])
    if {"source", "external_id"} & changes.keys():
        _check_unique(
            session,
            source=changes.get("source", card.source),
            external_id=changes.get("external_id", card.external_id),
            card_id=card.id,
        )
    return revise_card(
        session,
        card=card,
        changes=changes,
        change=data.change,
        now=now,
        actor=actor,
        summary=data.summary,
    )


def verify_card(session: Session, *, card: Card, now: datetime, actor: Person) -> Card:
    """Record that the card's content was checked now; its version does not change."""
    return _set(
        session,
        card=card,
        values={"last_verified_at": now},
        action="card.verify",
        actor=actor,
        now=now,
    )


def set_archived(
    session: Session, *, card: Card, archived: bool, now: datetime, actor: Person
) -> Card:
    """Archive a card (hidden from lists, history kept) or bring it back; idempotent."""
    if card.archived == archived:
        return card
    action = "card.archive" if archived else "card.restore"
    return _set(
        session, card=card, values={"archived": archived}, action=action, actor=actor, now=now
    )


def _set(
    session: Session,
    *,
    card: Card,
    values: Mapping[str, Any],
    action: str,
    actor: Person,
    now: datetime,
) -> Card:
    """A change the registry makes itself (no revision, same version), audited."""
    before = audit.snapshot(card, AUDITED_FIELDS)
    for name, value in values.items():
        setattr(card, name, value)
    card.updated_at = now
    session.flush()
    audit.Trail(session, actor=actor, at=now).record_change(
        action, ("card", card.id), before=before, after=audit.snapshot(card, AUDITED_FIELDS)
    )
    return card
