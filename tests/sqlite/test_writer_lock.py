"""The SQLite backend queues write transactions on a lock file beside the database."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from supportdesk.config import env

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
