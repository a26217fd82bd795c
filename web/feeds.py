"""Calendar feeds: secret-URL ``.ics`` feeds served from memory, and each person's feed URLs.

A feed request with a warm cache touches no database and no renderer: the holder of the
token and the feed's fingerprint come from short-lived caches, the bytes from the rendered
cache (see ``web.feed_cache``). Feed routes are read-only, so a miss reads through its own
session in the thread pool instead of the request's unit of work.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from core import feed_tokens
from core.feed_tokens import FeedHolder
from core.models import Person
from core.settings import Settings
from rotation import calendar as ical
from rotation import feeds as rotation_feeds
from web.deps import CurrentPerson, NowDep, SessionDep, SettingsDep
from web.feed_cache import CachedFeed, FeedCache, Missing

router = APIRouter(tags=["calendar feeds"])

PERSON_FEED = "/feeds/{token}.ics"
ROTATION_FEED = "/feeds/{token}/rotations/{slug}.ics"


class CalendarUrlsOut(BaseModel):
    feed_url: str
    webcal_url: str
    rotation_feed_urls: dict[str, str]
    rotation_webcal_urls: dict[str, str]


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
    return CalendarUrlsOut(
        feed_url=feed_url,
        webcal_url=webcal(feed_url),
        rotation_feed_urls=by_slug,
        rotation_webcal_urls={slug: webcal(url) for slug, url in by_slug.items()},
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
        cache = FeedCache(clock=app.state.clock, secret_key=settings.resolved_secret_key())
        cache.watch(app.state.sessionmaker)
        app.state.feed_cache = cache
    return cache


def _not_found() -> Response:
    # The same answer as for a path that does not exist: nothing tells a wrong token apart.
    return JSONResponse({"detail": "Not Found"}, status_code=404)


def _look_up(
    app: FastAPI, cache: FeedCache, token: str, key: tuple[Any, ...], holder: FeedHolder | None
) -> tuple[FeedHolder | None, str | None]:
    """The token's holder and the feed's fingerprint, read in one short session."""
    with app.state.sessionmaker() as session:
        if holder is None:
            holder = feed_tokens.holder_for_token(session, secret_key=cache.secret_key, token=token)
            if holder is None:
                return None, None
        kind, ident, _day = key
        if kind == "rotation":
            return holder, rotation_feeds.rotation_fingerprint(session, slug=ident)
        return holder, rotation_feeds.person_fingerprint(session, person_id=holder.person_id)


def _build(app: FastAPI, holder: FeedHolder, slug: str | None, now: datetime) -> CachedFeed | None:
    """Read and render one feed; None if its rotation disappeared meanwhile."""
    settings: Settings = app.state.settings
    refresh = timedelta(minutes=settings.feed_refresh_minutes)
    with app.state.sessionmaker() as session:
        if slug is None:
            shifts = rotation_feeds.person_feed(session, person_id=holder.person_id, now=now)
            calendar = ical.FeedCalendar(
                name=f"Support shifts: {holder.name}",
                description="Your All Hands Support shifts in every rotation.",
                identity=f"person:{holder.person_id}",
                base_url=settings.base_url,
                perspective=ical.Perspective.PERSON,
                refresh=refresh,
            )
        else:
            feed = rotation_feeds.rotation_feed(session, slug=slug, now=now)
            if feed is None:
                return None
            shifts = feed.shifts
            calendar = ical.FeedCalendar(
                name=f"{feed.name}: all shifts",
                description=f"Every shift of the {feed.name} All Hands Support rotation.",
                identity=f"rotation:{feed.slug}",
                base_url=settings.base_url,
                perspective=ical.Perspective.ROTATION,
                refresh=refresh,
            )
    return CachedFeed.of(ical.render_feed(calendar, shifts))


async def _serve(request: Request, *, token: str, slug: str | None) -> Response:
    person_id = feed_tokens.parse_feed_token(token)
    if person_id is None:
        return _not_found()
    app: FastAPI = request.app
    cache = feed_cache(app)
    now: datetime = app.state.clock.now()
    day = rotation_feeds.window_start(now)
    key = ("person", person_id, day) if slug is None else ("rotation", slug, day)

    holder = cache.holder(token)
    cached = cache.fingerprint(key)
    if holder is None or isinstance(cached, Missing):
        generation = cache.generation
        holder, fingerprint = await run_in_threadpool(_look_up, app, cache, token, key, holder)
        if holder is None:
            return _not_found()
        cache.store(generation, holder=(token, holder), fingerprint=(key, fingerprint))
    else:
        fingerprint = cached
    if fingerprint is None:  # no such rotation
        return _not_found()

    # The person's name titles their calendar, so it is part of what the bytes depend on.
    feed_key = (key, fingerprint, holder.name if slug is None else None)
    feed = cache.feed(feed_key)
    if feed is None:
        generation = cache.generation
        found = holder
        feed = await cache.single_flight(
            feed_key, lambda: run_in_threadpool(_build, app, found, slug, now)
        )
        if feed is None:
            return _not_found()
        cache.store(generation, feed=(feed_key, feed))
    return _respond(request, feed)


def _respond(request: Request, feed: CachedFeed) -> Response:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None and feed.matches(if_none_match):
        return Response(status_code=304, headers=feed.not_modified_headers)
    if request.method == "HEAD":
        return Response(headers={**feed.headers, "content-length": str(len(feed.body))})
    return Response(content=feed.body, headers=feed.headers)


@router.get(PERSON_FEED, response_class=Response)
@router.head(PERSON_FEED, response_class=Response, include_in_schema=False)
async def person_feed(request: Request, token: str) -> Response:
    """The person's shifts in every rotation, as iCalendar."""
    return await _serve(request, token=token, slug=None)


@router.get(ROTATION_FEED, response_class=Response)
@router.head(ROTATION_FEED, response_class=Response, include_in_schema=False)
async def rotation_feed(request: Request, token: str, slug: str) -> Response:
    """Every shift of one rotation, as iCalendar."""
    return await _serve(request, token=token, slug=slug)
