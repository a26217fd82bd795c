"""What every import format parses into: card records and the line errors that reject a file.

Pure: no database. ``CardRecord`` is one validated card not yet matched to the registry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from core.errors import Invalid


@dataclass(frozen=True)
class LineError:
    """One bad row (CSV: its line in the file) or item (JSON: its 1-based index in the list)."""

    line: int
    message: str
    item: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"line": self.line, "message": self.message}
        if self.item is not None:
            out["item"] = self.item
        return out


class ImportRejected(Invalid):
    """An import with bad rows or items; ``errors`` names each one and nothing was written."""

    def __init__(self, errors: Sequence[LineError]) -> None:
        super().__init__(
            f"{len(errors)} bad row(s) or item(s); nothing imported",
            errors=[error.as_dict() for error in errors],
        )
        self.errors = list(errors)


@dataclass(frozen=True)
class CardRecord:
    """One validated card from an import file, not yet matched to the database."""

    line: int
    title: str
    url: str
    source: str
    external_id: str | None
    collection: str | None
    # None: keep the card's interval (new cards get the default).
    verify_every_days: int | None
    # Guru exports carry verification state; CSV files do not, and leave it alone.
    carries_verification: bool = False
    last_verified_at: datetime | None = None
    verifier_emails: tuple[str, ...] = ()
    source_version: int | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        """What identifies the card: its external id, or its URL when it has none."""
        if self.external_id is not None:
            return (self.source, "id", self.external_id)
        return (self.source, "url", self.url)


def describe(error: ValidationError) -> str:
    """Pydantic errors as one readable line: ``field: message; field: message``."""
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "value"
        parts.append(f"{where}: {str(item['msg']).removeprefix('Value error, ')}")
    return "; ".join(parts)


def check_duplicates(records: list[CardRecord], errors: list[LineError], *, json: bool) -> None:
    """Add an error for every record naming the same card as an earlier one."""
    seen: dict[tuple[str, str, str], int] = {}
    for record in records:
        earlier = seen.setdefault(record.key, record.line)
        if earlier == record.line:
            continue
        what = "external id" if record.external_id is not None else "URL"
        where = f"item {earlier}" if json else f"line {earlier}"
        message = f"the same {record.source} {what} as {where}"
        if json:
            errors.append(LineError(record.line, f"item {record.line}: {message}", record.line))
        else:
            errors.append(LineError(record.line, message))
