"""Every HTML page is valid HTML by the W3C's Nu Html Checker (vnu.jar from npm's vnu-jar,
run with the system's Java), seen by an engineer, a manager, an admin and a visitor with
the demo organisation's data."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flows import demo, demo_data
from kb_links.models import Card
from onboarding.models import CardSet
from tests.conftest import DEFAULT_NOW
from tests.web.test_auth_pages import login

ROOT = Path(__file__).resolve().parents[2]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
TIER_TWO = "/rotations/tier-2-engineering"
PAGES = {
    "ana.devries": ["/", "/me/checklist", "/me", TIER_TWO, "/time-off", "/cards", "/schedules"],
    "hana.novak": [
        "/", "/readiness", TIER_TWO + "/manage", "/card-sets", "/rotations", "/reports/hours",
    ],
    "admin": [
        "/people", "/audit", "/cards/new", "/schedules/follow-the-sun", "/nowhere",
        "/people/abc/checklist", "/audit?days=abc",
    ],
}  # fmt: skip
ANONYMOUS = ["/login", "/forgot-password", "/invite/not-a-token", "/reset/not-a-token"]


def _collect(client: TestClient, session: Session, folder: Path) -> list[Path]:
    """Each page as a file named after who saw it and where."""
    # A real clock has microseconds, which end up in reading and audit times.
    demo.load_demo(session, now=DEFAULT_NOW + timedelta(microseconds=123_456))
    session.flush()
    card = session.scalars(select(Card).order_by(Card.id)).first()
    card_set = session.scalars(select(CardSet).order_by(CardSet.id)).first()
    assert card is not None and card_set is not None
    pages = {**PAGES, "admin": [*PAGES["admin"], f"/cards/{card.id}/edit"]}
    pages["hana.novak"] = [*pages["hana.novak"], f"/card-sets/{card_set.id}"]
    files = []
    for who, paths in [("anonymous", ANONYMOUS), *pages.items()]:
        client.cookies.clear()
        if who != "anonymous":
            email = f"{who}@{demo_data.DOMAIN}"
            assert login(client, email, demo_data.DEMO_PASSWORD)[0] == 303
        for path in paths:
            response = client.get(path)
            assert response.headers["content-type"].startswith("text/html"), path
            name = f"{who}{path}".replace("/", "_").replace("?", "_") + ".html"
            files.append(folder / name)
            files[-1].write_text(response.text)
    return files


def test_every_page_is_valid_html(client: TestClient, session: Session, tmp_path: Path) -> None:
    assert VNU.exists(), "the W3C Nu checker is missing: run `npm ci` (make test does)"
    assert shutil.which("java"), "Java is missing: install default-jre-headless (make test does)"
    files = _collect(client, session, tmp_path)
    checked = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(checked.stderr or "{}").get("messages", [])
    problems = sorted(
        {f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']}" for m in messages}
    )
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])
