"""Django's SQLite backend, with the write transactions of every thread and every process
on the machine queued on one lock file beside the database.

SQLite lets one writer in at a time. A transaction that finds the write lock taken is
retried by SQLite's busy handler after sleeps of 1, 2, 5, 10 ... up to 100 ms, whoever
else arrives meanwhile: under a steady stream of writes some transactions sleep again and
again while later ones get in, which is what made the slowest openings take a second while
the median took a tenth of that. Here a write transaction (``BEGIN IMMEDIATE``, every
``transaction.atomic`` block) first takes an exclusive ``flock`` on ``<database>-writer.lock``.
The kernel wakes the next waiter as soon as the lock is released, without sleeping, and the
lock goes with the process if it dies. SQLite's own lock and busy timeout stay as they are
for what does not come through this backend (the ``sqlite3`` shell, a backup tool).

The WAL is checkpointed (its pages copied into the database file) after the writer lock is
released, not under it. SQLite's automatic checkpoint runs inside the ``COMMIT`` of the
transaction that passes 1,000 pages of WAL, which kept the lock file taken for those 4-8 ms
while every other writer queued behind it: on a steady stream of openings, one in eighteen
made the whole queue wait. Here each process runs a ``PASSIVE`` checkpoint (it does not block
writers or readers) in the thread whose commit finds the last one at least
``CHECKPOINT_INTERVAL`` seconds old, once that thread has let go of the lock, and only one
thread of a process at a time. SQLite's own automatic checkpoint stays as a backstop, at
``BACKSTOP_PAGES`` pages, for writes made outside a transaction.

The lock is taken, and ``BEGIN IMMEDIATE`` sent, with a transaction's first statement, not
when its ``atomic`` block is entered: the Python between the two runs while other processes
write. Inside ``supportdesk.rows.pipelined`` the inserts that need no answer (the rows of an
opening, whose keys were taken before them) are held back (``hold_back``) and run together
at the block's end, or before any other statement of the connection, in their order: an
opening then holds the lock for its statements only, not for the Python that makes its rows
(the mail's rendering, the audit snapshot), which ran under it when the lock came at the
block's start, so that the lock, held 4-6 ms an opening, was what bounded the openings a
second.

In-memory databases (the test suite's) have a single connection and no file to lock.

Django's cursor turns each statement's ``%s`` placeholders into SQLite's ``?`` with a regular
expression, every time it runs: on the statements of opening a case, 24 times an opening, the
longest an ``INSERT`` of 55 columns (0.1 ms an opening, most of it under the write lock).
Here the converted text of each statement is kept (``CONVERTED`` of them, the most recently
used), as the same statements run again and again.
"""

from __future__ import annotations

import fcntl
import functools
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db.backends.sqlite3 import base

logger = logging.getLogger(__name__)

LOCK_SUFFIX = "-writer.lock"
CHECKPOINT_INTERVAL = 0.1  # seconds; at about 50 pages an opening, a few hundred pages each
BACKSTOP_PAGES = 20_000  # SQLite's own checkpoint, for what does not commit through here

CONVERTED = 2048  # statements whose SQLite form (placeholders ``?``) is kept


@functools.lru_cache(maxsize=CONVERTED)
def _qmark(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class _CursorWrapper(base.SQLiteCursorWrapper):
    """Django's cursor, with the conversion of "format" placeholders kept per statement, and
    what its connection left for the next statement done first (the transaction's
    ``BEGIN``, the statements held back: :meth:`DatabaseWrapper.before_statement`)."""

    owner: DatabaseWrapper | None = None

    def execute(self, query: str, params: Any = None) -> Any:
        owner = self.owner
        if owner is not None and (owner.begin_due or owner.held_back):
            owner.before_statement()
        return super().execute(query, params)

    def executemany(self, query: str, param_list: Any) -> Any:
        owner = self.owner
        if owner is not None and (owner.begin_due or owner.held_back):
            owner.before_statement()
        return super().executemany(query, param_list)

    def convert_query(self, query: str, *, param_names: Sequence[str] | None = None) -> str:
        if param_names is None:
            return _qmark(query)
        return super().convert_query(query, param_names=param_names)


# per process: when a checkpoint last ran, and whether a thread is running one now
_checkpointing = threading.Lock()
_last_checkpoint = 0.0


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writer_fd: int | None = None
        self._writer_held = False
        self._writer_pid = 0
        # an atomic block entered, its BEGIN (and the writer lock) not yet taken
        self.begin_due = False
        # statements that need no answer, held back to run together (hold_back)
        self.held_back: list[tuple[str, Sequence[Any], Any]] | None = None

    def _writer_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if self.is_in_memory_db() or not name:
            return None
        return name + LOCK_SUFFIX

    def _writer_lock(self) -> None:
        path = self._writer_path()
        if path is None or self._writer_held:
            return
        if self._writer_fd is None or self._writer_pid != os.getpid():
            # a file descriptor per connection (connections are per thread), opened again
            # after a fork: flock locks belong to the open file, not to the process
            self._writer_fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._writer_pid = os.getpid()
        fcntl.flock(self._writer_fd, fcntl.LOCK_EX)
        self._writer_held = True

    def _writer_unlock(self) -> None:
        if self._writer_held and self._writer_fd is not None:
            self._writer_held = False
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)

    def create_cursor(self, name: str | None = None) -> Any:
        cursor = self.connection.cursor(factory=_CursorWrapper)
        cursor.owner = self
        return cursor

    def before_statement(self) -> None:
        """What is due before the next statement: the statements held back, which run
        first (:meth:`run_held_back`), and the transaction's ``BEGIN``, before them."""
        if self.held_back:
            self.run_held_back()
        elif self.begin_due:
            self.begin_due = False
            self._writer_lock()
            try:
                super()._start_transaction_under_autocommit()  # type: ignore[misc]
            except BaseException:
                self._writer_unlock()
                raise

    @contextmanager
    def holding_back(self) -> Iterator[None]:
        """Inside the block, :meth:`hold_back` keeps statements back to run at its end (or
        before any other statement of the connection, in their order); a block left by an
        exception runs none. A block inside another is the outer one's."""
        if self.held_back is not None:
            yield
            return
        self.held_back = []
        try:
            yield
            self.run_held_back()
        finally:
            self.held_back = None

    def hold_back(self, sql: str, params: Sequence[Any], returns_key_to: Any = None) -> bool:
        """Keep the statement ``sql`` back, inside :meth:`holding_back` (False outside it:
        the caller runs it now). ``returns_key_to``: a new row's object, whose primary key
        the statement returns (``RETURNING``), set when it runs."""
        if self.held_back is None:
            return False
        self.held_back.append((sql, params, returns_key_to))
        return True

    def run_held_back(self) -> None:
        """Run the statements held back, in their order, in one go: in a transaction the
        first of them takes the writer lock and sends ``BEGIN``, so the Python that made
        them ran before it, not under the lock."""
        held = self.held_back
        if not held:
            return
        self.held_back = []
        with self.cursor() as cursor:
            for sql, params, obj in held:
                cursor.execute(sql, params)
                if obj is not None:
                    obj.pk = cursor.fetchone()[0]

    def get_new_connection(self, conn_params: Any) -> Any:
        connection = super().get_new_connection(conn_params)
        if self._writer_path() is not None:  # the file databases this backend queues
            connection.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
        return connection

    def _checkpoint_if_due(self) -> None:
        """A passive checkpoint of the WAL by this thread, if this process ran none in the
        last ``CHECKPOINT_INTERVAL`` seconds and no other of its threads is running one."""
        global _last_checkpoint
        if time.monotonic() - _last_checkpoint < CHECKPOINT_INTERVAL:
            return
        if not _checkpointing.acquire(blocking=False):
            return
        try:
            self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as exc:
            # the transaction is committed: a checkpoint that fails is tried again later
            # (and SQLite's own one stays), it does not fail the write that ran it
            logger.warning("WAL checkpoint of %s failed: %s", self.settings_dict["NAME"], exc)
        finally:
            _last_checkpoint = time.monotonic()
            _checkpointing.release()

    def _start_transaction_under_autocommit(self) -> None:
        # BEGIN (and the writer lock) with the block's first statement (before_statement):
        # the Python between the block's start and its first statement runs unlocked
        self.begin_due = True

    def _commit(self) -> Any:
        if self.held_back:
            self.run_held_back()
        self.begin_due = False  # a block that ran no statement: nothing began
        held = self._writer_held  # only a file database's write transaction takes the lock
        try:
            answer = super()._commit()  # type: ignore[misc]
        finally:
            ended = not self._in_transaction()
            if ended:
                self._writer_unlock()
        if held and ended:
            self._checkpoint_if_due()
        return answer

    def _rollback(self) -> Any:
        self.begin_due = False
        if self.held_back:
            self.held_back = []  # the transaction's statements not yet run: none will be
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            if not self._in_transaction():
                self._writer_unlock()

    def _savepoint_rollback(self, sid: str) -> None:
        # every statement held back came after the savepoint: the ones before it ran with
        # its SAVEPOINT (before_statement)
        if self.held_back:
            self.held_back = []
        super()._savepoint_rollback(sid)  # type: ignore[misc]

    def _close(self) -> Any:
        self.begin_due = False
        try:
            return super()._close()  # type: ignore[misc]
        finally:
            self._writer_unlock()
            if self._writer_fd is not None and self._writer_pid == os.getpid():
                os.close(self._writer_fd)
            self._writer_fd = None

    def _in_transaction(self) -> bool:
        connection = self.connection
        return bool(connection is not None and connection.in_transaction)


__all__ = ["DatabaseWrapper"]
