"""What the load and fault scripts share: real `allhands serve` processes, databases, data.

Everything here talks to 127.0.0.1 only. Servers are started as an operator would start
them (``python -m flows.cli serve``) and stopped with the process group they lead.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
from sqlalchemy import make_url, text
from sqlalchemy.orm import Session

import migrations.models  # noqa: F401  (every table registered)
from core import feed_tokens, people
from core.clock import SystemClock
from core.db import make_engine, make_sessionmaker
from core.models import Person
from core.schemas import PersonCreate
from core.security import issue_api_token
from core.settings import normalise_database_url
from migrations import runner
from rotation import members as rotation_members
from rotation import service as rotation_service
from rotation.schemas import RotationCreate

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-secret-key-shared-by-every-instance"
PASSWORD = "bench password"
LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own: safe even where a loop already runs here
    (a test session whose browser tests keep one open in the main thread)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- servers -----------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def server_env(database_url: str, data_dir: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "ALLHANDS_DATABASE_URL": database_url,
        "ALLHANDS_SECRET_KEY": SECRET_KEY,
        "ALLHANDS_BASE_URL": f"http://127.0.0.1:{port}",
        "ALLHANDS_DATA_DIR": str(data_dir),
    }


def wait_until_ready(url: str, *, timeout: float = 60.0, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before it was ready")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server at {url} not ready after {timeout:.0f}s")


def stop(process: subprocess.Popen[bytes], *, timeout: float = 20.0) -> None:
    """SIGTERM to the server's process group (uvicorn's workers too), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)


@contextmanager
def serve(
    database_url: str,
    *,
    workers: int = 2,
    workdir: Path,
    env: dict[str, str] | None = None,
    root: Path = ROOT,
) -> Iterator[Server]:
    """``allhands serve --workers N`` on a free loopback port, until the block ends; ``env``
    adds or overrides settings; ``root`` is the copy of the project to run (``checkout``)."""
    port = free_port()
    data_dir = workdir / f"serve-{port}"
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flows.cli",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            cwd=root,
            env={
                **server_env(database_url, data_dir, port),
                "PYTHONPATH": str(root),
                **(env or {}),
            },
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, process=process)
        yield Server(url=url, process=process, log_path=log_path)
    finally:
        stop(process)


@contextmanager
def checkout(ref: str) -> Iterator[Path]:
    """The project's files at git ``ref`` in a temporary directory, to serve as a baseline
    in the same run (the installed dependencies are shared)."""
    with tempfile.TemporaryDirectory(prefix="allhands-baseline-") as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", ref], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        yield Path(tmp)


# --- databases ---------------------------------------------------------------------------


@contextmanager
def fresh_postgres(server_url: str = LOCAL_POSTGRES) -> Iterator[str]:
    """A new, empty database on ``server_url``'s server, dropped afterwards."""
    base = make_url(normalise_database_url(server_url))
    name = f"allhands_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_bin() -> Path:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)
    if not candidates:
        raise RuntimeError("PostgreSQL server binaries not found under /usr/lib/postgresql")
    return candidates[0].parent


@dataclass
class PrivatePostgres:
    """A throwaway PostgreSQL cluster of our own, so stopping it disturbs nobody else."""

    data_dir: Path
    socket_dir: Path
    port: int
    log_path: Path
    bin_dir: Path = field(default_factory=postgres_bin)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 "
            "-c max_connections=200"
        )
        self._run("pg_ctl", "-D", str(self.data_dir), "-o", options, "-l", str(self.log_path),
                  "-w", "-t", "60", "start")  # fmt: skip

    def stop(self, mode: str = "immediate") -> None:
        """``immediate`` is a crash: no checkpoint, the next start replays the WAL."""
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "-t", "60", "stop")


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    root = Path(tempfile.mkdtemp(prefix="allhands-pg-"))
    try:
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        cluster = PrivatePostgres(
            data_dir=root / "data", socket_dir=root, port=free_port(), log_path=root / "pg.log"
        )
        cluster._run("initdb", "-D", str(cluster.data_dir), "-A", "trust", "-U", "postgres",
                     "--no-sync", "-E", "UTF8")  # fmt: skip
        cluster.start()
        try:
            yield cluster
        finally:
            with contextlib.suppress(subprocess.CalledProcessError):  # already down
                cluster.stop("fast")
    finally:
        shutil.rmtree(root, ignore_errors=True)


# --- an organisation to load ----------------------------------------------------------------


@dataclass
class Org:
    admin_token: str
    member_ids: list[int]
    member_tokens: list[str]
    login_emails: list[str]
    feed_tokens: list[str] = field(default_factory=list)
    rotation_slug: str = ""


def seed(database_url: str, *, members: int = 64, logins: int = 4, rotation: bool = True) -> Org:
    """Migrate, then add an admin and ``members`` people with API tokens (some can log in),
    all in one weekly rotation unless ``rotation`` is false."""
    engine = make_engine(normalise_database_url(database_url))
    try:
        runner.upgrade(engine)
        now = SystemClock().now()
        with make_sessionmaker(engine)() as session, session.begin():
            return _seed(session, members=members, logins=logins, rotation=rotation, now=now)
    finally:
        engine.dispose()


def _seed(session: Session, *, members: int, logins: int, rotation: bool, now: datetime) -> Org:
    admin = people.create_person(
        session,
        data=PersonCreate(email="admin@bench.example.com", name="Bench Admin", is_admin=True),
        now=now,
        actor=None,
    )
    member_ids: list[int] = []
    tokens: list[str] = []
    emails: list[str] = []
    for n in range(members):
        email = f"member{n}@bench.example.com"
        person = people.create_person(
            session,
            data=PersonCreate(email=email, name=f"Member {n}", team="support"),
            now=now,
            actor=admin,
            password=PASSWORD if n < logins else None,
        )
        member_ids.append(person.id)
        tokens.append(issue_api_token(session, person=person, now=now, label="bench"))
        if n < logins:
            emails.append(email)
    slug = ""
    if rotation:
        slug = _seed_rotation(session, admin=admin, member_ids=member_ids, now=now)
    people_by_id = {p.id: p for p in people.list_people(session)}
    return Org(
        admin_token=issue_api_token(session, person=admin, now=now, label="bench"),
        member_ids=member_ids,
        member_tokens=tokens,
        login_emails=emails,
        feed_tokens=[
            feed_tokens.token_for(secret_key=SECRET_KEY, person=people_by_id[i]) for i in member_ids
        ],
        rotation_slug=slug,
    )


def _seed_rotation(session: Session, *, admin: Person, member_ids: list[int], now: datetime) -> str:
    """One weekly rotation of everyone, so feeds and shift lists have real content."""
    rotation = rotation_service.create_rotation(
        session,
        data=RotationCreate(
            name="Tier 2", timezone="Europe/Amsterdam", start_date=now.date(), manager_ids=[]
        ),
        now=now,
        actor=admin,
    )
    rotation_members.set_members(
        session, rotation=rotation, person_ids=member_ids, now=now, actor=admin
    )
    return rotation.slug
