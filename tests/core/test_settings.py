"""Settings: database URL defaults and the secret key rules."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from core.settings import Settings, normalise_database_url


def test_embedded_default_is_a_sqlite_file_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'allhands.db'}"
    assert settings.is_embedded


def test_postgres_urls_use_psycopg_3() -> None:
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_embedded_secret_is_generated_once_and_private(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = settings.resolved_secret_key()
    key_file = tmp_path / "allhands-secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) >= 48
    assert Settings(data_dir=tmp_path).resolved_secret_key() == first


def test_shared_database_requires_an_explicit_secret(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url="postgresql://u@127.0.0.1/db")
    with pytest.raises(RuntimeError, match="ALLHANDS_SECRET_KEY"):
        settings.resolved_secret_key()
    assert not (tmp_path / "allhands-secret.key").exists()


def test_https_base_url_makes_cookies_secure() -> None:
    assert Settings(base_url="https://allhands.example.com/").secure_cookies
    assert Settings(base_url="https://allhands.example.com/").base_url.endswith(".com")
    assert not Settings(base_url="http://127.0.0.1:8000").secure_cookies
