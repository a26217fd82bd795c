"""The few Slack Web API methods allhands calls, through the official ``slack_sdk`` client.

A short ``Retry-After`` is waited out in place (the SDK's rate-limit retry handler); a long
one, or any other failure, raises ``SlackError`` so the outbox retries on a later run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from core.settings import Settings

TIMEOUT_SECONDS = 15
# Waiting in place beyond this would hold a periodic run; the outbox retries later instead.
MAX_WAIT_SECONDS = 5
NO_SUCH_USER = "users_not_found"


class SlackError(Exception):
    """A Web API call Slack refused (``error`` is Slack's code) or could not be reached."""

    def __init__(self, error: str, *, retry_after: int | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.retry_after = retry_after


class ShortRateLimitRetry(RateLimitErrorRetryHandler):
    """Retry a 429 in place only when Slack asks to wait a few seconds at most."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        return _retry_after(response.headers) <= MAX_WAIT_SECONDS


def _retry_after(headers: dict[str, Any]) -> int:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            text = value[0] if isinstance(value, list) else value
            try:
                return max(0, int(text))
            except (TypeError, ValueError):
                return 1
    return 1


class SlackClient:
    """The bot's view of one workspace."""

    def __init__(self, *, token: str, base_url: str, retries: int = 2) -> None:
        handlers: list[RetryHandler] = [ShortRateLimitRetry(max_retry_count=retries)]
        self.web = WebClient(
            token=token,
            base_url=base_url if base_url.endswith("/") else base_url + "/",
            timeout=TIMEOUT_SECONDS,
            retry_handlers=handlers,
        )

    def _call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = getattr(self.web, method)(**kwargs)
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "unknown_error")
            retry_after = None
            if exc.response.status_code == 429:
                retry_after = _retry_after(dict(exc.response.headers))
            raise SlackError(error, retry_after=retry_after) from exc
        except OSError as exc:  # connection refused, timeout: Slack could not be reached
            raise SlackError(f"unreachable: {exc}") from exc
        data: dict[str, Any] = response.data if isinstance(response.data, dict) else {}
        return data

    def post_message(
        self, *, channel: str, text: str, blocks: Sequence[dict[str, Any]] = ()
    ) -> str:
        """Post to a channel (or a user id, which Slack delivers as a DM); the message's ts."""
        data = self._call("chat_postMessage", channel=channel, text=text, blocks=list(blocks))
        return str(data.get("ts", ""))

    def update_message(
        self, *, channel: str, ts: str, text: str, blocks: Sequence[dict[str, Any]] = ()
    ) -> None:
        self._call("chat_update", channel=channel, ts=ts, text=text, blocks=list(blocks))

    def open_view(self, *, trigger_id: str, view: dict[str, Any]) -> None:
        self._call("views_open", trigger_id=trigger_id, view=view)

    def lookup_user(self, *, email: str) -> str | None:
        """The Slack user id of this email; None when the workspace has no such user."""
        try:
            data = self._call("users_lookupByEmail", email=email)
        except SlackError as exc:
            if exc.error == NO_SUCH_USER:
                return None
            raise
        return str(data["user"]["id"])

    def user_email(self, *, user_id: str) -> str | None:
        """The email on a Slack user's profile (``users.info``; needs users:read.email)."""
        try:
            data = self._call("users_info", user=user_id)
        except SlackError as exc:
            if exc.error == "user_not_found":
                return None
            raise
        email = data.get("user", {}).get("profile", {}).get("email")
        return str(email) if email else None

    def set_usergroup_users(self, *, usergroup: str, user_ids: Sequence[str]) -> None:
        self._call("usergroups_users_update", usergroup=usergroup, users=",".join(user_ids))


def client_from_settings(settings: Settings) -> SlackClient | None:
    """The bot's client when ALLHANDS_SLACK_BOT_TOKEN is set."""
    if not settings.slack_bot_token:
        return None
    if not settings.slack_api_url.startswith(("https://", "http://")):
        raise ValueError("ALLHANDS_SLACK_API_URL must be an http(s) URL")
    return SlackClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
