"""The cast and the machinery of the authorization matrix.

A small organisation with one person per role, two rotations (one the manager manages,
one another manager manages) and the objects routes take as path parameters, plus how
each role sends a request: a bearer token for the API, a signed session cookie (with its
CSRF token) for pages, nothing at all when anonymous.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.routing import Mount

from core.models import Person
from core.security import hash_password
from kb_links.models import Card
from onboarding.models import CardSet
from rotation.models import Rotation, Shift, SwapRequest, TimeOff
from tests.conftest import DEFAULT_NOW
from tests.factories import (
    make_card,
    make_card_set,
    make_person,
    make_rotation,
    make_shift,
    make_token,
)
from tests.web.cookies import COOKIE_NAME, sign_session

ANONYMOUS = "anonymous"
MEMBER = "member"
OTHER_MANAGER = "other_manager"
MANAGER = "manager"
ADMIN = "admin"
ROLES = (ANONYMOUS, MEMBER, OTHER_MANAGER, MANAGER, ADMIN)

# Outcome classes a request can fall into.
OK = "ok"  # got through: 2xx, or a 3xx that is not a bounce to the login page
UNAUTHENTICATED = "401"
FORBIDDEN = "403"
TO_LOGIN = "to-login"  # a page's 303 to /login
LOGGED_OUT = "logged-out"  # also a 303 to /login, but after doing what was asked
NOT_FOUND = "404"

# Served by FastAPI/Starlette themselves, not by our routers.
FRAMEWORK_PATHS = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})
API_PREFIXES = ("/api/", "/feeds/", "/slack/", "/healthz", "/readyz", "/metrics")

PASSWORD = "member password"
_password_hash: list[str] = []


def password_hash() -> str:
    """Argon2 is slow on purpose: hash the fixture password once per test run."""
    if not _password_hash:
        _password_hash.append(hash_password(PASSWORD))
    return _password_hash[0]


@dataclass
class World:
    """Everyone and everything a route's path parameters and bodies can point at."""

    people: dict[str, Person]
    tokens: dict[str, str]
    other_member: Person
    rotation: Rotation
    other_rotation: Rotation
    shift: Shift  # the member's shift in the managed rotation
    other_shift: Shift  # the other member's shift in the managed rotation
    card: Card  # verified by the other member; the one card of the card set
    spare_card: Card  # in no card set: one to add
    card_set: CardSet
    time_off: TimeOff  # the other member's
    swap_to_member: SwapRequest  # pending: the other member offers their shift to the member
    swap_from_member: SwapRequest  # pending: the member offers their shift to the other member
    accepted_swap: SwapRequest  # accepted, waiting for a manager's approval
    secret_key: str
    extra: dict[str, Any] = field(default_factory=dict)

    def person(self, role: str) -> Person:
        return self.people[role]


def _rotation(
    session: Session,
    slug: str,
    *,
    managers: list[Person],
    members: list[Person],
    swap_requires_approval: bool = False,
) -> Rotation:
    """Weekly in Amsterdam from Monday 2 November 2026, eight weeks ahead."""
    return make_rotation(
        session,
        slug=slug,
        name=slug.replace("-", " ").title(),
        start_date=date(2026, 11, 2),
        horizon_days=56,
        swap_requires_approval=swap_requires_approval,
        managers=managers,
        members=members,
    )


def _shift(session: Session, rotation: Rotation, person: Person, weeks_ahead: int) -> Shift:
    """A week-long shift starting ``weeks_ahead`` weeks from now."""
    start = DEFAULT_NOW + timedelta(weeks=weeks_ahead)
    return make_shift(
        session, rotation=rotation, person=person, index=weeks_ahead, start=start, days=7
    )


def _swap(
    session: Session, shift: Shift, requester: Person, counterpart: Person, status: str
) -> SwapRequest:
    swap = SwapRequest(
        shift_id=shift.id,
        requester_id=requester.id,
        counterpart_person_id=counterpart.id,
        shift_sequence=shift.sequence,
        status=status,
        accepted_at=DEFAULT_NOW if status == "accepted" else None,
        created_at=DEFAULT_NOW,
        updated_at=DEFAULT_NOW,
    )
    session.add(swap)
    session.flush()
    return swap


def build_world(session: Session, *, secret_key: str) -> World:
    people = {
        MEMBER: make_person(session, email="member@example.com", name="Mia Member"),
        OTHER_MANAGER: make_person(session, email="other.manager@example.com", name="Otto"),
        MANAGER: make_person(session, email="manager@example.com", name="Mara Manager"),
        ADMIN: make_person(session, email="admin@example.com", name="Ada Admin", is_admin=True),
    }
    people[MEMBER].password_hash = password_hash()
    other_member = make_person(session, email="other.member@example.com", name="Oona")
    rotation = _rotation(
        session,
        "tier-2",
        managers=[people[MANAGER]],
        members=[people[MEMBER], other_member],
        swap_requires_approval=True,
    )
    other_rotation = _rotation(
        session, "billing", managers=[people[OTHER_MANAGER]], members=[people[OTHER_MANAGER]]
    )
    shift = _shift(session, rotation, people[MEMBER], 1)
    other_shift = _shift(session, rotation, other_member, 2)
    later_shift = _shift(session, rotation, other_member, 3)
    time_off = TimeOff(
        person_id=other_member.id,
        start=date(2027, 2, 1),
        end=date(2027, 2, 3),
        reason="holiday",
        created_at=DEFAULT_NOW,
    )
    session.add(time_off)
    card = make_card(
        session, title="Refund policy", url="https://kb.example.com/refunds", verifier=other_member
    )
    return World(
        people=people,
        tokens={role: make_token(session, person) for role, person in people.items()},
        other_member=other_member,
        rotation=rotation,
        other_rotation=other_rotation,
        shift=shift,
        other_shift=other_shift,
        card=card,
        spare_card=make_card(
            session,
            title="Outage notices",
            url="https://kb.example.com/outages",
            verifier=other_member,
        ),
        card_set=make_card_set(session, cards=[card], name="Tier 2 basics"),
        time_off=time_off,
        swap_to_member=_swap(session, other_shift, other_member, people[MEMBER], "pending"),
        swap_from_member=_swap(session, shift, people[MEMBER], other_member, "pending"),
        accepted_swap=_swap(session, later_shift, other_member, people[MEMBER], "accepted"),
        secret_key=secret_key,
    )


# --- what a route needs to be called -----------------------------------------------------

Params = Callable[[World], Mapping[str, object]]
Body = Callable[[World], Any]


def no_params(_world: World) -> Mapping[str, object]:
    return {}


@dataclass(frozen=True)
class Case:
    """Expected outcome per role, and how to build a request that reaches the check."""

    outcomes: Mapping[str, str]
    params: Params = no_params
    query: Params = no_params
    json: Body | None = None
    form: Body | None = None
    csv: Body | None = None
    note: str = ""

    def __post_init__(self) -> None:
        assert set(self.outcomes) == set(ROLES), f"every role needs an outcome: {self.outcomes}"


def outcomes(**by_role: str) -> dict[str, str]:
    return {role: by_role[role] for role in ROLES}


def route_keys(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path template) of every route we serve, framework and static files aside."""
    keys: set[tuple[str, str]] = set()
    # Included routers are resolved lazily; iter_route_contexts walks into them.
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, Mount):
            continue
        path, methods = route.path, route.methods
        if path is None or methods is None or path in FRAMEWORK_PATHS:
            continue
        keys.update((method, path) for method in methods if method != "HEAD")
    return keys


def is_page(path: str) -> bool:
    return not path.startswith(API_PREFIXES)


CSRF = "authz-csrf-token"


def send(
    client: TestClient, world: World, role: str, method: str, path: str, case: Case
) -> httpx.Response:
    """Call ``method path`` as ``role`` the way that role's client really would."""
    url = path.format(**case.params(world))
    headers: dict[str, str] = {}
    client.cookies.clear()
    page = is_page(path)
    if page:
        session_data: dict[str, object] = {"csrf": CSRF}
        if role != ANONYMOUS:
            person = world.person(role)
            session_data.update({"pid": person.id, "epoch": person.session_epoch})
        client.cookies.set(
            COOKIE_NAME,
            sign_session(world.secret_key, session_data),
            domain="testserver.local",
            path="/",
        )
    elif role != ANONYMOUS:
        headers["Authorization"] = f"Bearer {world.tokens[role]}"
    kwargs: dict[str, Any] = {"params": dict(case.query(world)), "headers": headers}
    if case.json is not None:
        kwargs["json"] = case.json(world)
    if case.form is not None:
        kwargs["data"] = {"csrf_token": CSRF, **case.form(world)}
    elif page and method == "POST":
        kwargs["data"] = {"csrf_token": CSRF}
    if case.csv is not None:
        kwargs["content"] = case.csv(world)
        headers["Content-Type"] = "text/csv"
    response: httpx.Response = client.request(method, url, follow_redirects=False, **kwargs)
    return response


def matches(expected: str, got: str) -> bool:
    return got == expected or (expected == LOGGED_OUT and got == TO_LOGIN)


def classify(response: httpx.Response) -> str:
    code = response.status_code
    if code == 303 and response.headers.get("location", "").startswith("/login"):
        return TO_LOGIN
    if 200 <= code < 400:
        return OK
    return str(code)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
