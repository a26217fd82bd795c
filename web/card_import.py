"""Running a card import for a request: parse and match outside the write, then write."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core.db import begin_reading
from core.models import Person
from kb_links import importers
from web import bodies


def run_card_import(
    session: Session, *, text: str, is_json: bool, now: datetime, actor: Person
) -> importers.ImportResult:
    """Import ``text`` (CSV, or a Guru export when ``is_json``) in three steps.

    On SQLite every transaction holds the database's one write lock, and checking the
    caller opened one; it ends before the file is parsed, the match against the registry
    reads in a transaction of its own that takes no write lock, and the write that follows
    is the only step that keeps other writers waiting. The write alone is all or nothing.
    """
    session.commit()
    begin_reading(session)
    if is_json:
        bodies.check_json_document(text)
        plan = importers.plan_guru_export(session, text=text, now=now)
    else:
        plan = importers.plan_csv(session, text=text, now=now)
    session.commit()
    return importers.apply_plan(session, plan=plan, now=now, actor=actor)
