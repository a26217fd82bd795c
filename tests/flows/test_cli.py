"""The CLI as an operator runs it: separate processes against a real database file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from core.settings import Settings
from web.app import create_app


def run_cli(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def cli_env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ALLHANDS_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}",
        "ALLHANDS_SECRET_KEY": "cli-test-secret",
    }


def test_user_add_then_token_issue_gives_a_working_token(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    added = run_cli(
        "user",
        "add",
        "Ops@Example.com",
        "--name",
        "Ops Person",
        "--admin",
        "--timezone",
        "Europe/Amsterdam",
        "--password-stdin",
        env=env,
        stdin="a long password\n",
    )
    assert added.returncode == 0, added.stderr
    assert "ops@example.com" in added.stdout
    issued = run_cli("token", "issue", "ops@example.com", env=env)
    assert issued.returncode == 0, issued.stderr
    lines = issued.stdout.splitlines()
    assert len(lines) == 1
    token = lines[0]
    settings = Settings(
        database_url=env["ALLHANDS_DATABASE_URL"],
        secret_key="cli-test-secret",
        base_url="http://testserver",  # the test client's Host
        data_dir=tmp_path,
    )
    with TestClient(create_app(settings)) as client:
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["is_admin"] is True
    assert me.json()["timezone"] == "Europe/Amsterdam"


def test_cli_reports_bad_input_clearly(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    bad_tz = run_cli(
        "user", "add", "x@example.com", "--name", "X", "--timezone", "Mars/Base", env=env
    )
    assert bad_tz.returncode == 2
    assert 'unknown timezone "Mars/Base"' in bad_tz.stderr
    ok = run_cli("user", "add", "x@example.com", "--name", "X", env=env)
    assert ok.returncode == 0, ok.stderr
    dup = run_cli("user", "add", "X@example.com", "--name", "X", env=env)
    assert dup.returncode == 1
    assert "already exists" in dup.stderr
    nobody = run_cli("token", "issue", "nobody@example.com", env=env)
    assert nobody.returncode == 1
    assert "no active person" in nobody.stderr


def test_db_check_passes_on_a_migrated_database(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    assert run_cli("db", "upgrade", env=env).returncode == 0
    checked = run_cli("db", "check", env=env)
    assert checked.returncode == 0, checked.stderr
    assert "match" in checked.stdout
