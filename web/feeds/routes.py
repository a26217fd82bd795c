"""Calendar feeds: secret-URL ``.ics`` feeds served from memory, and each person's feed URLs.

A feed request with a warm cache touches no database and no renderer: the holder of the
token and the feed's fingerprint come from short-lived caches, the bytes from the rendered
cache (see ``web.feeds.cache``). Feed routes are read-only, so a miss reads through its own
session in the thread pool instead of the request's unit of work.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from core import feed_tokens
from core.db import reading
from core.feed_tokens import FeedHolder
from core.i18n import gettext
from core.models import Person
from core.settings import Settings
from rotation import duty, slug_aliases
from rotation.feed import content as rotation_feeds
from rotation.feed import fingerprint as feed_fingerprints
from rotation.feed import render as ical
from web.deps import CurrentPerson, NowDep, SessionDep, SettingsDep
from web.feeds import schedules as schedule_feeds
from web.feeds.cache import (
    CachedFeed,
    FeedCache,
    Missing,
    feed_key,
    mine,
    rendered_key,
    split_feed,
)
from web.feeds.fast import (
    MINE_FEED,
    PERSON_FEED,
    ROTATION_FEED,
    Conditions,
    answer,
    window_day,
)

router = APIRouter(tags=["calendar feeds"])

PERSON_FILENAME = "support-shifts.ics"

T = TypeVar("T")


class CalendarUrlsOut(BaseModel):
    feed_url: str
    webcal_url: str
    rotation_feed_urls: dict[str, str]
    rotation_webcal_urls: dict[str, str]
    # The person's own shifts in each rotation ("my shifts in tier-2 only").
    my_rotation_feed_urls: dict[str, str]
    my_rotation_webcal_urls: dict[str, str]


def webcal(url: str) -> str:
    """The same feed URL for calendar apps that subscribe on a ``webcal://`` link."""
    scheme, _, rest = url.partition("://")
    return f"webcal://{rest}" if scheme in ("http", "https") else url


def calendar_urls(
    *, settings: Settings, person: Person, rotations: list[rotation_feeds.RotationRef]
) -> CalendarUrlsOut:
    token = feed_tokens.token_for(secret_key=settings.resolved_secret_key(), person=person)
    feed_url = settings.base_url + PERSON_FEED.format(token=token)
    by_slug = {
        r.slug: settings.base_url + ROTATION_FEED.format(token=token, slug=r.slug)
        for r in rotations
    }
    mine_by_slug = {
        r.slug: settings.base_url + MINE_FEED.format(token=token, slug=r.slug) for r in rotations
    }
    return CalendarUrlsOut(
        feed_url=feed_url,
        webcal_url=webcal(feed_url),
        rotation_feed_urls=by_slug,
        rotation_webcal_urls={slug: webcal(url) for slug, url in by_slug.items()},
        my_rotation_feed_urls=mine_by_slug,
        my_rotation_webcal_urls={slug: webcal(url) for slug, url in mine_by_slug.items()},
    )


@router.get("/api/v1/me/calendar", response_model=CalendarUrlsOut)
def my_calendar(session: SessionDep, person: CurrentPerson, settings: SettingsDep) -> Any:
    rotations = rotation_feeds.feed_rotations(session)
    return calendar_urls(settings=settings, person=person, rotations=rotations)


@router.post("/api/v1/me/calendar/rotate", response_model=CalendarUrlsOut)
def rotate_my_calendar(
    session: SessionDep, person: CurrentPerson, settings: SettingsDep, now: NowDep
) -> Any:
    feed_tokens.rotate_feed_token(session, person=person, now=now)
    rotations = rotation_feeds.feed_rotations(session)
    return calendar_urls(settings=settings, person=person, rotations=rotations)


def feed_cache(app: FastAPI) -> FeedCache:
    """The app's feed cache, created (and hooked to its sessions) on first use."""
    cache: FeedCache | None = getattr(app.state, "feed_cache", None)
    if cache is None:
        settings: Settings = app.state.settings
        cache = FeedCache(secret_key=settings.resolved_secret_key())
        cache.watch(app.state.sessionmaker)
        app.state.feed_cache = cache
    return cache


class FeedResponse(Response):
    """A response from pre-encoded headers: a warm feed costs no header encoding."""

    def __init__(self, status_code: int, body: bytes, headers: Iterable[tuple[bytes, bytes]]):
        self.status_code = status_code
        self.body = body
        self.background = None
        # A fresh list: middlewares append their headers to it.
        self.raw_headers = list(headers)


def _not_found() -> Response:
    # The same answer as for a path that does not exist: nothing tells a wrong token apart.
    return JSONResponse({"detail": "Not Found"}, status_code=404)


def _look_up(
    app: FastAPI,
    cache: FeedCache,
    token: str,
    slug: str | None,
    day: int,
    holder: FeedHolder | None,
) -> tuple[FeedHolder | None, str | None, tuple[Hashable, ...]]:
    """The token's holder and the feed's fingerprint, read in one short session."""
    with reading(app.state.sessionmaker) as session:
        if holder is None:
            holder = feed_tokens.holder_for_token(session, secret_key=cache.secret_key, token=token)
            if holder is None:
                return None, None, ()
        key = feed_key(holder=holder, slug=slug, day=day)
        rotation_slug, only_mine = split_feed(slug)
        if rotation_slug is None:
            return (
                holder,
                feed_fingerprints.person_fingerprint(session, person_id=holder.person_id),
                key,
            )
        fingerprint = feed_fingerprints.rotation_fingerprint(session, slug=rotation_slug)
        if only_mine and fingerprint is not None:
            own = feed_fingerprints.person_fingerprint(session, person_id=holder.person_id)
            fingerprint = f"{fingerprint}:{own}"
        return holder, fingerprint, key


def _build(app: FastAPI, holder: FeedHolder, slug: str | None, now: datetime) -> CachedFeed | None:
    """Read and render one feed; None if its rotation disappeared meanwhile."""
    settings: Settings = app.state.settings
    refresh = timedelta(minutes=settings.feed_refresh_minutes)
    rotation_slug, only_mine = split_feed(slug)
    with reading(app.state.sessionmaker) as session:
        if rotation_slug is None:
            shifts = rotation_feeds.person_feed(session, person_id=holder.person_id, now=now)
            lang = holder.locale
            calendar = ical.FeedCalendar(
                name=gettext(lang, "Support shifts: %(name)s", name=holder.name),
                description=gettext(lang, "Your All Hands Support shifts in every rotation."),
                identity=f"person:{holder.person_id}",
                base_url=settings.base_url,
                perspective=ical.Perspective.PERSON,
                refresh=refresh,
                timezone=holder.timezone,
                locale=lang,
            )
            filename = PERSON_FILENAME
        else:
            feed = rotation_feeds.rotation_feed(session, slug=rotation_slug, now=now)
            if feed is None:
                return None
            calendar, shifts = _rotation_calendar(feed, holder, settings, only_mine=only_mine)
            calendar = replace(calendar, refresh=refresh)
            if only_mine:
                shifts = [
                    s
                    for s in rotation_feeds.person_feed(
                        session, person_id=holder.person_id, now=now
                    )
                    if s.rotation_slug == rotation_slug
                ]
            filename = f"{feed.slug}-mine.ics" if only_mine else f"{feed.slug}.ics"
        shifts = duty.feed_pieces(session, shifts)  # one event per covered window
    return CachedFeed.of(
        ical.render_feed(calendar, shifts),
        last_modified=last_modified(shifts, now=now),
        filename=filename,
    )


def _rotation_calendar(
    feed: rotation_feeds.RotationFeed, holder: FeedHolder, settings: Settings, *, only_mine: bool
) -> tuple[ical.FeedCalendar, list[ical.FeedShift]]:
    """The calendar facts of a rotation's feed, or of the holder's own shifts in it."""
    lang = holder.locale
    if only_mine:
        name = gettext(lang, "%(rotation)s: my shifts", rotation=feed.name)
        description = gettext(
            lang, "Your shifts in the %(rotation)s All Hands Support rotation.", rotation=feed.name
        )
        identity = f"person:{holder.person_id}:rotation:{feed.slug}"
        perspective = ical.Perspective.PERSON
    else:
        name = gettext(lang, "%(rotation)s: all shifts", rotation=feed.name)
        description = gettext(
            lang, "Every shift of the %(rotation)s All Hands Support rotation.", rotation=feed.name
        )
        identity, perspective = f"rotation:{feed.slug}", ical.Perspective.ROTATION
    calendar = ical.FeedCalendar(
        name=name,
        description=description,
        identity=identity,
        base_url=settings.base_url,
        perspective=perspective,
        timezone=feed.timezone,
        locale=lang,
    )
    return calendar, [] if only_mine else feed.shifts


def last_modified(shifts: Iterable[ical.FeedShift], *, now: datetime) -> datetime:
    """When the feed last changed: its latest event change, or the start of the UTC day, when
    its window last moved (events of 30 days ago dropped out then)."""
    today = rotation_feeds.window_start(now) + rotation_feeds.DAYS_BACK
    return max([today, *(shift.modified_at for shift in shifts)])


async def _serve(request: Request, *, token: str, slug: str | None) -> Response:
    app: FastAPI = request.app
    cache = feed_cache(app)
    now: datetime = app.state.clock.now()
    timestamp = now.timestamp()
    day = window_day(now)
    found = cache.lookup(token=token, slug=slug, day=day, now=timestamp)
    if found.feed is not None:  # the hot path: everything from memory
        return _respond(request, found.feed)

    holder, cached = found.holder, found.fingerprint
    if holder is None or isinstance(cached, Missing):
        if holder is None and feed_tokens.parse_feed_token(token) is None:
            return _not_found()  # malformed: not worth a query
        known = holder
        generation, (holder, fingerprint, key) = await cache.single_flight(
            ("look-up", token, slug, day),
            lambda: _in_thread(cache, _look_up, app, cache, token, slug, day, known),
        )
        if holder is None:
            return _not_found()
        cache.store(
            generation, now=timestamp, holder=(token, holder), fingerprint=(key, fingerprint)
        )
    else:
        fingerprint = cached
    if fingerprint is None:  # no such rotation: perhaps one that changed its slug
        return await run_in_threadpool(_moved_or_not_found, app, token, slug)

    key = rendered_key(feed_key(holder=holder, slug=slug, day=day), fingerprint, holder, slug)
    feed = cache.feed(key)
    if feed is None:
        owner = holder
        generation, feed = await cache.single_flight(
            key, lambda: _in_thread(cache, _build, app, owner, slug, now)
        )
        if feed is None:
            return _not_found()
        cache.store(generation, now=timestamp, feed=(key, feed))
    return _respond(request, feed)


def _moved_or_not_found(app: FastAPI, token: str, feed: str | None) -> Response:
    """A permanent redirect to the feed under the rotation's new slug, or a 404."""
    slug, only_mine = split_feed(feed)
    if slug is None:  # a person's feed always exists
        return _not_found()
    with reading(app.state.sessionmaker) as session:
        current = slug_aliases.current_slug(session, slug=slug)
    if current is None:
        return _not_found()
    settings: Settings = app.state.settings
    path = MINE_FEED if only_mine else ROTATION_FEED
    return RedirectResponse(settings.base_url + path.format(token=token, slug=current), 301)


async def _in_thread(cache: FeedCache, function: Callable[..., T], *args: Any) -> tuple[int, T]:
    """``function(*args)`` in the thread pool, with the cache generation from before it ran.

    Whoever stores the result checks that generation: a commit during the read (which
    the read may have missed) keeps a stale answer out of the cache.
    """
    generation = cache.generation
    return generation, await run_in_threadpool(function, *args)


def _respond(request: Request, feed: CachedFeed) -> Response:
    headers = request.headers
    conditions = Conditions(
        request.method,
        headers.get("if-none-match"),
        headers.get("if-modified-since"),
        headers.get("accept-encoding"),
    )
    return FeedResponse(*answer(feed, conditions))


@router.head(PERSON_FEED, response_class=Response, include_in_schema=False)
@router.get(PERSON_FEED, response_class=Response)  # registered first: GET is the common case
async def person_feed(request: Request, token: str) -> Response:
    """The person's shifts in every rotation, as iCalendar."""
    return await _serve(request, token=token, slug=None)


@router.head(ROTATION_FEED, response_class=Response, include_in_schema=False)
@router.get(ROTATION_FEED, response_class=Response)  # registered first: GET is the common case
async def rotation_feed(request: Request, token: str, slug: str) -> Response:
    """Every shift of one rotation, as iCalendar."""
    return await _serve(request, token=token, slug=slug)


@router.head(MINE_FEED, response_class=Response, include_in_schema=False)
@router.get(MINE_FEED, response_class=Response)  # registered first: GET is the common case
async def my_rotation_feed(request: Request, token: str, slug: str) -> Response:
    """The holder's own shifts in one rotation, as iCalendar."""
    return await _serve(request, token=token, slug=mine(slug))


SCHEDULE_FEED = "/feeds/{token}/schedules/{slug}.ics"


@router.head(SCHEDULE_FEED, response_class=Response, include_in_schema=False)
@router.get(SCHEDULE_FEED, response_class=Response)
async def schedule_feed(request: Request, token: str, slug: str) -> Response:
    """The final on-call line of one schedule, as iCalendar (see ``web.feeds.schedules``)."""
    feed = await run_in_threadpool(schedule_feeds.build, request.app, token, slug)
    return _not_found() if feed is None else _respond(request, feed)
