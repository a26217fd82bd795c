"""Form problems per field: pydantic validation errors as messages for re-rendered forms."""

from __future__ import annotations

from pydantic import ValidationError


class FormInvalid(Exception):
    """The form has problems; ``errors`` maps each form field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def field_errors(error: ValidationError) -> dict[str, str]:
    """``{"email": "value is not a valid email address: …"}``, first message per field."""
    messages: dict[str, str] = {}
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else "form"
        message = str(item["msg"]).removeprefix("Value error, ")
        messages.setdefault(field, message)
    return messages
