"""The SQLite backend begins a transaction with its first statement, and runs the inserts
held back inside ``rows.pipelined`` together, so that the Python that makes an opening's rows
does not run under the database's one write lock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, connections, transaction
from django.test.utils import CaptureQueriesContext

from supportdesk.sqlite.base import DatabaseWrapper
from tests.sqlite.test_writer_lock import file_database, locked_elsewhere

ALIAS = "held_back_test"


@pytest.fixture
def alias(tmp_path: Path, django_db_blocker: Any) -> Iterator[DatabaseWrapper]:
    connections.settings[ALIAS] = file_database(tmp_path)
    with django_db_blocker.unblock():
        connection = connections[ALIAS]
        assert isinstance(connection, DatabaseWrapper)
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE t (id integer PRIMARY KEY AUTOINCREMENT, x integer UNIQUE)"
            )
        yield connection
        connection.close()
    del connections[ALIAS]
    del connections.settings[ALIAS]


def lock_of(connection: DatabaseWrapper) -> str:
    return str(connection.settings_dict["NAME"]) + "-writer.lock"


def xs(connection: DatabaseWrapper) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT x FROM t ORDER BY id")
        return [x for (x,) in cursor.fetchall()]


INSERT = "INSERT INTO t (x) VALUES (%s)"
RETURNING = INSERT + " RETURNING id"


class Row:
    pk: int | None = None


class Failed(Exception):
    pass


def write(
    connection: DatabaseWrapper, *held: int, holding: bool = True, fail: bool = False
) -> None:
    """Hold back an insert of each of ``held`` in an atomic block (inside holding_back, when
    ``holding``), then fail if ``fail``."""
    with transaction.atomic(using=ALIAS), connection.holding_back() if holding else nullcontext():
        for x in held:
            connection.hold_back(INSERT, [x])
        if fail:
            raise Failed


def test_the_lock_and_begin_come_with_the_first_statement(alias: DatabaseWrapper) -> None:
    connection = alias
    with CaptureQueriesContext(connection) as captured, transaction.atomic(using=ALIAS):
        # entered, nothing run: other processes may still write
        assert not locked_elsewhere(lock_of(connection))
        assert captured.captured_queries == []
        connection.cursor().execute(INSERT, [1])
        assert locked_elsewhere(lock_of(connection))
    assert not locked_elsewhere(lock_of(connection))
    assert captured.captured_queries[0]["sql"] == "BEGIN IMMEDIATE"
    assert xs(connection) == [1]


def test_a_block_that_runs_nothing_begins_nothing(alias: DatabaseWrapper) -> None:
    connection = alias
    with CaptureQueriesContext(connection) as captured:
        with transaction.atomic(using=ALIAS):
            pass
        with pytest.raises(Failed):
            write(connection, holding=False, fail=True)
    # (Django logs a COMMIT, and a ROLLBACK, which sqlite3 skips with no transaction open)
    assert not [q for q in captured.captured_queries if q["sql"].startswith("BEGIN")]
    assert not locked_elsewhere(lock_of(connection))
    assert not connection.begin_due


def test_statements_held_back_run_at_the_blocks_end_in_their_order(
    alias: DatabaseWrapper,
) -> None:
    connection = alias
    first, second = Row(), Row()
    with transaction.atomic(using=ALIAS):
        with connection.holding_back():
            assert connection.hold_back(RETURNING, [1], first)
            assert connection.hold_back(INSERT, [2])
            assert connection.hold_back(RETURNING, [3], second)
            # nothing ran yet: no BEGIN, no lock, no keys
            assert not locked_elsewhere(lock_of(connection))
            assert [first.pk, second.pk] == [None, None]
        assert locked_elsewhere(lock_of(connection))  # they ran, in the transaction
        assert (first.pk, second.pk) == (1, 3)
    assert xs(connection) == [1, 2, 3]
    # outside the block nothing is held back: the caller runs its statement itself
    assert not connection.hold_back(INSERT, [4])


def test_another_statement_runs_after_the_ones_held_back(alias: DatabaseWrapper) -> None:
    connection = alias
    with transaction.atomic(using=ALIAS), connection.holding_back():
        connection.hold_back(INSERT, [1])
        connection.hold_back(INSERT, [2])
        # a read sees the rows held back before it: they ran first
        assert xs(connection) == [1, 2]
        connection.hold_back(INSERT, [3])
    assert xs(connection) == [1, 2, 3]


def test_a_refused_statement_held_back_rolls_the_whole_transaction_back(
    alias: DatabaseWrapper,
) -> None:
    connection = alias
    connection.cursor().execute(INSERT, [1])
    with pytest.raises(IntegrityError):
        write(connection, 2, 1, 3)  # x is unique: 1 is refused
    assert xs(connection) == [1]
    assert not locked_elsewhere(lock_of(connection))
    assert connection.held_back is None


def test_a_block_left_by_an_exception_runs_none_of_its_statements(
    alias: DatabaseWrapper,
) -> None:
    connection = alias
    with pytest.raises(Failed):
        write(connection, 1, fail=True)
    assert xs(connection) == []
    assert not locked_elsewhere(lock_of(connection))


def test_a_savepoint_rolled_back_drops_only_what_was_held_back_after_it(
    alias: DatabaseWrapper,
) -> None:
    connection = alias
    with transaction.atomic(using=ALIAS), connection.holding_back():
        connection.hold_back(INSERT, [1])
        with pytest.raises(Failed):
            write(connection, 2, holding=False, fail=True)  # a savepoint, inside the outer block
        connection.hold_back(INSERT, [3])
    assert xs(connection) == [1, 3]


def test_a_commit_runs_what_is_still_held_back(alias: DatabaseWrapper) -> None:
    connection = alias
    with transaction.atomic(using=ALIAS):
        connection.held_back = []  # as holding_back() sets it
        connection.hold_back(INSERT, [1])
    # the atomic block's commit ran it first
    connection.held_back = None
    assert xs(connection) == [1]
