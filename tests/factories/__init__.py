"""Small typed factories for test data: keyword-only functions, one module per domain.

Import them from here (``from tests.factories import make_person, make_rotation``).
"""

from tests.factories.kb_links import GURU_EXPORT, make_card
from tests.factories.onboarding import make_ack, make_card_set, make_requirement
from tests.factories.people import auth, headers_for, make_people, make_person, make_token
from tests.factories.rotation import (
    MONDAY,
    cancel,
    handoff,
    make_manager,
    make_rotation,
    make_scheduled_rotation,
    make_shift,
    make_shifts,
    reassign,
)

__all__ = [
    "GURU_EXPORT",
    "MONDAY",
    "auth",
    "cancel",
    "handoff",
    "headers_for",
    "make_ack",
    "make_card",
    "make_card_set",
    "make_manager",
    "make_people",
    "make_person",
    "make_requirement",
    "make_rotation",
    "make_scheduled_rotation",
    "make_shift",
    "make_shifts",
    "make_token",
    "reassign",
]
