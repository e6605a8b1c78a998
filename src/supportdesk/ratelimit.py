"""Rate limits: how many requests one caller may make in a window, shared by every process
that shares the cache (``SUPPORTDESK_CACHE_URL``; without it each process counts alone).

A fixed-window counter per (limit, caller): ``cache.add`` starts the window's count and
``cache.incr`` is atomic in Redis and in the local-memory cache, so concurrent requests
never both slip under the limit. Callers are told how long to wait (``Retry-After``).
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse

CACHE_ALIAS = "default"

#: The clock (tests stop it, so that a window cannot end mid-test).
clock = time.time


@dataclass(frozen=True)
class Limit:
    """At most ``requests`` per ``seconds`` for one caller; ``requests=0`` switches it off."""

    name: str
    requests: int
    seconds: int

    @classmethod
    def named(cls, name: str) -> Limit:
        requests, seconds = settings.SUPPORTDESK_RATE_LIMITS[name]
        return cls(name, requests, seconds)


def hit(limit: Limit, caller: str, *, now: float | None = None) -> float | None:
    """Count one request by ``caller``; None when allowed, else the seconds to wait."""
    if limit.requests <= 0:
        return None
    now = clock() if now is None else now
    window = int(now // limit.seconds)
    key = f"sd-rl:{limit.name}:{digest(caller)}:{window}"
    cache = caches[CACHE_ALIAS]
    cache.add(key, 0, timeout=limit.seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this request starts the window
        cache.add(key, 1, timeout=limit.seconds + 1)
        count = 1
    if count <= limit.requests:
        return None
    return (window + 1) * limit.seconds - now


def digest(caller: str) -> str:
    """Cache keys never carry user names or addresses as such (and stay short)."""
    return hashlib.blake2b(caller.encode(), digest_size=12).hexdigest()


def caller_of(request: HttpRequest) -> tuple[str, bool]:
    """Whom a request counts against: (key, signed in). The signed-in user (an API token's
    user first), else the client address."""
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.pk}", True
    return f"address:{client_ip(request)}", False


def client_ip(request: HttpRequest) -> str:
    """The address the request came from.

    Behind ``SUPPORTDESK_TRUSTED_PROXIES`` proxies (each appending to X-Forwarded-For), the
    client is that many entries from the right; what a client writes further left is ignored,
    so it cannot pick its own address to dodge a limit.
    """
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    proxies: int = settings.SUPPORTDESK_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def rate_limited(name: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """For a page (not the API): ``name``'s limit per signed-in user or per address; past it,
    a plain 429 page with Retry-After."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            wait = hit(Limit.named(name), caller_of(request)[0])
            if wait is None:
                return view(request, *args, **kwargs)
            response = HttpResponse(
                "Too many requests: wait a moment and try again.\n",
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = str(max(1, math.ceil(wait)))
            return response

        return limited

    return decorate
