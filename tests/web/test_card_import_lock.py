"""A card import keeps SQLite's write lock only while it writes.

Every SQLite transaction here begins IMMEDIATE (it takes the database's one write lock), and
checking the caller opens one. While the file is parsed and matched, and between the
batches it is written in, another connection must be able to write at once; a card another
writer adds meanwhile is revised by the import, not duplicated.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from core import batches
from core.db import make_engine, make_sessionmaker
from core.models import Person
from kb_links import importers
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


def test_parsing_matching_and_the_gaps_between_batches_hold_no_lock(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, bool] = {}
    parse, changing = importers.parse_csv, importers.changing
    between_batches: list[bool] = []

    def parse_watched(text: str) -> list[importers.CardRecord]:
        seen["parsing"] = _writable_now(sqlite_engine)
        return parse(text)

    def changing_watched(*args: object, **kwargs: object) -> list[importers.CardRecord]:
        result = changing(*args, **kwargs)  # type: ignore[arg-type]
        seen["matching"] = _writable_now(sqlite_engine)
        return result

    monkeypatch.setattr(importers, "parse_csv", parse_watched)
    monkeypatch.setattr(importers, "changing", changing_watched)
    monkeypatch.setattr(batches, "BATCH_ROWS", 100)
    with make_sessionmaker(sqlite_engine)() as session:
        admin = _admin(session)
        assert not _writable_now(sqlite_engine)  # the lock this test is about
        result = run_card_import(
            session,
            text=_cards_csv(ROWS),
            is_json=False,
            now=DEFAULT_NOW,
            actor=admin,
            progress=lambda _done, _total: between_batches.append(_writable_now(sqlite_engine)),
        )
        session.commit()
    assert seen == {"parsing": True, "matching": True}
    # Before the first batch, and after each of the three.
    assert between_batches == [True] * 4
    assert result.created == ROWS
    with make_sessionmaker(sqlite_engine)() as session:
        assert session.scalar(select(func.count()).select_from(Card)) == ROWS


def test_a_card_added_after_matching_is_revised_not_duplicated(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    sessions = make_sessionmaker(sqlite_engine)
    changing = importers.changing

    def someone_adds_a_card_after_matching(
        *args: object, **kwargs: object
    ) -> list[importers.CardRecord]:
        result = changing(*args, **kwargs)  # type: ignore[arg-type]
        with sessions() as other:
            other.add(
                Card(title="By hand", url="https://kb.example.com/7", source="guru",
                     external_id="g-7", collection="", verify_every_days=90,
                     last_verified_at=DEFAULT_NOW, version=1, archived=False,
                     created_at=DEFAULT_NOW, updated_at=DEFAULT_NOW, changed_at=DEFAULT_NOW)
            )  # fmt: skip
            other.commit()
        return result

    monkeypatch.setattr(importers, "changing", someone_adds_a_card_after_matching)
    with sessions() as session:
        admin = _admin(session)
        result = run_card_import(
            session, text=_cards_csv(ROWS), is_json=False, now=DEFAULT_NOW, actor=admin
        )
        session.commit()
    assert (result.created, result.updated) == (ROWS - 1, 1)
    with sessions() as session:
        titles = session.scalars(select(Card.title).where(Card.external_id == "g-7")).all()
        assert titles == ["Card 7"]
        assert session.scalar(select(func.count()).select_from(Card)) == ROWS
