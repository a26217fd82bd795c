"""Login throttling by (account, address) with exponential backoff, plus a per-address limit.

Nothing here is keyed by the account alone: failures against an account from one address
slow down that address only, so nobody can lock a person out by guessing their password
from elsewhere. Each address also has a budget of failures per moving window, whatever
accounts it tries. Checking and counting happen under one lock, so a burst of parallel
attempts is counted attempt by attempt, never all checked before any is counted.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from cachetools import TTLCache

# Remembered (account, address) pairs and addresses; the oldest are dropped past this.
MAX_ENTRIES = 100_000
MAX_BACKOFF_SECONDS = 3600.0


@dataclass
class _Pair:
    failures: int = 0
    blocked_until: float = 0.0


class LoginLimiter:
    """Counts failed logins in memory; each instance behind a balancer counts its own.

    An attempt is counted when it starts (``attempt``) and forgiven when it succeeds
    (``succeeded``), so only failures stay counted and a person who types their password
    right is never slowed down. A success clears that pair's backoff but not the address's
    failures, so one known account cannot reset the counter while guessing others.
    """

    def __init__(
        self,
        per_minute: int,
        window_seconds: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_address = per_minute
        self.free_failures = per_minute
        self.window_seconds = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._addresses: TTLCache[str, deque[float]] = TTLCache(
            MAX_ENTRIES, ttl=window_seconds, timer=clock
        )
        self._pairs: TTLCache[tuple[str, str], _Pair] = TTLCache(
            MAX_ENTRIES, ttl=MAX_BACKOFF_SECONDS * 2, timer=clock
        )

    def backoff_seconds(self, failures: int) -> float:
        """How long a pair waits after its ``failures``-th failure: nothing at first, then
        one window, doubling each time, at most an hour."""
        if failures < self.free_failures:
            return 0.0
        doubling = min(failures - self.free_failures, 16)
        return min(self.window_seconds * 2.0**doubling, MAX_BACKOFF_SECONDS)

    def attempt(self, address: str, email: str) -> float:
        """0.0 when this attempt may check the password (it is counted as a failure until
        ``succeeded``); otherwise the seconds to wait, and nothing is counted."""
        with self._lock:
            now = self._clock()
            hits = self._recent(address, now)
            if len(hits) >= self.per_address:
                return max(hits[0] + self.window_seconds - now, 0.001)
            pair = self._pairs.get((email, address)) or _Pair()
            if pair.blocked_until > now:
                return pair.blocked_until - now
            hits.append(now)
            self._addresses[address] = hits  # stored again: refreshes its time to live
            pair.failures += 1
            pair.blocked_until = now + self.backoff_seconds(pair.failures)
            self._pairs[(email, address)] = pair
            return 0.0

    def succeeded(self, address: str, email: str) -> None:
        """The attempt was right: forget the pair and give back the address's count."""
        with self._lock:
            self._pairs.pop((email, address), None)
            hits = self._addresses.get(address)
            if hits:
                hits.pop()

    def _recent(self, address: str, now: float) -> deque[float]:
        hits = self._addresses.get(address) or deque()
        while hits and hits[0] <= now - self.window_seconds:
            hits.popleft()
        return hits
