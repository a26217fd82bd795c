"""The authorization matrix against changed rotation state: rights follow the live rotation.

Each scenario changes the world (archives a rotation, makes a rotation require the card
set) and lists the routes whose outcomes change, with the outcome per role; the request
itself is built as in ``authz_expectations``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import object_session

from rotation.models import Rotation
from tests.factories import make_requirement
from tests.web.authz import FORBIDDEN, OK, TO_LOGIN, UNAUTHENTICATED, Case, World, outcomes
from tests.web.authz_expectations import EXPECTATIONS

# The manager's one rotation ("tier-2") is archived: they are no one's manager any more.
API_NOBODYS_MANAGER = outcomes(
    anonymous=UNAUTHENTICATED, member=FORBIDDEN, other_manager=FORBIDDEN, manager=FORBIDDEN,
    admin=OK,
)  # fmt: skip
API_ONLY_OTHER_MANAGER = outcomes(
    anonymous=UNAUTHENTICATED, member=FORBIDDEN, other_manager=OK, manager=FORBIDDEN, admin=OK
)
PAGE_ONLY_OTHER_MANAGER = outcomes(
    anonymous=TO_LOGIN, member=FORBIDDEN, other_manager=OK, manager=FORBIDDEN, admin=OK
)
PAGE_NOBODYS_MANAGER = outcomes(
    anonymous=TO_LOGIN, member=FORBIDDEN, other_manager=FORBIDDEN, manager=FORBIDDEN, admin=OK
)
API_ONLY_MANAGER = outcomes(
    anonymous=UNAUTHENTICATED, member=FORBIDDEN, other_manager=FORBIDDEN, manager=OK, admin=OK
)
PAGE_ONLY_MANAGER = outcomes(
    anonymous=TO_LOGIN, member=FORBIDDEN, other_manager=FORBIDDEN, manager=OK, admin=OK
)


@dataclass(frozen=True)
class Scenario:
    name: str
    change: Callable[[World], None]
    outcomes: dict[tuple[str, str], dict[str, str]]

    def cases(self) -> list[tuple[str, str, Case]]:
        return [
            (method, path, replace(EXPECTATIONS[(method, path)], outcomes=expected))
            for (method, path), expected in self.outcomes.items()
        ]


def _archive_tier_2(world: World) -> None:
    world.rotation.archived = True


def _archive_billing(world: World) -> None:
    world.other_rotation.archived = True


def _require_by(*rotations: Callable[[World], Rotation]) -> Callable[[World], None]:
    def change(world: World) -> None:
        session = object_session(world.card_set)
        assert session is not None
        for pick in rotations:
            make_requirement(session, rotation=pick(world), card_set=world.card_set)

    return change


def _tier_2(world: World) -> Rotation:
    return world.rotation


def _billing(world: World) -> Rotation:
    return world.other_rotation


def _both(*changes: Callable[[World], None]) -> Callable[[World], None]:
    def change(world: World) -> None:
        for step in changes:
            step(world)

    return change


CARD_SET_CHANGES = (
    ("PATCH", "/api/v1/card-sets/{card_set_id}"),
    ("POST", "/card-sets/{card_set_id}"),
    ("POST", "/card-sets/{card_set_id}/cards"),
    ("POST", "/card-sets/{card_set_id}/cards/{card_id}/move"),
    ("POST", "/card-sets/{card_set_id}/cards/{card_id}/remove"),
)


def _card_set_changes(api: dict[str, str], page: dict[str, str]) -> dict[tuple[str, str], Any]:
    return {key: api if key[1].startswith("/api/") else page for key in CARD_SET_CHANGES}


SCENARIOS = [
    Scenario(
        "the manager's rotation is archived",
        _archive_tier_2,
        {
            # Its former members are nobody's to look after now.
            ("GET", "/api/v1/people/{person_id}/time-off"): API_NOBODYS_MANAGER,
            ("POST", "/api/v1/people/{person_id}/time-off"): API_NOBODYS_MANAGER,
            ("DELETE", "/api/v1/time-off/{time_off_id}"): API_NOBODYS_MANAGER,
            ("GET", "/api/v1/people/{person_id}/checklist"): API_NOBODYS_MANAGER,
            ("GET", "/api/v1/people/{person_id}/acks"): API_NOBODYS_MANAGER,
            ("GET", "/people/{person_id}/checklist"): PAGE_NOBODYS_MANAGER,
            # The card registry and card sets are for people who manage a live rotation.
            ("POST", "/api/v1/cards"): API_ONLY_OTHER_MANAGER,
            ("PATCH", "/api/v1/cards/{card_id}"): API_ONLY_OTHER_MANAGER,
            ("DELETE", "/api/v1/cards/{card_id}"): API_ONLY_OTHER_MANAGER,
            ("GET", "/api/v1/card-sets"): API_ONLY_OTHER_MANAGER,
            ("POST", "/api/v1/card-sets"): API_ONLY_OTHER_MANAGER,
            ("GET", "/cards/new"): PAGE_ONLY_OTHER_MANAGER,
            ("POST", "/cards/{card_id}/edit"): PAGE_ONLY_OTHER_MANAGER,
            ("GET", "/card-sets"): PAGE_ONLY_OTHER_MANAGER,
            ("GET", "/readiness"): PAGE_ONLY_OTHER_MANAGER,
            ("GET", "/api/v1/readiness"): API_ONLY_OTHER_MANAGER,
            **_card_set_changes(API_ONLY_OTHER_MANAGER, PAGE_ONLY_OTHER_MANAGER),
            # Admins reach the rotation itself, which refuses changes once archived.
            ("PUT", "/api/v1/rotations/{slug}/members"): {**API_NOBODYS_MANAGER, "admin": "409"},
            ("POST", "/api/v1/swaps/{swap_id}/approve"): API_NOBODYS_MANAGER,
        },
    ),
    Scenario(
        "the card set is required by the other manager's rotation only",
        _require_by(_billing),
        _card_set_changes(API_ONLY_OTHER_MANAGER, PAGE_ONLY_OTHER_MANAGER),
    ),
    Scenario(
        "the card set is required by the manager's rotation only",
        _require_by(_tier_2),
        _card_set_changes(API_ONLY_MANAGER, PAGE_ONLY_MANAGER),
    ),
    Scenario(
        "the card set is required by both managers' rotations",
        _require_by(_tier_2, _billing),
        _card_set_changes(API_NOBODYS_MANAGER, PAGE_NOBODYS_MANAGER),
    ),
    Scenario(
        "the rotation that required the card set is archived",
        # Nothing live requires it, so any manager of a live rotation may change it: here
        # only the manager, since the other manager's one rotation is the archived one.
        _both(_require_by(_billing), _archive_billing),
        _card_set_changes(API_ONLY_MANAGER, PAGE_ONLY_MANAGER),
    ),
]
