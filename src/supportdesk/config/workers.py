"""gunicorn's threaded worker, with the connections spread evenly over the worker processes.

All workers accept on the one listening socket, and whichever wakes first takes a new
connection. A kept-alive connection then stays with that worker for as long as it lives, and
nothing evens them out: with 16 clients on two workers, splits of 10/6 and 12/4 were as
common as 8/8. The workers share the machine's cores and SQLite's one writer about equally,
so each answers about as many requests a second whatever it holds, and a request on the
fuller worker waits in its longer queue: in `bench/open_cases.py` the clients of the fuller
worker waited twice as long as the others (mean 77 ms against 46 ms), and the p99 was theirs.
A reverse proxy that keeps a pool of connections to the server splits them the same way.

Here each worker publishes how many connections it holds in a table shared by the master and
its workers (anonymous shared memory, made before the fork), and takes a new connection only
while it holds no more than every other live worker: the one with the fewest takes it. A
worker that stands back looks again every ``RECHECK`` seconds (the others' counts change
without waking it). A worker is live while it beats, which it does at each turn of its loop
(at least once a second); one that has stopped, hangs or is shutting down is left out
after ``STALE`` seconds at most (at once when it is shutting down), so the others accept for
it. A worker that finds no free row in the table accepts as plain gthread does.
"""

from __future__ import annotations

import ctypes
import multiprocessing.sharedctypes
import time
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

RECHECK = 0.01  # seconds between looks of a worker that stands back
STALE = 3.0  # seconds without a beat after which a worker counts as gone
_FIELDS = 2  # a row: last beat (monotonic seconds, 0 = free), connections held


class ConnectionTable:
    """Rows of (last beat, connections held), one per worker, in memory shared across fork."""

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self._cells: Any = multiprocessing.sharedctypes.RawArray(ctypes.c_double, rows * _FIELDS)

    def reserve(self) -> int | None:
        """A free row for a worker about to be forked (called in the master): its beat is set
        now, so that the row is not handed out twice before the worker's first beat."""
        now = time.monotonic()
        cells = self._cells
        for row in range(self.rows):
            beat = cells[row * _FIELDS]
            if beat == 0.0 or now - beat > STALE:
                cells[row * _FIELDS] = now
                cells[row * _FIELDS + 1] = 0.0
                return row
        return None

    def beat(self, row: int) -> None:
        self._cells[row * _FIELDS] = time.monotonic()

    def release(self, row: int) -> None:
        self._cells[row * _FIELDS] = 0.0

    def publish(self, row: int, connections: int) -> None:
        self._cells[row * _FIELDS + 1] = float(connections)

    def fewest(self, row: int, connections: int) -> bool:
        """Whether ``row``, holding ``connections``, holds no more than every other live row."""
        now = time.monotonic()
        cells = self._cells
        for other in range(self.rows):
            if other == row:
                continue
            beat = cells[other * _FIELDS]
            if beat and now - beat <= STALE and cells[other * _FIELDS + 1] < connections:
                return False
        return True


_table: ConnectionTable | None = None


def share_connections(rows: int) -> None:
    """Make the table, in the master before any worker is forked."""
    global _table
    _table = ConnectionTable(rows)


class BalancedThreadWorker(ThreadWorker):
    """gthread, taking a new connection only while no other live worker holds fewer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # the table and this worker's row in it, or None: unbalanced, as plain gthread
        self._slot: tuple[ConnectionTable, int] | None = None
        self._cap = 0
        self._held = 0
        super().__init__(*args, **kwargs)  # in the master, before the fork
        if _table is not None and (row := _table.reserve()) is not None:
            self._slot = (_table, row)

    # gthread's loop accepts while ``nr_conns < worker_connections``: the worker's count is
    # published as it changes, and the limit drops to nothing while another worker holds fewer.

    @property
    def nr_conns(self) -> int:
        return self._held

    @nr_conns.setter
    def nr_conns(self, value: int) -> None:
        self._held = value
        if self._slot is not None:
            table, row = self._slot
            table.publish(row, value)

    @property
    def worker_connections(self) -> int:
        cap = self._cap
        if self._slot is None or self._held >= cap or not self.alive:
            return cap
        table, row = self._slot
        return cap if table.fewest(row, self._held) else 0

    @worker_connections.setter
    def worker_connections(self, value: int) -> None:
        self._cap = value

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        if self._slot is not None:
            table, row = self._slot
            if self.alive:
                table.beat(row)
                if not self._accepting:
                    timeout = min(timeout, RECHECK)
            else:
                table.release(row)  # stopping: the others accept without waiting for it
        super().wait_for_and_dispatch_events(timeout)

    def handle_exit(self, sig: int, frame: Any) -> None:
        if self._slot is not None:
            table, row = self._slot
            table.release(row)
        super().handle_exit(sig, frame)
