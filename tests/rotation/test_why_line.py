"""The stored reason of an assignment in words."""

from __future__ import annotations

from rotation.why_line import sentence


def test_each_rule_reads_as_a_sentence() -> None:
    burden = {"by": "burden", "eligible": 9, "figure": 18.0, "next": 19.5}
    assert sentence({**burden, "rule": "fewest"}) == (
        "Fewest burden among 9 eligible: 18.0 vs next 19.5"
    )
    assert sentence({"by": "count", "eligible": 4, "figure": 3, "next": 4, "rule": "fewest"}) == (
        "Fewest shifts among 4 eligible: 3 vs next 4"
    )
    assert sentence({**burden, "rule": "waited_longest"}) == (
        "Tied at 18.0 burden among 9 eligible; longest since a shift here"
    )
    assert sentence({**burden, "rule": "roster_order"}) == (
        "Tied at 18.0 burden among 9 eligible; earlier in the roster"
    )
    assert sentence({**burden, "rule": "owed"}) == (
        "First in line among 9 eligible: paid back for a cover"
    )
    assert sentence({**burden, "rule": "only_one"}) == "The only eligible member"
    assert sentence({"by": "count", "eligible": 3, "figure": 1, "rule": "roster_order"}) == (
        "Tied at 1 shift among 3 eligible; earlier in the roster"
    )
    assert sentence(None) is None
    assert sentence({**burden, "rule": "something else"}) is None


def test_each_rule_reads_in_dutch_with_dutch_numbers() -> None:
    burden = {"by": "burden", "eligible": 9, "figure": 18.0, "next": 19.5}
    assert sentence({**burden, "rule": "fewest"}, "nl") == (
        "Laagste belasting van 9 kandidaten: 18,0 tegen 19,5 voor de volgende"
    )
    assert sentence({"by": "count", "eligible": 3, "figure": 1, "rule": "roster_order"}, "nl") == (
        "Gelijk op 1 dienst met 3 kandidaten; eerder in de volgorde van het rooster"
    )
    assert sentence(
        {"by": "count", "eligible": 3, "figure": 2, "rule": "waited_longest"}, "nl"
    ) == ("Gelijk op 2 diensten met 3 kandidaten; het langst geen dienst hier gehad")
    assert sentence({**burden, "rule": "only_one"}, "nl") == "De enige die in aanmerking kwam"
