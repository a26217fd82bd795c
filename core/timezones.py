"""IANA timezone validation shared by every input that names a zone."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

# Names the system's zone directory lists that are not places: "localtime" is whatever the
# server's own clock says (so the schedule would move with the host), "Factory" is tzdata's
# placeholder that renders as "-00", "posixrules" an internal default.
NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(available_timezones()) - NOT_PLACES


def is_valid_timezone(name: str) -> bool:
    return name in _known()


def check_timezone(name: str) -> str:
    """Return ``name`` if it is an IANA zone, else raise ValueError naming it."""
    if not is_valid_timezone(name):
        raise ValueError(f'unknown timezone "{name}"')
    return name


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(check_timezone(name))
