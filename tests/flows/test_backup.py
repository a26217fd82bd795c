"""`allhands export` / `allhands import`: a full backup restores every row, across backends."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import make_url, select, text
from sqlalchemy.orm import Session

import migrations.models  # noqa: F401
from core.db import make_engine
from core.models import (
    ApiToken,
    AuditEvent,
    CredentialLink,
    ImportJob,
    Person,
    ScimGroup,
    ScimGroupMember,
    ScimToken,
)
from core.settings import normalise_database_url
from kb_links.models import Card, CardFlag, CardRevision, WebhookEvent
from onboarding.models import (
    Acknowledgement,
    CardSet,
    CardSetItem,
    OutboxMessage,
    ReadingSummary,
    RotationRequirement,
)
from onboarding.slack.models import SlackIdentity
from onboarding.webhooks.models import WebhookDelivery, WebhookEndpoint
from rotation.models import (
    CompanyDayOff,
    ImportedSource,
    Rotation,
    RotationMember,
    RotationSlugAlias,
    Schedule,
    ScheduleImport,
    ScheduleLayer,
    Shift,
    ShiftRelease,
    SwapRequest,
    TimeOff,
)
from tests.conftest import POSTGRES_URL
from tests.flows.test_cli import run_cli

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def populate(session: Session) -> None:
    """At least one row in every table, with every column type exercised."""
    ana = Person(email="ana@example.com", name="Ana", timezone="Europe/Amsterdam", created_at=T0)
    bo = Person(email="bo@example.com", name="Bö Ünïcode", timezone="Asia/Kolkata", created_at=T0)
    session.add_all([ana, bo])
    session.flush()
    rotation = Rotation(
        slug="tier-2",
        name="Tier 2",
        description="weekly",
        timezone="Europe/Amsterdam",
        start_date=date(2026, 11, 2),
        handoff_time=time(9, 0),
        shift_days=7,
        people_per_shift=1,
        horizon_days=182,
        coverage=[{"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:30", "overnight": False}],
        holiday_country="NL",
        holiday_policy="skip",
        created_at=T0,
        updated_at=T0,
    )
    rotation.managers = [ana]
    session.add(rotation)
    session.flush()
    session.add_all(
        [
            ApiToken(person_id=ana.id, token_hash="a" * 64, created_at=T0),
            AuditEvent(
                actor_id=ana.id,
                action="x",
                subject_type="person",
                subject_id="1",
                before={"a": [1, 2]},
                after={"b": None},
                at=T0,
            ),
            RotationMember(rotation_id=rotation.id, person_id=ana.id, position=0, joined_at=T0),
            RotationMember(rotation_id=rotation.id, person_id=bo.id, position=1, joined_at=T0),
            RotationSlugAlias(slug="tier-two", rotation_id=rotation.id, created_at=T0),
            TimeOff(person_id=bo.id, start=date(2026, 12, 1), end=date(2026, 12, 3), created_at=T0),
            CompanyDayOff(day=date(2026, 12, 24), name="Christmas Eve", created_at=T0),
            CredentialLink(
                person_id=bo.id,
                purpose="invite",
                secret_hash="b" * 64,
                created_by_id=ana.id,
                created_at=T0,
                expires_at=T0 + timedelta(days=3),
            ),
            ScimToken(label="okta", token_hash="c" * 64, created_at=T0),
            WebhookEvent(source="guru", event_key="id:e-1", received_at=T0),
            SlackIdentity(person_id=ana.id, slack_user_id="U0ANA", checked_at=T0),
            WebhookEndpoint(
                url="https://hooks.example.com/a",
                description="ops",
                events=["shift.started"],
                secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                enabled=True,
                consecutive_failures=0,
                created_by_id=ana.id,
                created_at=T0,
            ),
        ]
    )
    session.flush()
    session.add(
        WebhookDelivery(
            endpoint_id=session.scalars(select(WebhookEndpoint.id)).one(),
            message_id="msg_1",
            event_type="shift.started",
            attempted_at=T0,
            status_code=204,
            succeeded=True,
            error="",
        )
    )
    group = ScimGroup(display_name="Support", external_id="g1", created_at=T0, updated_at=T0)
    schedule = Schedule(slug="follow", name="Follow", created_at=T0, updated_at=T0)
    session.add_all([group, schedule])
    session.flush()
    session.add_all(
        [
            ScimGroupMember(group_id=group.id, person_id=bo.id),
            ScheduleLayer(schedule_id=schedule.id, position=0, rotation_id=rotation.id),
            ImportedSource(
                key="pagerduty:P1",
                kind="pagerduty",
                fingerprint="d" * 64,
                schedule_id=schedule.id,
                rotation_ids=[rotation.id],
                created_at=T0,
            ),
            ScheduleImport(
                kind="csv",
                filename="rota.csv",
                content="start,end,email\n",
                people_map={"P1": "ana@example.com"},
                report={"status": "dry-run"},
                created_by_id=ana.id,
                created_at=T0,
            ),
        ]
    )
    shifts = [
        Shift(
            rotation_id=rotation.id,
            index=k,
            slot=0,
            start=T0 + timedelta(weeks=k),
            end=T0 + timedelta(weeks=k + 1),
            person_id=(ana.id, bo.id)[k % 2],
            uid=f"shift-{k}@allhands",
            created_at=T0,
            updated_at=T0,
        )
        for k in range(3)
    ]
    session.add_all(shifts)
    session.flush()
    card = Card(
        title="Escalations",
        url="https://example.com/c/1",
        source="guru",
        external_id="c1",
        created_at=T0,
        updated_at=T0,
        changed_at=T0,
        last_verified_at=T0,
    )
    card_set = CardSet(name="Tier 2 basics", created_at=T0, updated_at=T0)
    session.add_all([card, card_set])
    session.flush()
    session.add_all(
        [
            ShiftRelease(shift_id=shifts[0].id, person_id=bo.id, sequence=1, released_at=T0),
            SwapRequest(
                shift_id=shifts[1].id,
                requester_id=bo.id,
                counterpart_person_id=ana.id,
                shift_sequence=0,
                created_at=T0,
                updated_at=T0,
            ),
            CardRevision(card_id=card.id, version=1, change="major", at=T0),
            CardFlag(card_id=card.id, author_id=ana.id, comment="Out of date", created_at=T0),
            CardSetItem(card_set_id=card_set.id, card_id=card.id, position=0),
            RotationRequirement(rotation_id=rotation.id, card_set_id=card_set.id, created_at=T0),
            Acknowledgement(person_id=ana.id, card_id=card.id, card_version=1, acknowledged_at=T0),
            ReadingSummary(
                person_id=ana.id,
                rotation_id=rotation.id,
                fingerprint="0" * 32,
                missing="",
                through=1,
                updated_at=T0,
            ),
            ImportJob(
                kind="cards",
                status="done",
                total=1,
                done=1,
                created=1,
                bumped=0,
                errors=[],
                owner="host:1",
                created_by_id=ana.id,
                started_at=T0,
                finished_at=T0,
            ),
            OutboxMessage(
                kind="assign",
                channel="email",
                recipient="ana@example.com",
                dedupe_key="k1",
                payload={"shift": 1},
                created_at=T0,
            ),
        ]
    )
    session.flush()


def fresh_postgres_url() -> Iterator[str]:
    base = make_url(normalise_database_url(POSTGRES_URL))
    name = f"{base.database}_bak_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def middle_url(tmp_path: Path) -> Iterator[str]:
    """Where the backup travels through: PostgreSQL when configured, else another SQLite."""
    if POSTGRES_URL:
        yield from fresh_postgres_url()
    else:
        yield f"sqlite:///{tmp_path / 'middle.sqlite'}"


def env_for(url: str) -> dict[str, str]:
    return {**os.environ, "ALLHANDS_DATABASE_URL": url, "ALLHANDS_SECRET_KEY": "backup-test"}


def test_round_trip_reproduces_every_row(tmp_path: Path, middle_url: str) -> None:
    source_url = f"sqlite:///{tmp_path / 'source.sqlite'}"
    assert run_cli("db", "upgrade", env=env_for(source_url)).returncode == 0
    engine = make_engine(source_url)
    with Session(engine) as session, session.begin():
        populate(session)
    engine.dispose()

    first = tmp_path / "first.json"
    exported = run_cli("export", str(first), env=env_for(source_url))
    assert exported.returncode == 0, exported.stderr
    imported = run_cli("import", str(first), env=env_for(middle_url))
    assert imported.returncode == 0, imported.stderr
    second = tmp_path / "second.json"
    assert run_cli("export", str(second), env=env_for(middle_url)).returncode == 0
    back_url = f"sqlite:///{tmp_path / 'back.sqlite'}"
    assert run_cli("import", str(second), env=env_for(back_url)).returncode == 0
    third = tmp_path / "third.json"
    assert run_cli("export", str(third), env=env_for(back_url)).returncode == 0

    original = json.loads(first.read_text())
    assert all(t["rows"] for t in original["tables"].values()), "every table has data"
    assert json.loads(second.read_text()) == original
    assert json.loads(third.read_text()) == original

    # New rows after a restore get fresh ids (sequences were moved past the restored ones).
    added = run_cli("user", "add", "new@example.com", "--name", "New", env=env_for(middle_url))
    assert added.returncode == 0, added.stderr


def test_import_refuses_a_non_empty_database_and_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'busy.sqlite'}"
    assert run_cli("user", "add", "a@example.com", "--name", "A", env=env_for(url)).returncode == 0
    backup = tmp_path / "b.json"
    assert run_cli("export", str(backup), env=env_for(url)).returncode == 0
    refused = run_cli("import", str(backup), env=env_for(url))
    assert refused.returncode == 1
    assert "not empty" in refused.stderr
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    bad = run_cli("import", str(garbage), env=env_for(f"sqlite:///{tmp_path / 'e.sqlite'}"))
    assert bad.returncode == 1
    assert "cannot read" in bad.stderr
