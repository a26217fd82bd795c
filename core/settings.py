"""Process settings, read from ``ALLHANDS_*`` environment variables on first use."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_FILE = "allhands.db"
SECRET_FILE = "allhands-secret.key"  # noqa: S105  (a file name)
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost"})


class Settings(BaseSettings):
    """Everything an operator can set; see the README for each variable."""

    model_config = SettingsConfigDict(env_prefix="ALLHANDS_", extra="ignore")

    database_url: str = Field(default="")
    secret_key: str = Field(default="", repr=False)
    base_url: str = "http://127.0.0.1:8000"
    smtp_url: str = ""
    smtp_from: str = "allhands <allhands@localhost>"
    slack_webhook_url: str = ""
    # The Slack app (README "Slack"): bot token, request signing secret, Web API base URL.
    slack_bot_token: str = Field(default="", repr=False)
    slack_signing_secret: str = Field(default="", repr=False)
    slack_api_url: str = "https://slack.com/api/"
    auth_header: str = ""
    guru_webhook_secret: str = Field(default="", repr=False)
    data_dir: Path = Field(default_factory=Path.cwd)
    feed_refresh_minutes: int = 60
    login_attempts_per_minute: int = Field(default=10, ge=1)
    body_timeout_seconds: float = Field(default=10.0, gt=0)
    # How many processes serve the web app (``allhands serve --workers`` sets it for them);
    # each opens its share of PostgreSQL connections (``core.db.postgres_pool``).
    web_workers: int = Field(default=1, ge=1)
    forwarded_allow_ips: str = ""
    metrics_token: str = Field(default="", repr=False)
    allowed_hosts: str = ""
    # Sign-in and provisioning (README "Sign-in and provisioning").
    password_login: bool = True
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = Field(default="", repr=False)
    oidc_allowed_domains: str = ""
    oidc_name: str = "single sign-on"
    invite_valid_hours: int = Field(default=72, ge=1, le=24 * 30)
    reset_valid_hours: int = Field(default=2, ge=1, le=48)
    # The company's own calendar of days off (iCal over http/https), read by
    # `allhands company-days-off sync`; empty: days off are only those set over the API.
    company_days_off_url: str = Field(default="", pattern=r"^(https?://\S+)?$")

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def oidc_domains(self) -> frozenset[str]:
        """Email domains whose people may be created at their first OpenID Connect sign-in."""
        return frozenset(
            part.strip().lower().lstrip("@")
            for part in self.oidc_allowed_domains.split(",")
            if part.strip()
        )

    @field_validator("base_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or the embedded SQLite file in the data directory."""
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite:///{self.data_dir / DEFAULT_DATABASE_FILE}"

    @property
    def allowed_host_names(self) -> list[str]:
        """The host of ``base_url`` plus every name in ``allowed_hosts`` (comma-separated);
        a loopback base URL also answers to the other names of this machine."""
        base_host = urlsplit(self.base_url).hostname or ""
        names = [base_host]
        if base_host in LOOPBACK_NAMES:
            names += sorted(LOOPBACK_NAMES)
        names += [name.strip() for name in self.allowed_hosts.split(",")]
        return list(dict.fromkeys(name for name in names if name))

    @property
    def is_embedded(self) -> bool:
        return not self.database_url

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    def resolved_secret_key(self) -> str:
        """The secret key; the embedded default keeps a generated one in the data directory.

        A shared database needs every instance to sign with the same key, so outside the
        embedded default a missing key is an error rather than a silent per-process secret.
        """
        if self.secret_key:
            return self.secret_key
        if not self.is_embedded:
            raise RuntimeError(
                "ALLHANDS_SECRET_KEY must be set when ALLHANDS_DATABASE_URL points at a shared "
                "database"
            )
        path = self.data_dir / SECRET_FILE
        if path.exists():
            return path.read_text().strip()
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key


def normalise_database_url(url: str) -> str:
    """Route plain ``postgresql://`` URLs through psycopg 3, the driver we ship."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, built on first call rather than at import."""
    return Settings()
