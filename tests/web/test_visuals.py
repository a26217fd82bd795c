"""The month grid and bar chart builders, tested as pure functions."""

from __future__ import annotations

from datetime import UTC, date, datetime

from web.pages.rotations.visuals import GridShift, bar_chart, grid_bounds, month_grid


def test_weekly_shift_covers_seven_local_days_across_dst() -> None:
    # 2026-10-25 the EU leaves summer time; the shift still hands off at 09:00 local.
    shift = GridShift(
        shift_id=1,
        start=datetime(2026, 10, 19, 7, 0, tzinfo=UTC),  # 09:00 CEST
        end=datetime(2026, 10, 26, 8, 0, tzinfo=UTC),  # 09:00 CET
        person_name="Ana",
    )
    grid = month_grid(
        year=2026, month=10, timezone="Europe/Amsterdam", shifts=[shift], today=date(2026, 10, 20)
    )
    days = {d.day: d for week in grid for d in week}
    covered = sorted(day for day, cell in days.items() if cell.entries)
    assert covered[0] == date(2026, 10, 19)
    assert covered[-1] == date(2026, 10, 26)  # the morning until the 09:00 handoff
    assert len(covered) == 8
    assert days[date(2026, 10, 19)].entries[0].starts_today
    assert days[date(2026, 10, 19)].entries[0].local_start == "09:00"
    assert not days[date(2026, 10, 22)].entries[0].starts_today
    assert days[date(2026, 10, 20)].is_today
    assert all(len(week) == 7 and week[0].day.weekday() == 0 for week in grid)


def test_days_outside_the_month_are_marked() -> None:
    grid = month_grid(year=2026, month=2, timezone="UTC", shifts=[], today=date(2026, 2, 1))
    assert grid[0][0].day == date(2026, 1, 26)
    assert not grid[0][0].in_month
    assert grid[0][6].in_month


def test_bar_chart_scales_to_the_largest_value() -> None:
    chart = bar_chart([("Ana", 4), ("Bo", 2), ("Cy", 0)], bar_area=200)
    assert [b.width for b in chart.bars] == [200, 100, 0]
    assert [b.y for b in chart.bars] == [0, 24, 48]
    assert chart.height == 72
    assert bar_chart([]).max_value == 1


def test_grid_bounds_are_the_mondays_and_sundays_around_the_month() -> None:
    first, last = grid_bounds(year=2026, month=11)
    assert (first, last) == (date(2026, 10, 26), date(2026, 12, 6))
    grid = month_grid(year=2026, month=11, timezone="UTC", shifts=[], today=date(2026, 11, 24))
    assert (grid[0][0].day, grid[-1][-1].day) == (first, last)
