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

In-memory databases (the test suite's) have a single connection and no file to lock.
"""

from __future__ import annotations

import fcntl
import os
from typing import Any

from django.db.backends.sqlite3 import base

LOCK_SUFFIX = "-writer.lock"


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

    def _start_transaction_under_autocommit(self) -> None:
        self._writer_lock()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._writer_unlock()
            raise

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]
        finally:
            if not self._in_transaction():
                self._writer_unlock()

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
