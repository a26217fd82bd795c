"""The Slack Web API client against the local fake Slack: payloads, 429 retries, failures."""

from __future__ import annotations

import time

import pytest

from onboarding.slack.client import SlackClient, SlackError
from tests.slack.fake_slack import TOKEN, FakeSlack, fake_slack


def test_posts_with_the_bot_token_and_returns_the_message_ts(slack: FakeSlack) -> None:
    client = SlackClient(token=TOKEN, base_url=slack.url)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]
    ts = client.post_message(channel="C0123ABCDE", text="hi", blocks=blocks)
    [call] = slack.called("chat.postMessage")
    assert ts.startswith("1700000000.")
    assert call.token == TOKEN
    assert call.args["channel"] == "C0123ABCDE" and call.args["blocks"] == blocks


def test_a_short_rate_limit_is_waited_out_and_retried(slack: FakeSlack) -> None:
    client = SlackClient(token=TOKEN, base_url=slack.url)
    slack.fail_next("usergroups.users.update", "ratelimited:0")
    started = time.monotonic()
    client.set_usergroup_users(usergroup="S0123ABCDE", user_ids=["U1", "U2"])
    calls = slack.called("usergroups.users.update")
    assert len(calls) == 2 and calls[1].args == {"usergroup": "S0123ABCDE", "users": "U1,U2"}
    assert time.monotonic() - started < 5


def test_a_long_rate_limit_is_left_to_the_next_run(slack: FakeSlack) -> None:
    client = SlackClient(token=TOKEN, base_url=slack.url)
    slack.fail_next("chat.postMessage", "ratelimited:120")
    with pytest.raises(SlackError) as raised:
        client.post_message(channel="C0123ABCDE", text="hi")
    assert raised.value.error == "ratelimited" and raised.value.retry_after == 120
    assert len(slack.called("chat.postMessage")) == 1


def test_a_bad_token_is_invalid_auth(slack: FakeSlack) -> None:
    client = SlackClient(token="xoxb-wrong", base_url=slack.url)
    with pytest.raises(SlackError) as raised:
        client.post_message(channel="C0123ABCDE", text="hi")
    assert raised.value.error == "invalid_auth"


def test_looking_up_people_by_email(slack: FakeSlack) -> None:
    slack.users["ana@example.com"] = "U0ANA"
    client = SlackClient(token=TOKEN, base_url=slack.url)
    assert client.lookup_user(email="ana@example.com") == "U0ANA"
    assert client.lookup_user(email="nobody@example.com") is None
    assert slack.called("users.lookupByEmail")[0].args == {"email": "ana@example.com"}


def test_an_unreachable_slack_is_an_error_not_a_crash() -> None:
    with fake_slack() as gone:
        url = gone.url
    client = SlackClient(token=TOKEN, base_url=url)
    with pytest.raises(SlackError) as raised:
        client.open_view(trigger_id="t", view={"type": "modal"})
    assert raised.value.error.startswith("unreachable")
