"""Read the company's calendar of days off from its iCal URL into the company days off.

Run by the periodic job (`allhands company-days-off sync`). A calendar that cannot be
fetched or read changes nothing: the days read last time stay until a good answer comes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from rotation import company_calendar, company_days

if TYPE_CHECKING:
    import httpx

# Days off are read from a month back to two years ahead: what scheduling and feeds look at.
LOOK_BACK = timedelta(days=31)
LOOK_AHEAD = timedelta(days=731)
MAX_BYTES = 2 * 1024 * 1024
TIMEOUT_SECONDS = 10.0


class FetchError(Exception):
    """The calendar could not be fetched or read; the message says why."""


@dataclass(frozen=True)
class SyncReport:
    url: str
    days: int
    changed: bool


def fetch(url: str, *, client: httpx.Client | None = None) -> bytes:
    """The calendar's bytes; FetchError on a refusal, a wrong answer or a file too large."""
    import httpx  # imported on first use: with its command-line extras it is ~6 MB a worker

    own = client is None
    http = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=True)
    try:
        with http.stream("GET", url, headers={"Accept": "text/calendar"}) as response:
            if response.status_code != 200:
                raise FetchError(f"{url} answered {response.status_code}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_BYTES:
                    raise FetchError(f"{url} sent more than {MAX_BYTES // 1024} KiB")
            return bytes(body)
    except httpx.HTTPError as exc:
        raise FetchError(f"{url} could not be fetched: {exc}") from None
    finally:
        if own:
            http.close()


def sync(
    sessions: sessionmaker[Session],
    *,
    url: str,
    now: datetime,
    client: httpx.Client | None = None,
) -> SyncReport:
    """Fetch, read and store the calendar's days off in one short unit of work."""
    text = fetch(url, client=client)
    try:
        days = company_calendar.days_off(
            text, first=(now - LOOK_BACK).date(), last=(now + LOOK_AHEAD).date()
        )
    except company_calendar.CalendarError as exc:
        raise FetchError(f"{url}: {exc}") from None
    with sessions() as session, session.begin():
        before = {(d.day, d.name) for d in company_days.list_days(session) if d.source != "manual"}
        stored = company_days.set_calendar_days(session, days=days, now=now, url=url)
        after = {(d.day, d.name) for d in stored if d.source != "manual"}
    return SyncReport(url=url, days=len(after), changed=before != after)
