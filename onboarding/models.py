"""ORM models of onboarding."""

from __future__ import annotations
