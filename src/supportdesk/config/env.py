"""Turn environment variables into Django settings values.

Each function here takes plain values and returns plain values, so that settings.py stays a
flat list of assignments and each rule can be tested on its own.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

DEFAULT_HOME = Path("~/.local/share/supportdesk")

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})

# SQLite as a server database: WAL lets readers run beside the one writer, IMMEDIATE takes
# the write lock at BEGIN (so a transaction never fails half-way on "database is locked"),
# and the busy timeout makes a writer wait for the lock instead of failing at once.
SQLITE_ENGINE = "supportdesk.sqlite"
POSTGRESQL_ENGINE = "supportdesk.postgresql"
SQLITE_BUSY_TIMEOUT_MS = 5000
SQLITE_OPTIONS: dict[str, Any] = {
    "transaction_mode": "IMMEDIATE",
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS};"
    ),
}


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off: {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number: {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}: {raw!r}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_number(name: str, default: float, *, minimum: float = 0) -> float:
    """A number of seconds, minutes or tries, at least ``minimum``; refused naming ``name``."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number: {raw!r}") from None
    if not value >= minimum:  # also refuses NaN
        raise ImproperlyConfigured(f"{name} must be at least {minimum:g}: {raw!r}")
    return value


def upload_storage(url: str | None) -> dict[str, Any]:
    """Where attachments are kept: ``local`` (a folder: ``<home>/uploads``, or the one
    ``local:///path`` names) or ``s3://bucket/prefix?endpoint_url=http://host:port&region=...``."""
    if not url or url == "local":
        return {"backend": "local", "root": None}
    parts = urlsplit(url)
    if parts.scheme == "local":
        return {"backend": "local", "root": Path(unquote(parts.path)).expanduser()}
    if parts.scheme == "s3" and parts.hostname:
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        return {
            "backend": "s3",
            "bucket": parts.netloc,
            "prefix": parts.path.strip("/"),
            "endpoint_url": query.get("endpoint_url") or None,
            "region": query.get("region") or None,
        }
    raise ImproperlyConfigured(
        f"SUPPORTDESK_UPLOAD_STORAGE must be local, local:///path or s3://bucket/prefix ({url!r})"
    )


def home_dir(raw: str | None) -> Path:
    """The data folder: created (private to the user) if it does not exist yet."""
    home = Path(raw).expanduser() if raw else DEFAULT_HOME.expanduser()
    home = home.resolve()
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    return home


def secret_key(raw: str | None, home: Path) -> str:
    """The given key, or the one kept in ``<home>/secret_key``, made on first use (mode 0600)."""
    if raw:
        return raw
    path = home / "secret_key"
    try:
        # O_EXCL: of two processes starting at once, exactly one writes the key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        if not key:
            raise ImproperlyConfigured(f"{path} is empty: delete it to make a new key") from None
        return key
    key = secrets.token_urlsafe(50)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def database(url: str | None, home: Path) -> dict[str, Any]:
    """DATABASES["default"] from a database URL; an SQLite file in the home when unset."""
    if not url:
        url = f"sqlite:///{home / 'supportdesk.sqlite3'}"
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
    if config["ENGINE"] in {"django.db.backends.sqlite3", SQLITE_ENGINE}:
        # Django's backend, with write transactions queued on a lock file (supportdesk.sqlite)
        config["ENGINE"] = SQLITE_ENGINE
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
        # Keep each thread's connection: closing the last connection to a WAL database
        # checkpoints it (and syncs the file), which cost more than the request itself.
        config["CONN_MAX_AGE"] = None
        # Tests run on an in-memory database (Django's default for SQLite, said outright:
        # test runners that look for Django's own engine name to know it miss ours).
        config["TEST"] = {"NAME": ":memory:", **config.get("TEST", {})}
    else:
        if config["ENGINE"] == "django.db.backends.postgresql":
            # Django's backend, a connection checked only after a pause (supportdesk.postgresql)
            config["ENGINE"] = POSTGRESQL_ENGINE
        # Reuse connections across requests, and check them before use after a pause.
        config["CONN_MAX_AGE"] = 60
        config["CONN_HEALTH_CHECKS"] = True
    return config


def cache(url: str | None) -> dict[str, Any]:
    """CACHES["default"]: this process's memory, or a shared Redis (``redis://host:6379/0``)."""
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"}
    scheme = urlsplit(url).scheme
    if scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            f"SUPPORTDESK_CACHE_URL must start with redis://, rediss:// or unix:// ({url!r})"
        )
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}


def mail(url: str | None) -> dict[str, Any]:
    """The default mailer (Django's MAILERS) from ``smtp://user:pass@host:port?tls=1``.

    Also ``smtps://`` (TLS from the start) and ``console:`` (print mail to standard output;
    the demo uses it). Unset means an SMTP server on localhost:25, the usual local MTA.
    Query options: ``tls=1`` (STARTTLS), ``ssl=1`` (as smtps), ``timeout=<seconds>``.
    """
    if not url:
        url = "smtp://localhost:25"
    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme not in {"smtp", "smtps"}:
        raise ImproperlyConfigured(
            f"SUPPORTDESK_SMTP_URL must start with smtp://, smtps:// or console: ({url!r})"
        )
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    use_ssl = parts.scheme == "smtps" or query.get("ssl", "0").lower() in TRUE_WORDS
    use_tls = query.get("tls", "0").lower() in TRUE_WORDS
    if use_ssl and use_tls:
        raise ImproperlyConfigured("SUPPORTDESK_SMTP_URL: choose tls=1 (STARTTLS) or smtps://")
    try:
        port = parts.port
        timeout = int(query.get("timeout", "30"))
    except ValueError:
        raise ImproperlyConfigured(f"SUPPORTDESK_SMTP_URL: bad port or timeout: {url!r}") from None
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": parts.hostname or "localhost",
            "port": port or (465 if use_ssl else 25),
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_tls": use_tls,
            "use_ssl": use_ssl,
            "timeout": timeout,
        },
    }
