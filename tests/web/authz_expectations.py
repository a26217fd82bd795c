"""Who may call what: one entry per served route, one outcome per role.

A route the app serves without an entry here fails ``test_every_route_has_an_entry``; add
its entry (and the path parameters and body that make the request reach the permission
check) in the same change that adds the route.
"""

from __future__ import annotations

from tests.web.authz import (
    FORBIDDEN,
    LOGGED_OUT,
    MEMBER,
    OK,
    PASSWORD,
    TO_LOGIN,
    UNAUTHENTICATED,
    Case,
    World,
    outcomes,
)

# The common shapes.
PUBLIC = outcomes(anonymous=OK, member=OK, other_manager=OK, manager=OK, admin=OK)
API_ANYONE = outcomes(anonymous=UNAUTHENTICATED, member=OK, other_manager=OK, manager=OK, admin=OK)
API_ADMIN = outcomes(
    anonymous=UNAUTHENTICATED,
    member=FORBIDDEN,
    other_manager=FORBIDDEN,
    manager=FORBIDDEN,
    admin=OK,
)
# Admins and anyone managing some rotation look after the card registry.
API_CARD_EDITOR = outcomes(
    anonymous=UNAUTHENTICATED, member=FORBIDDEN, other_manager=OK, manager=OK, admin=OK
)
# Signed by Guru with a shared secret; a caller's own credentials count for nothing.
SIGNED_WEBHOOK = outcomes(
    anonymous=UNAUTHENTICATED,
    member=UNAUTHENTICATED,
    other_manager=UNAUTHENTICATED,
    manager=UNAUTHENTICATED,
    admin=UNAUTHENTICATED,
)
PAGE_ANYONE = outcomes(anonymous=TO_LOGIN, member=OK, other_manager=OK, manager=OK, admin=OK)
PAGE_ADMIN = outcomes(
    anonymous=TO_LOGIN, member=FORBIDDEN, other_manager=FORBIDDEN, manager=FORBIDDEN, admin=OK
)


def other_member(world: World) -> dict[str, object]:
    return {"person_id": world.other_member.id}


def new_person(_world: World) -> dict[str, object]:
    return {"email": "new.person@example.com", "name": "New Person"}


def card(world: World) -> dict[str, object]:
    return {"card_id": world.card.id}


def cards_csv(_world: World) -> str:
    return "title,url,source,external_id,collection,verify_every_days\nNew,https://kb.example.com/new,link,,,90\n"


def people_csv(_world: World) -> str:
    return "email,name,timezone,team\nnew.person@example.com,New Person,UTC,\n"


EXPECTATIONS: dict[tuple[str, str], Case] = {
    # --- operations -----------------------------------------------------------------
    ("GET", "/healthz"): Case(PUBLIC),
    ("GET", "/readyz"): Case(PUBLIC),
    # Scraped by Prometheus inside the network; labels are route templates, never secrets.
    ("GET", "/metrics"): Case(PUBLIC),
    ("GET", "/api/v1/audit"): Case(API_ADMIN),
    # --- people API -----------------------------------------------------------------
    ("GET", "/api/v1/me"): Case(API_ANYONE),
    ("GET", "/api/v1/people"): Case(API_ANYONE),
    ("POST", "/api/v1/people"): Case(API_ADMIN, json=new_person),
    ("GET", "/api/v1/people/{person_id}"): Case(API_ANYONE, params=other_member),
    ("PATCH", "/api/v1/people/{person_id}"): Case(
        API_ADMIN,
        params=other_member,
        json=lambda _w: {"name": "Renamed"},
        note="IDOR: only admins edit someone else, managers of their rotation included",
    ),
    ("POST", "/api/v1/people/{person_id}/deactivate"): Case(API_ADMIN, params=other_member),
    ("POST", "/api/v1/people/import"): Case(API_ADMIN, csv=people_csv),
    # --- knowledge cards ---------------------------------------------------------------
    ("GET", "/api/v1/cards"): Case(API_ANYONE),
    ("POST", "/api/v1/cards"): Case(
        API_CARD_EDITOR,
        json=lambda _w: {"title": "Escalations", "url": "https://kb.example.com/escalations"},
    ),
    ("POST", "/api/v1/cards/import"): Case(API_ADMIN, csv=cards_csv),
    ("POST", "/api/v1/cards/webhooks/guru"): Case(SIGNED_WEBHOOK, json=lambda _w: []),
    ("GET", "/api/v1/cards/{card_id}"): Case(API_ANYONE, params=card),
    ("GET", "/api/v1/cards/{card_id}/revisions"): Case(API_ANYONE, params=card),
    ("PATCH", "/api/v1/cards/{card_id}"): Case(
        API_CARD_EDITOR, params=card, json=lambda _w: {"title": "Refunds", "change": "minor"}
    ),
    ("DELETE", "/api/v1/cards/{card_id}"): Case(API_CARD_EDITOR, params=card),
    ("POST", "/api/v1/cards/{card_id}/restore"): Case(API_CARD_EDITOR, params=card),
    ("POST", "/api/v1/cards/{card_id}/verify"): Case(
        API_CARD_EDITOR,
        params=card,
        note="a member who is not the card's verifier may not vouch for it",
    ),
    # --- login, logout, home ----------------------------------------------------------
    ("GET", "/login"): Case(PUBLIC),
    ("POST", "/login"): Case(
        PUBLIC,
        form=lambda w: {"email": w.person(MEMBER).email, "password": PASSWORD},
        note="anyone may log in with valid credentials, whoever they were before",
    ),
    ("POST", "/logout"): Case(
        outcomes(
            anonymous=TO_LOGIN,
            member=LOGGED_OUT,
            other_manager=LOGGED_OUT,
            manager=LOGGED_OUT,
            admin=LOGGED_OUT,
        )
    ),
    ("GET", "/"): Case(PAGE_ANYONE),
    # --- admin pages ------------------------------------------------------------------
    ("GET", "/people"): Case(PAGE_ADMIN),
    ("POST", "/people"): Case(PAGE_ADMIN, form=new_person),
    ("POST", "/people/{person_id}/deactivate"): Case(PAGE_ADMIN, params=other_member),
    ("POST", "/people/import"): Case(PAGE_ADMIN, form=lambda w: {"csv_text": people_csv(w)}),
    ("GET", "/audit"): Case(PAGE_ADMIN),
}
