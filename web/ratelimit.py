"""Login throttling per account and per client address (a moving one-minute window)."""

from __future__ import annotations

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class LoginLimiter:
    """Counts failed logins in memory; each instance behind a balancer counts its own.

    Only failures count, so a person who types their password right is never slowed down;
    a success forgets the account's failures but not the address's, so one known account
    cannot be used to reset the counter while guessing others from the same address.
    """

    def __init__(self, per_minute: int, window_seconds: int = 60) -> None:
        self.item: RateLimitItem = RateLimitItemPerSecond(
            per_minute, window_seconds, namespace="login"
        )
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    @staticmethod
    def _keys(address: str, email: str) -> tuple[tuple[str, str], tuple[str, str]]:
        return ("ip", address), ("email", email)

    def allow(self, address: str, email: str) -> bool:
        """True while neither the address nor the account has used up its failures."""
        return all(self._limiter.test(self.item, *key) for key in self._keys(address, email))

    def failed(self, address: str, email: str) -> None:
        for key in self._keys(address, email):
            self._limiter.hit(self.item, *key)

    def succeeded(self, address: str, email: str) -> None:
        self._limiter.clear(self.item, "email", email)
