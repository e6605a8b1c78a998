"""The settings module, run afresh with a chosen environment; and SQLite as it really runs."""

from __future__ import annotations

import runpy
import stat
from pathlib import Path
from typing import Any

import pytest
from django.db.utils import ConnectionHandler
from pytest_django import DjangoDbBlocker

import supportdesk.config.settings
from supportdesk.config import env

SETTINGS_FILE = supportdesk.config.settings.__file__


def load_settings(monkeypatch: pytest.MonkeyPatch, **variables: str) -> dict[str, Any]:
    for name in ("DATABASE_URL", "SUPPORTDESK_SECRET_KEY", "SUPPORTDESK_POLICY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(SETTINGS_FILE)


def test_a_fresh_home_gets_a_private_secret_key_that_is_kept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    home = tmp_path / "new-home"

    first = load_settings(monkeypatch, SUPPORTDESK_HOME=str(home))
    second = load_settings(monkeypatch, SUPPORTDESK_HOME=str(home))

    key_file = home / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first["SECRET_KEY"] == second["SECRET_KEY"] == key_file.read_text().strip()
    assert first["SUPPORTDESK_HOME"] == home
    assert first["STATIC_ROOT"] == home / "static"


def test_secret_key_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    loaded = load_settings(
        monkeypatch, SUPPORTDESK_HOME=str(tmp_path), SUPPORTDESK_SECRET_KEY="k" * 60
    )

    assert loaded["SECRET_KEY"] == "k" * 60
    assert not (tmp_path / "secret_key").exists()


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    loaded = load_settings(monkeypatch, SUPPORTDESK_HOME=str(tmp_path))

    assert loaded["DEBUG"] is False
    assert (loaded["SESSION_COOKIE_SECURE"], loaded["CSRF_COOKIE_SECURE"]) == (False, False)
    assert loaded["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "[::1]"]
    assert loaded["DATABASES"]["default"] == env.database(None, tmp_path)
    assert loaded["SUPPORTDESK_POLICY"] is None
    assert (loaded["USE_TZ"], loaded["TIME_ZONE"]) == (True, "UTC")
    assert loaded["AUTH_USER_MODEL"] == "accounts.User"
    assert loaded["PASSWORD_HASHERS"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert loaded["TASKS"] == {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert loaded["MAILERS"] == {"default": env.mail(None)}
    assert loaded["MAILERS"]["default"]["OPTIONS"]["host"] == "localhost"
    assert loaded["DEFAULT_FROM_EMAIL"] == "supportdesk@localhost"


def test_operator_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    loaded = load_settings(
        monkeypatch,
        SUPPORTDESK_HOME=str(tmp_path),
        DATABASE_URL="postgres://desk@db.example:5432/support",
        SUPPORTDESK_POLICY=str(tmp_path / "policy.toml"),
        SUPPORTDESK_ALLOWED_HOSTS="desk.example,support.example",
        SUPPORTDESK_DEBUG="1",
        SUPPORTDESK_HTTPS="1",
        SUPPORTDESK_SMTP_URL="smtp://relay.example:587?tls=1",
        SUPPORTDESK_MAIL_FROM="support@example.com",
    )

    database = loaded["DATABASES"]["default"]
    assert (database["ENGINE"], database["HOST"], database["NAME"]) == (
        "supportdesk.postgresql",
        "db.example",
        "support",
    )
    assert loaded["SUPPORTDESK_POLICY"] == tmp_path / "policy.toml"
    assert loaded["ALLOWED_HOSTS"] == ["desk.example", "support.example"]
    assert loaded["DEBUG"] is True
    assert (loaded["SESSION_COOKIE_SECURE"], loaded["CSRF_COOKIE_SECURE"]) == (True, True)
    assert loaded["MAILERS"] == {"default": env.mail("smtp://relay.example:587?tls=1")}
    assert loaded["DEFAULT_FROM_EMAIL"] == loaded["SERVER_EMAIL"] == "support@example.com"


def test_the_embedded_sqlite_database_really_runs_in_wal_mode(
    tmp_path: Path, django_db_blocker: DjangoDbBlocker
) -> None:
    connections = ConnectionHandler({"default": env.database(None, tmp_path)})
    connection = connections["default"]
    try:
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            journal_mode = cursor.fetchone()[0]
            cursor.execute("PRAGMA busy_timeout")
            busy_timeout = cursor.fetchone()[0]
            cursor.execute("CREATE TABLE probe (id integer)")
        assert journal_mode == "wal"
        assert busy_timeout == env.SQLITE_BUSY_TIMEOUT_MS
        assert (tmp_path / "supportdesk.sqlite3-wal").exists()
        assert connection.transaction_mode == "IMMEDIATE"  # type: ignore[attr-defined]
    finally:
        connections.close_all()
