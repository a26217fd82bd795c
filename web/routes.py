"""The route table: every router of the app, in the order requests are matched.

Order matters where paths overlap: a fixed path (``/rotations/new``) must come before a
parameter path that would also match it (``/rotations/{slug}``).
"""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter, FastAPI
from starlette.routing import BaseRoute

from web.api import candidates as candidates_api
from web.api import card_flags as card_flags_api
from web.api import cards as cards_api
from web.api import imports as imports_api
from web.api import invitations as invitations_api
from web.api import onboarding as onboarding_api
from web.api import ops as ops_api
from web.api import people as people_api
from web.api import reports as reports_api
from web.api import schedules as schedules_api
from web.api import tokens as tokens_api
from web.api import webhooks as webhooks_api
from web.api.rotations import routes as rotations_api
from web.api.rotations import swaps as swaps_api
from web.api.rotations import time_off as time_off_api
from web.feeds import routes as feeds
from web.pages.auth import login as login_pages
from web.pages.auth import oidc as oidc_pages
from web.pages.auth import password_links as password_link_pages
from web.pages.cards import edit as card_edit_pages
from web.pages.cards import flags as card_flag_pages
from web.pages.cards import registry as card_registry_pages
from web.pages.onboarding import card_sets as card_set_pages
from web.pages.onboarding import checklist as checklist_pages
from web.pages.onboarding import home as home_pages
from web.pages.onboarding import readiness as readiness_pages
from web.pages.people import admin as people_pages
from web.pages.people import audit_log as audit_log_pages
from web.pages.people import invitations as invitation_pages
from web.pages.people import profile as profile_pages
from web.pages.reports import hours as hours_pages
from web.pages.rotations import cover as cover_pages
from web.pages.rotations import listing as rotation_list_pages
from web.pages.rotations import manage as rotation_manage_pages
from web.pages.rotations import manage_actions as rotation_manage_action_pages
from web.pages.rotations import stage_actions as rotation_stage_action_pages
from web.pages.rotations import swaps as swap_pages
from web.pages.rotations import time_off as time_off_pages
from web.pages.rotations import view as rotation_pages
from web.pages.schedules import imports as schedule_import_pages
from web.pages.schedules import view as schedule_pages
from web.scim import routes as scim_routes
from web.slack import routes as slack_routes

ROUTERS: tuple[APIRouter, ...] = (
    # Operations and the JSON API under /api/v1.
    ops_api.router,
    people_api.router,
    tokens_api.router,
    invitations_api.router,
    card_flags_api.router,
    cards_api.router,
    swaps_api.router,
    time_off_api.router,
    rotations_api.router,
    onboarding_api.router,
    webhooks_api.router,
    # SCIM 2.0 provisioning.
    scim_routes.router,
    schedules_api.router,
    reports_api.router,
    candidates_api.router,
    imports_api.router,
    # The Slack app's request URLs (signed by Slack).
    slack_routes.router,
    # Calendar feeds.
    feeds.router,
    # HTML pages.
    login_pages.router,
    oidc_pages.router,
    password_link_pages.router,
    people_pages.router,
    audit_log_pages.router,
    invitation_pages.router,
    profile_pages.router,
    card_flag_pages.router,
    card_edit_pages.router,
    card_registry_pages.router,
    rotation_pages.router,
    rotation_manage_pages.router,
    rotation_manage_action_pages.router,
    rotation_stage_action_pages.router,
    swap_pages.router,
    cover_pages.router,
    time_off_pages.router,
    rotation_list_pages.router,
    home_pages.router,
    checklist_pages.router,
    readiness_pages.router,
    card_set_pages.router,
    schedule_import_pages.router,
    schedule_pages.router,
    hours_pages.router,
)


def include_all(app: FastAPI) -> None:
    """Register every router on the app.

    The routes are registered once per process and shared by every app built in it: FastAPI
    works out a route's dependencies, parameters and handler per registration, on its first
    request, which costs a few hundred milliseconds of CPU for the whole table. One app per
    worker pays it once either way; tests build an app each, and now pay it once per process.
    """
    app.router.routes.extend(_registered())


@cache
def _registered() -> tuple[BaseRoute, ...]:
    everything = APIRouter()
    for router in ROUTERS:
        everything.include_router(router)
    return tuple(everything.routes)
