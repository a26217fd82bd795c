"""A schedule's calendar feed: its final on-call line behind the holder's secret URL.

Built on each request (a schedule spans several rotations, so the per-rotation fingerprints
of ``web.feeds.cache`` do not cover it); the ETag still answers 304 to an unchanged feed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import FastAPI

from core import feed_tokens
from core.db import reading
from core.i18n import gettext
from core.settings import Settings
from rotation import schedule_feed
from rotation.feed import render as ical
from web.feeds.cache import CachedFeed


def build(app: FastAPI, token: str, slug: str) -> CachedFeed | None:
    """The rendered feed of schedule ``slug`` for the holder of ``token``; None: 404."""
    settings: Settings = app.state.settings
    if feed_tokens.parse_feed_token(token) is None:
        return None
    now: datetime = app.state.clock.now()
    with reading(app.state.sessionmaker) as session:
        holder = feed_tokens.holder_for_token(
            session, secret_key=settings.resolved_secret_key(), token=token
        )
        if holder is None:
            return None
        feed = schedule_feed.schedule_feed(session, slug=slug, now=now)
    if feed is None:
        return None
    lang = holder.locale
    calendar = ical.FeedCalendar(
        name=gettext(lang, "%(schedule)s: final on-call", schedule=feed.name),
        description=gettext(
            lang,
            "Who is finally on call in the %(schedule)s schedule, layer by layer.",
            schedule=feed.name,
        ),
        locale=lang,
        identity=f"schedule:{feed.slug}",
        base_url=settings.base_url,
        perspective=ical.Perspective.ROTATION,
        refresh=timedelta(minutes=settings.feed_refresh_minutes),
    )
    return CachedFeed.of(ical.render_feed(calendar, feed.shifts))
