"""What a schedule import did (or, in a dry run, would do): the report every surface shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flows import import_fidelity as fidelity


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    kind: str
    key: str
    name: str
    status: str = "created"  # created | unchanged | dry-run
    people_created: list[str] = field(default_factory=list)
    people_matched: list[str] = field(default_factory=list)
    rotations: list[dict[str, Any]] = field(default_factory=list)
    schedule: str | None = None
    history_shifts: int = 0
    overrides: int = 0
    notes: list[str] = field(default_factory=list)
    fidelity: fidelity.Fidelity | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "name": self.name,
            "status": self.status,
            "people_created": self.people_created,
            "people_matched": self.people_matched,
            "rotations": self.rotations,
            "schedule": self.schedule,
            "history_shifts": self.history_shifts,
            "overrides": self.overrides,
            "notes": self.notes,
            "fidelity": None if self.fidelity is None else self.fidelity.as_dict(),
        }
