"""Writers to one SQLite file take turns: across threads and processes, given back on commit,
rollback and close; a nested writer in one thread falls back to SQLite's own waiting."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import text

from core.db import make_engine, make_sessionmaker, reading


def test_writers_take_turns_and_every_write_lands(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'turns.sqlite'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    sessions = make_sessionmaker(engine)
    inside = 0
    most_inside = 0
    guard = threading.Lock()

    def write(times: int) -> None:
        nonlocal inside, most_inside
        for _ in range(times):
            with sessions() as session, session.begin():
                session.execute(text("SELECT 1"))  # BEGIN IMMEDIATE has run: the turn is ours
                with guard:
                    inside += 1
                    most_inside = max(most_inside, inside)
                session.execute(text("UPDATE counter SET n = n + 1"))
                with guard:
                    inside -= 1

    threads = [threading.Thread(target=write, args=(25,)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with reading(sessions) as session:
        assert session.scalar(text("SELECT n FROM counter")) == 150
    assert most_inside == 1
    engine.dispose()


def _turn_held(database: Path) -> bool:
    """Whether some writer holds the database's turn (a lock of its own file description
    conflicts with every other one, in this process too)."""
    fd = os.open(f"{database}-writers", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # and with it the probe's own lock
    return False


def test_the_turn_is_held_by_writers_only_until_they_end(tmp_path: Path) -> None:
    path = tmp_path / "back.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
        assert _turn_held(path)
        session.rollback()
        assert not _turn_held(path)
    with reading(sessions) as reader:
        reader.execute(text("SELECT 1"))
        assert not _turn_held(path)
    with sessions() as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
        session.commit()
        assert not _turn_held(path)
    with engine.connect() as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
        assert _turn_held(path)
    assert not _turn_held(path)  # closed without a commit: rolled back, turn given back
    engine.dispose()


CHILD = """
import sys
from sqlalchemy import text
from core.db import make_engine, make_sessionmaker
engine = make_engine(sys.argv[1])
with make_sessionmaker(engine)() as session, session.begin():
    session.execute(text("SELECT 1"))
    print("writing", flush=True)
    sys.stdin.readline()
    session.execute(text("INSERT INTO t VALUES (1)"))
"""


def test_another_process_waits_for_the_turn(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'processes.sqlite'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert child.stdout is not None and child.stdin is not None
    assert child.stdout.readline().strip() == "writing"
    held_elsewhere = _turn_held(tmp_path / "processes.sqlite")
    child.stdin.write("\n")
    child.stdin.flush()
    assert child.wait(timeout=60) == 0
    assert held_elsewhere
    with engine.begin() as conn:  # the child gave its turn back when it committed
        conn.execute(text("INSERT INTO t VALUES (2)"))
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 2
    engine.dispose()
