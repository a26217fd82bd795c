"""Request body limits per route class, and raw bodies (CSV, JSON exports) for sync endpoints.

Every body is read in full by ``web.body_limit.BodyLimit`` before authentication and before
an admission slot is taken, so these limits hold for anonymous callers too:

=====================================  ==========  =========================================
route class                            limit       paths
=====================================  ==========  =========================================
imports (CSV, Guru, schedule exports)  5 MiB       ``/api/v1/*/import``, ``/cards/import``,
                                                   ``/api/v1/imports/schedule`` and its page
Guru webhook                           1 MiB       ``/api/v1/cards/webhooks/guru``
JSON API                               1 MiB       everything else under ``/api/``
HTML forms and everything else         256 KiB     pages (``/login``, ``/rotations/…``)
=====================================  ==========  =========================================
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status

from core.errors import Invalid

KIB = 1024
MIB = 1024 * KIB
MAX_UPLOAD_BYTES = 5 * MIB
MAX_WEBHOOK_BYTES = 1 * MIB
MAX_JSON_BYTES = 1 * MIB
MAX_FORM_BYTES = 256 * KIB
# Deeper JSON than any export or event needs; parsing stops being recursion-bound far below
# the interpreter's limit.
MAX_JSON_DEPTH = 32
TOO_DEEP = f"JSON nested deeper than {MAX_JSON_DEPTH} levels"

UPLOAD_PATHS = frozenset(
    {
        "/api/v1/cards/import",
        "/api/v1/people/import",
        "/cards/import",
        "/api/v1/imports/schedule",
        "/imports/schedule",
    }
)
WEBHOOK_PATHS = frozenset({"/api/v1/cards/webhooks/guru"})

CSV_BODY: dict[str, Any] = {
    "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
}


def body_limit_for(path: str) -> int:
    """The largest body, in bytes, that a request to ``path`` may carry."""
    if path in UPLOAD_PATHS:
        return MAX_UPLOAD_BYTES
    if path in WEBHOOK_PATHS:
        return MAX_WEBHOOK_BYTES
    if path.startswith("/api/"):
        return MAX_JSON_BYTES
    return MAX_FORM_BYTES


def describe_size(size: int) -> str:
    """``5 MiB``, ``256 KiB``: limits as the error messages name them."""
    if size % MIB == 0:
        return f"{size // MIB} MiB"
    return f"{size // KIB} KiB"


async def read_text_body(request: Request) -> str:
    """The body as UTF-8 text; undecodable input is a 4xx, not a 500 (its size was checked
    before the request got this far)."""
    body = await request.body()
    if len(body) > MAX_UPLOAD_BYTES:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, detail="upload larger than 5 MiB")
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, detail=f"body is not UTF-8 text: {exc.reason}"
        ) from exc


CsvBody = Annotated[str, Depends(read_text_body)]


def uploaded_text(data: bytes, name: str) -> str:
    """An uploaded file's text (read up to one byte past the limit); ``name`` says which
    file in the 422 (``Invalid``) for one too large or not UTF-8."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise Invalid(f"{name} is larger than {describe_size(MAX_UPLOAD_BYTES)}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(f"{name} is not UTF-8 text: {exc.reason}") from None


def parse_json(data: str | bytes) -> Any:
    """JSON from an upload or event; a 422 (``Invalid``) when it is not JSON, is nested too
    deep or holds strings that are not Unicode text."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise Invalid(TOO_DEEP) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise Invalid(f"body is not JSON: {exc}") from None
    _check_tree(value)
    return value


def check_json_document(text: str) -> None:
    """Depth and string checks of an upload about to be imported as JSON; text that is not
    JSON at all is left to the importer, which says where it breaks."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise Invalid(TOO_DEEP) from None
    except json.JSONDecodeError:
        return
    _check_tree(value)


def _check_tree(value: Any) -> None:
    """Walk without recursion: depth within ``MAX_JSON_DEPTH``, no lone surrogates."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            _check_string(item)
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise Invalid(TOO_DEEP)
        children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
        pending.extend((child, depth + 1) for child in children)


def _check_string(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid("JSON strings must be valid Unicode (no lone surrogates)") from None
