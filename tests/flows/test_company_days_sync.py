"""The company's calendar of days off, fetched over HTTP from a local server and stored."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from core.models import AuditEvent
from core.settings import get_settings
from flows import company_calendar
from flows.cli import app
from rotation import company_days
from rotation.duty_schemas import CompanyDaysPut
from rotation.models import CompanyDayOff, Rotation
from tests.conftest import DEFAULT_NOW
from tests.factories import make_rotation

WINTER = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//Days off//EN\r\n"
    "BEGIN:VEVENT\r\nUID:winter@example.com\r\nDTSTAMP:20261101T000000Z\r\n"
    "SUMMARY:Winter break\r\nDTSTART;VALUE=DATE:20261228\r\nDTEND;VALUE=DATE:20261230\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)
SPRING = (
    WINTER.replace("Winter break", "Spring day")
    .replace("20261228", "20270401")
    .replace("20261230", "20270402")
)


@dataclass
class CalendarServer:
    port: int
    body: bytes = WINTER.encode()
    status: int = 200
    requests: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/company-days-off.ics"


@pytest.fixture
def server() -> Iterator[CalendarServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    state = CalendarServer(port=httpd.server_address[1])

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests += 1
            self.send_response(state.status)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd.RequestHandlerClass = Handler
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


def stored(session: Session) -> list[tuple[date, str, str]]:
    session.expire_all()
    return [(d.day, d.name, d.source) for d in company_days.list_days(session)]


def test_the_calendar_s_days_join_the_ones_set_by_hand_and_a_hand_set_day_wins(
    server: CalendarServer, session_factory: sessionmaker[Session], session: Session
) -> None:
    rotation = make_rotation(session, name="Tier two")
    rotation.holiday_country = "NL"
    session.flush()
    company_days.set_days(
        session,
        data=CompanyDaysPut.model_validate({"days": [{"day": "2026-12-29", "name": "Retreat"}]}),
        now=DEFAULT_NOW,
        actor=None,
    )
    session.commit()
    later = DEFAULT_NOW.replace(hour=DEFAULT_NOW.hour + 1)
    report = company_calendar.sync(session_factory, url=server.url, now=later)
    assert (report.days, report.changed) == (1, True)
    assert stored(session) == [
        (date(2026, 12, 28), "Winter break", "calendar"),
        (date(2026, 12, 29), "Retreat", "manual"),
    ]
    # Feeds built from rotations with a holiday calendar are rebuilt.
    assert session.get(Rotation, rotation.id).updated_at == later  # type: ignore[union-attr]
    # The same calendar again: nothing changes, no second audit event.
    calendar_events = select(AuditEvent).where(AuditEvent.subject_id == "calendar")
    events = session.scalars(calendar_events).all()
    assert len(events) == 1 and server.url in (events[0].note or "")
    again = company_calendar.sync(session_factory, url=server.url, now=later)
    assert (again.days, again.changed) == (1, False)
    assert (
        len(session.scalars(select(AuditEvent).where(AuditEvent.subject_id == "calendar")).all())
        == 1
    )
    # A new calendar replaces only the calendar's days; setting by hand keeps the calendar's.
    server.body = SPRING.encode()
    company_calendar.sync(session_factory, url=server.url, now=later)
    assert stored(session) == [
        (date(2026, 12, 29), "Retreat", "manual"),
        (date(2027, 4, 1), "Spring day", "calendar"),
    ]
    company_days.set_days(
        session,
        data=CompanyDaysPut.model_validate({"days": [{"day": "2027-04-01", "name": "Our own"}]}),
        now=later,
        actor=None,
    )
    assert stored(session) == [(date(2027, 4, 1), "Our own", "manual")]


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (404, b"not here", "answered 404"),
        (200, b"<html>please sign in</html>", "not an iCalendar file"),
        (200, b"BEGIN:VCALENDAR\r\n" + b"X" * (3 * 1024 * 1024), "more than 2048 KiB"),
    ],
)
def test_a_bad_answer_changes_nothing_and_says_why(
    server: CalendarServer,
    session_factory: sessionmaker[Session],
    session: Session,
    status: int,
    body: bytes,
    message: str,
) -> None:
    company_calendar.sync(session_factory, url=server.url, now=DEFAULT_NOW)
    before = stored(session)
    assert [day for day, _, _ in before] == [date(2026, 12, 28), date(2026, 12, 29)]
    server.status, server.body = status, body
    with pytest.raises(company_calendar.FetchError, match=message):
        company_calendar.sync(session_factory, url=server.url, now=DEFAULT_NOW)
    assert stored(session) == before


def test_an_address_nobody_answers_is_a_fetch_error() -> None:
    from tests.conftest import free_port

    with pytest.raises(company_calendar.FetchError, match="could not be fetched"):
        company_calendar.fetch(f"http://127.0.0.1:{free_port()}/days.ics")


def test_the_command_reads_the_configured_calendar(
    server: CalendarServer,
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unset = CliRunner().invoke(app, ["company-days-off", "sync"])
    assert unset.exit_code == 0 and "not set" in unset.output
    monkeypatch.setenv("ALLHANDS_COMPANY_DAYS_OFF_URL", server.url)
    get_settings.cache_clear()
    first = CliRunner().invoke(app, ["company-days-off", "sync"])
    assert first.exit_code == 0, first.output
    assert "company days off from the calendar: 2 (changed)" in first.output
    second = CliRunner().invoke(app, ["company-days-off", "sync"])
    assert "2 (unchanged)" in second.output
    with sessions() as session:
        assert [(d.day, d.source) for d in session.scalars(select(CompanyDayOff))] == [
            (date(2026, 12, 28), "calendar"),
            (date(2026, 12, 29), "calendar"),
        ]
    server.status = 500
    failed = CliRunner().invoke(app, ["company-days-off", "sync"])
    assert failed.exit_code == 1
    assert "answered 500; the days off read before are kept" in failed.output
    with sessions() as session:
        assert len(session.scalars(select(CompanyDayOff)).all()) == 2


def test_a_url_that_is_not_http_is_refused_by_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from core.settings import Settings

    monkeypatch.setenv("ALLHANDS_COMPANY_DAYS_OFF_URL", "file:///etc/passwd")
    with pytest.raises(ValidationError, match="company_days_off_url"):
        Settings()
