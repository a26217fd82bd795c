"""Rarely used subsystems are imported on first use, not by every worker at start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys

# Each is several megabytes per worker (see the modules that import them on first use).
LAZY = (
    "scim2_models",  # web.scim.service
    "scim2_server",
    "authlib",  # web.pages.auth.oidc_client
    "joserfc",
    "zxcvbn",  # core.credentials.password_problem
    "httpx",  # outbound webhooks, Slack webhook, company calendar
    "holidays",  # core.holiday_codes, rotation.holidays
    "recurring_ical_events",  # iCal imports and company calendars
)


def _loaded_after(code: str) -> set[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    env = {**os.environ, "ALLHANDS_SECRET_KEY": "lazy-imports-test"}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    )
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_building_the_app_leaves_the_heavy_subsystems_unloaded() -> None:
    loaded = _loaded_after("from web.app import create_app\ncreate_app()")
    assert "web.scim.routes" in loaded  # the routes are registered...
    assert "web.pages.auth.oidc" in loaded
    assert {"web.scim.service", "web.pages.auth.oidc_client"}.isdisjoint(loaded)  # ...not run
    assert sorted(name for name in LAZY if name in loaded) == []


def test_the_first_use_loads_them() -> None:
    loaded = _loaded_after(
        "from core import credentials, holiday_codes\n"
        "credentials.password_problem('correct horse battery staple', user_inputs=[])\n"
        "holiday_codes.check_country('NL')\n"
        "import web.scim.service, web.pages.auth.oidc_client"
    )
    assert {"zxcvbn", "holidays", "scim2_server", "authlib"} <= loaded
