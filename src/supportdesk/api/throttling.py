"""Rate limits on the API: 429 with Retry-After past a caller's limit (supportdesk.ratelimit).

Every operation counts against ``api`` (per signed-in user, or per address for calls without
a sign-in: ``api-anonymous``); the upload and survey endpoints also count against their own
limits (``RateLimit("upload")``, ``RateLimit("survey")``).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from supportdesk.ratelimit import Limit, caller_of, hit


class RateLimit(BaseThrottle):
    def __init__(self, name: str, *, anonymous: str | None = None) -> None:
        self.name = name
        self.anonymous = anonymous or name

    def allow_request(self, request: HttpRequest) -> bool:
        caller, signed_in = caller_of(request)
        limit = Limit.named(self.name if signed_in else self.anonymous)
        # One throttle object serves every request: the wait goes on the request's answer
        # through the return value only, never through shared state another thread reads.
        wait = hit(limit, caller)
        request._sd_rate_wait = wait  # type: ignore[attr-defined]
        return wait is None

    def wait(self) -> float | None:  # ninja asks right after allow_request returned False
        return None
