"""The login limiter: failures per account and per address, in a moving window."""

from __future__ import annotations

import time

from web.ratelimit import LoginLimiter


def fail(limiter: LoginLimiter, address: str, email: str, times: int) -> None:
    for _ in range(times):
        limiter.failed(address, email)


def test_an_account_is_throttled_from_any_address() -> None:
    limiter = LoginLimiter(per_minute=3)
    fail(limiter, "10.0.0.1", "ana@example.com", 2)
    assert limiter.allow("10.0.0.2", "ana@example.com")
    limiter.failed("10.0.0.3", "ana@example.com")
    assert not limiter.allow("10.0.0.4", "ana@example.com")
    assert limiter.allow("10.0.0.4", "bo@example.com")


def test_an_address_is_throttled_whatever_account_it_tries() -> None:
    limiter = LoginLimiter(per_minute=3)
    for n in range(3):
        limiter.failed("10.0.0.9", f"guess{n}@example.com")
    assert not limiter.allow("10.0.0.9", "someone-else@example.com")
    assert limiter.allow("10.0.0.10", "someone-else@example.com")


def test_success_forgets_the_account_but_not_the_address() -> None:
    limiter = LoginLimiter(per_minute=3)
    fail(limiter, "10.0.0.1", "ana@example.com", 2)
    limiter.succeeded("10.0.0.1", "ana@example.com")
    fail(limiter, "10.0.0.2", "ana@example.com", 2)
    assert limiter.allow("10.0.0.2", "ana@example.com")  # 2 of 3 since the success
    limiter.failed("10.0.0.1", "bo@example.com")
    assert not limiter.allow("10.0.0.1", "cy@example.com")  # the address kept its 3


def test_failures_age_out_of_the_moving_window() -> None:
    limiter = LoginLimiter(per_minute=2, window_seconds=1)
    fail(limiter, "10.0.0.1", "ana@example.com", 2)
    assert not limiter.allow("10.0.0.1", "ana@example.com")
    time.sleep(1.1)
    assert limiter.allow("10.0.0.1", "ana@example.com")
