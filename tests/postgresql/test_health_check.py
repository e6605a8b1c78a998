"""The PostgreSQL backend checks a kept connection before use only after a pause: one used a
moment ago is taken as it is, one that rested is checked and, if the server dropped it, made
again (supportdesk.postgresql)."""

from __future__ import annotations

import time
from collections.abc import Callable

import psycopg
import pytest
from django.db import connection, connections

from supportdesk.postgresql import base as pg_base

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the PostgreSQL backend's own behaviour"
)


def counted_checks(monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """How many health checks (``is_usable``, Django's ``SELECT 1``) ran since."""
    calls: list[bool] = []
    real = connection.is_usable

    def is_usable() -> bool:
        calls.append(True)
        return real()

    monkeypatch.setattr(connection, "is_usable", is_usable)
    return lambda: len(calls)


def new_request() -> None:
    """What Django does for a kept connection when a request starts (request_started)."""
    connection.close_if_unusable_or_obsolete()


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def test_the_engine_is_ours_and_checks_kept_connections() -> None:
    assert isinstance(connections["default"], pg_base.DatabaseWrapper)
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db(transaction=True)
def test_a_connection_used_a_moment_ago_is_taken_without_a_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backend_pid()  # in use
    checks = counted_checks(monkeypatch)
    for _ in range(3):
        new_request()
        backend_pid()
    assert checks() == 0


@pytest.mark.django_db(transaction=True)
def test_a_connection_that_rested_is_checked_before_its_next_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backend_pid()
    checks = counted_checks(monkeypatch)
    monkeypatch.setattr(pg_base, "CHECK_AFTER", 0.05)
    time.sleep(0.1)
    new_request()
    backend_pid()
    backend_pid()  # once per request, as Django checks
    assert checks() == 1


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_dropped_while_it_rested_is_made_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = backend_pid()
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [before])
    monkeypatch.setattr(pg_base, "CHECK_AFTER", 0.05)
    time.sleep(0.1)
    new_request()
    after = backend_pid()  # the check found it gone: a new connection, no error
    assert after != before
