"""The server's workers share out the connections evenly (supportdesk.config.workers)."""

from __future__ import annotations

import http.client
import re
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from supportdesk.config import workers
from supportdesk.config.workers import ConnectionTable
from tests import processes


def test_the_worker_with_the_fewest_connections_takes_the_next() -> None:
    table = ConnectionTable(4)
    first, second = table.reserve(), table.reserve()
    assert (first, second) == (0, 1)
    assert first is not None
    assert second is not None
    assert table.fewest(first, 0)
    assert table.fewest(second, 0)

    table.publish(first, 1)
    assert not table.fewest(first, 1)
    assert table.fewest(second, 0)
    table.publish(second, 1)
    assert table.fewest(first, 1)
    assert table.fewest(second, 1)


def test_a_worker_that_stopped_beating_or_is_stopping_is_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    table = ConnectionTable(3)
    busy, idle = table.reserve(), table.reserve()
    assert busy is not None
    assert idle is not None
    table.publish(busy, 5)
    assert not table.fewest(busy, 5)

    table.release(idle)  # shutting down: at once
    assert table.fewest(busy, 5)
    assert table.reserve() == idle  # and its row is free again

    now = time.monotonic()
    monkeypatch.setattr(workers.time, "monotonic", lambda: now + workers.STALE + 1)
    assert table.fewest(busy, 5)  # silent for longer than STALE: gone
    table.beat(busy)
    assert table.reserve() == idle  # the silent one's row is handed out again


def test_a_full_table_leaves_the_worker_unbalanced() -> None:
    table = ConnectionTable(1)
    assert table.reserve() == 0
    assert table.reserve() is None


def _owners(port: int, pids: list[int]) -> Counter[int]:
    """How many established connections to ``port`` each process in ``pids`` holds."""
    inodes: set[str] = set()
    for name in ("tcp", "tcp6"):
        for line in Path(f"/proc/net/{name}").read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01":  # ESTABLISHED, server side
                inodes.add(f"socket:[{fields[9]}]")
    held: Counter[int] = Counter()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = str(fd.readlink())
            except OSError:
                continue
            if target in inodes:
                held[pid] += 1
    return held


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_kept_alive_connections_are_spread_evenly_over_the_workers() -> None:
    # Before: whichever worker woke first took a connection, and splits like 12/4 held for
    # the connections' lives; the fuller worker's requests waited twice as long.
    with processes.Running("serve", "--port", "0", "--workers", "2", "--threads", "2") as server:
        url = server.wait_for(processes.URL).group(1)
        port = int(url.rsplit(":", 1)[1])
        server.wait_for(re.compile(r"Booting worker with pid"))
        server.wait_for(re.compile(r"Booting worker with pid"))
        connections = []
        try:
            # all connected at once, before any request: a worker that wakes first takes
            # the waiting connections one after the other unless it stands back
            for _ in range(12):
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.connect()
                connections.append(connection)
            for connection in connections:
                connection.request("GET", "/api/v1/health")
                answer = connection.getresponse()
                answer.read()
                assert answer.status == 200
                assert not answer.will_close
            pids = _children(server.process.pid)
            assert len(pids) == 2
            assert sorted(_owners(port, pids).values()) == [6, 6]
            for connection in connections:  # and each goes on being served where it is
                connection.request("GET", "/api/v1/health")
                answer = connection.getresponse()
                answer.read()
                assert answer.status == 200
        finally:
            for connection in connections:
                connection.close()
        assert server.stop(signal.SIGTERM, timeout=10) == 0
    assert "Traceback" not in server.output
