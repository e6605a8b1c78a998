"""The production server: gunicorn, embedded, with threaded workers.

`supportdesk serve` and `supportdesk demo` run it in the foreground. gunicorn's master
process handles the signals: SIGTERM stops gracefully (requests in flight finish), SIGINT
(Ctrl-C) stops at once; either way the process exits with status 0.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gunicorn.app.base import BaseApplication


def default_workers() -> int:
    """One process per core (at least two), each with a few threads."""
    return max(2, os.cpu_count() or 1)


@dataclass(frozen=True)
class ServerOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = field(default_factory=default_workers)
    threads: int = 4


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def listener_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    if sock.family == socket.AF_INET6:
        host = f"[{host}]"
    return f"http://{host}:{port}"


class _Gunicorn(BaseApplication):
    def __init__(self, settings: dict[str, Any]) -> None:
        self._settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._settings.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from supportdesk.config.wsgi import application

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
        "worker_class": "gthread",
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
    }
    app = _Gunicorn(settings)
    if "control_socket_disable" in app.cfg.settings:
        # gunicorn's control socket would be one shared file in the user's home.
        app.cfg.set("control_socket_disable", True)
    app.run()
