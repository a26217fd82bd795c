"""ORM models of kb_links."""

from __future__ import annotations
