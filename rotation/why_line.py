"""One line on why the scheduler gave a shift to its person, from what it stored on the shift.

``Shift.why`` keeps the rule that decided and the figures compared when the shift was given
(``rotation.generation``); pages and calendar feeds say it in words. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping


def _figure(value: object, by: object) -> str:
    number = float(value) if isinstance(value, int | float) else 0.0
    return f"{number:.1f}" if by == "burden" else f"{number:g}"


def sentence(why: Mapping[str, object] | None) -> str | None:
    """ "Fewest burden among 9 eligible: 18.0 vs next 19.5", or None when nothing was stored."""
    if not why:
        return None
    by = why.get("by", "count")
    eligible = why.get("eligible")
    figure = _figure(why.get("figure"), by)
    unit = "burden" if by == "burden" else "shift" if figure == "1" else "shifts"
    rule = why.get("rule")
    if rule == "only_one":
        return "The only eligible member"
    if rule == "owed":
        return f"First in line among {eligible} eligible: paid back for a cover"
    if rule == "fewest":
        following = _figure(why.get("next"), by)
        unit = "burden" if by == "burden" else "shifts"
        return f"Fewest {unit} among {eligible} eligible: {figure} vs next {following}"
    if rule == "waited_longest":
        return f"Tied at {figure} {unit} among {eligible} eligible; longest since a shift here"
    if rule == "roster_order":
        return f"Tied at {figure} {unit} among {eligible} eligible; earlier in the roster"
    return None
