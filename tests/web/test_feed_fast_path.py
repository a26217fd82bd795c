"""A fully cached feed is answered before the application stack, exactly as the feed route
would answer it: status, headers (security headers included), body, 304s, encodings, HEAD."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client import generate_latest
from sqlalchemy.orm import Session

from tests.factories import make_person, make_rotation, make_shifts
from tests.web.test_feeds import path, step_past_freshness, urls
from web.feeds import routes as feed_routes

CONDITIONS = [
    {},
    {"Accept-Encoding": "gzip"},
    {"Accept-Encoding": "br, gzip"},
    {"Accept-Encoding": "identity"},
    {"If-None-Match": "ETAG"},
    {"If-None-Match": '"stale", ETAG'},
    {"If-Modified-Since": "LAST_MODIFIED"},
    {"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"},
]


@pytest.fixture
def feed_paths(client: TestClient, session: Session) -> list[str]:
    ana = make_person(session)
    rotation = make_rotation(session, slug="daily", shift_days=1, horizon_days=60)
    make_shifts(session, rotation=rotation, people=[ana], indexes=range(0, 40))
    found = urls(client, session, ana)
    return [
        path(found["feed_url"]),
        path(found["rotation_feed_urls"]["daily"]),
        path(found["my_rotation_feed_urls"]["daily"]),
    ]


def _concrete(headers: dict[str, str], warm: httpx.Response) -> dict[str, str]:
    values = {"ETAG": warm.headers["etag"], "LAST_MODIFIED": warm.headers["last-modified"]}
    return {name: values.get(value, value).replace("ETAG", values["ETAG"])
            for name, value in headers.items()}  # fmt: skip


def _seen(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    return response.status_code, sorted(response.headers.multi_items()), response.content


def test_cached_feeds_are_answered_as_the_route_answers_them(
    client: TestClient, feed_paths: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    by_route: dict[tuple[str, str, int], tuple[int, list[tuple[str, str]], bytes]] = {}
    for url in feed_paths:
        warm = client.get(url)  # fills the caches through the route
        for n, headers in enumerate(CONDITIONS):
            for method in ("GET", "HEAD"):
                asked = _concrete(headers, warm)
                by_route[url, method, n] = _seen(client.request(method, url, headers=asked))

    async def unreachable(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the feed route was reached")

    # Everything is cached and fresh now: from here on the route must not be reached.
    monkeypatch.setattr(feed_routes, "_serve", unreachable)
    for url in feed_paths:
        warm = client.get(url)
        for n, headers in enumerate(CONDITIONS):
            for method in ("GET", "HEAD"):
                asked = _concrete(headers, warm)
                assert (
                    _seen(client.request(method, url, headers=asked)) == by_route[url, method, n]
                ), (url, method, headers)
    statuses = {answer[0] for answer in by_route.values()}
    assert statuses == {200, 304}
    assert all("content-security-policy" in dict(a[1]) for a in by_route.values())


def test_misses_stale_entries_cookies_and_other_paths_go_to_the_application(
    client: TestClient, feed_paths: list[str], clock: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = feed_paths[0]
    assert client.get(url).status_code == 200
    served: list[str] = []
    serve = feed_routes._serve

    async def counting(request: object, **kwargs: object) -> object:
        served.append(str(kwargs))
        return await serve(request, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(feed_routes, "_serve", counting)
    assert client.get(url).status_code == 200
    assert served == []  # a hit
    client.cookies.set("allhands_session", "x")
    assert client.get(url).status_code == 200
    client.cookies.clear()
    assert len(served) == 1  # a cookie goes to the session middleware
    step_past_freshness(clock)  # type: ignore[arg-type]
    assert client.get(url).status_code == 200
    assert len(served) == 2  # stale holder and fingerprint: read again by the route
    assert client.get(url.replace(".ics", "x.ics")).status_code == 404
    assert client.post(url).status_code == 405


def test_fast_answers_are_counted_under_their_route_template(
    client: TestClient, feed_paths: list[str]
) -> None:
    for url in feed_paths:
        client.get(url)
        client.get(url)
    metrics = generate_latest(client.app.state.metrics.registry).decode()  # type: ignore[attr-defined]
    line = next(
        line
        for line in metrics.splitlines()
        if line.startswith("allhands_http_requests_total")
        and 'route="/feeds/{token}/rotations/{slug}.ics"' in line
        and 'status="200"' in line
    )
    assert float(line.rsplit(" ", 1)[1]) == 2.0
    token = feed_paths[0].removeprefix("/feeds/").removesuffix(".ics")
    assert token not in metrics


def test_a_foreign_host_is_refused_before_the_fast_path(
    client: TestClient, feed_paths: list[str]
) -> None:
    url = feed_paths[0]
    assert client.get(url).status_code == 200
    assert client.get(url, headers={"Host": "evil.example"}).status_code == 400
