"""Resident memory of a served process tree, and an organisation padded to a given size.

Memory is read from ``/proc`` (Linux): each process's ``VmRSS``, the pages it has in RAM,
shared library pages included, as ``ps`` and ``top`` show it.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, insert, select

from core.clock import SystemClock
from core.db import make_engine
from core.models import Person
from core.settings import normalise_database_url


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.extend(int(p) for p in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def _rss_bytes(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def process_tree_rss(root_pid: int) -> list[tuple[int, str, int]]:
    """(pid, command line, resident bytes) of ``root_pid`` and every descendant."""
    result, pending = [], [root_pid]
    while pending:
        pid = pending.pop(0)
        rss = _rss_bytes(pid)
        if rss is not None:
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                command = b""
            result.append((pid, command.decode(errors="replace").strip(), rss))
        pending.extend(_children(pid))
    return result


def worker_rss_line(root_pid: int, when: str = "after the run") -> str:
    """The server's memory in one line: each worker's resident MB (the largest processes
    other than the supervisor), and the supervisor's; ``when`` says at what point."""
    tree = process_tree_rss(root_pid)
    if not tree:
        return "server RSS: not readable (no /proc?)"
    supervisor, *rest = tree
    # uvicorn's workers are spawned processes; multiprocessing's resource tracker is not one.
    workers = sorted((rss for _pid, command, rss in rest if "spawn_main" in command), reverse=True)
    workers = workers or [supervisor[2]]  # one process serving alone
    listed = ", ".join(f"{rss / 2**20:.0f}" for rss in workers) or "none"
    return (
        f"server RSS {when}: workers {listed} MB (goal < 150 each); "
        f"supervisor {supervisor[2] / 2**20:.0f} MB"
    )


def pad_people(database_url: str, total: int) -> int:
    """Add plain people (no rotation, no login) until the organisation has ``total``; returns
    how many were added."""
    engine = make_engine(normalise_database_url(database_url))
    try:
        with engine.begin() as conn:
            have = conn.scalar(select(func.count()).select_from(Person)) or 0
            now = SystemClock().now()
            rows = [
                {
                    "email": f"person{n}@org.bench.example.com",
                    "name": f"Person {n}",
                    "timezone": "Europe/Amsterdam",
                    "team": f"team {n % 40}",
                    "is_admin": False,
                    "active": True,
                    "session_epoch": 0,
                    "feed_token_version": 0,
                    "created_at": now,
                }
                for n in range(have, total)
            ]
            if rows:
                conn.execute(insert(Person), rows)
            return len(rows)
    finally:
        engine.dispose()
