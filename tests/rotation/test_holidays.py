"""Public holidays from the holidays package, company days off, and the rules built on them."""

from __future__ import annotations

from datetime import date

import pytest

from rotation.holidays import (
    Holiday,
    HolidayRule,
    next_holiday,
    own_holidays,
    rotation_holidays,
    skipped_days,
)


def test_kings_day_is_the_next_dutch_holiday_after_easter_monday() -> None:
    rule = HolidayRule.checked(country="nl", subdivision=None, policy="skip")
    assert rule == HolidayRule("NL", None, "skip")
    found = next_holiday(rule, company_days={}, today=date(2026, 4, 7))
    assert found == Holiday(date(2026, 4, 27), "King's Day")


def test_company_days_join_the_public_ones_under_the_rotations_policy() -> None:
    rule = HolidayRule.checked(country="NL", subdivision=None, policy="skip")
    days = rotation_holidays(
        rule,
        company_days={date(2026, 12, 24): "Company day", date(2026, 12, 25): "Office closed"},
        first=date(2026, 12, 20),
        last=date(2026, 12, 31),
    )
    assert days == [
        Holiday(date(2026, 12, 24), "Company day"),
        Holiday(date(2026, 12, 25), "Christmas Day; Office closed"),
        Holiday(date(2026, 12, 26), "Second Day of Christmas"),
    ]
    assert skipped_days(rule, days) == {date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26)}
    staffed = HolidayRule("NL", None, "staff")
    assert skipped_days(staffed, days) == frozenset()
    assert (
        rotation_holidays(
            None,
            company_days={date(2026, 12, 24): "x"},
            first=date(2026, 12, 1),
            last=date(2026, 12, 31),
        )
        == []
    )


def test_subdivisions_have_their_own_days() -> None:
    new_york = HolidayRule.checked(country="US", subdivision="ny", policy="staff")
    assert new_york.subdivision == "NY"
    february = rotation_holidays(
        new_york, company_days={}, first=date(2026, 2, 1), last=date(2026, 2, 28)
    )
    assert Holiday(date(2026, 2, 12), "Lincoln's Birthday") in february
    assert date(2026, 4, 27) in own_holidays("NL", date(2026, 4, 1), date(2026, 4, 30))
    assert own_holidays(None, date(2026, 4, 1), date(2026, 4, 30)) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"country": "XX", "subdivision": None, "policy": "skip"}, "country: unknown country code"),
        (
            {"country": "US", "subdivision": "ZZ", "policy": "skip"},
            "subdivision: unknown subdivision",
        ),
        ({"country": "NL", "subdivision": None, "policy": "sometimes"}, "policy: must be"),
    ],
)
def test_unknown_codes_and_policies_name_the_field(fields: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        HolidayRule.checked(**fields)  # type: ignore[arg-type]
