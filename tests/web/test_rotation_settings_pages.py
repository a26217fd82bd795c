"""The settings form of the manage page: a preview of the handoffs before saving a change."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from itertools import pairwise

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import DEFAULT_NOW
from tests.probes import fingerprint, live_shifts
from tests.web.rotation_page_helpers import AMSTERDAM, MANAGE, log_in, managed, post, settings_of


def test_preview_shows_the_next_handoffs_and_writes_nothing(
    client: TestClient, session: Session
) -> None:
    rotation, manager, _people = managed(session, "Ana", "Sam")
    log_in(client, manager)
    values = settings_of(client.get(MANAGE).text)
    assert values["shift_days"] == "7" and values["version"] == "1"
    before = fingerprint(session)

    response = post(
        client, MANAGE + "/settings", {**values, "shift_days": "14", "action": "preview"}
    )

    assert response.status_code == 200
    assert fingerprint(session) == before
    assert "Preview: the next 8 shifts" in response.text
    assert "Saving cancels the shifts that have not started" in response.text
    starts = [
        datetime.fromisoformat(s)
        for s in re.findall(r'<td><time datetime="([^"]+)">', response.text)[::2]
    ]
    assert len(starts) == 8
    # The shift under way runs to its end; the new cadence, counted from the start date
    # (Mon 23 Nov), takes over with a week up to its own handoff, then every 14 days.
    current = next(s for s in live_shifts(session, rotation) if s.start <= DEFAULT_NOW < s.end)
    assert starts[0] == current.end
    gaps = [b - a for a, b in pairwise(starts)]
    assert gaps == [timedelta(days=7)] + [timedelta(days=14)] * 6
    assert "336 hours" in response.text
    assert 'value="14"' in response.text  # the typed value stays in the form


def test_saving_a_cadence_change_regenerates(client: TestClient, session: Session) -> None:
    rotation, manager, _people = managed(session, "Ana", "Sam")
    log_in(client, manager)
    values = settings_of(client.get(MANAGE).text)
    response = post(client, MANAGE + "/settings", {**values, "shift_days": "14", "action": "save"})
    assert response.status_code == 303
    assert response.headers["location"] == MANAGE + "#settings"
    session.expire_all()
    assert (rotation.shift_days, rotation.version) == (14, 2)
    ahead = [s for s in live_shifts(session, rotation) if s.start > DEFAULT_NOW]
    gaps = [b.start - a.start for a, b in pairwise(ahead)]
    assert gaps[0] == timedelta(days=7) and set(gaps[1:]) == {timedelta(days=14)}
    assert "the shifts ahead were planned again" in client.get(MANAGE).text


def test_a_stale_version_is_a_409_that_keeps_the_input(
    client: TestClient, session: Session
) -> None:
    rotation, manager, _people = managed(session, "Ana")
    log_in(client, manager)
    values = settings_of(client.get(MANAGE).text)
    rotation.name = "Renamed meanwhile"
    session.flush()  # version 2 now
    before = fingerprint(session)
    response = post(client, MANAGE + "/settings", {**values, "name": "My name", "action": "save"})
    assert response.status_code == 409
    assert "Someone else saved this rotation" in response.text
    assert 'value="My name"' in response.text
    assert settings_of(response.text)["version"] == "2"
    assert fingerprint(session) == before
    again = post(client, MANAGE + "/settings", {**settings_of(response.text), "action": "save"})
    assert again.status_code == 303
    session.expire_all()
    assert rotation.name == "My name"


def test_bad_settings_are_a_422_with_every_field_marked(
    client: TestClient, session: Session
) -> None:
    _rotation, manager, _people = managed(session, "Ana")
    log_in(client, manager)
    values = settings_of(client.get(MANAGE).text)
    before = fingerprint(session)
    for action in ("preview", "save"):
        response = post(
            client,
            MANAGE + "/settings",
            {**values, "name": "", "timezone": "Nowhere", "horizon_days": "3",
             "managers": "ghost@example.com", "action": action},
        )  # fmt: skip
        assert response.status_code == 422
        text = html.unescape(response.text)
        assert "This field is required." in text
        assert 'unknown timezone "Nowhere"' in text
        assert "greater than or equal to 7" in text
        assert "Nobody with the email ghost@example.com" in text
        assert 'aria-invalid="true"' in response.text
        assert fingerprint(session) == before


def test_the_preview_follows_daylight_saving(client: TestClient, session: Session) -> None:
    rotation, manager, _people = managed(session, "Ana", timezone=AMSTERDAM)
    log_in(client, manager)
    values = settings_of(client.get(MANAGE).text)
    response = post(
        client, MANAGE + "/settings", {**values, "shift_days": "28", "action": "preview"}
    )
    assert response.status_code == 200
    # The new cadence counts from 23 Nov, so it takes over at 30 Nov with a three-week piece
    # up to its own handoff on 21 Dec. Eight shifts reach past 28 March 2027, when Amsterdam
    # springs forward: that shift is an hour short, and every handoff stays at 09:00 local.
    hours = re.findall(r"<td>(\d+) hours</td>", response.text)
    assert hours == ["504", "672", "672", "672", "671", "672", "672", "672"]
    starts = re.findall(r'<td><time datetime="[^"]+">([^<]+)</time></td>', response.text)[::2]
    assert starts and all(start.endswith(", 09:00") for start in starts)
    assert live_shifts(session, rotation)  # and nothing was regenerated
    assert {s.end - s.start for s in live_shifts(session, rotation)} <= {
        timedelta(hours=167),
        timedelta(hours=168),
        timedelta(hours=169),
    }


def test_the_preview_names_who_gets_each_shift_as_saving_would(
    client: TestClient, session: Session
) -> None:
    rotation, manager, people = managed(session, "Ana", "Sam", "Priya")
    log_in(client, manager)
    values = settings_of(client.get(MANAGE).text)
    before = fingerprint(session)
    changed = {**values, "shift_days": "14"}
    preview = post(client, MANAGE + "/settings", {**changed, "action": "preview"}).text
    assert fingerprint(session) == before  # the trial was rolled back
    rows = re.findall(
        r'<tr>\s*<td><time datetime="([^"]+)">.*?</td>\s*<td>.*?</td>\s*<td>[^<]*</td>\s*'
        r"<td>(.*?)</td>",
        preview,
        re.S,
    )
    named = {datetime.fromisoformat(start): html.unescape(who) for start, who in rows}
    assert len(named) == 8 and set(named.values()) <= {"Ana", "Sam", "Priya"}

    assert post(client, MANAGE + "/settings", {**changed, "action": "save"}).status_code == 303
    session.expire_all()
    names = {p.id: p.name for p in people}
    saved = {s.start: names.get(s.person_id or 0) for s in live_shifts(session, rotation)}
    assert all(saved[start] == who for start, who in named.items())
