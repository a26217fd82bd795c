"""Login throttling per account and per client address (sliding one-minute window)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque


class LoginLimiter:
    """Counts failed logins in memory; each instance behind a balancer counts its own."""

    def __init__(self, per_minute: int, window_seconds: float = 60.0) -> None:
        self.per_minute = per_minute
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> int:
        entries = self._failures[key]
        while entries and entries[0] <= now - self.window:
            entries.popleft()
        return len(entries)

    def allow(self, address: str, email: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return all(
                self._recent(key, now) < self.per_minute
                for key in (f"ip:{address}", f"email:{email}")
            )

    def failed(self, address: str, email: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._failures[f"ip:{address}"].append(now)
            self._failures[f"email:{email}"].append(now)

    def succeeded(self, address: str, email: str) -> None:
        with self._lock:
            self._failures.pop(f"email:{email}", None)
