"""Email over a real SMTP server and Slack over a real HTTP server, both on 127.0.0.1."""

from __future__ import annotations

import httpx
import pytest

from core.settings import Settings
from onboarding.delivery import (
    EmailTransport,
    Outgoing,
    SlackTransport,
    SmtpConfig,
    parse_smtp_url,
    transports_from_settings,
)
from tests.onboarding.servers import slack_server, smtp_server

MESSAGE = Outgoing("ana@example.com", "Ana", "Reading for Tier 2", "Hello Ana,\n\nRead this.")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.com", SmtpConfig("mail.example.com", 25, None, None, False, False)),
        (
            "smtp://bot%40example.com:p%3Ass@mail.example.com:2525",
            SmtpConfig("mail.example.com", 2525, "bot@example.com", "p:ss", False, False),
        ),
        (
            "smtp://u:p@mail.example.com?starttls=1",
            SmtpConfig("mail.example.com", 587, "u", "p", False, True),
        ),
        ("smtps://mail.example.com", SmtpConfig("mail.example.com", 465, None, None, True, False)),
    ],
)
def test_smtp_urls(url: str, expected: SmtpConfig) -> None:
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    "url", ["http://mail.example.com", "smtp://", "smtp://mail.example.com:99999", "mail"]
)
def test_bad_smtp_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="ALLHANDS_SMTP_URL"):
        parse_smtp_url(url)


def test_email_reaches_a_real_smtp_server_after_logging_in() -> None:
    with smtp_server(username="bot", password="s3cret") as mailbox:
        transport = EmailTransport(
            parse_smtp_url(mailbox.url("bot:s3cret@")), sender="allhands <noreply@example.com>"
        )
        transport.send(MESSAGE)
    (received,) = mailbox.messages
    assert mailbox.logins == ["bot"]
    assert received["To"] == "ana@example.com"
    assert received["From"] == "allhands <noreply@example.com>"
    assert received["Subject"] == "Reading for Tier 2"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received.get_content().replace("\r\n", "\n").strip() == "Hello Ana,\n\nRead this."


def test_slack_gets_the_text_as_json() -> None:
    with slack_server() as hook:
        SlackTransport(hook.url).send(MESSAGE)
    (post,) = hook.posts
    assert post["text"].startswith("*Reading for Tier 2* (for Ana, ana@example.com)\n")
    assert post["text"].endswith("Read this.")


def test_slack_control_sequences_and_header_breaks_stay_text() -> None:
    sneaky = Outgoing("ana@example.com", "Ana", "Read <!channel>\nBcc: x@evil", "a < b & c")
    with slack_server() as hook:
        SlackTransport(hook.url).send(sneaky)
    assert hook.posts[0]["text"] == (
        "*Read &lt;!channel&gt;\nBcc: x@evil* (for Ana, ana@example.com)\na &lt; b &amp; c"
    )
    with smtp_server() as mailbox:
        EmailTransport(parse_smtp_url(mailbox.url()), sender="a@b.c").send(sneaky)
    (received,) = mailbox.messages
    assert received["Subject"] == "Read <!channel> Bcc: x@evil"
    assert received["Bcc"] is None


def test_a_slack_error_raises() -> None:
    with slack_server() as hook:
        hook.status = 500
        with pytest.raises(httpx.HTTPStatusError):
            SlackTransport(hook.url).send(MESSAGE)


def test_channels_come_from_the_settings() -> None:
    assert transports_from_settings(Settings()) == []
    both = transports_from_settings(
        Settings(smtp_url="smtp://127.0.0.1:2525", slack_webhook_url="https://hooks.example/x")
    )
    assert [t.channel for t in both] == ["email", "slack"]
    with pytest.raises(ValueError, match="SLACK"):
        transports_from_settings(Settings(slack_webhook_url="javascript:alert(1)"))
