"""The OpenAPI document: FastAPI's, plus the error answers every API operation can give.

FastAPI documents only its own 422 (a list of field errors), but our domain errors answer
``{"detail": "…"}`` with 400/401/403/404/408/409/413/422. Documenting them once here keeps the
contract honest for every router, including ones added later, so clients and schema-based
fuzzing see the real shapes.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_SCHEMA_NAME = "Error"
ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}

ERROR_RESPONSES = {
    "400": "Malformed request",
    "401": "No or invalid credentials",
    "403": "Not allowed for this caller",
    "404": "No such object",
    "408": "The request body did not arrive in time",
    "409": "Conflicts with the current state (duplicate, stale version)",
    "413": "Body too large",
    "422": "Well-formed but unacceptable input",
    "503": "The database is unavailable; retry later",
}

BEARER_SCHEME = {"type": "http", "scheme": "bearer", "description": "An API token"}


def _error_schema() -> dict[str, Any]:
    return {
        "title": ERROR_SCHEMA_NAME,
        "type": "object",
        "required": ["detail"],
        "properties": {
            "detail": {
                "title": "Detail",
                "description": "A message, or FastAPI's list of field errors",
                "anyOf": [
                    {"type": "string"},
                    {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}},
                ],
            },
            "errors": {
                "title": "Errors",
                "description": "Per-line problems of a rejected import",
                "type": "array",
                "items": {"type": "object"},
            },
        },
    }


def _validation_error_schema() -> dict[str, Any]:
    return {
        "title": "ValidationError",
        "type": "object",
        "required": ["loc", "msg", "type"],
        "properties": {
            "loc": {
                "title": "Location",
                "type": "array",
                "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            },
            "msg": {"title": "Message", "type": "string"},
            "type": {"title": "Error Type", "type": "string"},
        },
    }


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the shared error answers to every ``/api/`` operation of ``schema`` (in place)."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas[ERROR_SCHEMA_NAME] = _error_schema()
    schemas.setdefault("ValidationError", _validation_error_schema())
    # FastAPI's own 422 model is still referenced by its generated answers; widen it too.
    schemas["HTTPValidationError"] = {**_error_schema(), "title": "HTTPValidationError"}
    components.setdefault("securitySchemes", {})["bearer"] = BEARER_SCHEME
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for operation in operations.values():
            operation.setdefault("security", [{"bearer": []}])
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_RESPONSES.items():
                responses[code] = {
                    "description": description,
                    "content": {"application/json": {"schema": ERROR_REF}},
                }
    return schema


def install(app: FastAPI) -> None:
    """Serve the documented-errors schema at /openapi.json (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
