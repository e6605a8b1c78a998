"""Signing in with a user name and password, slowed down for whoever keeps guessing.

After ``SUPPORTDESK_LOGIN_FREE_FAILURES`` failures for one user name from one address, each
further attempt must wait twice as long as the previous one (1 s, 2 s, 4 s, ... up to
``SUPPORTDESK_LOGIN_MAX_WAIT_SECONDS``); a success clears the count. The count is per user
name *and* address, so a guesser elsewhere never locks the real user out, and it is kept for
unknown user names exactly as for real ones, so the answer reveals nothing about which exist.
An attempt made while waiting is refused without checking the password.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from supportdesk.ratelimit import CACHE_ALIAS, client_ip, digest

#: How long the failure count is remembered after the last failure.
MEMORY_SECONDS = 24 * 3600

#: The clock (tests stop it).
clock = time.time


def _key(username: str, address: str) -> str:
    return "sd-login:" + digest(f"{username.strip().casefold()}\x00{address}")


def login_wait(username: str, address: str, *, now: float | None = None) -> float:
    """Seconds before the next attempt for this user name from this address (0: go ahead)."""
    state = caches[CACHE_ALIAS].get(_key(username, address))
    if not state:
        return 0.0
    failures, last = state
    free = settings.SUPPORTDESK_LOGIN_FREE_FAILURES
    if failures < free:
        return 0.0
    delay = min(2.0 ** (failures - free), float(settings.SUPPORTDESK_LOGIN_MAX_WAIT_SECONDS))
    now = clock() if now is None else now
    return max(0.0, last + delay - now)


def login_failed(username: str, address: str, *, now: float | None = None) -> None:
    key = _key(username, address)
    cache = caches[CACHE_ALIAS]
    failures, _ = cache.get(key) or (0, 0.0)
    now = clock() if now is None else now
    cache.set(key, (failures + 1, now), timeout=MEMORY_SECONDS)


def login_succeeded(username: str, address: str) -> None:
    caches[CACHE_ALIAS].delete(_key(username, address))


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if request is None or username is None:
            return super().authenticate(request, username, password, **kwargs)
        address = client_ip(request)
        wait = login_wait(username, address)
        if wait > 0:
            request.login_wait = wait  # type: ignore[attr-defined]
            raise PermissionDenied("too many failed sign-ins")  # stops every backend
        user = super().authenticate(request, username, password, **kwargs)
        if user is None:
            login_failed(username, address)
        else:
            login_succeeded(username, address)
        return user
