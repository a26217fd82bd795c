"""Schemathesis drives every documented operation: never a 5xx, never off-schema.

Cases are generated from /openapi.json (valid and invalid inputs alike) and sent through
the app in-process, inside the test's rolled-back transaction, so nothing is left behind.
``ALLHANDS_FUZZ_EXAMPLES`` raises the per-operation budget for a longer local run.
"""

from __future__ import annotations

import faulthandler
import os
import traceback
from collections.abc import Mapping

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import AuditEvent, Person
from tests.factories import auth, make_person, make_token

EXAMPLES_PER_OPERATION = int(os.environ.get("ALLHANDS_FUZZ_EXAMPLES", "15"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# The suite shares two cores with browsers and a database server; a request that is merely
# slow there is not a failure of this test (which asserts status codes and schemas), so the
# per-request timeout is generous. One that stalls past STACKS_AFTER leaves every thread's
# stack in the test's captured output, to show where it waited.
REQUEST_TIMEOUT = 60.0
STACKS_AFTER = 40.0


def fuzz_every_operation(app: FastAPI, headers: Mapping[str, str]) -> tuple[int, list[str]]:
    """Run every operation's cases; returns how many were sent and one report per failure."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    sent = 0
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @given(case=cases)
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            phases=[Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        def send(case: schemathesis.Case) -> None:
            nonlocal sent
            sent += 1
            faulthandler.dump_traceback_later(STACKS_AFTER)
            try:
                case.call_and_validate(
                    headers=dict(headers), checks=CHECKS, timeout=REQUEST_TIMEOUT
                )
            finally:
                faulthandler.cancel_dump_traceback_later()

        try:
            send()
        except Exception as exc:  # one report per operation, then on to the next
            report = "".join(traceback.format_exception_only(exc))
            failures.append(f"{operation.label}:\n{report[-3000:]}")
    return sent, failures


def test_documented_errors_are_in_the_schema(app: FastAPI) -> None:
    schema = app.openapi()
    people = schema["paths"]["/api/v1/people/{person_id}"]["patch"]["responses"]
    assert {"401", "403", "404", "409", "422"} <= set(people)
    detail = schema["components"]["schemas"]["Error"]["properties"]["detail"]
    assert {"type": "string"} in detail["anyOf"]


@pytest.mark.parametrize("caller", ["admin", "anonymous"])
def test_fuzzed_requests_never_fail_on_the_server(
    app: FastAPI, session: Session, caller: str
) -> None:
    admin = make_person(session, is_admin=True)
    make_person(session)
    headers = auth(make_token(session, admin)) if caller == "admin" else {}
    people_before = session.scalar(select(func.count()).select_from(Person))
    sent, failures = fuzz_every_operation(app, headers)
    print(f"{caller}: {sent} fuzzed requests")
    assert not failures, "\n\n".join(failures)
    assert sent >= EXAMPLES_PER_OPERATION
    if caller == "anonymous":
        # Not one of the anonymous requests got through to a write.
        assert session.scalar(select(func.count()).select_from(Person)) == people_before
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0
