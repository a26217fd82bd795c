"""Pages of a long list."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.paging import Page, page_of


def test_pages_and_their_rows() -> None:
    assert page_of(0, number=1, size=10) == Page(number=1, pages=1, start=0, stop=0)
    assert page_of(25, number=3, size=10) == Page(number=3, pages=3, start=20, stop=25)
    assert page_of(25, number=9, size=10) == Page(number=3, pages=3, start=20, stop=25)
    assert page_of(25, number=0, size=10).number == 1
    with pytest.raises(ValueError):
        page_of(5, number=1, size=0)


@given(st.integers(0, 500), st.integers(1, 60), st.integers(-5, 100))
def test_the_pages_cover_every_row_once(total: int, size: int, asked: int) -> None:
    first = page_of(total, number=1, size=size)
    rows: list[int] = []
    for number in range(1, first.pages + 1):
        page = page_of(total, number=number, size=size)
        assert page.stop - page.start <= size
        assert page.stop > page.start or total == 0
        rows.extend(range(page.start, page.stop))
    assert rows == list(range(total))
    chosen = page_of(total, number=asked, size=size)
    assert 1 <= chosen.number <= first.pages
