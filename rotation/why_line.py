"""One line on why the scheduler gave a shift to its person, from what it stored on the shift.

``Shift.why`` keeps the rule that decided and the figures compared when the shift was given
(``rotation.generation``); pages and calendar feeds say it in words, in their reader's
language. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping

from babel import numbers

from core.i18n import DEFAULT, N_, gettext

TIED = {
    "waited_longest": N_(
        "Tied at %(figure)s %(unit)s among %(eligible)s eligible; longest since a shift here"
    ),
    "roster_order": N_(
        "Tied at %(figure)s %(unit)s among %(eligible)s eligible; earlier in the roster"
    ),
}


def _figure(value: object, by: object, locale: str = DEFAULT) -> str:
    number = float(value) if isinstance(value, int | float) else 0.0
    if locale != DEFAULT:
        pattern = "#,##0.0" if by == "burden" else "#,##0.###"
        return numbers.format_decimal(number, format=pattern, locale=locale)
    return f"{number:.1f}" if by == "burden" else f"{number:g}"


def _unit(by: object, figure: str, locale: str) -> str:
    if by == "burden":
        return gettext(locale, "burden")
    return gettext(locale, "shift") if figure == "1" else gettext(locale, "shifts")


def sentence(why: Mapping[str, object] | None, locale: str = DEFAULT) -> str | None:
    """ "Fewest burden among 9 eligible: 18.0 vs next 19.5", or None when nothing was stored."""
    if not why:
        return None
    by = why.get("by", "count")
    values = {"eligible": why.get("eligible"), "figure": _figure(why.get("figure"), by, locale)}
    rule = why.get("rule")
    if rule == "only_one":
        return gettext(locale, "The only eligible member")
    if rule == "owed":
        return gettext(
            locale, "First in line among %(eligible)s eligible: paid back for a cover", **values
        )
    if rule == "fewest":
        following = _figure(why.get("next"), by, locale)
        if by == "burden":
            return gettext(
                locale,
                "Fewest burden among %(eligible)s eligible: %(figure)s vs next %(next)s",
                next=following,
                **values,
            )
        return gettext(
            locale,
            "Fewest shifts among %(eligible)s eligible: %(figure)s vs next %(next)s",
            next=following,
            **values,
        )
    if isinstance(rule, str) and rule in TIED:
        unit = _unit(by, _figure(why.get("figure"), by), locale)
        return gettext(locale, TIED[rule], unit=unit, **values)
    return None
