"""``?dry_run=true``: a change's preview instead of the change (``rotation.preview``)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Query, Response, status
from sqlalchemy.orm import Session

from rotation import preview
from rotation.schemas import PreviewOut
from web.deps import NowDep, SessionDep

Saved = TypeVar("Saved")
Answer = TypeVar("Answer")


@dataclass(frozen=True)
class Changes:
    """Runs one request's change, or in a dry run answers its preview with 200."""

    session: Session
    response: Response
    now: NowDep
    dry_run: bool

    def run(self, rotation_ids: Collection[int], change: Callable[[], Saved]) -> Saved | PreviewOut:
        """What ``change`` returns when saved, or what it would do to ``rotation_ids``' shifts.

        A dry run's refusals are the change's own (the same 4xx), and nothing is kept.
        """
        if not self.dry_run:
            return change()
        found = preview.dry_run(
            self.session, rotation_ids=rotation_ids, now=self.now, change=change
        )
        self.response.status_code = status.HTTP_200_OK
        return PreviewOut.model_validate(found)

    def answer(
        self,
        rotation_ids: Collection[int],
        change: Callable[[], Saved],
        *,
        then: Callable[[Saved], Answer],
    ) -> Answer | PreviewOut:
        """``then`` of what ``change`` saved; in a dry run, the preview (see ``run``)."""
        saved = self.run(rotation_ids, change)
        return saved if isinstance(saved, PreviewOut) else then(saved)


def _changes(
    session: SessionDep,
    response: Response,
    now: NowDep,
    dry_run: Annotated[
        bool,
        Query(
            description="Check the change and answer which shifts it would change, saving nothing"
        ),
    ] = False,
) -> Changes:
    return Changes(session=session, response=response, now=now, dry_run=dry_run)


ChangesDep = Annotated[Changes, Depends(_changes)]
