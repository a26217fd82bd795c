"""In-process caches that let a hot calendar feed be served from memory.

Three layers, all held per app instance:

- token → feed holder and feed → fingerprint, each kept ``FRESH_SECONDS``. This is the bound
  on staleness across instances: a change made elsewhere (another instance, a CLI job), and a
  rotated token, show on this instance within ``FRESH_SECONDS``. A change committed through
  this instance's own sessions shows at once: a session hook drops both caches on commit.
- (feed, fingerprint, window day) → rendered bytes with their ETag, least recently used out
  first, bounded by total size. Bytes are only rebuilt when the fingerprint or day moves.

Rebuilding runs in the thread pool, one build per feed at a time however many requests wait.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import threading
from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, NamedTuple, TypeVar

import brotli
from cachetools import LRUCache
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, sessionmaker

from core import i18n
from core.feed_tokens import FeedHolder
from core.models import Person
from rotation.models import Rotation, RotationMember, Shift, ShiftRelease

# The staleness bound for changes made outside this instance (see the module docstring).
FRESH_SECONDS = 5.0
MAX_RENDERED_BYTES = 128 * 1024 * 1024
MAX_ENTRIES = 20_000

CONTENT_TYPE = "text/calendar; charset=utf-8"
# Clients poll hourly (REFRESH-INTERVAL); five minutes of reuse spares a burst of reloads, and
# "private" keeps shared caches from storing a secret URL's answer.
CACHE_CONTROL = "private, max-age=300"

WATCHED_TYPES = (Shift, ShiftRelease, Rotation, RotationMember, Person)
_DIRTY = "allhands.feeds.dirty"
_PEOPLE_DIRTY = "allhands.feeds.people_dirty"

T = TypeVar("T")
# The Last-Modified of a feed that names no change time of its own.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Missing:
    """Marks "not cached", distinct from a cached None (an unknown rotation)."""


MISSING = Missing()
# gzip level and brotli quality of encoded feeds: about fifteenfold smaller than the text;
# higher levels cost more CPU for a few more bytes (see ``bench feeds``).
COMPRESSION_LEVEL = 4


@dataclass(frozen=True, slots=True)
class CachedFeed:
    """Rendered feed bytes and the (encoded) headers that go with them.

    The ETag is weak: ``/feeds`` responses are gzip- or brotli-encoded as the client asks, and
    a strong ETag would have to differ per encoding; a weak one names the content, whichever
    encoding carries it, and If-None-Match compares weakly anyway.
    """

    body: bytes
    etag: str
    last_modified: datetime
    headers: tuple[tuple[bytes, bytes], ...]
    not_modified_headers: tuple[tuple[bytes, bytes], ...]
    # Encoded bodies with their headers, made on first request for each encoding: a feed is
    # compressed once per change, not once per request (a 500 KB feed costs ~20 ms to encode).
    encoded: dict[str, tuple[bytes, tuple[tuple[bytes, bytes], ...]]] = field(
        default_factory=dict, compare=False
    )

    def encoded_as(self, encoding: str) -> tuple[bytes, tuple[tuple[bytes, bytes], ...]]:
        """The body in ``encoding`` ("br" or "gzip") and the headers that go with it."""
        found = self.encoded.get(encoding)
        if found is None:
            if encoding == "br":
                body = brotli.compress(self.body, quality=COMPRESSION_LEVEL)
            else:
                body = gzip.compress(self.body, compresslevel=COMPRESSION_LEVEL, mtime=0)
            headers = (
                *(
                    (name, str(len(body)).encode() if name == b"content-length" else value)
                    for name, value in self.headers
                ),
                (b"content-encoding", encoding.encode()),
            )
            # Two threads may both encode; either result is the same bytes.
            found = self.encoded[encoding] = (body, headers)
        return found

    @classmethod
    def of(
        cls, body: bytes, *, last_modified: datetime = EPOCH, filename: str = "calendar.ics"
    ) -> CachedFeed:
        etag = 'W/"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
        # HTTP dates have whole seconds: a later instant within the same second still matches.
        last_modified = last_modified.astimezone(UTC).replace(microsecond=0)
        common = (
            (b"etag", etag.encode()),
            (b"last-modified", format_datetime(last_modified, usegmt=True).encode()),
            (b"cache-control", CACHE_CONTROL.encode()),
            (b"vary", b"Accept-Encoding"),
        )
        return cls(
            body=body,
            etag=etag,
            last_modified=last_modified,
            headers=(
                *common,
                (b"content-type", CONTENT_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"content-disposition", f"inline; filename={filename}".encode()),
                (b"x-robots-tag", b"noindex"),
            ),
            not_modified_headers=common,
        )

    def matches(self, if_none_match: str) -> bool:
        """Whether an If-None-Match header names this feed's ETag (weak comparison)."""
        own = self.etag.removeprefix("W/")
        for candidate in if_none_match.split(","):
            tag = candidate.strip()
            if tag == "*" or tag.removeprefix("W/") == own:
                return True
        return False

    def unmodified_since(self, if_modified_since: str) -> bool:
        """Whether the feed has not changed since an If-Modified-Since date (a date that
        does not parse counts as no condition)."""
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:  # "-0000": RFC 5322's "UTC, origin unknown"
            since = since.replace(tzinfo=UTC)
        return self.last_modified <= since


# A person's own shifts in one rotation are the feed "mine:<slug>" (slugs have no colon).
MINE_PREFIX = "mine:"


def mine(slug: str) -> str:
    """The feed name of the holder's own shifts in rotation ``slug``."""
    return MINE_PREFIX + slug


def split_feed(feed: str | None) -> tuple[str | None, bool]:
    """(rotation slug or None for the person's whole feed, whether only the holder's shifts)."""
    if feed is not None and feed.startswith(MINE_PREFIX):
        return feed.removeprefix(MINE_PREFIX), True
    return feed, False


def rendered_key(
    key: tuple[Hashable, ...], fingerprint: str, holder: FeedHolder, slug: str | None
) -> tuple[Hashable, ...]:
    """What a feed's bytes are cached under; a person's name titles their own calendar and
    their zone is its X-WR-TIMEZONE; every feed is in its holder's language (so a rotation's
    feed is rendered once per language, and its ETag differs between them)."""
    personal = slug is None or split_feed(slug)[1]
    who = (holder.name, holder.timezone) if personal else None
    if holder.locale == i18n.DEFAULT:  # English keys are as they were before languages
        return (key, fingerprint, who)
    return (key, fingerprint, who, holder.locale)


def feed_key(*, holder: FeedHolder, slug: str | None, day: int) -> tuple[Hashable, ...]:
    """What a feed's fingerprint is cached under: whose or which rotation's, on which day."""
    rotation_slug, only_mine = split_feed(slug)
    if rotation_slug is None:
        return ("person", holder.person_id, day)
    if only_mine:
        return ("mine", holder.person_id, rotation_slug, day)
    return ("rotation", rotation_slug, day)


class Lookup(NamedTuple):
    """What the caches know about one feed request; ``feed`` is set only on a full hit."""

    holder: FeedHolder | None
    fingerprint: str | Missing | None
    feed: CachedFeed | None


class FeedCache:
    """The caches of one app instance; mutated under one lock, from any thread.

    Holders and fingerprints are kept with the instant they stop being fresh, in bounded LRU
    caches; callers pass the current time (from the injected clock, so tests can step past
    the freshness bound). A TTLCache would do the same with a clock reading and expiry sweep
    per operation, which on the hot path costs more than the rest of serving a warm feed.
    """

    def __init__(self, *, secret_key: str, fresh_seconds: float = FRESH_SECONDS):
        self.secret_key = secret_key
        self.fresh_seconds = fresh_seconds
        self._lock = threading.Lock()
        self._inflight: dict[Hashable, asyncio.Future[Any]] = {}
        self.generation = 0
        self.holders: LRUCache[str, tuple[FeedHolder, float]] = LRUCache(MAX_ENTRIES)
        self.fingerprints: LRUCache[Hashable, tuple[str | None, float]] = LRUCache(MAX_ENTRIES)
        self.rendered: LRUCache[Hashable, CachedFeed] = LRUCache(
            maxsize=MAX_RENDERED_BYTES, getsizeof=lambda feed: len(feed.body)
        )

    def lookup(self, *, token: str, slug: str | None, day: int, now: float) -> Lookup:
        """The holder of ``token``, the feed's fingerprint and bytes, as far as cached."""
        with self._lock:
            held = self.holders.get(token)
            if held is None or held[1] <= now:
                return Lookup(None, MISSING, None)
            holder = held[0]
            key = feed_key(holder=holder, slug=slug, day=day)
            known = self.fingerprints.get(key)
            if known is None or known[1] <= now:
                return Lookup(holder, MISSING, None)
            fingerprint = known[0]
            if fingerprint is None:
                return Lookup(holder, None, None)
            feed = self.rendered.get(rendered_key(key, fingerprint, holder, slug))
            return Lookup(holder, fingerprint, feed)

    def feed(self, key: Hashable) -> CachedFeed | None:
        with self._lock:
            return self.rendered.get(key)

    def store(
        self,
        generation: int,
        *,
        now: float,
        holder: tuple[str, FeedHolder] | None = None,
        fingerprint: tuple[Hashable, str | None] | None = None,
        feed: tuple[Hashable, CachedFeed] | None = None,
    ) -> None:
        """Keep what was read at ``generation``, unless a commit since may have changed it."""
        fresh_until = now + self.fresh_seconds
        with self._lock:
            if generation != self.generation:
                return
            if holder is not None:
                self.holders[holder[0]] = (holder[1], fresh_until)
            if fingerprint is not None:
                self.fingerprints[fingerprint[0]] = (fingerprint[1], fresh_until)
            if feed is not None and len(feed[1].body) <= MAX_RENDERED_BYTES:
                self.rendered[feed[0]] = feed[1]

    def invalidate(self, *, people_changed: bool) -> None:
        """Forget holders and fingerprints (and, if people changed, rendered bytes too)."""
        with self._lock:
            self.generation += 1
            self.holders.clear()
            self.fingerprints.clear()
            if people_changed:
                # Names appear in feeds but not in fingerprints.
                self.rendered.clear()

    async def single_flight(self, key: Hashable, make: Callable[[], Awaitable[T]]) -> T:
        """Await ``make()`` once per key however many callers ask at the same time.

        Called on the event loop only; a caller that goes away does not cancel the build.
        """
        pending = self._inflight.get(key)
        if pending is None:
            pending = asyncio.ensure_future(make())
            self._inflight[key] = pending
            pending.add_done_callback(lambda _done: self._inflight.pop(key, None))
        result: T = await asyncio.shield(pending)
        return result

    def watch(self, sessions: sessionmaker[Session]) -> None:
        """Drop holders and fingerprints whenever one of ``sessions`` commits a feed change."""
        event.listen(sessions, "after_flush", _note_flush)
        event.listen(sessions, "do_orm_execute", _note_statement)
        event.listen(sessions, "after_commit", self._after_commit)

    def _after_commit(self, session: Session) -> None:
        # A rolled-back change leaves its marks until the session's next commit; dropping the
        # caches once too often costs a query, never a stale answer.
        if session.info.pop(_DIRTY, False):
            self.invalidate(people_changed=session.info.pop(_PEOPLE_DIRTY, False))


def _touches(objects: Iterable[object]) -> tuple[bool, bool]:
    watched = people = False
    for obj in objects:
        if isinstance(obj, WATCHED_TYPES):
            watched = True
            people = people or isinstance(obj, Person)
    return watched, people


def _note_flush(session: Session, _context: UOWTransaction) -> None:
    # At after_flush the new/dirty/deleted sets still describe what was just written.
    watched, people = _touches([*session.new, *session.dirty, *session.deleted])
    if watched:
        session.info[_DIRTY] = True
    if people:
        session.info[_PEOPLE_DIRTY] = True


def _note_statement(state: ORMExecuteState) -> None:
    # Bulk UPDATE/DELETE/INSERT statements bypass the unit of work: count them as changes.
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_DIRTY] = True
        state.session.info[_PEOPLE_DIRTY] = True
