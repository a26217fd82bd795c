"""A real OpenID Provider (npm ``oidc-provider`` in node) and allhands configured to use it,
both on loopback ports, for the sign-in tests (HTTP and browser alike)."""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy.engine import Engine

from core.clock import FixedClock
from core.db import make_sessionmaker
from core.settings import Settings
from tests.conftest import DEFAULT_NOW, LiveServer, _wipe, free_port
from web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_SCRIPT = ROOT / "tests" / "js" / "oidc_provider.mjs"
CLIENT_ID = "allhands-test"
CLIENT_SECRET = "a-client-secret-long-enough-for-hs256-0123456789"


@dataclass
class Provider:
    issuer: str

    def set_mode(self, mode: str) -> None:
        """normal | tamper | wrong-audience (see the script's header)."""
        httpx.post(self.issuer + "/test/mode", content=mode, timeout=5).raise_for_status()


@contextmanager
def running_provider(redirect_uri: str) -> Iterator[Provider]:
    port = free_port()
    process = subprocess.Popen(
        ["node", str(PROVIDER_SCRIPT), str(port), redirect_uri, CLIENT_ID, CLIENT_SECRET],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(
                f"oidc provider did not start: {process.stderr.read() if process.stderr else ''}"
            )
        yield Provider(issuer=json.loads(line)["issuer"])
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def running_app(engine: Engine, settings: Settings, port: int) -> Iterator[LiveServer]:
    clock = FixedClock(DEFAULT_NOW)
    sessions = make_sessionmaker(engine)
    app = create_app(settings, clock=clock, session_factory=sessions)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", app=app, clock=clock, sessions=sessions)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        _wipe(engine)


@dataclass
class World:
    provider: Provider
    app: LiveServer


@contextmanager
def oidc_world(engine: Engine, tmp_path: Path, **settings: object) -> Iterator[World]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running_provider(base + "/auth/oidc/callback") as provider:
        config = Settings(
            secret_key="oidc-live-secret",
            base_url=base,
            data_dir=tmp_path,
            oidc_issuer=provider.issuer,
            oidc_client_id=CLIENT_ID,
            oidc_client_secret=CLIENT_SECRET,
            oidc_name="Test provider",
            **settings,  # type: ignore[arg-type]
        )
        with running_app(engine, config, port) as app:
            yield World(provider=provider, app=app)


def to_provider_login(client: httpx.Client, app_url: str) -> httpx.Response:
    """Start at allhands' SSO button and follow redirects to the provider's login form."""
    page = client.get(app_url + "/auth/oidc/login", follow_redirects=True)
    assert page.status_code == 200 and 'name="login"' in page.text, page.text[:500]
    return page


def sign_in_at_provider(client: httpx.Client, page: httpx.Response, email: str) -> httpx.Response:
    """Submit the provider's form; stop at the redirect back to allhands' callback."""
    action = re.search(r'action="([^"]+)"', page.text)
    assert action
    response = client.post(str(page.url.join(action.group(1))), data={"login": email})
    while (
        response.status_code in (302, 303)
        and "/auth/oidc/callback" not in response.headers["location"]
    ):
        response = client.get(str(response.url.join(response.headers["location"])))
    assert "/auth/oidc/callback" in response.headers.get("location", ""), response.text[:500]
    return response
