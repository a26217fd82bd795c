"""Who may call what: one entry per served route, one outcome per role.

A route the app serves without an entry here fails ``test_every_route_has_an_entry``; add
its entry (and the path parameters and body that make the request reach the permission
check) in the same change that adds the route.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import object_session

from core import feed_tokens
from core.models import ApiToken, ImportJob
from kb_links.models import CardFlag
from onboarding.webhooks.models import WebhookEndpoint
from rotation.models import Schedule, ScheduleImport, ScheduleLayer
from tests.web.authz import (
    FORBIDDEN,
    LOGGED_OUT,
    MANAGER,
    MEMBER,
    NOT_FOUND,
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
SCRAPER_ONLY = outcomes(
    anonymous=NOT_FOUND,
    member=NOT_FOUND,
    other_manager=NOT_FOUND,
    manager=NOT_FOUND,
    admin=NOT_FOUND,
)
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
# Managers of *this* rotation (the world's "tier-2") and admins; another rotation's manager
# is refused like anyone else: the IDOR cases of editing a rotation one does not manage.
API_ROTATION_MANAGER = outcomes(
    anonymous=UNAUTHENTICATED, member=FORBIDDEN, other_manager=FORBIDDEN, manager=OK, admin=OK
)
# Something about the other member (their checklist, acks, time off): they, managers of a
# rotation they are in, and admins; a fellow member reading or writing it is refused.
API_ABOUT_OTHER_MEMBER = API_ROTATION_MANAGER
# Only the member may do it: it is their shift or their swap; admins are no exception.
API_MEMBER_ONLY = outcomes(
    anonymous=UNAUTHENTICATED,
    member=OK,
    other_manager=FORBIDDEN,
    manager=FORBIDDEN,
    admin=FORBIDDEN,
)
# The holder of a shift, the rotation's managers and admins.
API_HOLDER = outcomes(
    anonymous=UNAUTHENTICATED, member=OK, other_manager=FORBIDDEN, manager=OK, admin=OK
)
# The holder of a shift, the rotation's managers and admins.
API_HOLDER = outcomes(
    anonymous=UNAUTHENTICATED, member=OK, other_manager=FORBIDDEN, manager=OK, admin=OK
)
# Anyone who manages some rotation (here: both managers) and admins.
API_ANY_MANAGER = API_CARD_EDITOR
PAGE_CARD_EDITOR = outcomes(
    anonymous=TO_LOGIN, member=FORBIDDEN, other_manager=OK, manager=OK, admin=OK
)
PAGE_ANYONE = outcomes(anonymous=TO_LOGIN, member=OK, other_manager=OK, manager=OK, admin=OK)
PAGE_ADMIN = outcomes(
    anonymous=TO_LOGIN, member=FORBIDDEN, other_manager=FORBIDDEN, manager=FORBIDDEN, admin=OK
)
# The page twins of the API shapes above.
PAGE_ANY_MANAGER = PAGE_CARD_EDITOR
PAGE_ROTATION_MANAGER = outcomes(
    anonymous=TO_LOGIN, member=FORBIDDEN, other_manager=FORBIDDEN, manager=OK, admin=OK
)
PAGE_ABOUT_OTHER_MEMBER = PAGE_ROTATION_MANAGER
PAGE_HOLDER = outcomes(anonymous=TO_LOGIN, member=OK, other_manager=FORBIDDEN, manager=OK, admin=OK)
PAGE_MEMBER_ONLY = outcomes(
    anonymous=TO_LOGIN, member=OK, other_manager=FORBIDDEN, manager=FORBIDDEN, admin=FORBIDDEN
)


LINK_REFUSED = outcomes(
    anonymous="400", member="400", other_manager="400", manager="400", admin="400"
)


NOT_SET_UP = outcomes(
    anonymous="404", member="404", other_manager="404", manager="404", admin="404"
)
SCIM_TOKEN_ONLY = outcomes(
    anonymous=UNAUTHENTICATED,
    member=UNAUTHENTICATED,
    other_manager=UNAUTHENTICATED,
    manager=UNAUTHENTICATED,
    admin=UNAUTHENTICATED,
)


def scim_users(world: World) -> dict[str, object]:
    return {"endpoint": "Users", "resource_id": world.other_member.id}


def forged_link(_world: World) -> dict[str, object]:
    return {"token": "eyJsIjoxLCJzIjoiZm9yZ2VkIn0.bm90LWEtc2lnbmF0dXJl"}


def new_password(_world: World) -> dict[str, object]:
    return {"password": "tidy walrus orbits marmalade", "confirm": "tidy walrus orbits marmalade"}


def other_member(world: World) -> dict[str, object]:
    return {"person_id": world.other_member.id}


def new_person(_world: World) -> dict[str, object]:
    return {"email": "new.person@example.com", "name": "New Person"}


def member_feed(world: World) -> dict[str, object]:
    token = feed_tokens.token_for(secret_key=world.secret_key, person=world.person(MEMBER))
    return {"token": token, "slug": world.rotation.slug}


def rotation(world: World) -> dict[str, object]:
    return {"slug": world.rotation.slug}


def rotation_query(world: World) -> dict[str, object]:
    return {"rotation": world.rotation.slug}


def schedule(world: World) -> dict[str, object]:
    """A schedule layered over the world's two rotations, made on first use (no audit)."""
    if "schedule" not in world.extra:
        session = object_session(world.rotation)
        assert session is not None
        made = Schedule(
            slug="escalation",
            name="Escalation",
            created_at=world.rotation.created_at,
            updated_at=world.rotation.created_at,
        )
        session.add(made)
        session.flush()
        session.add_all(
            ScheduleLayer(schedule_id=made.id, position=position, rotation_id=layer.id)
            for position, layer in enumerate([world.rotation, world.other_rotation])
        )
        session.flush()
        world.extra["schedule"] = made
    return {"slug": world.extra["schedule"].slug}


IMPORT_CSV = (
    "start,end,email\n"
    "2026-11-23T09:00:00+01:00,2026-11-30T09:00:00+01:00,imported.one@example.com\n"
    "2026-11-30T09:00:00+01:00,2026-12-07T09:00:00+01:00,imported.two@example.com\n"
)


def import_job(world: World) -> dict[str, object]:
    """A finished people import job, made on first use."""
    if "import_job" not in world.extra:
        session = object_session(world.rotation)
        assert session is not None
        made = ImportJob(
            kind="people", status="done", total=1, done=1, created=1, updated=0, errors=[],
            owner="elsewhere:1", started_at=world.rotation.created_at,
        )  # fmt: skip
        session.add(made)
        session.flush()
        world.extra["import_job"] = made
    return {"job_id": world.extra["import_job"].id}


def schedule_import(world: World) -> dict[str, object]:
    """A stored import preview, made on first use."""
    if "schedule_import" not in world.extra:
        session = object_session(world.rotation)
        assert session is not None
        made = ScheduleImport(
            kind="csv",
            filename="rota.csv",
            content=IMPORT_CSV,
            people_map={},
            report={"name": "rota.csv", "status": "dry-run", "rotations": []},
            created_at=world.rotation.created_at,
        )
        session.add(made)
        session.flush()
        world.extra["schedule_import"] = made
    return {"import_id": world.extra["schedule_import"].id}


def schedule_feed(world: World) -> dict[str, object]:
    return {**member_feed(world), **schedule(world)}


def member_token(world: World) -> dict[str, object]:
    """The member's own API token (the one their requests carry) and the member."""
    session = object_session(world.rotation)
    assert session is not None
    member = world.person(MEMBER)
    token_id = session.scalars(select(ApiToken.id).where(ApiToken.person_id == member.id)).one()
    return {"token_id": token_id, "person_id": member.id}


def member_shift(world: World) -> dict[str, object]:
    return {"shift_id": world.shift.id}


def card_form(_world: World) -> dict[str, object]:
    return {"title": "Escalations", "url": "https://kb.example.com/escalations"}


def card_edit_form(world: World) -> dict[str, object]:
    return {
        "title": "Refunds",
        "url": world.card.url,
        "source": "link",
        "verify_every_days": "90",
        "change": "minor",
        "version": str(world.card.version),
    }


def card_set(world: World) -> dict[str, object]:
    return {"card_set_id": world.card_set.id}


def card_in_set(world: World) -> dict[str, object]:
    return {"card_set_id": world.card_set.id, "card_id": world.card.id}


def rotation_form(_world: World) -> dict[str, object]:
    return {
        "name": "Night desk",
        "timezone": "Europe/Amsterdam",
        "start_date": "2026-11-30",
        "handoff_time": "09:00",
        "shift_days": "7",
        "people_per_shift": "1",
        "horizon_days": "56",
    }


def settings_form(world: World) -> dict[str, object]:
    return {
        "name": world.rotation.name,
        "slug": world.rotation.slug,
        "description": "Tier-2 tickets, weekly",
        "timezone": world.rotation.timezone,
        "start_date": world.rotation.start_date.isoformat(),
        "handoff_time": "09:00",
        "shift_days": str(world.rotation.shift_days),
        "people_per_shift": str(world.rotation.people_per_shift),
        "horizon_days": str(world.rotation.horizon_days),
        "swap_requires_approval": "true",
        "managers": world.person(MANAGER).email,
        "version": str(world.rotation.version),
        "action": "save",
    }


def webhook(world: World) -> dict[str, object]:
    """A webhook endpoint, made on first use (no audit)."""
    if "webhook" not in world.extra:
        session = object_session(world.rotation)
        assert session is not None
        made = WebhookEndpoint(
            url="https://hooks.example.com/allhands",
            description="",
            events=["shift.started"],
            secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            enabled=True,
            consecutive_failures=0,
            created_at=world.rotation.created_at,
        )
        session.add(made)
        session.flush()
        world.extra["webhook"] = made.id
    return {"webhook_id": world.extra["webhook"]}


def card(world: World) -> dict[str, object]:
    return {"card_id": world.card.id}


def card_flag(world: World) -> dict[str, object]:
    """An open flag on the world's card, made on first use."""
    if "card_flag" not in world.extra:
        session = object_session(world.rotation)
        assert session is not None
        made = CardFlag(
            card_id=world.card.id, comment="Out of date", created_at=world.card.created_at
        )
        session.add(made)
        session.flush()
        world.extra["card_flag"] = made
    return {"card_id": world.card.id, "flag_id": world.extra["card_flag"].id}


def cards_csv(_world: World) -> str:
    return "title,url,source,external_id,collection,verify_every_days\nNew,https://kb.example.com/new,link,,,90\n"


def people_csv(_world: World) -> str:
    return "email,name,timezone,team\nnew.person@example.com,New Person,UTC,\n"


EXPECTATIONS: dict[tuple[str, str], Case] = {
    # --- operations -----------------------------------------------------------------
    ("GET", "/healthz"): Case(PUBLIC),
    ("GET", "/readyz"): Case(PUBLIC),
    # For the scraper only (loopback, or ALLHANDS_METRICS_TOKEN), not for any login: the
    # test client is neither, so every role gets the 404 of a path that does not exist.
    ("GET", "/metrics"): Case(SCRAPER_ONLY),
    ("GET", "/api/v1/audit"): Case(API_ADMIN),
    # Hours of one rotation: its managers and admins (another rotation's manager is refused).
    ("GET", "/api/v1/reports/hours"): Case(API_ROTATION_MANAGER, query=rotation_query),
    # --- people API -----------------------------------------------------------------
    ("GET", "/api/v1/me"): Case(API_ANYONE),
    ("GET", "/api/v1/people"): Case(API_ANYONE),
    # --- API tokens: one's own, or anyone's for an admin -----------------------------
    ("GET", "/api/v1/me/tokens"): Case(API_ANYONE),
    ("POST", "/api/v1/me/tokens"): Case(API_ANYONE, json=lambda _w: {"name": "ci"}),
    ("DELETE", "/api/v1/me/tokens/{token_id}"): Case(
        outcomes(
            anonymous=UNAUTHENTICATED,
            member=OK,
            other_manager=NOT_FOUND,
            manager=NOT_FOUND,
            admin=NOT_FOUND,
        ),
        params=member_token,
        note="IDOR: only one's own tokens; another's id is 'no such token'",
    ),
    ("GET", "/api/v1/people/{person_id}/tokens"): Case(API_ADMIN, params=member_token),
    ("POST", "/api/v1/people/{person_id}/tokens"): Case(
        API_ADMIN, params=member_token, json=lambda _w: {"name": "service"}
    ),
    ("DELETE", "/api/v1/people/{person_id}/tokens/{token_id}"): Case(
        API_ADMIN, params=member_token
    ),
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
    ("GET", "/api/v1/cards/{card_id}/flags"): Case(API_ANYONE, params=card),
    ("POST", "/api/v1/cards/{card_id}/flags"): Case(
        API_ANYONE, params=card, json=lambda _w: {"comment": "The refund limit is wrong"}
    ),
    ("POST", "/api/v1/cards/{card_id}/flags/{flag_id}/resolve"): Case(
        API_CARD_EDITOR,
        params=card_flag,
        json=lambda _w: {"change": "none"},
        note="a member who is not the card's verifier may not close someone's flag",
    ),
    ("POST", "/api/v1/cards/{card_id}/verify"): Case(
        API_CARD_EDITOR,
        params=card,
        note="a member who is not the card's verifier may not vouch for it",
    ),
    # --- rotations and shifts -----------------------------------------------------------
    ("GET", "/api/v1/rotations"): Case(API_ANYONE),
    ("POST", "/api/v1/rotations"): Case(
        API_ADMIN,
        json=lambda _w: {
            "name": "Night desk",
            "timezone": "Europe/Amsterdam",
            "start_date": "2026-11-30",
        },
    ),
    ("GET", "/api/v1/rotations/{slug}"): Case(API_ANYONE, params=rotation),
    ("PATCH", "/api/v1/rotations/{slug}"): Case(
        API_ROTATION_MANAGER,
        params=rotation,
        json=lambda _w: {"description": "Tier-2 tickets, weekly"},
        note="IDOR: editing a rotation one does not manage",
    ),
    ("DELETE", "/api/v1/rotations/{slug}"): Case(API_ADMIN, params=rotation),
    ("GET", "/api/v1/rotations/{slug}/members"): Case(API_ANYONE, params=rotation),
    ("PUT", "/api/v1/rotations/{slug}/members"): Case(
        API_ROTATION_MANAGER,
        params=rotation,
        json=lambda w: {"person_ids": [w.person(MEMBER).id, w.other_member.id]},
    ),
    ("GET", "/api/v1/rotations/{slug}/members/{person_id}"): Case(
        API_ANYONE, params=lambda w: {"slug": w.rotation.slug, "person_id": w.other_member.id}
    ),
    ("PATCH", "/api/v1/rotations/{slug}/members/{person_id}"): Case(
        API_ROTATION_MANAGER,
        params=lambda w: {"slug": w.rotation.slug, "person_id": w.other_member.id},
        json=lambda _w: {"graduation_held": False},
        note="IDOR: moving a member of a rotation one does not manage",
    ),
    ("GET", "/api/v1/rotations/{slug}/shifts"): Case(API_ANYONE, params=rotation),
    ("GET", "/api/v1/rotations/{slug}/on-call"): Case(API_ANYONE, params=rotation),
    ("POST", "/api/v1/rotations/{slug}/rebalance"): Case(
        API_ROTATION_MANAGER, params=rotation, json=lambda _w: {"from": "2026-12-07"}
    ),
    ("GET", "/api/v1/shifts/{shift_id}"): Case(API_ANYONE, params=member_shift),
    # About the member's own shift (why them, who could take it over).
    ("GET", "/api/v1/shifts/{shift_id}/candidates"): Case(API_HOLDER, params=member_shift),
    ("GET", "/api/v1/shifts/{shift_id}/why"): Case(API_HOLDER, params=member_shift),
    ("POST", "/api/v1/shifts/{shift_id}/override"): Case(
        API_ROTATION_MANAGER,
        params=member_shift,
        json=lambda w: {"person_id": w.other_member.id},
    ),
    # --- schedules and company days off ------------------------------------------------
    ("GET", "/api/v1/schedules"): Case(API_ANYONE),
    ("POST", "/api/v1/schedules"): Case(
        outcomes(
            anonymous=UNAUTHENTICATED,
            member=FORBIDDEN,
            other_manager=FORBIDDEN,
            manager=OK,
            admin=OK,
        ),
        json=lambda _w: {"name": "Tier 2 first", "layers": ["tier-2"]},
        note="managers of a rotation in its layers (or admins) make a schedule",
    ),
    ("GET", "/api/v1/schedules/{slug}"): Case(API_ANYONE, params=schedule),
    ("PATCH", "/api/v1/schedules/{slug}"): Case(
        outcomes(
            anonymous=UNAUTHENTICATED, member=FORBIDDEN, other_manager=OK, manager=OK, admin=OK
        ),
        params=schedule,
        json=lambda _w: {"description": "Tier 2, then billing"},
        note="a manager of any of its layers' rotations edits it",
    ),
    ("GET", "/api/v1/schedules/{slug}/on-call"): Case(API_ANYONE, params=schedule),
    ("GET", "/api/v1/schedules/{slug}/final"): Case(API_ANYONE, params=schedule),
    # --- schedule imports -----------------------------------------------------------
    ("POST", "/api/v1/imports/schedule"): Case(
        API_ADMIN, json=lambda _w: {"source": "csv", "content": IMPORT_CSV}
    ),
    ("GET", "/api/v1/imports/schedule/{import_id}"): Case(API_ADMIN, params=schedule_import),
    ("POST", "/api/v1/imports/schedule/{import_id}/apply"): Case(API_ADMIN, params=schedule_import),
    ("GET", "/api/v1/imports/jobs/{job_id}"): Case(API_ADMIN, params=import_job),
    ("GET", "/api/v1/company-days-off"): Case(API_ADMIN),
    ("PUT", "/api/v1/company-days-off"): Case(
        API_ADMIN, json=lambda _w: {"days": [{"day": "2026-12-24", "name": "Company day"}]}
    ),
    # --- time off -----------------------------------------------------------------------
    ("GET", "/api/v1/people/{person_id}/time-off"): Case(
        API_ABOUT_OTHER_MEMBER, params=other_member
    ),
    ("POST", "/api/v1/people/{person_id}/time-off"): Case(
        API_ABOUT_OTHER_MEMBER,
        params=other_member,
        json=lambda _w: {"start": "2027-03-01", "end": "2027-03-02"},
        note="IDOR: a member booking time off for someone else",
    ),
    ("DELETE", "/api/v1/time-off/{time_off_id}"): Case(
        API_ABOUT_OTHER_MEMBER, params=lambda w: {"time_off_id": w.time_off.id}
    ),
    # --- swaps ------------------------------------------------------------------------------
    ("GET", "/api/v1/swaps"): Case(API_ANYONE),
    ("POST", "/api/v1/swaps"): Case(
        API_MEMBER_ONLY,
        json=lambda w: {"shift_id": w.shift.id, "counterpart_person_id": w.other_member.id},
        note="IDOR: offering someone else's shift",
    ),
    ("GET", "/api/v1/swaps/{swap_id}"): Case(
        outcomes(
            anonymous=UNAUTHENTICATED, member=OK, other_manager=FORBIDDEN, manager=OK, admin=OK
        ),
        params=lambda w: {"swap_id": w.swap_to_member.id},
    ),
    ("POST", "/api/v1/swaps/{swap_id}/accept"): Case(
        API_MEMBER_ONLY,
        params=lambda w: {"swap_id": w.swap_to_member.id},
        note="IDOR: accepting a swap offered to someone else",
    ),
    ("POST", "/api/v1/swaps/{swap_id}/decline"): Case(
        API_MEMBER_ONLY, params=lambda w: {"swap_id": w.swap_to_member.id}
    ),
    ("POST", "/api/v1/swaps/{swap_id}/cancel"): Case(
        API_MEMBER_ONLY,
        params=lambda w: {"swap_id": w.swap_from_member.id},
        note="IDOR: cancelling someone else's request",
    ),
    ("POST", "/api/v1/swaps/{swap_id}/approve"): Case(
        API_ROTATION_MANAGER, params=lambda w: {"swap_id": w.accepted_swap.id}
    ),
    # --- onboarding ---------------------------------------------------------------------
    ("GET", "/api/v1/card-sets"): Case(API_ANY_MANAGER),
    ("POST", "/api/v1/card-sets"): Case(
        API_ANY_MANAGER, json=lambda w: {"name": "Escalation basics", "card_ids": [w.card.id]}
    ),
    ("GET", "/api/v1/card-sets/{card_set_id}"): Case(
        API_ANY_MANAGER, params=lambda w: {"card_set_id": w.card_set.id}
    ),
    ("PATCH", "/api/v1/card-sets/{card_set_id}"): Case(
        API_ANY_MANAGER,
        params=lambda w: {"card_set_id": w.card_set.id},
        json=lambda w: {"card_ids": [w.card.id]},
    ),
    ("GET", "/api/v1/rotations/{slug}/requirements"): Case(API_ANYONE, params=rotation),
    ("PUT", "/api/v1/rotations/{slug}/requirements"): Case(
        API_ROTATION_MANAGER,
        params=rotation,
        json=lambda w: {"requirements": [{"card_set_id": w.card_set.id}]},
    ),
    ("GET", "/api/v1/me/checklist"): Case(API_ANYONE),
    ("GET", "/api/v1/people/{person_id}/checklist"): Case(
        API_ABOUT_OTHER_MEMBER,
        params=other_member,
        note="IDOR: a member reading another's checklist",
    ),
    ("POST", "/api/v1/acks"): Case(API_ANYONE, json=lambda w: {"card_id": w.card.id}),
    ("GET", "/api/v1/people/{person_id}/acks"): Case(API_ABOUT_OTHER_MEMBER, params=other_member),
    ("GET", "/api/v1/readiness"): Case(
        outcomes(
            anonymous=UNAUTHENTICATED, member=FORBIDDEN, other_manager=OK, manager=OK, admin=OK
        )
    ),
    # --- card pages -------------------------------------------------------------------------
    ("GET", "/cards"): Case(PAGE_ANYONE),
    ("GET", "/cards/new"): Case(PAGE_CARD_EDITOR),
    ("POST", "/cards"): Case(PAGE_CARD_EDITOR, form=card_form),
    ("POST", "/cards/import"): Case(PAGE_ADMIN, form=lambda w: {"text": cards_csv(w)}),
    ("GET", "/cards/{card_id}/edit"): Case(PAGE_CARD_EDITOR, params=card),
    ("POST", "/cards/{card_id}/edit"): Case(PAGE_CARD_EDITOR, params=card, form=card_edit_form),
    ("POST", "/cards/{card_id}/archive"): Case(PAGE_CARD_EDITOR, params=card),
    ("POST", "/cards/{card_id}/restore"): Case(PAGE_CARD_EDITOR, params=card),
    ("POST", "/cards/{card_id}/flags"): Case(
        PAGE_ANYONE, params=card, form=lambda _w: {"comment": "The refund limit is wrong"}
    ),
    ("POST", "/cards/{card_id}/flags/{flag_id}/resolve"): Case(
        PAGE_CARD_EDITOR, params=card_flag, form=lambda _w: {"change": "none"}
    ),
    ("POST", "/cards/{card_id}/verify"): Case(
        PAGE_CARD_EDITOR,
        params=card,
        note="a member who is not the card's verifier may not vouch for it",
    ),
    # --- calendar feeds --------------------------------------------------------------------
    ("GET", "/api/v1/me/calendar"): Case(API_ANYONE),
    ("POST", "/api/v1/me/calendar/rotate"): Case(
        API_ANYONE, note="always the caller's own token; see test_idor for someone else's"
    ),
    # The URL is the credential: whoever holds it reads the feed, logged in or not.
    ("GET", "/feeds/{token}.ics"): Case(PUBLIC, params=member_feed),
    ("GET", "/feeds/{token}/rotations/{slug}.ics"): Case(PUBLIC, params=member_feed),
    ("GET", "/feeds/{token}/mine/{slug}.ics"): Case(PUBLIC, params=member_feed),
    ("GET", "/feeds/{token}/schedules/{slug}.ics"): Case(PUBLIC, params=schedule_feed),
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
    # The footer's language switch only sets a cookie; anyone may.
    ("POST", "/language"): Case(PUBLIC, form=lambda w: {"locale": "nl", "next": "/"}),
    # --- admin pages ------------------------------------------------------------------
    ("GET", "/people"): Case(PAGE_ADMIN),
    ("GET", "/imports/schedule"): Case(PAGE_ADMIN),
    ("POST", "/imports/schedule"): Case(
        PAGE_ADMIN, form=lambda _w: {"source": "csv", "content": IMPORT_CSV}
    ),
    ("GET", "/imports/schedule/{import_id}"): Case(PAGE_ADMIN, params=schedule_import),
    ("POST", "/imports/schedule/{import_id}/apply"): Case(PAGE_ADMIN, params=schedule_import),
    ("POST", "/people"): Case(PAGE_ADMIN, form=new_person),
    ("POST", "/people/{person_id}/deactivate"): Case(PAGE_ADMIN, params=other_member),
    ("POST", "/people/{person_id}/edit"): Case(
        PAGE_ADMIN, params=other_member, form=lambda _w: {"team": "Support", "timezone": "UTC"}
    ),
    ("POST", "/people/import"): Case(PAGE_ADMIN, form=lambda w: {"csv_text": people_csv(w)}),
    ("GET", "/audit"): Case(PAGE_ADMIN),
    ("GET", "/reports/hours"): Case(PAGE_ROTATION_MANAGER, query=rotation_query),
    ("POST", "/me/calendar/reset"): Case(
        PAGE_ANYONE, note="always the viewer's own link: the form names nobody"
    ),
    # --- home page swap answers -------------------------------------------------------
    ("POST", "/swaps/{swap_id}/accept"): Case(
        PAGE_MEMBER_ONLY,
        params=lambda w: {"swap_id": w.swap_to_member.id},
        note="IDOR: accepting a swap offered to someone else; admins are no exception",
    ),
    ("POST", "/swaps/{swap_id}/decline"): Case(
        PAGE_MEMBER_ONLY,
        params=lambda w: {"swap_id": w.swap_to_member.id},
        note="IDOR: declining a swap offered to someone else",
    ),
    ("POST", "/swaps/{swap_id}/cancel"): Case(
        PAGE_MEMBER_ONLY,
        params=lambda w: {"swap_id": w.swap_from_member.id},
        note="IDOR: withdrawing someone else's request",
    ),
    # --- rotation pages ---------------------------------------------------------------
    ("GET", "/rotations"): Case(PAGE_ANYONE),
    # Managers create rotations too (and manage the ones they create).
    ("POST", "/rotations"): Case(PAGE_ANY_MANAGER, form=rotation_form),
    ("GET", "/rotations/{slug}"): Case(PAGE_ANYONE, params=rotation),
    ("GET", "/shifts/{shift_id}/cover"): Case(PAGE_HOLDER, params=member_shift),
    ("POST", "/rotations/{slug}/swaps"): Case(
        PAGE_MEMBER_ONLY,
        params=rotation,
        form=lambda w: {
            "kind": "trade",
            "shift_id": str(w.shift.id),
            "counterpart_shift_id": str(w.other_shift.id),
        },
        note="IDOR: offering someone else's shift; admins and managers are no exception",
    ),
    ("POST", "/rotations/{slug}/swaps/{swap_id}/{answer}"): Case(
        PAGE_MEMBER_ONLY,
        params=lambda w: {
            "slug": w.rotation.slug,
            "swap_id": w.swap_to_member.id,
            "answer": "accept",
        },
        note="IDOR: accepting a swap offered to someone else",
    ),
    ("GET", "/rotations/{slug}/manage"): Case(
        PAGE_ROTATION_MANAGER, params=rotation, note="IDOR: managing a rotation one does not manage"
    ),
    ("POST", "/rotations/{slug}/manage/settings"): Case(
        PAGE_ROTATION_MANAGER,
        params=rotation,
        form=settings_form,
        note="IDOR: editing a rotation one does not manage",
    ),
    ("POST", "/rotations/{slug}/manage/members"): Case(
        PAGE_ROTATION_MANAGER,
        params=rotation,
        form=lambda w: {"action": "up", "person_id": str(w.other_member.id)},
    ),
    ("POST", "/rotations/{slug}/manage/stage"): Case(
        PAGE_ROTATION_MANAGER,
        params=rotation,
        form=lambda w: {"action": "release", "person_id": str(w.other_member.id)},
    ),
    ("POST", "/rotations/{slug}/manage/requirements"): Case(
        PAGE_ROTATION_MANAGER,
        params=rotation,
        form=lambda w: {"new_card_set_id": str(w.card_set.id)},
    ),
    ("POST", "/rotations/{slug}/manage/override"): Case(
        PAGE_ROTATION_MANAGER,
        params=rotation,
        form=lambda w: {"shift_id": str(w.shift.id), "person_id": str(w.other_member.id)},
    ),
    ("POST", "/rotations/{slug}/manage/rebalance"): Case(
        PAGE_ROTATION_MANAGER, params=rotation, form=lambda _w: {"from_date": "2026-12-07"}
    ),
    # --- schedule pages ---------------------------------------------------------------
    ("GET", "/schedules"): Case(PAGE_ANYONE),
    ("GET", "/schedules/{slug}"): Case(PAGE_ANYONE, params=schedule),
    # --- time off pages ---------------------------------------------------------------
    ("GET", "/time-off"): Case(
        PAGE_ABOUT_OTHER_MEMBER,
        query=lambda w: {"person": str(w.other_member.id)},
        note="IDOR: a member opening another's time off",
    ),
    ("POST", "/time-off"): Case(
        PAGE_ABOUT_OTHER_MEMBER,
        form=lambda w: {
            "person_id": str(w.other_member.id),
            "start": "2027-03-01",
            "end": "2027-03-02",
        },
        note="IDOR: a member booking time off for someone else",
    ),
    ("POST", "/time-off/{time_off_id}/delete"): Case(
        PAGE_ABOUT_OTHER_MEMBER,
        params=lambda w: {"time_off_id": w.time_off.id},
        note="IDOR: a member deleting someone else's time off",
    ),
    # --- onboarding pages -------------------------------------------------------------
    ("GET", "/me/checklist"): Case(PAGE_ANYONE),
    ("POST", "/me/checklist/ack"): Case(
        PAGE_ANYONE,
        form=lambda w: {"card_id": str(w.card.id), "version": str(w.card.version)},
        note="always the viewer's own acknowledgement: the form names nobody",
    ),
    ("GET", "/people/{person_id}/checklist"): Case(
        PAGE_ABOUT_OTHER_MEMBER,
        params=other_member,
        note="IDOR: a member reading another's checklist",
    ),
    ("GET", "/readiness"): Case(PAGE_ANY_MANAGER),
    ("GET", "/readiness.csv"): Case(
        PAGE_ROTATION_MANAGER,
        query=lambda w: {"rotation": w.rotation.slug},
        note="IDOR: the readiness of a rotation one does not manage",
    ),
    ("GET", "/card-sets"): Case(PAGE_ANY_MANAGER),
    ("POST", "/card-sets"): Case(
        PAGE_ANY_MANAGER, form=lambda _w: {"name": "Escalation basics", "description": ""}
    ),
    ("GET", "/card-sets/{card_set_id}"): Case(PAGE_ANY_MANAGER, params=card_set),
    ("POST", "/card-sets/{card_set_id}"): Case(
        PAGE_ANY_MANAGER,
        params=card_set,
        form=lambda _w: {"name": "Tier 2 basics", "description": "Read before a first shift"},
    ),
    ("POST", "/card-sets/{card_set_id}/cards"): Case(
        PAGE_ANY_MANAGER, params=card_set, form=lambda w: {"card_id": str(w.spare_card.id)}
    ),
    ("POST", "/card-sets/{card_set_id}/cards/{card_id}/move"): Case(
        PAGE_ANY_MANAGER, params=card_in_set, form=lambda _w: {"direction": "down"}
    ),
    ("POST", "/card-sets/{card_set_id}/cards/{card_id}/remove"): Case(
        PAGE_ANY_MANAGER, params=card_in_set
    ),
    # --- outbound webhooks: admins only ---------------------------------------------------
    ("GET", "/api/v1/webhooks"): Case(API_ADMIN),
    ("POST", "/api/v1/webhooks"): Case(
        API_ADMIN,
        json=lambda _w: {"url": "https://hooks.example.com/allhands", "events": ["shift.started"]},
    ),
    ("GET", "/api/v1/webhooks/{webhook_id}/deliveries"): Case(API_ADMIN, params=webhook),
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): Case(API_ADMIN, params=webhook),
    # --- the Slack app: Slack's request signature is the only credential -----------------
    ("POST", "/slack/commands"): Case(
        SIGNED_WEBHOOK,
        form=lambda _w: {"command": "/allhands", "text": "who"},
        note="signed by Slack with the app's signing secret; no session or token counts",
    ),
    ("POST", "/slack/interactions"): Case(
        SIGNED_WEBHOOK,
        form=lambda _w: {"payload": '{"type": "block_actions"}'},
        note="signed by Slack with the app's signing secret; no session or token counts",
    ),
    # --- sign-in: invitations and password resets ---------------------------------------
    ("POST", "/api/v1/people/{person_id}/invite"): Case(API_ADMIN, params=other_member),
    ("POST", "/people/{person_id}/invite"): Case(PAGE_ADMIN, params=other_member),
    # The link is the credential: whoever holds it may use it, logged in or not; a link that
    # is not one (here: a forged signature) is the same 400 for everyone.
    ("GET", "/invite/{token}"): Case(LINK_REFUSED, params=forged_link),
    ("POST", "/invite/{token}"): Case(LINK_REFUSED, params=forged_link, form=new_password),
    ("GET", "/reset/{token}"): Case(LINK_REFUSED, params=forged_link),
    ("POST", "/reset/{token}"): Case(LINK_REFUSED, params=forged_link, form=new_password),
    ("GET", "/forgot-password"): Case(PUBLIC),
    ("POST", "/forgot-password"): Case(
        PUBLIC, form=lambda w: {"email": w.other_member.email}, note="same answer for everyone"
    ),
    # --- SCIM: only a SCIM token counts; a session or an API token is no way in -----------
    **{
        (method, path): Case(SCIM_TOKEN_ONLY, params=scim_users)
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
        for path in ("/scim/v2/{endpoint}", "/scim/v2/{endpoint}/{resource_id}")
    },
    # --- sign-in through OpenID Connect: not set up in this world, so not found -------------
    ("GET", "/auth/oidc/login"): Case(NOT_SET_UP),
    ("GET", "/auth/oidc/callback"): Case(NOT_SET_UP),
    # --- the profile page: always the viewer's own --------------------------------------
    ("GET", "/me"): Case(PAGE_ANYONE),
    ("POST", "/me"): Case(
        PAGE_ANYONE,
        form=lambda _w: {"name": "Renamed", "timezone": "UTC", "notify_email": "true"},
        note="always the viewer's own profile: the form names nobody",
    ),
    ("POST", "/me/password"): Case(
        outcomes(anonymous=TO_LOGIN, member="422", other_manager="422", manager="422", admin="422"),
        form=lambda _w: {"current": "wrong", "new": "x", "confirm": "x"},
        note="the current password is checked before anything changes",
    ),
    ("POST", "/me/tokens"): Case(PAGE_ANYONE, form=lambda _w: {"name": "laptop"}),
    ("POST", "/me/tokens/{token_id}/revoke"): Case(
        PAGE_ANYONE,
        params=lambda _w: {"token_id": 999999},
        note="only one's own tokens; another's id is the same 'no such token'",
    ),
    ("POST", "/me/sessions/end"): Case(
        outcomes(
            anonymous=TO_LOGIN,
            member=LOGGED_OUT,
            other_manager=LOGGED_OUT,
            manager=LOGGED_OUT,
            admin=LOGGED_OUT,
        )
    ),
}
