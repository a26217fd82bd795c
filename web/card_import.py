"""Running a card import for a request: check and match outside any write, then write in
batches (``flows.bulk_import``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core.batches import Progress
from core.models import Person
from flows import bulk_import
from web import bulk_imports


def run_card_import(
    session: Session,
    *,
    text: str,
    is_json: bool,
    now: datetime,
    actor: Person,
    progress: Progress | None = None,
) -> bulk_import.Totals:
    """Import ``text`` (CSV, or a Guru export when ``is_json``).

    The caller's transaction ends first; the file is parsed and every row checked outside
    any transaction, matched in one that takes no write lock, then written in batches, each
    a short transaction of its own. A bad row rejects the file before anything is written.
    """
    if session.in_transaction():
        session.commit()
    checked = bulk_imports.check_cards(session, text=text, is_json=is_json, now=now)
    return bulk_import.write(session, checked, now=now, actor=actor, progress=progress)
