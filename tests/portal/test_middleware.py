"""Pages render times in the signed-in viewer's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from supportdesk.portal.middleware import ViewerTimeZoneMiddleware


class _User:
    is_authenticated = True

    def __init__(self, time_zone: str) -> None:
        self.time_zone = time_zone


def _render_now(request: HttpRequest) -> HttpResponse:
    moment = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    return HttpResponse(timezone.localtime(moment).strftime("%H:%M %Z"))


def _get(user: object) -> str:
    request = RequestFactory().get("/")
    request.user = user  # type: ignore[assignment]
    return ViewerTimeZoneMiddleware(_render_now)(request).content.decode()


def test_signed_in_user_sees_own_zone_and_it_does_not_leak() -> None:
    assert _get(_User("Asia/Tokyo")) == "21:00 JST"
    assert timezone.get_current_timezone_name() == "UTC"  # deactivated after the request


def test_anonymous_and_bad_zone_see_utc() -> None:
    class Anonymous:
        is_authenticated = False

    assert _get(Anonymous()) == "12:00 UTC"
    assert _get(_User("Nowhere/City")) == "12:00 UTC"
