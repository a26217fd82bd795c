"""Delivery channels for reminders: email over SMTP and a Slack incoming webhook."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from core.settings import Settings

if TYPE_CHECKING:
    import httpx

SEND_TIMEOUT_SECONDS = 30.0
TRUE_VALUES = frozenset({"1", "true", "yes", "on"})


@dataclass(frozen=True)
class Outgoing:
    """One message to one person on one channel (a single reminder or a digest)."""

    recipient: str
    recipient_name: str
    subject: str
    body: str


class Transport(Protocol):
    channel: str

    def send(self, message: Outgoing) -> None:
        """Deliver ``message`` or raise; raising leaves it queued for the next run."""
        ...


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool
    starttls: bool


def parse_smtp_url(url: str) -> SmtpConfig:
    """``smtp://user:pass@host:port``, ``smtps://…`` (TLS from the start), ``?starttls=1``."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"ALLHANDS_SMTP_URL must start with smtp:// or smtps://, not {url!r}")
    if not parts.hostname:
        raise ValueError("ALLHANDS_SMTP_URL names no host")
    query = parse_qs(parts.query)
    starttls = any(value.lower() in TRUE_VALUES for value in query.get("starttls", []))
    implicit_tls = parts.scheme == "smtps"
    default_port = 465 if implicit_tls else (587 if starttls else 25)
    try:
        port = parts.port or default_port
    except ValueError as exc:
        raise ValueError(f"ALLHANDS_SMTP_URL has a bad port: {exc}") from exc
    return SmtpConfig(
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        implicit_tls=implicit_tls,
        starttls=starttls,
    )


class EmailTransport:
    channel = "email"

    def __init__(self, config: SmtpConfig, *, sender: str) -> None:
        self.config = config
        self.sender = sender

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        if config.implicit_tls:
            return smtplib.SMTP_SSL(
                config.host,
                config.port,
                timeout=SEND_TIMEOUT_SECONDS,
                context=ssl.create_default_context(),
            )
        client = smtplib.SMTP(config.host, config.port, timeout=SEND_TIMEOUT_SECONDS)
        if config.starttls:
            client.starttls(context=ssl.create_default_context())
        return client

    def send(self, message: Outgoing) -> None:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.recipient
        # Titles come from people and other systems: a line break must not start a header.
        email["Subject"] = " ".join(message.subject.split())
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = make_msgid(domain="allhands")
        # Tells mail servers and vacation responders this is an automatic message.
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(message.body)
        with self._connect() as client:
            if self.config.username:
                client.login(self.config.username, self.config.password or "")
            client.send_message(email)


def slack_escape(text: str) -> str:
    """Escape Slack's control characters so ``<!channel>`` in a card title stays text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SlackTransport:
    channel = "slack"

    def __init__(self, webhook_url: str, *, client: httpx.Client | None = None) -> None:
        self.webhook_url = webhook_url
        self.client = client

    def send(self, message: Outgoing) -> None:
        text = slack_escape(
            f"*{message.subject}* (for {message.recipient_name}, {message.recipient})\n"
            f"{message.body}"
        )
        if self.client is not None:
            response = self.client.post(self.webhook_url, json={"text": text})
        else:
            import httpx  # imported on first use: with its command-line extras ~6 MB a worker

            response = httpx.post(
                self.webhook_url, json={"text": text}, timeout=SEND_TIMEOUT_SECONDS
            )
        response.raise_for_status()


def transports_from_settings(settings: Settings) -> list[Transport]:
    """Every configured channel: email if ALLHANDS_SMTP_URL is set, Slack if its webhook is."""
    transports: list[Transport] = []
    if settings.smtp_url:
        transports.append(
            EmailTransport(parse_smtp_url(settings.smtp_url), sender=settings.smtp_from)
        )
    if settings.slack_webhook_url:
        if not settings.slack_webhook_url.startswith(("https://", "http://")):
            raise ValueError("ALLHANDS_SLACK_WEBHOOK_URL must be an http(s) URL")
        transports.append(SlackTransport(settings.slack_webhook_url))
    return transports
