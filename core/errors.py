"""Domain errors that the web layer maps to HTTP status codes."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every expected failure; ``detail`` is safe to show to the caller."""

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    """The thing asked for does not exist (404)."""


class Conflict(DomainError):
    """The request clashes with the current state: duplicate, stale version (409)."""


class Invalid(DomainError):
    """The input is well-formed but not acceptable (422)."""


class Forbidden(DomainError):
    """The caller may not do this (403)."""
