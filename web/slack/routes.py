"""The Slack app's request URLs: the ``/allhands`` slash command and interactivity.

Slack signs every request (``X-Slack-Signature``, ``X-Slack-Request-Timestamp``) with the
app's signing secret; that signature, checked with the SDK's verifier against our clock,
is the only credential. The Slack user is then mapped to a person by email and acts with
exactly that person's rights.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, HTTPException, Request, status
from slack_sdk.signature import Clock, SignatureVerifier

from core.i18n import choose, gettext
from core.models import Person
from core.settings import Settings
from flows import slack_commands, slack_interactions
from onboarding.slack import client as slack_client
from onboarding.slack import identities
from onboarding.slack.client import SlackClient, SlackError
from web.deps import NowDep, SessionDep, SettingsDep

router = APIRouter(prefix="/slack", tags=["slack"])
NOT_LINKED = (
    "Your Slack account is not linked to anyone in allhands: ask an admin to add you with "
    "the email of your Slack profile."
)


class _FixedClock(Clock):
    """The verifier judges a request's age by the app's clock, like everything else."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> float:
        return self._now.timestamp()


async def signed_form(request: Request, settings: SettingsDep, now: NowDep) -> dict[str, str]:
    """The request's form fields, once its Slack signature and timestamp check out."""
    body = await request.body()
    verifier = SignatureVerifier(settings.slack_signing_secret or "-", clock=_FixedClock(now))
    headers = {name.lower(): value for name, value in request.headers.items()}
    if not settings.slack_signing_secret or not verifier.is_valid_request(body, headers):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="missing, wrong or expired X-Slack-Signature / X-Slack-Request-Timestamp",
        )
    try:
        fields = parse_qs(body.decode(), strict_parsing=False)
    except UnicodeDecodeError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail="body is not UTF-8") from exc
    return {name: values[0] for name, values in fields.items()}


SignedForm = Annotated[dict[str, str], Depends(signed_form)]


def _client(settings: Settings) -> SlackClient | None:
    try:
        return slack_client.client_from_settings(settings)
    except ValueError:
        return None


def _person(
    session: SessionDep, client: SlackClient | None, slack_user_id: str, now: datetime
) -> Person | None:
    if not slack_user_id:
        return None
    try:
        return identities.person_for(session, client=client, slack_user_id=slack_user_id, now=now)
    except SlackError:
        return None


def _refused(person: Person, exc: SlackError) -> dict[str, Any]:
    text = gettext(
        choose(person.locale), "Slack refused the request (%(error)s); try again.", error=exc.error
    )
    return slack_commands.reply(text)


@router.post("/commands")
def slash_command(
    form: SignedForm, session: SessionDep, settings: SettingsDep, now: NowDep
) -> dict[str, Any]:
    """``/allhands who|next|checklist|swap``."""
    client = _client(settings)
    person = _person(session, client, form.get("user_id", ""), now)
    if person is None:
        return slack_commands.reply(NOT_LINKED)
    try:
        return slack_commands.command(
            session,
            client=client,
            person=person,
            text=form.get("text", ""),
            trigger_id=form.get("trigger_id", ""),
            now=now,
            base_url=settings.base_url,
        )
    except SlackError as exc:
        return _refused(person, exc)


@router.post("/interactions")
def interaction(
    form: SignedForm, session: SessionDep, settings: SettingsDep, now: NowDep
) -> dict[str, Any]:
    """Button clicks (``block_actions``) and the swap modal (``view_submission``)."""
    try:
        payload = json.loads(form.get("payload", ""))
    except ValueError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail="payload is not JSON") from exc
    if not isinstance(payload, dict):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail="payload is not an object")
    client = _client(settings)
    user = payload.get("user") or {}
    person = _person(session, client, str(user.get("id", "")), now)
    if person is None:
        return slack_commands.reply(NOT_LINKED)
    handlers = {
        "block_actions": slack_interactions.block_action,
        "view_submission": slack_interactions.view_submission,
    }
    handler = handlers.get(str(payload.get("type")))
    if handler is None:
        return {}
    try:
        return handler(session, client=client, person=person, payload=payload, now=now)
    except SlackError as exc:
        return _refused(person, exc)
