"""Pages of an HTML list: ``?page=`` (from 1), ``PAGE_SIZE`` rows each, a pager below the list.

A page past the end shows the last one, so a link that outlived some rows still lands on a
list. The pager's links keep every other query parameter (the list's filters).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Query, Request

PAGE_SIZE = 100
# Far past any real list; keeps the offset a small integer whatever a client sends.
MAX_PAGE = 1_000_000

T = TypeVar("T")

PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description="page number, from 1")]


@dataclass(frozen=True)
class Pager:
    """Where a page sits in its list, and the links to its neighbours."""

    request: Request
    page: int
    total: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def first(self) -> int:
        """The 1-based position of the page's first row (0 for an empty list)."""
        return min(self.offset + 1, self.total)

    @property
    def last(self) -> int:
        return min(self.offset + self.size, self.total)

    def url(self, page: int) -> str:
        url = self.request.url.include_query_params(page=page)
        return f"{url.path}?{url.query}"


def pager_for(request: Request, *, page: int, total: int, size: int = PAGE_SIZE) -> Pager:
    """The pager of page ``page`` (clamped to the list) of ``total`` rows."""
    last_page = max(1, -(-total // size))
    return Pager(request=request, page=min(page, last_page), total=total, size=size)


def page_of(
    request: Request, rows: Sequence[T], *, page: int, size: int = PAGE_SIZE
) -> tuple[list[T], Pager]:
    """The rows of one page of a list already in memory, and its pager."""
    pager = pager_for(request, page=page, total=len(rows), size=size)
    return list(rows[pager.offset : pager.offset + size]), pager


def fetch_page_of(
    request: Request,
    *,
    page: int,
    count: Callable[[], int],
    fetch: Callable[[int, int], Sequence[T]],
    size: int = PAGE_SIZE,
) -> tuple[list[T], Pager]:
    """One page read from the database: ``count()`` rows in all, ``fetch(limit, offset)``."""
    pager = pager_for(request, page=page, total=count(), size=size)
    return list(fetch(size, pager.offset)), pager
