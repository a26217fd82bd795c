"""A card import keeps SQLite's write lock only while it writes.

Every SQLite transaction here begins IMMEDIATE (it takes the database's one write lock), and
checking the caller opens one. While the file is parsed and matched, another connection
must be able to write at once; the write itself stays all or nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from core.db import make_engine, make_sessionmaker
from core.errors import Conflict
from core.models import Person
from kb_links import import_plan, importers
from kb_links.models import Card
from migrations import runner
from tests.conftest import DEFAULT_NOW
from tests.factories import make_person
from web.card_import import run_card_import

ROWS = 300


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'lock.sqlite'}")
    runner.upgrade(engine)
    yield engine
    engine.dispose()


def _cards_csv(rows: int) -> str:
    lines = ["title,url,source,external_id"]
    lines += [f"Card {n},https://kb.example.com/{n},guru,g-{n}" for n in range(rows)]
    return "\n".join(lines) + "\n"


def _writable_now(engine: Engine) -> bool:
    """Whether another connection gets the write lock without waiting."""
    other = sqlite3.connect(str(engine.url.database), timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def _admin(session: Session) -> Person:
    admin = make_person(session, is_admin=True)
    session.commit()
    # The caller's check: a query, which opens the transaction (and takes the lock).
    session.execute(select(Person.id).where(Person.id == admin.id))
    return admin


def test_parsing_and_matching_hold_no_lock(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, bool] = {}
    parse, plan, apply_plan = importers.parse_csv, import_plan.plan, importers.apply_plan

    def parse_watched(text: str) -> list[importers.CardRecord]:
        seen["parsing"] = _writable_now(sqlite_engine)
        return parse(text)

    def plan_watched(*args: object, **kwargs: object) -> import_plan.ImportPlan:
        result = plan(*args, **kwargs)  # type: ignore[arg-type]
        seen["matching"] = _writable_now(sqlite_engine)
        return result

    def apply_watched(*args: object, **kwargs: object) -> importers.ImportResult:
        seen["between matching and writing"] = _writable_now(sqlite_engine)
        return apply_plan(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importers, "parse_csv", parse_watched)
    monkeypatch.setattr(import_plan, "plan", plan_watched)
    monkeypatch.setattr(importers, "apply_plan", apply_watched)
    with make_sessionmaker(sqlite_engine)() as session:
        admin = _admin(session)
        assert not _writable_now(sqlite_engine)  # the lock this test is about
        result = run_card_import(
            session, text=_cards_csv(ROWS), is_json=False, now=DEFAULT_NOW, actor=admin
        )
        session.commit()
    assert seen == {"parsing": True, "matching": True, "between matching and writing": True}
    assert result.created == ROWS
    with make_sessionmaker(sqlite_engine)() as session:
        assert session.scalar(select(func.count()).select_from(Card)) == ROWS


def test_the_write_is_all_or_nothing(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    sessions = make_sessionmaker(sqlite_engine)
    apply_plan = importers.apply_plan

    def someone_adds_a_card_first(
        session: Session, *, plan: import_plan.ImportPlan, **kwargs: Any
    ) -> importers.ImportResult:
        with sessions() as other:
            other.execute(Card.__table__.insert(), [{**plan.new_cards[-1], "title": "By hand"}])
            other.commit()
        return apply_plan(session, plan=plan, **kwargs)

    monkeypatch.setattr(importers, "apply_plan", someone_adds_a_card_first)
    with sessions() as session:
        admin = _admin(session)
        with pytest.raises(Conflict):
            run_card_import(
                session, text=_cards_csv(ROWS), is_json=False, now=DEFAULT_NOW, actor=admin
            )
        session.rollback()
    with sessions() as session:
        assert session.scalars(select(Card.title)).all() == ["By hand"]
