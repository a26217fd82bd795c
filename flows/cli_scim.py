"""``allhands scim-token``: bearer tokens for an identity provider's SCIM client."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select

from core import scim_tokens
from core.clock import SystemClock
from core.models import ScimToken
from flows.cli_kit import fail, unit_of_work, upgrade_database

app = typer.Typer(help="Bearer tokens for an identity provider's SCIM client.")


@app.command("issue")
def issue(
    label: Annotated[
        str, typer.Option(help="What the token is for, e.g. the identity provider's name.")
    ] = "",
) -> None:
    """Print a new SCIM token, alone on one line (only its hash is stored)."""
    if len(label) > 200:
        raise fail("the label has more than 200 characters", 2)
    upgrade_database()
    with unit_of_work() as session:
        _row, token = scim_tokens.issue_scim_token(session, label=label, now=SystemClock().now())
    typer.echo(token)


@app.command("list")
def list_tokens() -> None:
    """Every SCIM token: id, label, when it was made and last used, and whether it is revoked."""
    upgrade_database()
    with unit_of_work() as session:
        rows = session.scalars(select(ScimToken).order_by(ScimToken.id)).all()
        for row in rows:
            used = row.last_used_at.isoformat() if row.last_used_at else "never used"
            state = f"revoked {row.revoked_at.isoformat()}" if row.revoked_at else "live"
            label = row.label or "(no label)"
            typer.echo(f"{row.id}\t{label}\t{row.created_at.isoformat()}\t{used}\t{state}")


@app.command("revoke")
def revoke(token_id: Annotated[int, typer.Argument(help="The token's id (see `list`).")]) -> None:
    """Stop a SCIM token from working at once; the identity provider then gets 401."""
    upgrade_database()
    with unit_of_work() as session:
        row = scim_tokens.revoke_scim_token(session, token_id=token_id, now=SystemClock().now())
    if row is None:
        raise fail(f"no live SCIM token with id {token_id}")
    typer.echo(f"SCIM token {token_id} revoked")
