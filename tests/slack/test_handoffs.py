"""Handoff notices through the outbox: a channel post, the on-shift user group and DMs, each
exactly once per handoff, retried after a rate limit, skipping people without Slack."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from flows.slack import preview, run_slack
from onboarding import notify, outbox
from onboarding.models import OutboxMessage
from onboarding.slack import blocks, handoffs
from onboarding.slack.client import SlackClient
from onboarding.slack.models import SlackIdentity
from rotation.models import SwapRequest
from tests.slack.fake_slack import TOKEN, FakeSlack
from tests.slack.world import BASE_URL, HANDOFF, SlackWorld, assert_valid_blocks

AFTER = HANDOFF + timedelta(minutes=20)


def run(sessions: sessionmaker[Session], slack: FakeSlack, at: object = AFTER) -> object:
    client = SlackClient(token=TOKEN, base_url=slack.url)
    return run_slack(sessions, now=at, base_url=BASE_URL, client=client)  # type: ignore[arg-type]


def test_a_handoff_is_posted_once_with_reading_and_the_group_follows_the_shift(
    session: Session, session_factory: sessionmaker[Session], slack: FakeSlack
) -> None:
    SlackWorld(session, slack)
    session.commit()

    run(session_factory, slack)
    run(session_factory, slack, AFTER + timedelta(minutes=15))

    [post] = [c for c in slack.called("chat.postMessage") if c.args["channel"] == "#tier-2"]
    assert post.args["text"] == (
        "Ana de Vries is on Tier 2 until Mon 07 Dec 09:00 (Europe/Amsterdam), "
        "handing over from Sam Okafor; reading: 2/2 ✔"
    )
    assert_valid_blocks(post.args["blocks"])
    assert BASE_URL + "/rotations/tier-2" in str(post.args["blocks"])
    [group] = slack.called("usergroups.users.update")
    assert group.args == {"usergroup": "S0TIER2ONCALL", "users": "U0ANA"}
    [dm] = [c for c in slack.called("chat.postMessage") if c.args["channel"] == "U0ANA"]
    assert dm.args["text"].startswith("Your shift starts today: Tier 2, Mon 30 Nov 09:00")
    assert "Reading: 2/2 ✔" in dm.args["text"]
    assert_valid_blocks(dm.args["blocks"])
    # Ana was looked up once; the cache answered the second run.
    assert [c.args["email"] for c in slack.called("users.lookupByEmail")] == ["ana@example.com"]


def test_the_incoming_person_hears_days_ahead_with_what_is_left_to_read(
    session: Session, session_factory: sessionmaker[Session], slack: FakeSlack
) -> None:
    world = SlackWorld(session, slack)
    session.commit()
    three_days_before_bo = world.shift_bo.start - timedelta(days=3) + timedelta(hours=1)

    run(session_factory, slack, three_days_before_bo)
    run(session_factory, slack, three_days_before_bo + timedelta(hours=1))

    [dm] = [c for c in slack.called("chat.postMessage") if c.args["channel"] == "U0BO"]
    assert dm.args["text"] == (
        "Your shift is coming up: Tier 2, Mon 07 Dec 09:00 to Mon 14 Dec 09:00 "
        "(Europe/Amsterdam). Reading: 0/2; 2 card(s) left, due Sat 05 Dec 09:00."
    )
    assert_valid_blocks(dm.args["blocks"])
    [button] = dm.args["blocks"][1]["elements"]
    assert button["url"] == BASE_URL + "/me/checklist"


def test_someone_without_slack_is_skipped_with_a_note_never_an_error(
    session: Session, session_factory: sessionmaker[Session], slack: FakeSlack
) -> None:
    world = SlackWorld(session)  # nobody is in the Slack workspace
    session.commit()

    report = run(session_factory, slack)

    assert report.failed == []  # type: ignore[attr-defined]
    assert {m.kind for m, _ in report.skipped} == {"slack.usergroup", "slack.dm.today"}  # type: ignore[attr-defined]
    assert [c.args["channel"] for c in slack.called("chat.postMessage")] == ["#tier-2"]
    assert slack.called("usergroups.users.update") == []
    identity = session.get(SlackIdentity, world.ana.id)
    assert identity is not None and identity.slack_user_id is None
    assert "No Slack account uses ana@example.com" in identity.note
    unsent = session.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))).all()
    assert unsent == []


def test_a_rate_limited_post_waits_as_long_as_slack_asks_then_goes_once(
    session: Session, session_factory: sessionmaker[Session], slack: FakeSlack
) -> None:
    SlackWorld(session, slack)
    session.commit()
    slack.fail_next("chat.postMessage", "ratelimited:90")

    first = run(session_factory, slack)
    too_soon = run(session_factory, slack, AFTER + timedelta(seconds=60))
    later = run(session_factory, slack, AFTER + timedelta(seconds=91))

    assert [error for _, error in first.failed] == ["ratelimited"]  # type: ignore[attr-defined]
    assert too_soon.sent == [] and too_soon.failed == []  # type: ignore[attr-defined]
    assert [m.kind for m in later.sent] == ["slack.handoff"]  # type: ignore[attr-defined]
    posts = [c for c in slack.called("chat.postMessage") if c.args["channel"] == "#tier-2"]
    assert len(posts) == 2  # the refused attempt and the one that went through


def test_a_dry_run_shows_the_messages_and_changes_nothing(
    session: Session, session_factory: sessionmaker[Session], slack: FakeSlack
) -> None:
    SlackWorld(session, slack)
    session.commit()

    report = preview(session_factory, now=AFTER, base_url=BASE_URL)

    assert sorted(m.kind for m in report.would_send) == [
        "slack.dm.today",
        "slack.handoff",
        "slack.usergroup",
    ]
    assert slack.calls == []
    assert session.scalars(select(OutboxMessage)).all() == []


def test_the_reminder_job_leaves_slack_notices_to_the_slack_job(
    session: Session, session_factory: sessionmaker[Session], slack: FakeSlack
) -> None:
    SlackWorld(session, slack)
    planned = handoffs.plan(session, now=AFTER, base_url=BASE_URL)
    outbox.enqueue(session, messages=planned, now=AFTER)

    assert notify.claim(session, now=AFTER) == []
    assert len(outbox.claim(session, now=AFTER, channels=[handoffs.CHANNEL])) == 3


def test_a_swap_asks_the_counterpart_then_the_managers_with_buttons(
    session: Session, session_factory: sessionmaker[Session], slack: FakeSlack
) -> None:
    world = SlackWorld(session, slack)
    world.rotation.swap_requires_approval = True
    swap = SwapRequest(
        shift_id=world.shift_bo.id,
        requester_id=world.bo.id,
        counterpart_person_id=world.sam.id,
        shift_sequence=0,
        status="pending",
        created_at=AFTER,
        updated_at=AFTER,
    )
    session.add(swap)
    session.commit()
    run(session_factory, slack)
    swap.status, swap.accepted_at, swap.updated_at = "accepted", AFTER, AFTER
    session.commit()
    run(session_factory, slack)
    run(session_factory, slack)

    [ask] = [c for c in slack.called("chat.postMessage") if c.args["channel"] == "U0SAM"]
    assert ask.args["text"] == (
        "Bo Lindqvist asks you to take their shift: Tier 2 from Mon 07 Dec 09:00 "
        "(Europe/Amsterdam)."
    )
    assert_valid_blocks(ask.args["blocks"])
    buttons = ask.args["blocks"][1]["elements"]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("swap_accept", str(swap.id)),
        ("swap_decline", str(swap.id)),
    ]
    [approve] = [c for c in slack.called("chat.postMessage") if c.args["channel"] == "U0MIA"]
    assert approve.args["text"].endswith("Approve?")
    assert approve.args["blocks"][1]["elements"][0]["action_id"] == "swap_approve"


def test_a_post_escapes_names_and_leaves_out_reading_nobody_requires() -> None:
    handoff = blocks.Handoff(
        rotation_name="Night <!channel> desk",
        rotation_url="https://allhands.example.com/rotations/night",
        timezone="UTC",
        start=datetime(2026, 12, 7, 8, tzinfo=UTC),
        end=datetime(2026, 12, 8, 8, tzinfo=UTC),
        incoming=[("Ana & Bo", blocks.Reading(0, 0, None))],
        outgoing=[],
    )
    post = blocks.handoff_post(handoff)
    assert (
        post.text == "Ana &amp; Bo is on Night &lt;!channel&gt; desk until Tue 08 Dec 08:00 (UTC)"
    )
    assert_valid_blocks(post.blocks)


def test_a_stale_slack_id_is_forgotten_and_looked_up_again(
    session: Session, session_factory: sessionmaker[Session], slack: FakeSlack
) -> None:
    world = SlackWorld(session, slack)
    session.add(SlackIdentity(person_id=world.ana.id, slack_user_id="U0GONE", checked_at=AFTER))
    session.commit()
    slack.fail_next("chat.postMessage", "ok", "channel_not_found")  # the post, then the DM

    first = run(session_factory, slack)
    later = run(session_factory, slack, AFTER + timedelta(minutes=5))

    assert [error for _, error in first.failed] == ["channel_not_found"]  # type: ignore[attr-defined]
    assert [m.kind for m in later.sent] == ["slack.dm.today"]  # type: ignore[attr-defined]
    dms = [
        c.args["channel"]
        for c in slack.called("chat.postMessage")
        if c.args["channel"] != "#tier-2"
    ]
    assert dms == ["U0GONE", "U0ANA"]
    identity = session.get(SlackIdentity, world.ana.id)
    session.refresh(identity)
    assert identity is not None and identity.slack_user_id == "U0ANA"


def test_a_shift_at_risk_is_told_once_to_its_person_and_managers_with_cover_buttons(
    session: Session, session_factory: sessionmaker[Session], slack: FakeSlack
) -> None:
    world = SlackWorld(session, slack)
    world.rotation.at_risk_days = 7
    session.commit()
    # Five minutes before Bo's shift, two unread cards cannot be read in time.
    at = world.shift_bo.start - timedelta(minutes=5)
    run(session_factory, slack, at)
    run(session_factory, slack, at + timedelta(minutes=1))

    # (Bo also hears that his shift starts today: a DM of its own.)
    dms = [c for c in slack.called("chat.postMessage") if "is at risk" in c.args["text"]]
    assert sorted(c.args["channel"] for c in dms) == ["U0BO", "U0MIA"]
    own = next(c for c in dms if c.args["channel"] == "U0BO")
    assert own.args["text"].startswith(
        "Your Tier 2 shift on Mon 07 Dec 09:00 (Europe/Amsterdam) is at risk:"
    )
    theirs = next(c for c in dms if c.args["channel"] == "U0MIA")
    assert theirs.args["text"].startswith("Bo Lindqvist's Tier 2 shift on Mon 07 Dec 09:00")
    for call in dms:
        assert_valid_blocks(call.args["blocks"])
        buttons = call.args["blocks"][1]["elements"]
        assert buttons[0]["text"]["text"] == "Offer cover to Ana de Vries"
        assert buttons[0]["url"] == (
            f"{BASE_URL}/shifts/{world.shift_bo.id}/cover?to={world.ana.id}"
        )
