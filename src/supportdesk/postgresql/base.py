"""Django's PostgreSQL backend, with the health check of a kept connection made only when the
connection has not been used for a while.

With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first query of every
request, so that a connection the server dropped (a restart, an idle timeout, a failover) is
noticed and made again, rather than failing the request. Under a steady stream of requests
that is a round trip of its own for every one of them (about 2 % of an opening's CPU, its
client's and its server process's together), on connections that answered a moment ago. Here
a connection used less than ``CHECK_AFTER`` seconds ago is taken as it is; one that rested
longer is checked as Django checks it. A connection that fails within that second is noticed
by the statement that meets it, as with any connection that fails during a request.
"""

from __future__ import annotations

import time
from typing import Any

from django.db.backends.postgresql import base

CHECK_AFTER = 1.0  # seconds: a connection unused for longer is checked before its next use


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._used_at: float | None = None  # time.monotonic() of the last cursor asked for

    def close_if_health_check_failed(self) -> None:
        # called before every cursor is made (Django's and supportdesk.rows'); Django's
        # check runs once a request (health_check_done, reset when a request starts)
        now = time.monotonic()
        if not getattr(self, "health_check_done", False):
            if self._used_at is not None and now - self._used_at < CHECK_AFTER:
                self.health_check_done = True  # used a moment ago: no round trip to check it
            else:
                super().close_if_health_check_failed()
        self._used_at = now

    def _close(self) -> None:
        self._used_at = None
        super()._close()  # type: ignore[misc]


__all__ = ["DatabaseWrapper"]
