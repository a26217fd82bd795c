"""Read and forge the signed session cookie, as Starlette's SessionMiddleware writes it."""

from __future__ import annotations

import json
from base64 import b64decode, b64encode
from typing import Any

from itsdangerous import TimestampSigner

COOKIE_NAME = "allhands_session"


def sign_session(secret_key: str, data: dict[str, Any]) -> str:
    """A cookie value the app accepts as carrying ``data``."""
    payload = b64encode(json.dumps(data).encode("utf-8"))
    return TimestampSigner(secret_key).sign(payload).decode("utf-8")


def read_session(secret_key: str, value: str) -> dict[str, Any]:
    """What a cookie value the app set carries (its signature checked)."""
    payload = TimestampSigner(secret_key).unsign(value.encode("utf-8"))
    data: dict[str, Any] = json.loads(b64decode(payload))
    return data
