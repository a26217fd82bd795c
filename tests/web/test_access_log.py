"""Access log lines never carry a calendar-feed token."""

from __future__ import annotations

import io
import logging
import logging.config
from collections.abc import Iterator

import pytest

from flows.cli import server_log_config as log_config
from web.access_log import REDACTED, RedactFeedTokens, redact

TOKEN = "kq3v9TzZ4m0pVh2C1xY8nQ"


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        (f"/feeds/{TOKEN}.ics", f"/feeds/{REDACTED}.ics"),
        (f"/feeds/{TOKEN}/rotations/tier-2.ics", f"/feeds/{REDACTED}/rotations/tier-2.ics"),
        (f"/feeds/{TOKEN}.ics?x=1", f"/feeds/{REDACTED}.ics?x=1"),
        ("/api/v1/me/calendar", "/api/v1/me/calendar"),
        ("/rotations/feeds", "/rotations/feeds"),
    ],
)
def test_redact(path: str, logged: str) -> None:
    assert redact(path) == logged


def uvicorn_access_record(path: str) -> logging.LogRecord:
    # The exact call uvicorn's HTTP protocols make for each response.
    return logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:50000", "GET", path, "1.1", 200),
        None,
    )


def test_the_filter_rewrites_arguments_and_keeps_the_record() -> None:
    record = uvicorn_access_record(f"/feeds/{TOKEN}.ics")
    assert RedactFeedTokens().filter(record) is True
    assert TOKEN not in record.getMessage()
    assert f"/feeds/{REDACTED}.ics" in record.getMessage()


@pytest.fixture
def configured() -> Iterator[io.StringIO]:
    """uvicorn's loggers set up as `allhands serve` sets them, writing into a buffer."""
    config = log_config()
    config["handlers"]["access"]["stream"] = stream = io.StringIO()
    config["handlers"]["default"]["stream"] = stream
    logging.config.dictConfig(config)
    yield stream
    for name in ("uvicorn", "uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)


def test_served_access_log_lines_are_redacted(configured: io.StringIO) -> None:
    logging.getLogger("uvicorn.access").handle(uvicorn_access_record(f"/feeds/{TOKEN}.ics"))
    logging.getLogger("uvicorn.error").warning("client asked for /feeds/%s.ics", TOKEN)
    output = configured.getvalue()
    assert output.count(f"/feeds/{REDACTED}.ics") == 2
    assert TOKEN not in output
