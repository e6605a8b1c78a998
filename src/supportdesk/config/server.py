"""The production server: gunicorn, embedded, with threaded workers (balanced: see
supportdesk.config.workers).

`supportdesk serve` and `supportdesk demo` run it in the foreground. SIGTERM and SIGINT
(Ctrl-C) both stop it gracefully: no new connections, requests in flight finish (for at most
`graceful_timeout`), and the process exits with status 0. A second SIGINT, or SIGQUIT,
stops it at once.

Why Ctrl-C is graceful here: gunicorn's quick stop has each gthread worker shut its thread
pool down from inside a signal handler, which can deadlock with the worker's own main
thread; the worker then hangs until the master kills it after `graceful_timeout`, and
the stop takes seconds instead of milliseconds. The graceful path has no such handler.
"""

from __future__ import annotations

import gc
import os
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from supportdesk.config.workers import BalancedThreadWorker, share_connections


def default_workers() -> int:
    """One process per core (at least two), each with a few threads."""
    return max(2, os.cpu_count() or 1)


# Threads per worker process. Two, not four: on SQLite one transaction writes at a time, and
# the threads a process runs beside the one holding the write lock take the cores from it,
# so the lock is held longer and the others queue behind it. Measured with
# bench/open_cases.py on two cores (2 workers, 16 clients, six alternating runs each): SQLite
# 260-267 openings/s with two threads against 184-202/s with four (the write lock held 3.7
# against 5.3 ms on average, waited for 5.3 against 28 ms); PostgreSQL 217-238/s with
# either. More threads pay where each request waits longer for something else, such as a
# database on another machine: ``--threads``.
DEFAULT_THREADS = 2


@dataclass(frozen=True)
class ServerOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = field(default_factory=default_workers)
    threads: int = DEFAULT_THREADS


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def listener_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    if sock.family == socket.AF_INET6:
        host = f"[{host}]"
    return f"http://{host}:{port}"


class _Arbiter(Arbiter):
    def handle_int(self) -> None:
        """A first SIGINT stops gracefully, as SIGTERM does."""
        self.handle_term()


def _post_worker_init(worker: Any) -> None:
    # Ctrl-C in a terminal signals the whole process group, workers included.
    signal.signal(signal.SIGINT, worker.handle_exit)


class _Gunicorn(BaseApplication):
    def __init__(self, settings: dict[str, Any]) -> None:
        self._settings = settings
        super().__init__()

    def run(self) -> None:
        _Arbiter(self).run()

    def load_config(self) -> None:
        for key, value in self._settings.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from django.urls import get_resolver

        from supportdesk.config.wsgi import application
        from supportdesk.policy import get_policy
        from supportdesk.policy.calendar import check_country

        # Load here in the master, once, what every worker would otherwise load on its first
        # requests while the requests that arrive meanwhile wait: the URLconf and with it
        # the API (django-ninja builds a pydantic model per schema), the policy file, and the
        # holiday library's list of countries (it imports a module per country). Seconds of
        # CPU on a busy machine, more where no bytecode is cached; forked workers share it.
        get_resolver().url_patterns  # noqa: B018
        get_policy()
        check_country("DE", None)
        # Then move everything loaded so far out of the garbage collector's sight: its full
        # collections otherwise walk these ~200,000 long-lived objects, stopping every
        # thread of a worker for over 100 ms each time (one every 1,500 openings or so, a
        # page of answers' p99); forked workers also keep those pages shared.
        gc.collect()
        gc.freeze()
        return application


def run(options: ServerOptions, on_ready: Callable[[str], None]) -> None:
    """Serve until stopped by a signal; ``on_ready`` gets the base URL once bound.

    gunicorn ends the process itself (SystemExit 0 on SIGTERM or SIGINT).
    """

    def when_ready(arbiter: Any) -> None:
        on_ready(listener_url(arbiter.LISTENERS[0].sock))

    settings: dict[str, Any] = {
        "bind": [bind_address(options.host, options.port)],
        "workers": options.workers,
        "threads": options.threads,
        # gthread, with new connections going to the worker that holds the fewest
        "worker_class": BalancedThreadWorker,
        "proc_name": "supportdesk",
        # Load Django once in the master (errors show before any worker starts), then fork.
        "preload_app": True,
        "timeout": 60,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "when_ready": when_ready,
        "post_worker_init": _post_worker_init,
    }
    # rows to spare for workers added later (TTIN) and for replacements of ones that died
    share_connections(max(16, 4 * options.workers))
    app = _Gunicorn(settings)
    if "control_socket_disable" in app.cfg.settings:
        # gunicorn's control socket would be one shared file in the user's home.
        app.cfg.set("control_socket_disable", True)
    app.run()
