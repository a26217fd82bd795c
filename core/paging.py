"""Pages of a long list: which rows page n shows (pure)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    number: int
    pages: int
    # The page's rows are rows[start:stop].
    start: int
    stop: int


def page_of(total: int, *, number: int, size: int) -> Page:
    """Page ``number`` (1-based) of ``total`` rows, ``size`` per page.

    A number past the last page gives the last page, and there is always one page (empty
    when there are no rows), so a link kept from a busier day still lands somewhere useful.
    """
    if size < 1:
        raise ValueError("a page holds at least one row")
    pages = max(1, -(-total // size))
    number = min(max(number, 1), pages)
    start = (number - 1) * size
    return Page(number=number, pages=pages, start=start, stop=min(start + size, total))
