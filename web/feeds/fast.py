"""Warm calendar feeds answered before sessions, routing and dependency injection run.

Calendar clients poll their feed URLs all day, and nearly every poll finds the feed's bytes
already rendered (``web.feeds.cache``). ``FeedFastPath`` sits just inside the host check and
the request metrics: for a GET or HEAD of a person's or rotation's feed whose token holder,
fingerprint and bytes are all cached and fresh, it answers at once with the same status,
headers and body the feed route would (ETag and 304, Last-Modified, the negotiated encoding,
the security headers). Everything else, a miss included, goes on to the application, whose
feed route fills the caches. A request carrying a cookie goes on too, so the session
middleware sees it as always.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.datastructures import State
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette_compress._utils import parse_accept_encoding

from core.clock import Clock
from web.feeds.cache import CachedFeed, FeedCache, mine
from web.security_headers import HEADERS

SECONDS_PER_DAY = 86_400
# Below this a body is sent as it is, as the compression middleware does.
MIN_COMPRESSED_BYTES = 500
Headers = Iterable[tuple[bytes, bytes]]

_SECURITY = tuple((name.encode(), value.encode()) for name, value in HEADERS.items())
_WANTED = frozenset({b"if-none-match", b"if-modified-since", b"accept-encoding", b"cookie"})


@dataclass(frozen=True, slots=True)
class Conditions:
    """What of a request decides a feed's answer."""

    method: str
    if_none_match: str | None = None
    if_modified_since: str | None = None
    accept_encoding: str | None = None


@dataclass(frozen=True, slots=True)
class FeedRoute:
    """A feed path template (as the request metrics label it) and its matcher."""

    path: str
    pattern: re.Pattern[str]
    only_mine: bool

    @classmethod
    def of(cls, path: str, *, only_mine: bool = False) -> FeedRoute:
        # As the router matches: a parameter is one path segment.
        expression = re.escape(path).replace(r"\{", "{").replace(r"\}", "}")
        expression = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", expression)
        return cls(path, re.compile(expression), only_mine)


PERSON_FEED = "/feeds/{token}.ics"
ROTATION_FEED = "/feeds/{token}/rotations/{slug}.ics"
MINE_FEED = "/feeds/{token}/mine/{slug}.ics"
ROUTES = (
    FeedRoute.of(PERSON_FEED),
    FeedRoute.of(ROTATION_FEED),
    FeedRoute.of(MINE_FEED, only_mine=True),
)


def window_day(now: datetime) -> int:
    """The UTC day number of ``now``: a feed's window moves exactly when it changes."""
    return int(now.timestamp() // SECONDS_PER_DAY)


def answer(feed: CachedFeed, conditions: Conditions) -> tuple[int, bytes, Headers]:
    """Status, body and headers of a feed's answer to a request with ``conditions``."""
    if conditions.if_none_match is not None:  # when both are sent, it decides (RFC 9110)
        if feed.matches(conditions.if_none_match):
            return 304, b"", feed.not_modified_headers
    elif conditions.if_modified_since and feed.unmodified_since(conditions.if_modified_since):
        return 304, b"", feed.not_modified_headers
    body, headers = feed.body, feed.headers
    encoding = negotiated(conditions.accept_encoding)
    if encoding is not None and len(body) >= MIN_COMPRESSED_BYTES:
        body, headers = feed.encoded_as(encoding)
    # HEAD: the same headers (Content-Length included) without the body.
    return 200, b"" if conditions.method == "HEAD" else body, headers


def negotiated(accept_encoding: str | None) -> str | None:
    """brotli or gzip as the client accepts them (the compression middleware's own parser,
    so cached feeds and per-request ones negotiate alike), else None."""
    if not accept_encoding:
        return None
    accepted = parse_accept_encoding(accept_encoding)
    return "br" if "br" in accepted else "gzip" if "gzip" in accepted else None


class FeedFastPath:
    """Pure ASGI middleware answering fully cached feeds; see the module docstring."""

    def __init__(self, app: ASGIApp, *, state: State) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/feeds/"):
            found = self._cached(scope)
            if found is not None:
                route, (status, body, headers) = found
                scope["route"] = route  # the metrics label, as routing would set it
                start = {"type": "http.response.start", "status": status}
                await send({**start, "headers": [*headers, *_SECURITY]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    def _cached(self, scope: Scope) -> tuple[FeedRoute, tuple[int, bytes, Headers]] | None:
        cache: FeedCache | None = getattr(self.state, "feed_cache", None)
        method = scope["method"]
        if cache is None or method not in ("GET", "HEAD"):
            return None
        for route in ROUTES:
            match = route.pattern.fullmatch(scope["path"])
            if match is not None:
                break
        else:
            return None
        wanted = _wanted_headers(scope["headers"])
        if "cookie" in wanted:
            return None
        clock: Clock = self.state.clock
        now = clock.now()
        slug: str | None = match.groupdict().get("slug")
        if slug is not None and route.only_mine:
            slug = mine(slug)
        found = cache.lookup(
            token=match["token"], slug=slug, day=window_day(now), now=now.timestamp()
        )
        if found.feed is None:
            return None
        conditions = Conditions(
            method,
            wanted.get("if-none-match"),
            wanted.get("if-modified-since"),
            wanted.get("accept-encoding"),
        )
        return route, answer(found.feed, conditions)


def _wanted_headers(raw: Any) -> dict[str, str]:
    """The request headers a cached answer depends on; the first of each, as Starlette's."""
    found: dict[str, str] = {}
    for name, value in raw:
        if name in _WANTED:
            found.setdefault(name.decode("latin-1"), value.decode("latin-1"))
    return found
