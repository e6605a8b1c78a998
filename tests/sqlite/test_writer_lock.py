"""The SQLite backend queues write transactions on a lock file beside the database."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from supportdesk.config import env
from supportdesk.sqlite import base as sqlite_base

ALIAS = "writer_lock_test"


def file_database(tmp_path: Path, **options: str) -> dict[str, Any]:
    """A database alias on an SQLite file, configured as the product configures one."""
    config = env.database(None, tmp_path)
    config["OPTIONS"] = {**config["OPTIONS"], **options}
    config.update(
        TIME_ZONE=None,
        ATOMIC_REQUESTS=False,
        AUTOCOMMIT=True,
        CONN_HEALTH_CHECKS=False,
        TEST={},
        USER="",
        PASSWORD="",
        HOST="",
        PORT="",
    )
    return config


@pytest.fixture
def alias(tmp_path: Path, django_db_blocker: Any) -> Iterator[BaseDatabaseWrapper]:
    connections.settings[ALIAS] = file_database(
        tmp_path, init_command="PRAGMA journal_mode=WAL;PRAGMA busy_timeout=0"
    )
    with django_db_blocker.unblock():
        yield connections[ALIAS]
        connections[ALIAS].close()
    del connections[ALIAS]
    del connections.settings[ALIAS]


def locked_elsewhere(path: str) -> bool:
    """Whether another open file holds the lock (as another process would see it)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_a_write_transaction_holds_the_lock_until_commit(alias: BaseDatabaseWrapper) -> None:
    connection = alias
    assert connection.vendor == "sqlite"
    lock = str(connection.settings_dict["NAME"]) + "-writer.lock"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE t (x integer)")  # autocommit: no lock held after
    assert not locked_elsewhere(lock)
    with transaction.atomic(using=ALIAS):
        connection.cursor().execute("INSERT INTO t VALUES (1)")
        assert locked_elsewhere(lock)
        with transaction.atomic(using=ALIAS):  # a savepoint keeps the lock
            connection.cursor().execute("INSERT INTO t VALUES (2)")
        assert locked_elsewhere(lock)
    assert not locked_elsewhere(lock)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM t")
        assert cursor.fetchone() == (2,)


def test_a_rolled_back_transaction_releases_the_lock(alias: BaseDatabaseWrapper) -> None:
    connection = alias
    lock = str(connection.settings_dict["NAME"]) + "-writer.lock"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE t (x integer)")
    held: list[bool] = []

    def write_then_fail() -> None:
        with transaction.atomic(using=ALIAS):
            connection.cursor().execute("INSERT INTO t VALUES (1)")
            held.append(locked_elsewhere(lock))
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        write_then_fail()
    assert held == [True]
    assert not locked_elsewhere(lock)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM t")
        assert cursor.fetchone() == (0,)


def test_writers_of_two_threads_take_turns_without_busy_errors(
    alias: BaseDatabaseWrapper,
) -> None:
    """Each thread has its own connection and lock file handle; their transactions run one
    after the other, each whole, and none fails on a locked database (with a busy timeout
    of 0, SQLite alone raises "database is locked" at once)."""
    with alias.cursor() as cursor:
        cursor.execute("CREATE TABLE t (thread integer, step integer)")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        connection = connections[ALIAS]  # this thread's own
        try:
            for _ in range(20):
                with transaction.atomic(using=ALIAS):
                    cursor = connection.cursor()
                    cursor.execute("INSERT INTO t VALUES (%s, 1)", [n])
                    time.sleep(0.001)  # hold the lock while the other thread wants it
                    cursor.execute("INSERT INTO t VALUES (%s, 2)", [n])
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with alias.cursor() as cursor:
        cursor.execute("SELECT thread, step FROM t ORDER BY rowid")
        rows = cursor.fetchall()
    assert len(rows) == 80
    # each transaction's two rows are next to each other: the transactions never interleaved
    assert all(rows[i][0] == rows[i + 1][0] for i in range(0, 80, 2))


def test_the_wal_is_checkpointed_after_the_lock_is_let_go_not_under_it(
    alias: BaseDatabaseWrapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's own checkpoint ran inside the COMMIT that passed 1,000 pages of WAL, with
    the lock file still taken, and every other writer waited for it (4-8 ms in 18 openings
    on one). Now it is a passive checkpoint after the lock is released, at most one per
    process every CHECKPOINT_INTERVAL, and SQLite's own stays only as a far backstop."""
    connection = alias
    lock = str(connection.settings_dict["NAME"]) + "-writer.lock"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone() == (sqlite_base.BACKSTOP_PAGES,)
        cursor.execute("CREATE TABLE t (x integer)")
    seen: list[tuple[str, bool]] = []
    connection.connection.set_trace_callback(
        lambda sql: seen.append((sql, locked_elsewhere(lock))) if "wal_checkpoint" in sql else None
    )
    monkeypatch.setattr(sqlite_base, "_last_checkpoint", 0.0)
    with transaction.atomic(using=ALIAS):
        connection.cursor().execute("INSERT INTO t VALUES (1)")
    assert seen == [("PRAGMA wal_checkpoint(PASSIVE)", False)]

    with transaction.atomic(using=ALIAS):  # within the interval: none
        connection.cursor().execute("INSERT INTO t VALUES (2)")
    assert len(seen) == 1

    monkeypatch.setattr(sqlite_base, "CHECKPOINT_INTERVAL", 0.0)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")  # what the last commit left
        seen.clear()
        with transaction.atomic(using=ALIAS):
            cursor.execute("INSERT INTO t VALUES (3)")
        assert seen == [("PRAGMA wal_checkpoint(PASSIVE)", False)]
        seen.clear()
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        busy, log, done = cursor.fetchone()
        assert (busy, log) == (0, done)  # every frame of the WAL is in the database


def test_a_failed_checkpoint_does_not_fail_the_committed_write(
    alias: BaseDatabaseWrapper, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    connection = alias
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE t (x integer)")
    monkeypatch.setattr(sqlite_base, "_last_checkpoint", 0.0)
    connection.connection.set_authorizer(
        lambda action, *args: sqlite3.SQLITE_DENY if action == sqlite3.SQLITE_PRAGMA else 0
    )
    try:
        with transaction.atomic(using=ALIAS):
            connection.cursor().execute("INSERT INTO t VALUES (1)")
    finally:
        connection.connection.set_authorizer(None)
    assert "WAL checkpoint of" in caplog.text
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM t")
        assert cursor.fetchone() == (1,)
