"""`allhands import-people` and `allhands import-cards`: progress per batch, all rows checked
first."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from core import batches
from core.models import Person
from flows.cli import app
from kb_links.models import Card


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batches, "BATCH_ROWS", 2)


def test_people_are_imported_with_progress_then_again_unchanged(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    source = tmp_path / "people.csv"
    source.write_text("email,name\n" + "".join(f"p{n}@example.com,P {n}\n" for n in range(5)))
    result = CliRunner().invoke(app, ["import-people", str(source)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "people: 0 / 5 written",
        "people: 2 / 5 written",
        "people: 4 / 5 written",
        "people: 5 / 5 written",
        "people: 5 created, 0 updated",
    ]
    again = CliRunner().invoke(app, ["import-people", str(source)])
    assert again.output.splitlines() == ["people: 5 / 5 written", "people: 0 created, 0 updated"]


def test_cards_with_a_bad_last_row_name_it_and_import_nothing(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    source = tmp_path / "cards.csv"
    rows = [f"Card {n},https://kb.example.com/{n},guru,g-{n}" for n in range(4)]
    source.write_text("title,url,source,external_id\n" + "\n".join([*rows, "Bad,nope,guru,x"]))
    result = CliRunner().invoke(app, ["import-cards", "--csv", str(source)])
    assert result.exit_code == 1
    assert "nothing imported" in result.output
    assert "line 6:" in result.output
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Card)) == 0
        assert session.scalar(select(func.count()).select_from(Person)) == 0
    source.write_text("title,url,source,external_id\n" + "\n".join(rows))
    done = CliRunner().invoke(app, ["import-cards", str(source)])
    assert done.output.splitlines()[-2:] == [
        "cards: 4 / 4 written",
        "cards: 4 created, 0 updated, 0 bumped",
    ]
