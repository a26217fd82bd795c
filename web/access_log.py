"""Access logging for ``allhands serve``, with calendar-feed secrets cut out of every line.

A feed URL is a bearer credential: anyone holding ``/feeds/<token>.ics`` reads that
person's shifts. Access logs travel to log shippers and dashboards, so the token is
replaced before a line is formatted, whichever handler or formatter writes it.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
_FEED_TOKEN = re.compile(r"(/feeds/)[^/?#\s.]+")


def redact(text: str) -> str:
    """``/feeds/<token>.ics`` → ``/feeds/[redacted].ics``; everything else unchanged."""
    return _FEED_TOKEN.sub(rf"\g<1>{REDACTED}", text)


class RedactFeedTokens(logging.Filter):
    """Rewrites a record's message and arguments in place; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Arguments first and kept as a tuple: uvicorn's access formatter unpacks them.
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        message = record.getMessage()
        if redact(message) != message:  # the token was in the message text itself
            record.msg, record.args = redact(message), ()
        return True
