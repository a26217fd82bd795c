"""The feed caches: freshness bound, stale-write guard, single flight, commit hook."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from core.audit import Trail
from core.feed_tokens import FeedHolder
from tests.conftest import DEFAULT_NOW
from tests.factories import make_person, make_rotation, make_shift
from web.feeds.cache import FRESH_SECONDS, MISSING, CachedFeed, FeedCache

ANA = FeedHolder(person_id=1, name="Ana", token_version=0)
T0 = 1_000_000.0
T = TypeVar("T")


def run_in_fresh_loop(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """asyncio.run in its own thread: Playwright's sync API keeps a loop on the main thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def warm(cache: FeedCache, *, now: float = T0) -> CachedFeed:
    feed = CachedFeed.of(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    key = ("person", 1, 7)
    cache.store(
        cache.generation,
        now=now,
        holder=("tok", ANA),
        fingerprint=(key, "fp"),
        feed=((key, "fp", ("Ana", "UTC")), feed),
    )
    return feed


def test_a_warm_feed_is_found_until_the_freshness_bound() -> None:
    cache = FeedCache(secret_key="k")
    feed = warm(cache)

    hit = cache.lookup(token="tok", slug=None, day=7, now=T0 + FRESH_SECONDS - 0.1)
    assert hit.holder == ANA and hit.fingerprint == "fp" and hit.feed is feed

    stale = cache.lookup(token="tok", slug=None, day=7, now=T0 + FRESH_SECONDS + 0.1)
    assert (stale.holder, stale.fingerprint, stale.feed) == (None, MISSING, None)
    # Rendered bytes are kept under their fingerprint, beyond the freshness bound.
    assert cache.feed((("person", 1, 7), "fp", ("Ana", "UTC"))) is feed


def test_a_new_day_or_another_feed_misses() -> None:
    cache = FeedCache(secret_key="k")
    warm(cache)
    assert cache.lookup(token="tok", slug=None, day=8, now=T0).fingerprint is MISSING
    assert cache.lookup(token="tok", slug="tier-2", day=7, now=T0).fingerprint is MISSING
    assert cache.lookup(token="other", slug=None, day=7, now=T0).holder is None


def test_values_read_before_an_invalidation_are_not_kept() -> None:
    cache = FeedCache(secret_key="k")
    generation = cache.generation
    cache.invalidate(people_changed=False)
    cache.store(generation, now=T0, holder=("tok", ANA))
    assert cache.lookup(token="tok", slug=None, day=7, now=T0).holder is None


def test_invalidation_keeps_rendered_bytes_unless_people_changed() -> None:
    cache = FeedCache(secret_key="k")
    feed = warm(cache)
    cache.invalidate(people_changed=False)
    assert cache.lookup(token="tok", slug=None, day=7, now=T0).holder is None
    assert cache.feed((("person", 1, 7), "fp", ("Ana", "UTC"))) is feed
    cache.invalidate(people_changed=True)
    assert cache.feed((("person", 1, 7), "fp", ("Ana", "UTC"))) is None


def test_etag_matching_follows_if_none_match() -> None:
    feed = CachedFeed.of(b"body")
    assert feed.etag.startswith('W/"')  # weak: the same content in any encoding
    strong = feed.etag.removeprefix("W/")
    assert feed.matches(feed.etag)
    assert feed.matches(strong)
    assert feed.matches(f'"a", {strong} , "b"')
    assert feed.matches("*")
    assert not feed.matches('"a"')
    assert not feed.matches(strong.strip('"'))
    assert CachedFeed.of(b"other").etag != feed.etag
    assert dict(feed.headers)[b"content-length"] == b"4"


def test_concurrent_misses_build_once() -> None:
    cache = FeedCache(secret_key="k")
    builds = 0

    async def build() -> str:
        nonlocal builds
        builds += 1
        await asyncio.sleep(0.01)
        return "built"

    async def many() -> list[str]:
        return await asyncio.gather(*(cache.single_flight("key", build) for _ in range(10)))

    assert run_in_fresh_loop(many) == ["built"] * 10
    assert builds == 1
    assert run_in_fresh_loop(many) == ["built"] * 10  # a finished flight is not reused
    assert builds == 2


def test_commits_of_shift_changes_invalidate_and_others_do_not(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    cache = FeedCache(secret_key="k")
    cache.watch(session_factory)
    ana = make_person(session)
    rotation = make_rotation(session)

    with session_factory() as writer:
        Trail(writer, actor=None, at=DEFAULT_NOW).record("x", ("y", 1))
        writer.commit()
    assert cache.generation == 0

    with session_factory() as writer:
        make_shift(writer, rotation=rotation, index=13, person=ana)
        writer.rollback()
    assert cache.generation == 0

    warm(cache)
    with session_factory() as writer:
        make_shift(writer, rotation=rotation, index=13, person=ana)
        writer.commit()
    assert cache.generation == 1
    assert cache.lookup(token="tok", slug=None, day=7, now=T0).holder is None
    assert cache.feed((("person", 1, 7), "fp", ("Ana", "UTC"))) is not None  # only shifts changed
