"""Fixtures for the tests that run the server as a separate process."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest


@pytest.fixture
def database_url() -> Iterator[str | None]:
    """None for SQLite; else a new PostgreSQL database beside the suite's, dropped after."""
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        yield None
        return
    import psycopg

    name = f"fuzz_{uuid.uuid4().hex[:12]}"
    # the suite's URL may name a database that only its test copy exists of: use the server's
    maintenance = urlunsplit(urlsplit(server)._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
