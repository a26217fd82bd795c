"""Turn pydantic validation errors into per-field messages for re-rendered forms."""

from __future__ import annotations

from pydantic import ValidationError


def field_errors(error: ValidationError) -> dict[str, str]:
    """``{"email": "value is not a valid email address: …"}``, first message per field."""
    messages: dict[str, str] = {}
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else "form"
        message = str(item["msg"]).removeprefix("Value error, ")
        messages.setdefault(field, message)
    return messages
