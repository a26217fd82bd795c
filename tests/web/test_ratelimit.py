"""The login limiter: backoff per (account, address), a budget per address, atomic counting."""

from __future__ import annotations

import threading

from web.ratelimit import MAX_BACKOFF_SECONDS, LoginLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def fail(limiter: LoginLimiter, address: str, email: str, times: int) -> None:
    for _ in range(times):
        assert limiter.attempt(address, email) == 0.0


def test_failures_from_one_address_never_lock_the_account_out_elsewhere() -> None:
    limiter = LoginLimiter(per_minute=3)
    fail(limiter, "10.0.0.1", "ana@example.com", 3)
    assert limiter.attempt("10.0.0.1", "ana@example.com") > 0
    # The real person, from their own address, is not slowed down at all.
    assert limiter.attempt("10.0.0.2", "ana@example.com") == 0.0


def test_an_address_is_throttled_whatever_account_it_tries() -> None:
    limiter = LoginLimiter(per_minute=3)
    for n in range(3):
        assert limiter.attempt("10.0.0.9", f"guess{n}@example.com") == 0.0
    assert limiter.attempt("10.0.0.9", "someone-else@example.com") > 0
    assert limiter.attempt("10.0.0.10", "someone-else@example.com") == 0.0


def test_success_forgets_the_pair_but_not_the_address() -> None:
    clock = FakeClock()
    limiter = LoginLimiter(per_minute=3, clock=clock)
    fail(limiter, "10.0.0.1", "ana@example.com", 2)
    assert limiter.attempt("10.0.0.1", "ana@example.com") == 0.0
    limiter.succeeded("10.0.0.1", "ana@example.com")  # the third try was right
    assert limiter.attempt("10.0.0.1", "bo@example.com") == 0.0  # 2 failures + this one
    assert limiter.attempt("10.0.0.1", "cy@example.com") > 0  # the address kept its count
    clock.now += 61
    fail(limiter, "10.0.0.1", "ana@example.com", 2)  # the pair starts from zero again


def test_a_success_does_not_count_against_the_address() -> None:
    limiter = LoginLimiter(per_minute=3)
    for _ in range(10):
        assert limiter.attempt("10.0.0.1", "ana@example.com") == 0.0
        limiter.succeeded("10.0.0.1", "ana@example.com")
    fail(limiter, "10.0.0.1", "ana@example.com", 3)


def test_failures_age_out_of_the_moving_window() -> None:
    clock = FakeClock()
    limiter = LoginLimiter(per_minute=2, window_seconds=60, clock=clock)
    fail(limiter, "10.0.0.1", "ana@example.com", 1)
    fail(limiter, "10.0.0.1", "bo@example.com", 1)
    wait = limiter.attempt("10.0.0.1", "cy@example.com")
    assert 59 < wait <= 60
    clock.now += 61
    assert limiter.attempt("10.0.0.1", "cy@example.com") == 0.0


def test_backoff_of_a_pair_doubles_and_is_capped() -> None:
    limiter = LoginLimiter(per_minute=3, window_seconds=60)
    waits = [limiter.backoff_seconds(n) for n in range(1, 8)]
    assert waits == [0.0, 0.0, 60.0, 120.0, 240.0, 480.0, 960.0]
    assert limiter.backoff_seconds(50) == MAX_BACKOFF_SECONDS


def test_a_pair_waits_out_its_backoff_while_its_address_may_go_on() -> None:
    clock = FakeClock()
    limiter = LoginLimiter(per_minute=2, window_seconds=60, clock=clock)
    fail(limiter, "10.0.0.1", "ana@example.com", 2)
    clock.now += 60
    fail(limiter, "10.0.0.1", "ana@example.com", 1)  # the third failure: two minutes
    assert limiter.attempt("10.0.0.1", "ana@example.com") == 120.0
    assert limiter.attempt("10.0.0.1", "bo@example.com") == 0.0


def test_parallel_attempts_are_counted_one_by_one() -> None:
    limiter = LoginLimiter(per_minute=10)
    start = threading.Barrier(40)
    allowed: list[bool] = []

    def try_once(n: int) -> None:
        start.wait()
        allowed.append(limiter.attempt("10.0.0.1", f"guess{n % 3}@example.com") == 0.0)

    threads = [threading.Thread(target=try_once, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 10
