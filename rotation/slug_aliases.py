"""Old slugs of renamed rotations: subscriptions and bookmarks outlive a slug change.

Every feed URL a person subscribed to names the rotation by slug; a new slug would break
them all for good. The old slug is kept as an alias that only ever leads to its rotation, and
no other rotation may take it while the alias stands.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.errors import Conflict
from rotation.models import Rotation, RotationSlugAlias


def check_not_aliased(session: Session, *, slug: str, rotation_id: int | None) -> None:
    """Refuse ``slug`` if it is another rotation's former slug (its old URLs lead there)."""
    owner = session.scalar(
        select(RotationSlugAlias.rotation_id).where(RotationSlugAlias.slug == slug)
    )
    if owner is not None and owner != rotation_id:
        raise Conflict(f"slug {slug!r} was another rotation's and its old links still lead there")


def record_change(session: Session, *, rotation: Rotation, old_slug: str, now: datetime) -> None:
    """Keep ``old_slug`` leading to ``rotation``; a slug taken back stops being an alias."""
    session.execute(
        delete(RotationSlugAlias).where(
            RotationSlugAlias.slug == rotation.slug, RotationSlugAlias.rotation_id == rotation.id
        )
    )
    session.add(RotationSlugAlias(slug=old_slug, rotation_id=rotation.id, created_at=now))


def current_slug(session: Session, *, slug: str) -> str | None:
    """The slug now of the rotation that had ``slug`` before, or None (one query)."""
    found: str | None = session.scalar(
        select(Rotation.slug)
        .join(RotationSlugAlias, RotationSlugAlias.rotation_id == Rotation.id)
        .where(RotationSlugAlias.slug == slug)
    )
    return found
