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
from collections.abc import Sequence
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
    """Django's cursor, with the conversion of "format" placeholders kept per statement."""

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
        return self.connection.cursor(factory=_CursorWrapper)

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
        self._writer_lock()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._writer_unlock()
            raise

    def _commit(self) -> Any:
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
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            if not self._in_transaction():
                self._writer_unlock()

    def _close(self) -> Any:
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
