"""`allhands scim-token issue`: a working SCIM token, stored only as a hash."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from core.settings import Settings
from tests.flows.test_cli import cli_env, run_cli
from web.app import create_app


def test_scim_token_issue_prints_a_token_that_works_and_is_not_stored(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    issued = run_cli("scim-token", "issue", "--label", "Okta", env=env)
    assert issued.returncode == 0, issued.stderr
    [token] = issued.stdout.splitlines()
    assert token.startswith("ahscim_") and len(token) > 40
    engine = create_engine(env["ALLHANDS_DATABASE_URL"])
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT label, token_hash FROM scim_token")).all()
    engine.dispose()
    assert [row[0] for row in rows] == ["Okta"]
    assert token not in rows[0][1]
    settings = Settings(
        database_url=env["ALLHANDS_DATABASE_URL"],
        secret_key="cli-test-secret",
        base_url="http://testserver",  # the test client's Host
        data_dir=tmp_path,
    )
    with TestClient(create_app(settings)) as client:
        good = client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {token}"})
        bad = client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {token}x"})
    assert good.status_code == 200 and good.json()["totalResults"] == 0
    assert bad.status_code == 401


def test_scim_token_label_is_checked(tmp_path: Path) -> None:
    refused = run_cli("scim-token", "issue", "--label", "x" * 201, env=cli_env(tmp_path))
    assert refused.returncode == 2 and "200 characters" in refused.stderr


def test_scim_tokens_are_listed_and_a_revoked_one_stops_working(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    okta = run_cli("scim-token", "issue", "--label", "Okta", env=env).stdout.strip()
    entra = run_cli("scim-token", "issue", "--label", "Entra", env=env).stdout.strip()
    listed = run_cli("scim-token", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    lines = [line.split("\t") for line in listed.stdout.splitlines()]
    assert [(line[0], line[1], line[3], line[4]) for line in lines] == [
        ("1", "Okta", "never used", "live"),
        ("2", "Entra", "never used", "live"),
    ]
    assert okta not in listed.stdout and entra not in listed.stdout
    revoked = run_cli("scim-token", "revoke", "1", env=env)
    assert revoked.returncode == 0 and "revoked" in revoked.stdout
    again = run_cli("scim-token", "revoke", "1", env=env)
    assert again.returncode == 1 and "no live SCIM token with id 1" in again.stderr
    assert run_cli("scim-token", "revoke", "99", env=env).returncode == 1
    assert "\trevoked " in run_cli("scim-token", "list", env=env).stdout.splitlines()[0]
    settings = Settings(
        database_url=env["ALLHANDS_DATABASE_URL"],
        secret_key="cli-test-secret",
        base_url="http://testserver",
        data_dir=tmp_path,
    )
    with TestClient(create_app(settings)) as client:
        gone = client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {okta}"})
        kept = client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {entra}"})
    assert gone.status_code == 401
    assert kept.status_code == 200
