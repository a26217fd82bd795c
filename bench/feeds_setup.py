"""The feed benchmark's app and data: the real app plus two routes that exist only here.

- ``/bench/static/{size}``: pre-built bytes of a given size, the baseline a feed is held to;
- ``bare_app``: the same bytes from a bare ASGI app, no framework at all;
- ``/bench/swap/{slug}/{nth}``: an accepted swap of the rotation's nth upcoming shift,
  committed through the app's own sessions as the rotation API's would be.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Response
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session
from starlette.types import Receive, Scope, Send

import migrations.models  # noqa: F401
from core.db import make_engine, make_sessionmaker
from core.models import Person
from core.security import issue_api_token
from migrations import runner
from rotation.models import Rotation, Shift, ShiftRelease
from web.app import create_app


def create_bench_app() -> FastAPI:
    """The production app, plus a static-bytes baseline and a swap trigger for this run."""
    app = create_app()
    bodies: dict[int, bytes] = {}

    @app.get("/bench/static/{size}")
    async def static_bytes(size: int) -> Response:
        body = bodies.get(size)
        if body is None:
            body = bodies.setdefault(size, b"x" * min(size, 16 * 1024 * 1024))
        return Response(content=body, media_type="text/calendar; charset=utf-8")

    @app.post("/bench/swap/{slug}/{nth}")
    def swap(slug: str, nth: int) -> dict[str, int]:
        """Hand the nth upcoming shift to someone else, as an accepted swap does."""
        with app.state.sessionmaker() as session:
            shift_id, sequence = swap_shift(session, slug=slug, nth=nth, now=datetime.now(UTC))
            session.commit()
        return {"shift_id": shift_id, "sequence": sequence}

    return app


_BARE_BODIES: dict[int, bytes] = {}


async def bare_app(scope: Scope, receive: Receive, send: Send) -> None:
    """The floor a feed is held to: ``/bytes/{size}`` answers that many bytes, with no
    framework, middleware or routing at all (any other path answers empty)."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    size = scope["path"].removeprefix("/bytes/")
    body = _BARE_BODIES.get(int(size)) if size.isdigit() else b""
    if body is None:  # built once per size, as the feed's bytes are
        body = _BARE_BODIES[int(size)] = b"x" * min(int(size), 16 * 1024 * 1024)
    headers = [(b"content-type", b"text/calendar; charset=utf-8"),
               (b"content-length", str(len(body)).encode())]  # fmt: skip
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def swap_shift(session: Session, *, slug: str, nth: int, now: datetime) -> tuple[int, int]:
    rotation = session.scalars(select(Rotation).where(Rotation.slug == slug)).one()
    shift = session.scalars(
        select(Shift)
        .where(Shift.rotation_id == rotation.id, Shift.start > now, Shift.cancelled_at.is_(None))
        .order_by(Shift.start)
        .offset(nth)
        .limit(1)
    ).one()
    taker = session.scalars(
        select(Person.id)
        .where(Person.id != shift.person_id, Person.email.like("colleague%"))
        .order_by(Person.id)
        .limit(1)
    ).one()
    previous = shift.person_id
    shift.person_id = taker
    shift.kind = "swap"
    shift.sequence += 1
    shift.updated_at = now
    if previous is not None:
        session.add(
            ShiftRelease(
                shift_id=shift.id, person_id=previous, sequence=shift.sequence, released_at=now
            )
        )
    session.flush()
    return shift.id, shift.sequence


@dataclass(frozen=True)
class Seeded:
    api_token: str
    weekly_slugs: list[str]
    daily_slug: str
    long_daily_slug: str


def _handoffs(
    rotation: Rotation, *, until: datetime | None = None, count: int | None = None
) -> list[tuple[int, datetime, datetime]]:
    zone = ZoneInfo(rotation.timezone)

    def start(index: int) -> datetime:
        day = rotation.start_date + timedelta(days=index * rotation.shift_days)
        return datetime.combine(day, rotation.handoff_time, tzinfo=zone).astimezone(UTC)

    shifts = []
    index = 0
    while (until is None or start(index) < until) and (count is None or index < count):
        shifts.append((index, start(index), start(index + 1)))
        index += 1
    return shifts


def seed(database_url: str, now: datetime) -> Seeded:
    engine = make_engine(database_url)
    runner.upgrade(engine)
    with make_sessionmaker(engine)() as session:
        ana = Person(email="ana@example.com", name="Ana Alvarez", timezone="Europe/Amsterdam")
        colleagues = [
            Person(email=f"colleague{n}@example.com", name=f"Colleague {n}") for n in range(5)
        ]
        for person in [ana, *colleagues]:
            person.created_at = now
            session.add(person)
        session.flush()
        today = now.date()

        def rotation(slug: str, timezone: str, start: date, days: int, horizon: int) -> Rotation:
            row = Rotation(
                slug=slug,
                name=slug.replace("-", " ").title(),
                description="",
                timezone=timezone,
                start_date=start,
                handoff_time=time(9, 0),
                shift_days=days,
                people_per_shift=1,
                horizon_days=horizon,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            return row

        def shifts(row: Rotation, people: Sequence[Person], count: int | None = None) -> None:
            until = None if count else now + timedelta(days=row.horizon_days)
            session.execute(
                insert(Shift),
                [
                    {
                        "rotation_id": row.id,
                        "index": index,
                        "slot": 0,
                        "start": start,
                        "end": end,
                        "person_id": people[index % len(people)].id,
                        "kind": "scheduled",
                        "sequence": 0,
                        "uid": f"{uuid.uuid4()}@bench.allhands",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for index, start, end in _handoffs(row, until=until, count=count)
                ],
            )

        # Ana's feed: every weekly shift of three rotations over two years.
        weekly = []
        for slug, zone in [
            ("tier-2-emea", "Europe/Amsterdam"),
            ("tier-2-americas", "America/New_York"),
            ("tier-2-apac", "Asia/Kolkata"),
        ]:
            row = rotation(slug, zone, today - timedelta(days=35), 7, 730)
            shifts(row, [ana])
            weekly.append(slug)
        # The rotation feed: 500 daily shifts from 30 days back to the horizon.
        daily = rotation("daily-triage", "Europe/Amsterdam", today - timedelta(days=29), 1, 480)
        shifts(daily, colleagues, count=500)
        # The compression figures: a daily rotation with a 730-day horizon.
        long = rotation("daily-two-years", "Europe/Amsterdam", today - timedelta(days=29), 1, 730)
        shifts(long, colleagues)
        token = issue_api_token(session, person=ana, now=now, label="bench")
        session.commit()
        # Planner statistics, as a live database has them (autovacuum would soon gather them).
        session.execute(text("ANALYZE"))
        session.commit()
    engine.dispose()
    return Seeded(
        api_token=token, weekly_slugs=weekly, daily_slug=daily.slug, long_daily_slug=long.slug
    )
