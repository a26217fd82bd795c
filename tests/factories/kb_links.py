"""Knowledge-base cards, and the sample Guru export the importer tests read."""

from __future__ import annotations

import itertools
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from core.models import Person
from kb_links.models import Card
from tests.conftest import DEFAULT_NOW
from tests.factories._rows import save

GURU_EXPORT = Path(__file__).resolve().parent.parent / "kb_links" / "data" / "guru-cards.json"

_counter = itertools.count(1)


def make_card(
    session: Session,
    *,
    title: str | None = None,
    url: str | None = None,
    source: str = "link",
    external_id: str | None = None,
    collection: str | None = None,
    verifier: Person | None = None,
    verify_every_days: int = 90,
    last_verified_at: datetime | None = DEFAULT_NOW,
    version: int = 1,
    source_version: int | None = None,
    archived: bool = False,
    now: datetime = DEFAULT_NOW,
) -> Card:
    n = next(_counter)
    return save(
        session,
        Card(
            title=title or f"Card {n}",
            url=url or f"https://kb.example.com/cards/{n}",
            source=source,
            external_id=external_id,
            collection=collection,
            verifier_id=verifier.id if verifier else None,
            verify_every_days=verify_every_days,
            last_verified_at=last_verified_at,
            version=version,
            source_version=source_version,
            archived=archived,
            created_at=now,
            updated_at=now,
            changed_at=now,
        ),
    )
