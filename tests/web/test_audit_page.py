"""The audit log page: sentences with names and dates, filters, pages, raw JSON folded away."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.models import Person
from rotation import overrides, swaps
from rotation.models import Rotation
from tests.conftest import DEFAULT_NOW
from tests.factories import make_scheduled_rotation
from tests.probes import live_shifts
from tests.web.rotation_page_helpers import log_in, person


def sentences(page: str) -> list[str]:
    found = re.findall(r'<span class="audit-sentence">([^<]*)</span>', page)
    return [html.unescape(text) for text in found]


def _world(session: Session) -> tuple[Person, Person, Person, Person]:
    admin = person(session, name="Alex Admin", is_admin=True)
    hana, ana, sam = (person(session, name=n) for n in ("Hana Novak", "Ana de Vries", "Sam Okafor"))
    rotation = make_scheduled_rotation(session, members=[ana, sam], manager_ids=[hana.id])
    ahead = [s for s in live_shifts(session, rotation) if s.start > DEFAULT_NOW]
    anas = next(s for s in ahead if s.person_id == ana.id)
    sams = next(s for s in ahead if s.person_id == sam.id)
    overrides.override(
        session, shift=anas, person=sam, start=None, end=None, now=DEFAULT_NOW, actor=hana
    )
    swaps.request_swap(
        session, requester=sam, shift_id=sams.id, counterpart_shift_id=None,
        counterpart_person_id=ana.id, now=DEFAULT_NOW,
    )  # fmt: skip
    session.flush()
    return admin, hana, ana, sam


def test_changes_read_as_sentences_with_the_raw_record_a_click_away(
    client: TestClient, session: Session
) -> None:
    admin, _hana, _ana, _sam = _world(session)
    log_in(client, admin)
    page = client.get("/audit").text
    said = sentences(page)
    assert any(
        re.fullmatch(r"Hana Novak moved Ana de Vries's shift of \w{3} \d+ \w{3} 2026 in Tier two "
                     r"to Sam Okafor\.", s)
        for s in said
    ), said  # fmt: skip
    assert any(s.startswith("Sam Okafor asked Ana de Vries to cover their shift of") for s in said)
    assert not any(re.search(r"\b(id|_id)\b|\d{2,}\)", s) for s in said)
    assert '<details class="raw">' in page and "shift.override" in page


def test_filters_by_actor_rotation_kind_and_date(client: TestClient, session: Session) -> None:
    admin, hana, _ana, _sam = _world(session)
    log_in(client, admin)
    by_hana = sentences(client.get(f"/audit?actor={hana.id}").text)
    assert by_hana and all(s.startswith("Hana Novak ") for s in by_hana)
    rotation_id = session.scalars(select(Rotation.id)).one()
    about = sentences(client.get(f"/audit?rotation={rotation_id}&kind=swap").text)
    assert len(about) == 1 and "asked Ana de Vries to cover" in about[0]
    day = DEFAULT_NOW.date()
    assert sentences(client.get(f"/audit?since={day}&until={day}").text)
    assert not sentences(client.get(f"/audit?since={day + timedelta(days=1)}").text)


@pytest.mark.parametrize("query", ["actor=abc", "since=yesterday", "rotation=-1", "page=x"])
def test_bad_filters_are_a_clear_page(client: TestClient, session: Session, query: str) -> None:
    admin = person(session, is_admin=True)
    log_in(client, admin)
    response = client.get(f"/audit?{query}")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert 'aria-label="Main"' in response.text


def test_the_log_comes_in_pages_that_keep_the_filters(client: TestClient, session: Session) -> None:
    admin = person(session, is_admin=True)
    for n in range(60):
        audit.Trail(session, actor=admin, at=DEFAULT_NOW - timedelta(minutes=n)).record(
            "person.update", ("person", admin.id), after={"name": f"name {n}"}
        )
    session.flush()
    log_in(client, admin)
    first = client.get(f"/audit?actor={admin.id}").text
    assert len(sentences(first)) == 50 and "Page 1 of 2" in first
    assert f'href="/audit?actor={admin.id}&amp;page=2" rel="next"' in first
    second = client.get(f"/audit?actor={admin.id}&page=2").text
    assert len(sentences(second)) >= 10 and "Page 2 of 2" in second
