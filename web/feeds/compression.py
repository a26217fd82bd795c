"""gzip and brotli for calendar feeds, negotiated by ``starlette-compress``, on ``/feeds`` only.

Daily-rotation feeds run to hundreds of kilobytes of repetitive text that compresses about
tenfold. Pages and the API stay as they are: their responses are small, and compressing
pages that echo secrets next to attacker-supplied text invites BREACH-style attacks.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send
from starlette_compress import CompressMiddleware

FEEDS_PREFIX = "/feeds/"


class FeedCompression:
    """Pass ``/feeds/…`` requests through ``CompressMiddleware``, everything else untouched.

    The middleware encodes each response anew, on the event loop; the library's default
    levels (gzip 4, brotli 4) already shrink a feed about fifteenfold, and higher ones cost
    more CPU per request than the few bytes they save (see ``bench feeds``).
    """

    def __init__(self, app: ASGIApp, *, gzip_level: int = 4, brotli_quality: int = 4) -> None:
        self.app = app
        self.compressed = CompressMiddleware(
            app, zstd=False, gzip_level=gzip_level, brotli_quality=brotli_quality
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(FEEDS_PREFIX):
            await self.compressed(scope, receive, send)
        else:
            await self.app(scope, receive, send)
