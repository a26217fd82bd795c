"""Which public-holiday calendars exist: country and subdivision codes of the ``holidays`` package.

Shared by every input that names a holiday calendar (a rotation's, a person's own), so a typo
is refused the same way everywhere.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _calendars() -> dict[str, frozenset[str]]:
    # Imported when a code is first checked: the package's modules (every country's
    # calendar class) take a few megabytes a worker need not carry until then.
    import holidays

    # Canonical ISO 3166-1 alpha-2 codes only: one spelling per country keeps stored values
    # comparable.
    return {
        country: frozenset(subdivisions)
        for country, subdivisions in holidays.list_supported_countries(
            include_aliases=False
        ).items()
    }


def check_country(code: str) -> str:
    """``code`` upper-cased if it names a country with a holiday calendar, else ValueError."""
    country = code.strip().upper()
    if country not in _calendars():
        raise ValueError(
            f'unknown country code "{code}": use an ISO 3166-1 alpha-2 code such as NL or US'
        )
    return country


def check_subdivision(country: str, code: str) -> str:
    """``code`` as the country's calendar spells it, else ValueError naming the choices."""
    known = _calendars()[check_country(country)]
    by_upper = {subdivision.upper(): subdivision for subdivision in known}
    found = by_upper.get(code.strip().upper())
    if found is None:
        choices = ", ".join(sorted(known)[:12]) or "none"
        raise ValueError(
            f'unknown subdivision "{code}" of {country.upper()} (known: {choices}'
            f"{', …' if len(known) > 12 else ''})"
        )
    return found
