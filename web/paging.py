"""Pages of a JSON list: ``?limit=`` (default and at most 500) and ``?page=`` (from 1).

Answers stay plain JSON arrays, so existing clients keep working; when more rows follow, a
``Link: <…?page=n+1&limit=…>; rel="next"`` header names the next page (RFC 8288).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Query, Request, Response

DEFAULT_LIMIT = 500
MAX_LIMIT = 500
# Far past any real list; keeps the offset a small integer whatever a client sends.
MAX_PAGE = 1_000_000

T = TypeVar("T")


@dataclass(frozen=True)
class PageParams:
    limit: int
    page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


@dataclass(frozen=True)
class Pager:
    """One page of a list, as the request asks for it; ``Link`` on the response when more
    rows follow."""

    params: PageParams
    request: Request
    response: Response

    def rows(self, rows: Sequence[T]) -> list[T]:
        """The page's share of ``rows``, read in full already."""
        return paginate(self.request, self.response, rows, self.params)

    def fetch(self, fetch: Callable[[int, int], Sequence[T]]) -> list[T]:
        """The page, read by ``fetch(limit, offset)`` in the database."""
        return fetch_page(self.request, self.response, fetch, self.params)


async def pager(
    request: Request,
    response: Response,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"rows per page (at most {MAX_LIMIT})")
    ] = DEFAULT_LIMIT,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="page number, from 1")] = 1,
) -> Pager:
    return Pager(params=PageParams(limit=limit, page=page), request=request, response=response)


PageDep = Annotated[Pager, Depends(pager)]


def next_link(request: Request, params: PageParams) -> str:
    """The ``Link`` header value naming the page after ``params``, at the public base URL."""
    base = str(request.app.state.settings.base_url).rstrip("/")
    url = request.url.include_query_params(page=params.page + 1, limit=params.limit)
    query = f"?{url.query}" if url.query else ""
    return f'<{base}{url.path}{query}>; rel="next"'


def paginate(
    request: Request, response: Response, rows: Sequence[T], params: PageParams
) -> list[T]:
    """The rows of the page ``params`` asks for; sets ``Link`` when more follow."""
    chunk = list(rows[params.offset : params.offset + params.limit])
    if len(rows) > params.offset + params.limit:
        response.headers["Link"] = next_link(request, params)
    return chunk


def fetch_page(
    request: Request,
    response: Response,
    fetch: Callable[[int, int], Sequence[T]],
    params: PageParams,
) -> list[T]:
    """The page, read by ``fetch(limit, offset)`` in the database: one row more than the
    page holds is asked for, and its presence sets ``Link``."""
    rows = fetch(params.limit + 1, params.offset)
    if len(rows) > params.limit:
        response.headers["Link"] = next_link(request, params)
    return list(rows[: params.limit])
